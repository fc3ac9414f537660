"""Administrative units of both schemes and the legacy -> current conversion."""

from __future__ import annotations

import pytest

from citizenid import refdata
from citizenid.errors import NotFound
from citizenid.refdata import UnknownCode, fold

# Circular 07/2016/TT-BCA appendix 1, as copied into shared/reference/vietnam-id.md.
NUMBER_CODES = """
001 Hà Nội, 002 Hà Giang, 004 Cao Bằng, 006 Bắc Kạn, 008 Tuyên Quang, 010 Lào Cai, 011 Điện Biên,
012 Lai Châu, 014 Sơn La, 015 Yên Bái, 017 Hòa Bình, 019 Thái Nguyên, 020 Lạng Sơn, 022 Quảng Ninh,
024 Bắc Giang, 025 Phú Thọ, 026 Vĩnh Phúc, 027 Bắc Ninh, 030 Hải Dương, 031 Hải Phòng, 033 Hưng Yên,
034 Thái Bình, 035 Hà Nam, 036 Nam Định, 037 Ninh Bình, 038 Thanh Hóa, 040 Nghệ An, 042 Hà Tĩnh,
044 Quảng Bình, 045 Quảng Trị, 046 Thừa Thiên Huế, 048 Đà Nẵng, 049 Quảng Nam, 051 Quảng Ngãi,
052 Bình Định, 054 Phú Yên, 056 Khánh Hòa, 058 Ninh Thuận, 060 Bình Thuận, 062 Kon Tum, 064 Gia Lai,
066 Đắk Lắk, 067 Đắk Nông, 068 Lâm Đồng, 070 Bình Phước, 072 Tây Ninh, 074 Bình Dương, 075 Đồng Nai,
077 Bà Rịa - Vũng Tàu, 079 TP. Hồ Chí Minh, 080 Long An, 082 Tiền Giang, 083 Bến Tre, 084 Trà Vinh,
086 Vĩnh Long, 087 Đồng Tháp, 089 An Giang, 091 Kiên Giang, 092 Cần Thơ, 093 Hậu Giang,
094 Sóc Trăng, 095 Bạc Liêu, 096 Cà Mau
"""


def _number_codes() -> list[tuple[str, str]]:
    pairs = [item.strip().split(" ", 1) for item in NUMBER_CODES.replace("\n", " ").split(",")]
    return [(code, name) for code, name in pairs]


def test_counts() -> None:
    assert len(refdata.legacy_provinces()) == 63
    assert len(refdata.current_provinces()) == 34
    assert len(refdata.legacy_districts()) == 696
    assert 10_000 <= len(refdata.legacy_communes()) <= 10_040
    assert len(refdata.current_communes()) == 3_321


def test_tables_are_sorted_by_code() -> None:
    for table in (
        refdata.legacy_provinces(),
        refdata.current_provinces(),
        refdata.legacy_districts(),
        refdata.legacy_communes(),
        refdata.current_communes(),
    ):
        codes = [unit.code for unit in table]
        assert codes == sorted(set(codes))


def test_code_widths_and_schemes() -> None:
    assert all(len(p.code) == 2 and p.code.isdigit() for p in refdata.legacy_provinces())
    assert all(len(d.code) == 3 for d in refdata.legacy_districts())
    assert all(len(c.code) == 5 and c.scheme == "legacy" for c in refdata.legacy_communes())
    assert all(c.scheme == "current" and c.district_code is None for c in refdata.current_communes())
    assert {c.kind for c in refdata.legacy_communes()} == {"Phường", "Xã", "Thị trấn"}
    assert {c.kind for c in refdata.current_communes()} == {"Phường", "Xã", "Đặc khu"}
    assert all(c.name.startswith(c.kind + " ") for c in refdata.legacy_communes() + refdata.current_communes())


def test_legacy_communes_point_at_their_district_and_province() -> None:
    districts = {d.code: d for d in refdata.legacy_districts()}
    provinces = {p.code for p in refdata.legacy_provinces()}
    for commune in refdata.legacy_communes():
        assert commune.district_code is not None
        assert districts[commune.district_code].province_code == commune.province_code
    assert {d.province_code for d in districts.values()} == provinces


def test_known_provinces() -> None:
    dong_thap = refdata.legacy_province("87")
    assert (dong_thap.name, dong_thap.short_name, dong_thap.scheme) == ("Tỉnh Đồng Tháp", "Đồng Tháp", "legacy")
    assert dong_thap.number_code == "087"
    assert refdata.province_by_number_code("079").name == "Thành phố Hồ Chí Minh"
    assert refdata.legacy_province("001") == refdata.legacy_province("01")
    assert refdata.current_province("001").name == "Thành phố Hà Nội"
    # The same code names different provinces in the two schemes.
    assert refdata.legacy_province("82").short_name == "Tiền Giang"
    assert refdata.current_province("82").short_name == "Đồng Tháp"


