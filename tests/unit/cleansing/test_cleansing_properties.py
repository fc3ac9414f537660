"""Properties: normalisation never raises on messy text, keeps originals, and is stable on its outputs."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citizenid.cleansing import (
    CleansingInvalid,
    NormalisedRecord,
    normalise,
    read_address,
    read_date,
    read_name,
    validate,
)
from citizenid.cleansing.names import FAMILY_NAMES
from citizenid.refdata import legacy_commune, legacy_district, legacy_province
from citizenid.vntext import tone_key

FIELDS = (
    "full_name",
    "family_name",
    "middle_name",
    "given_name",
    "birth_date",
    "sex",
    "personal_number",
    "birth_registration_province",
    "residence",
    "ethnicity",
    "religion",
    "father_birth_date",
    "mother_birth_year",
)
VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậđeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
messy_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " ,./-0123456789\u0300\u0301\u0323", max_size=40),
)
records = st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), messy_text, max_size=14)
SETTINGS = settings(max_examples=150, deadline=None)


@SETTINGS
@given(records)
def test_normalise_never_raises_and_keeps_originals(record: dict[str, str]) -> None:
    before = dict(record)
    normalised = normalise(record)
    assert record == before
    assert dict(normalised.original) == before
    validate(normalised, as_of=dt.date(2026, 1, 1))


@SETTINGS
@given(st.dictionaries(st.sampled_from(FIELDS), st.one_of(st.none(), st.integers(), st.floats()), max_size=5))
def test_cells_that_are_not_text_do_not_raise(record: dict[str, object]) -> None:
    normalise(record)


def test_a_record_must_be_a_mapping() -> None:
    with pytest.raises(CleansingInvalid):
        normalise(["not", "a", "record"])  # type: ignore[arg-type]


@SETTINGS
@given(messy_text)
def test_reading_a_name_as_written_again_gives_the_same_split(text: str) -> None:
    first = read_name(text)
    if first.written is None:
        return
    again = read_name(first.written)
    assert (again.family, again.middle, again.given) == (first.family, first.middle, first.given)
    assert again.tone_key == first.tone_key
    assert tone_key(first.tone_key or "") == first.tone_key


@SETTINGS
@given(
    st.sampled_from(FAMILY_NAMES), st.sampled_from(["Văn", "Thị", "Minh", None]), st.sampled_from(["An", "Hòa", "Lan"])
)
def test_western_and_vietnamese_orders_meet(family: str, middle: str | None, given_name: str) -> None:
    vietnamese = read_name(" ".join(w for w in (family, middle, given_name) if w))
    western = read_name(" ".join(w for w in (given_name, middle, family) if w))
    assert western.family_key == vietnamese.family_key
    assert western.given_key == vietnamese.given_key


@SETTINGS
@given(messy_text)
def test_reading_a_date_in_iso_gives_the_same_date(text: str) -> None:
    first = read_date(text)
    if first.value is None:
        return
    again = read_date(first.value.iso())
    assert again.value == first.value
    assert not again.ambiguous


@SETTINGS
@given(messy_text)
def test_addresses_never_raise(text: str) -> None:
    reading = read_address(text)
    assert reading.original == text


ADDRESSES = (
    "xa Dong Hoi huyen Dong Anh Ha Noi",
    "Số 12 ngõ 34 phố Đội Cấn, P. Đội Cấn, Q. Ba Đình, TP Hà Nội",
    "P.1, Q.3, TP.HCM",
    "Số 12 ngõ 34 phố Đội Cấn, P. Ba Đình, Q. Ba Đình, TP Hà Nội",
    "Atlantis",
)
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d%m%Y", "%Y", "%m/%Y", "%d-%m-%y")


@st.composite
def source_records(draw: st.DrawFn) -> dict[str, str]:
    family = draw(st.sampled_from(FAMILY_NAMES))
    middle = draw(st.sampled_from(["Văn", "Thị", "Minh Ngọc", ""]))
    given_name = draw(st.sampled_from(["An", "Hoà", "Thuý", "Lan"]))
    words = [family, middle, given_name] if draw(st.booleans()) else [given_name, middle, family]
    born = draw(st.dates(dt.date(1930, 1, 1), dt.date(2025, 12, 31)))
    return {
        "full_name": " ".join(w for w in words if w),
        "birth_date": born.strftime(draw(st.sampled_from(DATE_FORMATS))),
        "sex": draw(st.sampled_from(["Nam", "nữ", "M", "f", "?"])),
        "residence": draw(st.sampled_from(ADDRESSES)),
        "ethnicity": draw(st.sampled_from(["Kinh", "dan toc Tay", "H'Mông", "Klingon"])),
        "religion": draw(st.sampled_from(["Không", "Phat giao", "Jedi"])),
    }


def canonical(record: NormalisedRecord) -> dict[str, str]:
    """The record written back in the register's own forms: what a clean source would say."""
    residence = ""
    if record.residence.legacy_commune:
        commune = legacy_commune(record.residence.legacy_commune)
        district = legacy_district(commune.district_code or "")
        residence = f"{commune.name}, {district.name}, {legacy_province(commune.province_code).name}"
    return {
        "full_name": record.name.written or "",
        "birth_date": record.birth_date.value.iso() if record.birth_date.value else "",
        "sex": record.sex or "",
        "residence": residence,
        "ethnicity": record.ethnicity.name or "",
        "religion": record.religion.name or "",
    }


@SETTINGS
@given(source_records())
def test_normalising_the_canonical_form_changes_no_key(source: dict[str, str]) -> None:
    first = normalise(source)
    again = normalise(canonical(first))
    assert (again.name.family, again.name.middle, again.name.given) == (
        first.name.family,
        first.name.middle,
        first.name.given,
    )
    assert again.name.tone_key == first.name.tone_key
    assert again.name.family_key == first.name.family_key
    assert again.birth_date.value == first.birth_date.value
    assert again.sex == first.sex
    assert again.ethnicity.code == first.ethnicity.code
    assert again.religion.code == first.religion.code
    if first.residence.legacy_commune:
        assert again.residence.legacy_commune == first.residence.legacy_commune
        assert again.residence.current_commune == first.residence.current_commune
