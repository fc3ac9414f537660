"""Ethnic groups, religions and province populations."""

from __future__ import annotations

import math
import unicodedata

import pytest

from citizenid import refdata
from citizenid.refdata import UnknownCode

OFFICIAL_ETHNIC_GROUPS = (
    "Kinh Tày Thái Hoa Khmer Mường Nùng Mông Dao Gia_Rai Ngái Ê_Đê Ba_Na Xơ_Đăng Sán_Chay Cơ_Ho Chăm "
    "Sán_Dìu Hrê Mnông Raglay Xtiêng Bru-Vân_Kiều Thổ Giáy Cơ_Tu Gié_Triêng Mạ Khơ_Mú Co Tà_Ôi Chơ_Ro "
    "Kháng Xinh_Mun Hà_Nhì Chu_Ru Lào La_Chí La_Ha Phù_Lá La_Hủ Lự Lô_Lô Chứt Mảng Pà_Thẻn Cờ_Lao Cống "
    "Bố_Y Si_La Pu_Péo Brâu Ơ_Đu Rơ_Măm"
)


def test_ethnic_groups_are_the_54_in_gso_order() -> None:
    groups = refdata.ethnic_groups()
    expected = [name.replace("_", " ") for name in OFFICIAL_ETHNIC_GROUPS.split()]
    assert [g.name for g in groups] == expected
    assert [g.code for g in groups] == [f"{n:02d}" for n in range(1, 55)]


def test_ethnic_shares_look_like_the_2019_census() -> None:
    groups = refdata.ethnic_groups()
    assert math.isclose(sum(g.share for g in groups), 1.0, abs_tol=1e-4)
    assert all(g.share > 0 for g in groups)
    assert refdata.ethnic_group("Kinh").share == pytest.approx(0.853, abs=0.002)
    assert max(groups, key=lambda g: g.share).name == "Kinh"


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("01", "Kinh"),
        ("1", "Kinh"),
        ("kinh", "Kinh"),
        ("Dân tộc Kinh", "Kinh"),
        ("Người Hoa", "Hoa"),
        ("HOA", "Hoa"),
        ("H'Mông", "Mông"),
        ("hmong", "Mông"),
        ("Mèo", "Mông"),
        ("Ê-đê", "Ê Đê"),
        ("Ede", "Ê Đê"),
        ("e de", "Ê Đê"),
        ("Khơ-me", "Khmer"),
        ("bru van kieu", "Bru-Vân Kiều"),
        ("Tày", "Tày"),
        ("Thái", "Thái"),
        ("Co", "Co"),
        ("Cơ Ho", "Cơ Ho"),
        ("Lào", "Lào"),
        ("Lô Lô", "Lô Lô"),
        (" ơ  đu ", "Ơ Đu"),
    ],
)
def test_ethnic_group_lookup(query: str, name: str) -> None:
    assert refdata.ethnic_group(query).name == name


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("00", "Không"),
        ("0", "Không"),
        ("Không tôn giáo", "Không"),
        ("thien chua giao", "Công giáo"),
        ("Hoà Hảo", "Phật giáo Hòa Hảo"),
        ("Đạo Phật", "Phật giáo"),
        ("tin lanh", "Tin lành"),
        ("Cao Đài", "Cao Đài"),
        ("Tôn giáo khác", "Khác"),
    ],
)
def test_religion_lookup(query: str, name: str) -> None:
    assert refdata.religion(query).name == name


def test_religions() -> None:
    religions = refdata.religions()
    assert [r.code for r in religions] == sorted({r.code for r in religions})
    assert {"Không", "Phật giáo", "Công giáo", "Tin lành", "Cao Đài", "Phật giáo Hòa Hảo", "Hồi giáo"} <= {
        r.name for r in religions
    }
    assert math.isclose(sum(r.share for r in religions), 1.0, abs_tol=1e-4)
    assert refdata.religion("00").share == pytest.approx(0.86, abs=0.01)


@pytest.mark.parametrize("query", ["00", "55", "Klingon", "", "Việt Nam"])
def test_unknown_ethnic_group(query: str) -> None:
    with pytest.raises(UnknownCode, match="ethnic group"):
        refdata.ethnic_group(query)


@pytest.mark.parametrize("query", ["98", "Jedi", ""])
def test_unknown_religion(query: str) -> None:
    with pytest.raises(UnknownCode, match="religion"):
        refdata.religion(query)


def test_province_population() -> None:
    population = refdata.province_population()
    assert set(population) == {p.code for p in refdata.legacy_provinces()}
    assert sum(population.values()) == pytest.approx(96_208_984, rel=0.01)
    assert max(population, key=population.__getitem__) == "79"
    population["79"] = 0
    assert refdata.province_population()["79"] > 8_000_000


def test_all_text_is_nfc_and_trimmed() -> None:
    texts: list[str] = []
    for province in refdata.legacy_provinces() + refdata.current_provinces():
        texts += [province.name, province.short_name]
    texts += [d.name for d in refdata.legacy_districts()]
    texts += [c.name for c in refdata.legacy_communes() + refdata.current_communes()]
    for entry in refdata.ethnic_groups() + refdata.religions():
        texts += [entry.name, *entry.variants]
    for text in texts:
        assert text == unicodedata.normalize("NFC", text)
        assert text
        assert text == " ".join(text.split())
