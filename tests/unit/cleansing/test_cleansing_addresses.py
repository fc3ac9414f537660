"""Addresses: units from free text, with and without diacritics and abbreviations, legacy to current."""

from __future__ import annotations

import pytest

from citizenid.cleansing import read_address, read_province
from citizenid.refdata import (
    current_communes_for_legacy,
    legacy_commune,
    legacy_communes,
    legacy_district,
    legacy_province,
)
from citizenid.vntext import fold


@pytest.mark.parametrize(
    "text",
    [
        "Xã Đông Hội, Huyện Đông Anh, Thành phố Hà Nội",
        "xa Dong Hoi, huyen Dong Anh, Ha Noi",
        "X. Đông Hội, H. Đông Anh, TP Hà Nội",
        "x. dong hoi, h. dong anh, tp. ha noi, Viet Nam",
        "xa Dong Hoi huyen Dong Anh Ha Noi",
        "Thôn Lại Đà xã Đông Hội huyện Đông Anh thành phố Hà Nội",
        "Đông Hội, Đông Anh, Hà Nội",
    ],
)
def test_one_commune_many_spellings(text: str) -> None:
    reading = read_address(text)
    assert reading.legacy_province == "01"
    assert reading.legacy_district == "017"
    assert reading.legacy_commune == "00523"
    assert reading.scheme == "legacy"
    assert reading.current_commune == current_communes_for_legacy("00523")[0].code
    assert not reading.split
    assert reading.unresolved == ()


def test_street_detail_is_kept_as_written() -> None:
    reading = read_address("Số 12 ngõ 34 phố Đội Cấn, P. Đội Cấn, Q. Ba Đình, TP Hà Nội")
    assert reading.detail == "Số 12 ngõ 34 phố Đội Cấn"
    assert legacy_commune(reading.legacy_commune or "").name == "Phường Đội Cấn"


def test_split_legacy_commune_takes_the_default_and_lists_the_others() -> None:
    reading = read_address("Số 12 ngõ 34 phố Đội Cấn, P. Đội Cấn, Q. Ba Đình, TP Hà Nội")
    successors = tuple(c.code for c in current_communes_for_legacy("00022"))
    assert len(successors) > 1
    assert reading.split
    assert reading.successors == successors
    assert reading.current_commune == successors[0]


def test_a_current_ward_under_a_legacy_district_resolves_in_the_current_scheme() -> None:
    # Phường Ba Đình exists only since July 2025; the clerk kept the old district.
    reading = read_address("Số 12 ngõ 34 phố Đội Cấn, P. Ba Đình, Q. Ba Đình, TP Hà Nội")
    assert reading.scheme == "current"
    assert reading.legacy_commune is None
    assert reading.current_commune == "00004"
    assert reading.current_province == "01"


@pytest.mark.parametrize("text", ["P.1, Q.3, TP.HCM", "Phường 01, Quận 3, TP Hồ Chí Minh", "phuong 1 quan 3 tp hcm"])
def test_numbered_wards_and_city_abbreviations(text: str) -> None:
    reading = read_address(text)
    assert reading.legacy_province == "79"
    assert reading.legacy_district == "770"
    assert reading.legacy_commune is not None
    assert legacy_commune(reading.legacy_commune).name == "Phường 1"


def test_a_name_that_starts_like_a_unit_word_still_matches() -> None:
    # "Phương Mai" folds to "phuong mai", which opens with the word for ward.
    reading = read_address("Phương Mai, Đống Đa, Hà Nội")
    assert legacy_commune(reading.legacy_commune or "").name == "Phường Phương Mai"


def test_a_town_district_without_commune_is_partly_resolved() -> None:
    reading = read_address("Tx. Sơn Tây, Hà Nội")
    assert reading.legacy_district is not None
    assert reading.current_commune is None
    assert reading.unresolved == ("commune: not named or not known",)


def test_an_ambiguous_commune_name_is_not_guessed() -> None:
    reading = read_address("Xã Hưng Đạo, Tỉnh Cao Bằng")
    assert reading.legacy_commune is None
    assert any("communes" in reason for reason in reading.unresolved)


@pytest.mark.parametrize("text", ["blah", "12 Main Street, Springfield", ",,,", "P., Q., TP"])
def test_unknown_places_are_reported(text: str) -> None:
    reading = read_address(text)
    assert not reading.resolved
    assert reading.unresolved


def test_missing_address_is_no_unresolved_reading() -> None:
    assert read_address(None).unresolved == ()
    assert read_address("  ").original == "  "


@pytest.mark.parametrize(
    ("text", "code"),
    [("Hà Nội", "01"), ("ha noi", "01"), ("001", "01"), ("79", "79"), ("TP. HCM", "79"), ("Tỉnh Bến Tre", "83")],
)
def test_provinces_by_name_or_code(text: str, code: str) -> None:
    province = read_province(text)
    assert province is not None
    assert province.code == code


def test_unknown_province() -> None:
    assert read_province("Atlantis") is None
    assert read_province("999") is None


def test_every_fifth_legacy_commune_reads_back_from_its_official_names() -> None:
    # With diacritics every commune resolves; folded, a name shared by two communes of one district
    # ("Sa Pa" / "Sả Pả") stays unresolved, but never resolves to the wrong one.
    ambiguous = 0
    for commune in legacy_communes()[::5]:
        if commune.district_code is None:
            continue
        district = legacy_district(commune.district_code)
        text = f"{commune.name}, {district.name}, {legacy_province(commune.province_code).name}"
        assert read_address(text).legacy_commune == commune.code, text
        folded = read_address(fold(text))
        if folded.legacy_commune is None:
            ambiguous += 1
            assert any("names" in reason for reason in folded.unresolved), fold(text)
        else:
            assert folded.legacy_commune == commune.code, fold(text)
    assert ambiguous < 20
