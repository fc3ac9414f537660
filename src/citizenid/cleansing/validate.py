"""Quality rules over a normalised record, each with a stable id, and the clean share they add up to.

A rule looks at one :class:`NormalisedRecord` and returns the :class:`Issue` values it finds.  Ids
(``CLN-R01`` …) are stable: stored issues and reports refer to them, so a rule that changes meaning
gets a new id rather than a new body.  Severity ``error`` makes a record unclean; ``warning`` is worth
a look (an ambiguous date, a split commune resolved by its default) but leaves it clean.

Rules need today's date only to reject births in the future; it is passed in (``as_of``) so that a
re-run on the same input gives the same result.

``mismatches`` comes from ``citizenid.registry.numbers``: a pure function, and the register's own
reading of what a number encodes (see :mod:`citizenid.cleansing.normalise`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from citizenid.cleansing.dates import DateReading
from citizenid.cleansing.errors import UnknownRule
from citizenid.cleansing.normalise import NormalisedRecord
from citizenid.registry.numbers import PersonalNumber, mismatches

Severity = Literal["error", "warning"]
MAX_AGE = 125
"""Older than any person documented alive: a birth further back is a typing error."""
MIN_PARENT_AGE = 12
"""A parent born less than this many years before the child is a data error, not a young parent."""
UNKNOWN_PROVINCE = "unknown"


@dataclass(frozen=True, slots=True)
class Issue:
    rule_id: str
    field: str
    message: str
    severity: Severity = "error"


Check = Callable[[NormalisedRecord, dt.date], list[Issue]]


@dataclass(frozen=True, slots=True)
class Rule:
    rule_id: str
    title: str
    check: Check


def _name_present(record: NormalisedRecord, _as_of: dt.date) -> list[Issue]:
    name = record.name
    if name.written is None:
        return [Issue("CLN-R01", "name", "the record has no name")]
    if name.order == "single":
        return [Issue("CLN-R01", "name", f"{name.written!r} is one word: family or given name missing", "warning")]
    if name.family is None or name.given is None:
        return [Issue("CLN-R01", "name", "family or given name is empty")]
    return []


def _birth_date_plausible(record: NormalisedRecord, as_of: dt.date) -> list[Issue]:
    reading = record.birth_date
    if reading.value is None:
        reason = "; ".join(reading.unresolved) or "the record has no birth date"
        return [Issue("CLN-R02", "birth_date", reason)]
    earliest = reading.value.earliest()
    if earliest > as_of:
        return [Issue("CLN-R02", "birth_date", f"born {reading.value.iso()}, after {as_of.isoformat()}")]
    if as_of.year - reading.value.year > MAX_AGE:
        return [Issue("CLN-R02", "birth_date", f"born {reading.value.iso()}: older than {MAX_AGE} years")]
    return []


def _number_well_formed(record: NormalisedRecord, _as_of: dt.date) -> list[Issue]:
    # No number is no issue: the register allocates one to every clean person who lacks it.
    return [Issue("CLN-R03", "personal_number", reason) for reason in record.personal_number.unresolved]


def _number_consistent(record: NormalisedRecord, _as_of: dt.date) -> list[Issue]:
    if record.personal_number.value is None:
        return []
    number = PersonalNumber(record.personal_number.value)
    # What the record does not say cannot contradict the number: compare it with itself there.
    found = mismatches(
        number,
        sex=record.sex or number.sex,
        birth_year=record.birth_date.value.year if record.birth_date.value else number.birth_year,
        birth_registration_province=record.birth_registration_province or number.province_code,
    )
    return [Issue("CLN-R04", "personal_number", message) for message in found]


def _address_resolves(record: NormalisedRecord, _as_of: dt.date) -> list[Issue]:
    residence = record.residence
    if residence.original is None or not residence.original.strip():
        return [Issue("CLN-R05", "residence", "the record has no residence")]
    if not residence.resolved:
        return [Issue("CLN-R05", "residence", "; ".join(residence.unresolved) or "no commune found")]
    return []


def _ethnicity_known(record: NormalisedRecord, _as_of: dt.date) -> list[Issue]:
    reading = record.ethnicity
    if reading.original is None or not reading.original.strip():
        return [Issue("CLN-R06", "ethnicity", "the record has no ethnicity", "warning")]
    return [Issue("CLN-R06", "ethnicity", reason) for reason in reading.unresolved]


def _parents_older(record: NormalisedRecord, _as_of: dt.date) -> list[Issue]:
    child = record.birth_date.value
    if child is None:
        return []
    issues: list[Issue] = []
    for role, reading in (("father", record.father_birth), ("mother", record.mother_birth)):
        issues += _parent_issue(role, reading, child.year)
    return issues


def _parent_issue(role: str, reading: DateReading, child_year: int) -> list[Issue]:
    if reading.value is None:
        return [Issue("CLN-R07", f"{role}_birth", reason, "warning") for reason in reading.unresolved]
    if reading.value.year > child_year - MIN_PARENT_AGE:
        return [
            Issue(
                "CLN-R07",
                f"{role}_birth",
                f"the {role} is recorded as born in {reading.value.year}, the child in {child_year}",
            )
        ]
    return []


def _birth_date_unambiguous(record: NormalisedRecord, _as_of: dt.date) -> list[Issue]:
    reading = record.birth_date
    if reading.ambiguous:
        return [Issue("CLN-R08", "birth_date", "; ".join(reading.interpretations), "warning")]
    return []


def _commune_not_split(record: NormalisedRecord, _as_of: dt.date) -> list[Issue]:
    residence = record.residence
    if residence.split:
        message = (
            f"legacy commune {residence.legacy_commune} was split between {', '.join(residence.successors)}; "
            f"the default {residence.current_commune} was taken"
        )
        return [Issue("CLN-R09", "residence", message, "warning")]
    return []


def _religion_known(record: NormalisedRecord, _as_of: dt.date) -> list[Issue]:
    return [Issue("CLN-R10", "religion", reason) for reason in record.religion.unresolved]


def _sex_known(record: NormalisedRecord, _as_of: dt.date) -> list[Issue]:
    if record.sex is None:
        given = record.original.get("sex")
        return [Issue("CLN-R11", "sex", f"{given!r} is no sex" if given else "the record has no sex")]
    return []


def _registration_province_known(record: NormalisedRecord, _as_of: dt.date) -> list[Issue]:
    return [
        Issue("CLN-R12", field_name, reason)
        for field_name, reason in record.unresolved
        if field_name == "birth_registration_province"
    ]


RULES: tuple[Rule, ...] = (
    Rule("CLN-R01", "name present", _name_present),
    Rule("CLN-R02", "birth date plausible", _birth_date_plausible),
    Rule("CLN-R03", "number well-formed", _number_well_formed),
    Rule("CLN-R04", "number consistent with sex, birth year and province", _number_consistent),
    Rule("CLN-R05", "address resolves to a unit", _address_resolves),
    Rule("CLN-R06", "ethnicity known", _ethnicity_known),
    Rule("CLN-R07", "parents older than the child", _parents_older),
    Rule("CLN-R08", "birth date unambiguous", _birth_date_unambiguous),
    Rule("CLN-R09", "legacy commune not split", _commune_not_split),
    Rule("CLN-R10", "religion known", _religion_known),
    Rule("CLN-R11", "sex known", _sex_known),
    Rule("CLN-R12", "birth registration province known", _registration_province_known),
)


def rule(rule_id: str) -> Rule:
    for candidate in RULES:
        if candidate.rule_id == rule_id:
            return candidate
    raise UnknownRule(f"no quality rule has the id {rule_id!r}", rule_id=rule_id)


def validate(record: NormalisedRecord, *, as_of: dt.date, rules: Iterable[Rule] = RULES) -> list[Issue]:
    """Every issue the rules find in one record, in rule order."""
    return [issue for each in rules for issue in each.check(record, as_of)]


def is_clean(record: NormalisedRecord, *, as_of: dt.date) -> bool:
    return not any(issue.severity == "error" for issue in validate(record, as_of=as_of))


def quality_share(records: Iterable[NormalisedRecord], *, as_of: dt.date) -> float:
    """Share of records without an error; 1.0 for no records (nothing in them is unclean)."""
    total = clean = 0
    for record in records:
        total += 1
        clean += is_clean(record, as_of=as_of)
    return clean / total if total else 1.0


@dataclass(frozen=True, slots=True)
class ProvinceQuality:
    province: str
    """Current province code of the residence, or ``"unknown"``."""
    records: int
    clean: int
    issues: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """Error count per rule id."""

    @property
    def share(self) -> float:
        return self.clean / self.records if self.records else 1.0


def quality_by_province(records: Iterable[NormalisedRecord], *, as_of: dt.date) -> dict[str, ProvinceQuality]:
    """Clean share per current province of residence: the provinces that administer the people today."""
    totals: Counter[str] = Counter()
    cleans: Counter[str] = Counter()
    errors: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        province = record.residence.current_province or UNKNOWN_PROVINCE
        found = [i for i in validate(record, as_of=as_of) if i.severity == "error"]
        totals[province] += 1
        cleans[province] += not found
        errors[province].update(i.rule_id for i in found)
    return {
        code: ProvinceQuality(code, totals[code], cleans[code], MappingProxyType(dict(errors[code])))
        for code in sorted(totals)
    }
