"""The comparison key behind every lookup by name."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from citizenid.refdata import fold

VIETNAMESE_LETTERS = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
vietnamese = st.text(
    alphabet=st.sampled_from(VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " \t\n0123456789-'.")
).flatmap(lambda s: st.sampled_from([s, unicodedata.normalize("NFD", s)]))


@given(vietnamese)
def test_fold_is_ascii_lowercase_for_vietnamese(text: str) -> None:
    key = fold(text)
    assert key.isascii()
    assert key == key.lower()
    assert key == " ".join(key.split())


@given(vietnamese)
def test_fold_is_idempotent_on_vietnamese(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_fold_is_idempotent_on_any_text(text: str) -> None:
    assert fold(fold(text)) == fold(text)


def test_fold_examples() -> None:
    assert fold("  Thành phố   Hồ Chí Minh ") == "thanh pho ho chi minh"
    assert fold("ĐỒNG THÁP") == fold("đồng tháp") == "dong thap"
    assert fold(unicodedata.normalize("NFD", "Nguyễn Thị Ánh")) == "nguyen thi anh"
