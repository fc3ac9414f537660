from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citizenid.chip.errors import MrzCheckDigitError, MrzError
from citizenid.chip.mrz import TD1, check_digit, inspect_td1, parse_td1, transliterate, vietnamese_td1

VN_SAMPLE = "IDVNM0930470641001093047064<<2\n9301054M3301052VNM<<<<<<<<<<<8\nUNG<<HOANG<HIEP<<<<<<<<<<<<<<<"
ICAO_SAMPLE = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"


@pytest.mark.parametrize(
    ("field", "digit"),
    [("D23145890", "7"), ("740812", "2"), ("120415", "9"), ("D23145890734", "9"), ("093047064", "1"),
     ("001093047064", "2"), ("930105", "4"), ("330105", "2"), ("<<<", "0")],
)
def test_check_digits_of_published_samples(field: str, digit: str) -> None:
    assert check_digit(field) == digit


def test_vietnamese_sample_parses_and_gives_the_personal_number() -> None:
    mrz = parse_td1(VN_SAMPLE)
    assert mrz.document_number == "093047064"
    assert mrz.vietnamese_personal_number == "001093047064"
    assert (mrz.birth_date, mrz.sex, mrz.expiry_date) == ("930105", "M", "330105")
    assert (mrz.primary_identifier, mrz.secondary_identifier) == ("UNG", "HOANG<HIEP")
    assert mrz.mrz_information() == "093047064193010543301052"


def test_vietnamese_builder_reproduces_the_sample() -> None:
    mrz = vietnamese_td1("001093047064", "Ưng Hoàng Hiệp", date(1993, 1, 5), "Nam", date(2033, 1, 5))
    assert mrz.text() == VN_SAMPLE


def test_never_expiring_card_prints_991231() -> None:
    mrz = vietnamese_td1("087204000897", "Đặng Thị Nữ", date(1950, 2, 28), "Nữ", None)
    assert mrz.lines()[1][8:14] == "991231"
    assert mrz.lines()[2].startswith("DANG<<THI<NU<")
    assert parse_td1(mrz.text()) == mrz


def test_icao_part3_sample_parses() -> None:
    mrz = parse_td1(ICAO_SAMPLE)
    assert (mrz.document_code, mrz.issuing_state, mrz.document_number) == ("I", "UTO", "D23145890")
    assert mrz.secondary_identifier == "ANNA<MARIA"
    assert mrz.text() == ICAO_SAMPLE


def test_long_document_number_runs_into_optional_data() -> None:
    mrz = TD1("I", "UTO", "D23145890734", "", "740812", "F", "120415", "UTO", "", "ERIKSSON", "ANNA<MARIA")
    line1 = mrz.lines()[0]
    assert line1 == "I<UTOD23145890<7349<<<<<<<<<<<"
    assert parse_td1(mrz.text()).document_number == "D23145890734"


@pytest.mark.parametrize(
    ("position", "expected"),
    [((0, 14), ("document_number", "composite")), ((1, 6), ("birth_date", "composite")),
     ((1, 14), ("expiry_date", "composite")), ((1, 29), ("composite",)),
     ((0, 29), ("personal_number", "composite"))],
)
def test_parse_names_each_failed_check(position: tuple[int, int], expected: tuple[str, ...]) -> None:
    lines = VN_SAMPLE.split("\n")
    line, col = position
    chars = list(lines[line])
    chars[col] = "0" if chars[col] != "0" else "1"
    lines[line] = "".join(chars)
    with pytest.raises(MrzCheckDigitError) as caught:
        parse_td1("\n".join(lines))
    assert caught.value.failed == expected
    assert caught.value.code == "CHIP-011"
    _, failed = inspect_td1("\n".join(lines))
    assert failed == expected


@pytest.mark.parametrize("text", ["", "IDVNM", VN_SAMPLE.lower(), VN_SAMPLE.replace("M", "é", 1), "X" * 90])
def test_garbage_is_a_clear_error(text: str) -> None:
    with pytest.raises(MrzError):
        parse_td1(text)


def test_transliteration_drops_diacritics() -> None:
    assert transliterate("Nguyễn Thị Đào-Hương") == "NGUYEN<THI<DAO<HUONG"


def test_builder_rejects_bad_numbers() -> None:
    with pytest.raises(MrzError, match="12 digits"):
        vietnamese_td1("12345", "A B", date(2000, 1, 1), "M", None)


_field = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=9)
_word = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=6)
_name = st.lists(_word, min_size=1, max_size=3)
_yymmdd = st.dates(date(1930, 1, 1), date(2099, 12, 31)).map(lambda d: d.strftime("%y%m%d"))


@given(number=_field, birth=_yymmdd, expiry=_yymmdd, sex=st.sampled_from("MF<"), surname=_name, given=_name,
       optional=st.text(alphabet="ABC0123456789", max_size=15),
       optional2=st.text(alphabet="XYZ0189", max_size=11))
def test_round_trip(number: str, birth: str, expiry: str, sex: str, surname: list[str], given: list[str],
                    optional: str, optional2: str) -> None:
    surname_text, given_text = "<".join(surname), "<".join(given)
    if len(surname_text) + 2 + len(given_text) > 30:
        given_text = given[0][: max(1, 28 - len(surname_text))]
    mrz = TD1("ID", "VNM", number, optional, birth, sex, expiry, "VNM", optional2, surname_text, given_text)
    assert parse_td1(mrz.text()) == mrz


@given(st.text(max_size=100))
def test_fuzz_never_crashes(text: str) -> None:
    try:
        mrz, _ = inspect_td1(text)
    except MrzError as error:
        detail = error.detail
    else:
        detail = mrz.text()
    assert detail


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<", min_size=90, max_size=90))
def test_fuzz_well_shaped_lines(text: str) -> None:
    try:
        mrz, failed = inspect_td1(text)
    except MrzError as error:
        outcome = error.detail
    else:
        outcome = mrz.text()
        assert set(failed) <= {"document_number", "birth_date", "expiry_date", "composite", "personal_number"}
    assert outcome


def _reference_transliterate(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()
    return re.sub(r"[^0-9A-Z]+", "<", letters).strip("<")


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2000), max_size=40))
def test_fast_transliteration_matches_the_plain_rule(text: str) -> None:
    assert transliterate(text) == _reference_transliterate(text)
