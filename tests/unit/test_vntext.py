from __future__ import annotations

import unicodedata

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from citizenid.registry.bulk import fold_array
from citizenid.vntext import fold, nfc, split_full_name, tone_key

VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
vietnamese_text = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " \t", max_size=40)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("hoà", "hòa"),
        ("Thuý", "Thúy"),
        ("khoẻ", "khỏe"),
        ("Nguyễn Văn Hoà", "nguyễn văn hòa"),
        ("quý", "qúy"),
        ("giá", "gía"),
        ("người", "ngừơi"),
        ("Hoàng", "hoàng"),
    ],
)
def test_tone_key_unifies_tone_placement(a: str, b: str) -> None:
    assert tone_key(a) == tone_key(b)


@pytest.mark.parametrize(("a", "b"), [("hòa", "hóa"), ("Lan", "Lân"), ("thuyền", "thuyến")])
def test_tone_key_keeps_different_names_apart(a: str, b: str) -> None:
    assert tone_key(a) != tone_key(b)


def test_fold_removes_every_diacritic_and_dd() -> None:
    assert fold("  Đặng   Thị HÒA ") == "dang thi hoa"
    assert fold("Nguyễn Văn Hùng") == "nguyen van hung"


def test_nfc_collapses_spaces_and_composes() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Thị\tLan ")
    assert nfc(decomposed) == "Nguyễn Thị Lan"


def test_split_full_name_in_vietnamese_order() -> None:
    assert split_full_name("Nguyễn Thị Minh Khai") == ("Nguyễn", "Thị Minh", "Khai")
    assert split_full_name("Lê Lợi") == ("Lê", None, "Lợi")
    with pytest.raises(ValueError):
        split_full_name("   ")


@given(vietnamese_text)
def test_fold_is_idempotent_ascii(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded.isascii()
    assert folded == folded.lower()


@given(vietnamese_text)
def test_tone_key_is_idempotent(text: str) -> None:
    assert tone_key(tone_key(text)) == tone_key(text)
    assert fold(tone_key(text)) == fold(text)


@given(st.lists(vietnamese_text, min_size=1, max_size=20))
def test_vectorised_fold_matches_fold(texts: list[str]) -> None:
    assert fold_array(pa.array(texts)).to_pylist() == [fold(t) for t in texts]
