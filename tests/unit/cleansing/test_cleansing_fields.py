"""Sex, personal numbers, ethnicity and religion as sources write them; the record keeps its originals."""

from __future__ import annotations

import pytest

from citizenid.cleansing import normalise, read_ethnicity, read_number, read_religion, read_sex


@pytest.mark.parametrize(
    ("text", "sex"),
    [("Nam", "M"), ("nam", "M"), ("M", "M"), ("male", "M"), ("Nữ", "F"), ("nu", "F"), ("F.", "F"), ("1", None)],
)
def test_sex(text: str, sex: str | None) -> None:
    assert read_sex(text) == sex


def test_numbers_tolerate_separators_and_say_what_is_wrong() -> None:
    assert read_number("001 090 000 123").value == "001090000123"
    assert read_number("001.090.000.123").value == "001090000123"
    assert "CMND" in read_number("012345678").unresolved[0]
    assert "no province code" in read_number("003090000123").unresolved[0]
    assert read_number("").unresolved == ()


@pytest.mark.parametrize(
    ("text", "code"), [("Kinh", "01"), ("dân tộc Kinh", "01"), ("Người Việt", "01"), ("hmong", "08")]
)
def test_ethnicity_variants(text: str, code: str) -> None:
    assert read_ethnicity(text).code == code


def test_religion_variants_and_unknowns() -> None:
    assert read_religion("Thiên Chúa giáo").code == "02"
    assert read_religion("khong ton giao").code == "00"
    unknown = read_religion("Jedi")
    assert unknown.code is None
    assert unknown.unresolved


def test_the_record_keeps_originals_and_gathers_what_it_could_not_read() -> None:
    source = {
        "full_name": "An Văn Nguyễn",
        "birth_date": "13/25/1990",
        "sex": "?",
        "residence": "Atlantis",
        "ethnicity": "Klingon",
        "source_row": "17",
    }
    record = normalise(source)
    assert dict(record.original) == source
    assert record.name.written == "Nguyễn Văn An"
    fields = {field for field, _ in record.unresolved}
    assert fields == {"sex", "birth_date", "residence", "ethnicity"}
