"""Survivorship: which value of a person's source records the register keeps, field by field.  Pure.

Rules (docs/decisions/0042-survivorship.md), each ending in the smallest record id so the same records
always give the same person:

- **name**: the form written with diacritics over one without, names given in fields over a whole
  name, a name with its middle name over one without, then the most frequent written form;
- **birth date**: the most precise (day over month over year), then an unambiguous, unswapped
  reading, then the most frequent;
- **sex, ethnicity, religion, birth-registration province**: the most frequent known value;
- **residence**: the most frequent resolved current commune, with the street detail of the record
  that gave it;
- **personal number**: the most frequent well-formed number (the register keeps it when it is free and
  agrees with the person, else allocates one).

The result names, for every field, the value and the record it came from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from citizenid.cleansing.normalise import NormalisedRecord
from citizenid.vntext import fold

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SourceRecord:
    uid: str
    record: NormalisedRecord


@dataclass(frozen=True, slots=True)
class Survivor:
    details: dict[str, Any]
    """What the register's ``build_person`` takes."""
    provenance: dict[str, str | None]
    """field -> the record id its value came from (None: no record gave it)."""


def _best(records: Sequence[SourceRecord], value: Callable[[SourceRecord], T | None],
          rank: Callable[[SourceRecord], tuple[Any, ...]] = lambda _r: ()) -> tuple[T | None, str | None]:
    candidates = [(r, v) for r in records if (v := value(r)) is not None]
    if not candidates:
        return None, None
    counts = Counter(v for _, v in candidates)
    ordered = sorted(candidates, key=lambda rv: (rank(rv[0]), counts[rv[1]], _Reverse(rv[0].uid)), reverse=True)
    record, best = ordered[0]
    return best, record.uid


class _Reverse:
    """Orders record ids backwards, so that a descending sort still prefers the smallest id."""

    __slots__ = ("uid",)

    def __init__(self, uid: str) -> None:
        self.uid = uid

    def __lt__(self, other: _Reverse) -> bool:
        return self.uid > other.uid

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reverse) and self.uid == other.uid

    def __hash__(self) -> int:
        return hash(self.uid)


def _name_rank(r: SourceRecord) -> tuple[bool, bool, bool]:
    name = r.record.name
    written = name.written or ""
    return (fold(written) != written.lower(), name.order == "fields", name.middle is not None)


def _date_rank(r: SourceRecord) -> tuple[int, bool]:
    reading = r.record.birth_date
    value = reading.value
    precision = 0 if value is None else 1 + (value.month is not None) + (value.day is not None)
    return (precision, not (reading.ambiguous or reading.swapped))


def survive(records: Sequence[SourceRecord]) -> Survivor:
    """The person the records describe, with the record each value came from."""
    if not records:
        raise ValueError("survivorship needs at least one record")
    provenance: dict[str, str | None] = {}
    details: dict[str, Any] = {}

    name, provenance["name"] = _best(records, lambda r: r.record.name.written and (
        r.record.name.family, r.record.name.middle, r.record.name.given), _name_rank)
    if name is not None:
        details["family_name"], details["middle_name"], details["given_name"] = name
    birth, provenance["birth_date"] = _best(
        records, lambda r: r.record.birth_date.value.iso() if r.record.birth_date.value else None, _date_rank)
    details["birth_date"] = birth
    details["sex"], provenance["sex"] = _best(records, lambda r: r.record.sex)
    details["ethnicity"], provenance["ethnicity"] = _best(records, lambda r: r.record.ethnicity.code)
    details["religion"], provenance["religion"] = _best(records, lambda r: r.record.religion.code)
    details["birth_registration_province"], provenance["birth_registration_province"] = _best(
        records, lambda r: r.record.birth_registration_province)
    commune, provenance["residence"] = _best(records, lambda r: r.record.residence.current_commune)
    details["residence_commune"] = commune
    source = next((r for r in records if r.uid == provenance["residence"]), None)
    details["residence_detail"] = source.record.residence.detail if source else None
    details["personal_number"], provenance["personal_number"] = _best(
        records, lambda r: r.record.personal_number.value)
    return Survivor(details, provenance)
