"""Names: tone-mark rule, folded keys, order, equivalent family names."""

from __future__ import annotations

import unicodedata

import pytest

from citizenid.cleansing import family_key, is_family_name, read_name
from citizenid.cleansing.names import FAMILY_NAMES


def test_vietnamese_order_splits_family_middle_given() -> None:
    reading = read_name("Nguyễn Thị Minh Khai")
    assert (reading.family, reading.middle, reading.given) == ("Nguyễn", "Thị Minh", "Khai")
    assert reading.order == "vietnamese"
    assert reading.folded == "nguyen thi minh khai"


def test_tone_placement_variants_share_a_key_and_keep_their_spelling() -> None:
    old, new = read_name("Lê Thị Hoà"), read_name("Lê Thị Hòa")
    assert old.tone_key == new.tone_key == "lê thị hòa"
    assert old.given == "Hoà"
    assert new.given == "Hòa"


def test_decomposed_unicode_is_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Trần Văn Đức")
    reading = read_name(decomposed)
    assert reading.written == "Trần Văn Đức"
    assert reading.original == decomposed


@pytest.mark.parametrize(
    ("text", "family", "middle", "given"),
    [
        ("An Văn Nguyễn", "Nguyễn", "Văn", "An"),
        ("Văn An Nguyễn", "Nguyễn", "Văn", "An"),
        ("Khai Thi Minh Nguyen", "Nguyen", "Thi Minh", "Khai"),
        ("Lan Mai", "Mai", None, "Lan"),
    ],
)
def test_western_order_is_detected(text: str, family: str, middle: str | None, given: str) -> None:
    reading = read_name(text)
    assert reading.order == "western"
    assert (reading.family, reading.middle, reading.given) == (family, middle, given)
    assert read_name(reading.written).family == family


def test_a_known_family_name_first_stays_vietnamese() -> None:
    assert read_name("Mai Văn Lan").order == "vietnamese"
    assert read_name("Hà Thị Mai").family == "Hà"


def test_comma_form_puts_the_family_name_first() -> None:
    reading = read_name("NGUYEN, Van An")
    assert (reading.family, reading.middle, reading.given) == ("NGUYEN", "Van", "An")


@pytest.mark.parametrize(("a", "b"), [("Hoàng", "Huỳnh"), ("Vũ", "Võ"), ("HOANG", "huynh"), ("Vu", "Võ")])
def test_regional_family_names_share_a_key(a: str, b: str) -> None:
    assert family_key(a) == family_key(b)
    assert read_name(f"{a} Văn Nam").family_key == read_name(f"{b} Văn Nam").family_key


def test_other_family_names_keep_their_own_key() -> None:
    assert family_key("Hồ") != family_key("Hoàng")
    assert family_key("Đặng") == "dang"


def test_family_name_list_is_a_hundred_distinct_single_words() -> None:
    assert len(FAMILY_NAMES) == len(set(FAMILY_NAMES)) == 100
    assert all(" " not in name for name in FAMILY_NAMES)
    assert FAMILY_NAMES[0] == "Nguyễn"


def test_family_name_recognition_respects_diacritics_when_present() -> None:
    assert is_family_name("Nguyen")
    assert is_family_name("NGUYỄN")
    assert not is_family_name("Hạ")
    assert not is_family_name("Thị")


def test_fields_are_taken_as_given() -> None:
    reading = read_name(family="Trần", middle=None, given="Bình")
    assert reading.order == "fields"
    assert reading.written == "Trần Bình"
    assert reading.unresolved == ()
    assert read_name(family="", given="Bình").unresolved


def test_single_word_and_junk() -> None:
    single = read_name("Hùng")
    assert single.order == "single"
    assert single.given == "Hùng"
    assert single.family is None
    junk = read_name("12345")
    assert junk.written is None
    assert junk.unresolved
    dropped = read_name("Lê Văn 3 Tám")
    assert dropped.written == "Lê Văn Tám"
    assert dropped.unresolved