@pytest.mark.parametrize(("code3", "name"), _number_codes())
def test_every_personal_number_prefix_resolves(code3: str, name: str) -> None:
    province = refdata.province_by_number_code(code3)
    assert province.number_code == code3
    assert fold(name).endswith(fold(province.short_name))


def test_reference_lists_every_legacy_province() -> None:
    assert {code for code, _ in _number_codes()} == {p.number_code for p in refdata.legacy_provinces()}


def test_phuc_xa_is_in_ba_dinh_hanoi() -> None:
    phuc_xa = refdata.legacy_commune("00001")
    assert (phuc_xa.name, phuc_xa.kind) == ("Phường Phúc Xá", "Phường")
    assert phuc_xa.district_code is not None
    assert refdata.legacy_district(phuc_xa.district_code).name == "Quận Ba Đình"
    assert refdata.legacy_province(phuc_xa.province_code).short_name == "Hà Nội"


def test_binh_duong_merged_into_ho_chi_minh_city() -> None:
    assert refdata.current_province_for_legacy("74") == refdata.current_province("79")
    assert refdata.current_province_for_legacy("074").scheme == "current"


def test_every_legacy_province_has_a_successor_and_every_current_one_a_predecessor() -> None:
    successors = {refdata.current_province_for_legacy(p.code) for p in refdata.legacy_provinces()}
    assert successors == set(refdata.current_provinces())


def test_every_legacy_commune_maps_into_its_merged_province() -> None:
    reached: set[str] = set()
    for commune in refdata.legacy_communes():
        successors = refdata.current_communes_for_legacy(commune.code)
        assert successors, commune
        province = refdata.current_province_for_legacy(commune.province_code)
        assert {s.province_code for s in successors} == {province.code}, commune
        assert len({s.code for s in successors}) == len(successors)
        reached.update(s.code for s in successors)
    island_districts = [d for d in refdata.legacy_districts() if not _has_communes(d.code)]
    reached.update(c.code for d in island_districts for c in refdata.current_communes_for_legacy_district(d.code))
    assert reached == {c.code for c in refdata.current_communes()}


def _has_communes(district_code: str) -> bool:
    return any(c.district_code == district_code for c in refdata.legacy_communes())


def test_split_commune_lists_default_first_then_candidates() -> None:
    split = [c for c in refdata.legacy_communes() if len(refdata.current_communes_for_legacy(c.code)) > 1]
    assert 400 <= len(split) <= 500
    # Phường Cống Vị (Ba Đình) went mostly to Phường Ngọc Hà, partly to Phường Giảng Võ.
    assert [c.name for c in refdata.current_communes_for_legacy("00007")] == [
        "Phường Ngọc Hà",
        "Phường Giảng Võ",
    ]


def test_island_districts_without_communes_convert() -> None:
    con_dao = refdata.current_communes_for_legacy_district("755")
    assert [(c.name, c.province_code) for c in con_dao] == [("Đặc khu Côn Đảo", "79")]
    ba_dinh = refdata.current_communes_for_legacy_district("001")
    assert {c.province_code for c in ba_dinh} == {"01"}
    assert "Phường Ba Đình" in {c.name for c in ba_dinh}


def test_current_communes_in_province() -> None:
    hanoi = refdata.current_communes_in("01")
    assert hanoi == refdata.current_communes_in("001")
    assert all(c.province_code == "01" for c in hanoi)
    assert sum(len(refdata.current_communes_in(p.code)) for p in refdata.current_provinces()) == 3_321


@pytest.mark.parametrize(
    ("lookup", "code"),
    [
        (refdata.legacy_province, "03"),
        (refdata.legacy_province, "100"),
        (refdata.current_province, "87"),
        (refdata.province_by_number_code, "003"),
        (refdata.province_by_number_code, "01"),
        (refdata.province_by_number_code, "101"),
        (refdata.province_by_number_code, "0a1"),
        (refdata.current_province_for_legacy, "99"),
        (refdata.legacy_district, "999"),
        (refdata.legacy_commune, "99999"),
        (refdata.legacy_commune, ""),
        (refdata.current_commune, "00001"),
        (refdata.current_communes_in, "87"),
        (refdata.current_communes_for_legacy, "00002"),
        (refdata.current_communes_for_legacy_district, "000"),
    ],
)
def test_unknown_codes_raise(lookup: object, code: str) -> None:
    assert callable(lookup)
    with pytest.raises(UnknownCode) as caught:
        lookup(code)
    error = caught.value
    assert isinstance(error, NotFound)
    assert error.code == "REF-001"
    assert error.status == 404
    assert repr(code) in error.detail
    assert error.problem()["value"] == code
