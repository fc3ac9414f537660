"""Quality rules, one known case each, and the clean share over records."""

from __future__ import annotations

import datetime as dt

import pytest

from citizenid.cleansing import (
    RULES,
    Issue,
    UnknownRule,
    is_clean,
    normalise,
    quality_by_province,
    quality_share,
    rule,
    validate,
)

AS_OF = dt.date(2026, 11, 27)
CLEAN = {
    "full_name": "Nguyễn Văn An",
    "birth_date": "25/03/1990",
    "sex": "Nam",
    "personal_number": "001090000123",
    "birth_registration_province": "Hà Nội",
    "residence": "Xã Đông Hội, Huyện Đông Anh, Thành phố Hà Nội",
    "ethnicity": "Kinh",
    "religion": "Không",
    "father_birth_year": "1960",
    "mother_birth_date": "02/02/1965",
}


def issues(**changes: str) -> list[Issue]:
    return validate(normalise({**CLEAN, **changes}), as_of=AS_OF)


def ids(**changes: str) -> set[str]:
    return {issue.rule_id for issue in issues(**changes)}


def test_a_clean_record_has_no_issue() -> None:
    assert issues() == []
    assert is_clean(normalise(CLEAN), as_of=AS_OF)


def test_rule_ids_are_stable_and_unique() -> None:
    rule_ids = [r.rule_id for r in RULES]
    assert rule_ids == [f"CLN-R{n:02d}" for n in range(1, 13)]
    assert rule("CLN-R07").title == "parents older than the child"
    with pytest.raises(UnknownRule):
        rule("CLN-R99")


@pytest.mark.parametrize(
    ("changes", "rule_id", "severity"),
    [
        ({"full_name": ""}, "CLN-R01", "error"),
        ({"full_name": "Hùng"}, "CLN-R01", "warning"),
        ({"birth_date": ""}, "CLN-R02", "error"),
        ({"birth_date": "31/02/1990"}, "CLN-R02", "error"),
        ({"birth_date": "2030"}, "CLN-R02", "error"),
        ({"birth_date": "1850"}, "CLN-R02", "error"),
        ({"personal_number": "00109000012"}, "CLN-R03", "error"),
        ({"personal_number": "003090000123"}, "CLN-R03", "error"),
        ({"personal_number": "123456789"}, "CLN-R03", "error"),
        ({"residence": ""}, "CLN-R05", "error"),
        ({"residence": "Atlantis"}, "CLN-R05", "error"),
        ({"ethnicity": "Klingon"}, "CLN-R06", "error"),
        ({"ethnicity": ""}, "CLN-R06", "warning"),
        ({"father_birth_year": "1985"}, "CLN-R07", "error"),
        ({"mother_birth_date": "1991"}, "CLN-R07", "error"),
        ({"mother_birth_date": "not a date"}, "CLN-R07", "warning"),
        ({"birth_date": "05/03/1990"}, "CLN-R08", "warning"),
        ({"residence": "P. Đội Cấn, Q. Ba Đình, Hà Nội"}, "CLN-R09", "warning"),
        ({"religion": "Jedi"}, "CLN-R10", "error"),
        ({"sex": "?"}, "CLN-R11", "error"),
        ({"sex": ""}, "CLN-R11", "error"),
        ({"birth_registration_province": "Atlantis"}, "CLN-R12", "error"),
    ],
)
def test_each_rule_fires_on_its_case(changes: dict[str, str], rule_id: str, severity: str) -> None:
    found = [i for i in issues(**changes) if i.rule_id == rule_id]
    assert found, issues(**changes)
    assert {i.severity for i in found} == {severity}
    assert all(i.message for i in found)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"sex": "Nữ"}, "sex"),
        ({"birth_date": "25/03/1991"}, "birth year"),
        ({"birth_registration_province": "Đồng Tháp"}, "province"),
    ],
)
def test_number_consistent_with_sex_year_and_province(changes: dict[str, str], fragment: str) -> None:
    found = [i for i in issues(**changes) if i.rule_id == "CLN-R04"]
    assert len(found) == 1
    assert fragment in found[0].message


def test_what_the_record_does_not_say_cannot_contradict_the_number() -> None:
    assert "CLN-R04" not in ids(birth_registration_province="", sex="x")
    assert "CLN-R04" not in ids(personal_number="")
    assert "CLN-R03" not in ids(personal_number="")


def test_warnings_leave_a_record_clean() -> None:
    record = normalise({**CLEAN, "birth_date": "05/03/1990", "ethnicity": ""})
    assert {i.severity for i in validate(record, as_of=AS_OF)} == {"warning"}
    assert is_clean(record, as_of=AS_OF)


def test_quality_share_and_province_breakdown() -> None:
    records = [
        normalise(CLEAN),
        normalise({**CLEAN, "sex": ""}),
        normalise({**CLEAN, "residence": "P.1, Q.3, TP.HCM"}),
        normalise({**CLEAN, "residence": "Atlantis"}),
    ]
    assert quality_share(records, as_of=AS_OF) == 0.5
    assert quality_share([], as_of=AS_OF) == 1.0
    by_province = quality_by_province(iter(records), as_of=AS_OF)
    assert list(by_province) == ["01", "79", "unknown"]
    hanoi = by_province["01"]
    assert (hanoi.records, hanoi.clean, hanoi.share) == (2, 1, 0.5)
    assert dict(hanoi.issues) == {"CLN-R11": 1}
    assert by_province["79"].share == 1.0
    assert dict(by_province["unknown"].issues) == {"CLN-R05": 1}
