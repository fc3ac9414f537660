"""The register's entities and rules.  Pure: no SQLAlchemy, no FastAPI.

A :class:`Person` is an immutable value; every change is a life event that turns one version of a
person into the next (:func:`apply_event`), so history is a list of versions and the register can say
what it held about anyone on any date.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from citizenid.errors import NotFound
from citizenid.refdata import current_commune, ethnic_group, religion
from citizenid.registry.errors import RegistryInvalid
from citizenid.registry.numbers import mismatches, parse_number
from citizenid.vntext import fold, nfc, split_full_name

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_OLD_ID = re.compile(r"^\d{9}$")


class Sex(enum.StrEnum):
    MALE = "M"
    FEMALE = "F"


class Status(enum.StrEnum):
    LIVING = "living"
    DECEASED = "deceased"


class Relationship(enum.StrEnum):
    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    GRANDCHILD = "grandchild"
    SIBLING = "sibling"
    OTHER = "other"


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date of which legacy records may know only the year, or the year and month."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        match = _PARTIAL_DATE.match(text.strip())
        if not match:
            raise RegistryInvalid(f"'{text}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        if month is not None and not 1 <= month <= 12:
            raise RegistryInvalid(f"'{text}' has no month {month}")
        if day is not None and month is not None:
            try:
                dt.date(year, month, day)
            except ValueError:
                raise RegistryInvalid(f"'{text}' is not a calendar date") from None
        return cls(year, month, day)

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def complete(self) -> bool:
        return self.day is not None


@dataclass(frozen=True, slots=True)
class Person:
    """One person as the register holds them at one version."""

    personal_number: str
    family_name: str
    middle_name: str | None
    given_name: str
    sex: Sex
    birth_date: PartialDate
    birth_registration_province: str
    residence_commune: str
    residence_detail: str | None = None
    origin_commune: str | None = None
    current_commune: str | None = None
    current_detail: str | None = None
    ethnicity: str = "01"
    religion: str = "00"
    nationality: str = "VNM"
    father_number: str | None = None
    father_name: str | None = None
    mother_number: str | None = None
    mother_name: str | None = None
    spouse_number: str | None = None
    spouse_name: str | None = None
    old_id_number: str | None = None
    household_id: str | None = None
    household_relationship: Relationship | None = None
    status: Status = Status.LIVING
    death_date: PartialDate | None = None
    version: int = 1

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)

    @property
    def name_key(self) -> str:
        return fold(self.full_name)

    @property
    def residence_province(self) -> str:
        return current_commune(self.residence_commune).province_code

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot (also what history stores)."""
        data = {name: getattr(self, name) for name in _PERSON_FIELDS}
        data["birth_date"] = self.birth_date.iso()
        data["death_date"] = self.death_date.iso() if self.death_date else None
        data["sex"] = self.sex.value
        data["status"] = self.status.value
        data["household_relationship"] = (
            self.household_relationship.value if self.household_relationship else None
        )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Person:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["birth_date"] = PartialDate.parse(values["birth_date"])
        values["death_date"] = PartialDate.parse(values["death_date"]) if values.get("death_date") else None
        values["sex"] = Sex(values["sex"])
        values["status"] = Status(values.get("status") or Status.LIVING)
        rel = values.get("household_relationship")
        values["household_relationship"] = Relationship(rel) if rel else None
        return cls(**values)


_PERSON_FIELDS = tuple(f.name for f in fields(Person))


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = nfc(value)
    return text or None


_E = TypeVar("_E", bound=enum.StrEnum)


class _Raw:
    """Field access over an untrusted record: NFC text, blanks as missing, enum parsing with reasons."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw

    def text(self, key: str) -> str | None:
        value = self._raw.get(key)
        return None if value is None else _clean(str(value))

    def required(self, key: str) -> str:
        value = self.text(key)
        if not value:
            raise RegistryInvalid(f"{key} is required")
        return value

    def choice(self, key: str, kind: type[_E], default: _E | None = None) -> _E | None:
        value = self.text(key)
        if value is None:
            return default
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise RegistryInvalid(f"{key} '{value}' is not one of {allowed}") from None


def _names(raw: _Raw) -> tuple[str, str | None, str]:
    family, middle, given = raw.text("family_name"), raw.text("middle_name"), raw.text("given_name")
    if family and given:
        return family, middle, given
    full = raw.text("full_name")
    if not full:
        raise RegistryInvalid("a name is required (family_name and given_name, or full_name)")
    return split_full_name(full)


def _birth(raw: _Raw, today: dt.date) -> PartialDate:
    birth = PartialDate.parse(raw.required("birth_date"))
    if birth.earliest() > today:
        raise RegistryInvalid(f"birth date {birth.iso()} is in the future")
    if birth.year < 1880:
        raise RegistryInvalid(f"birth date {birth.iso()} is implausibly early")
    return birth


def _check_references(raw: _Raw) -> None:
    _require_commune(raw.required("residence_commune"), "residence_commune")
    for key in ("origin_commune", "current_commune"):
        code = raw.text(key)
        if code:
            _require_commune(code, key)
    old_id = raw.text("old_id_number")
    if old_id is not None and not _OLD_ID.match(old_id):
        raise RegistryInvalid(f"old ID number '{old_id}' is not 9 digits")
    for key in ("father_number", "mother_number", "spouse_number"):
        related = raw.text(key)
        if related:
            parse_number(related)


def build_person(record: dict[str, Any], *, today: dt.date) -> Person:
    """Validate a raw record (an import row, an API body) into a :class:`Person`.

    Raises :class:`RegistryInvalid` with the first broken rule, phrased for the person who fixes it.
    """
    raw = _Raw(record)
    number = parse_number(raw.required("personal_number"))
    family, middle, given = _names(raw)
    sex_text = raw.required("sex").upper()
    if sex_text not in ("M", "F"):
        raise RegistryInvalid(f"sex must be M or F, not '{record.get('sex')}'")
    sex = Sex(sex_text)
    birth = _birth(raw, today)
    birth_province = (raw.text("birth_registration_province") or number.province_code).zfill(3)
    problems = mismatches(number, sex=sex.value, birth_year=birth.year, birth_registration_province=birth_province)
    if problems:
        raise RegistryInvalid(f"number {number.value} disagrees with the record: {'; '.join(problems)}")
    _check_references(raw)
    death = raw.text("death_date")
    return Person(
        personal_number=number.value,
        family_name=family,
        middle_name=middle,
        given_name=given,
        sex=sex,
        birth_date=birth,
        birth_registration_province=birth_province,
        residence_commune=raw.required("residence_commune"),
        residence_detail=raw.text("residence_detail"),
        origin_commune=raw.text("origin_commune"),
        current_commune=raw.text("current_commune"),
        current_detail=raw.text("current_detail"),
        ethnicity=_code(raw.text("ethnicity") or "01", "ethnicity", ethnic_group),
        religion=_code(raw.text("religion") or "00", "religion", religion),
        nationality=(raw.text("nationality") or "VNM").upper(),
        father_number=raw.text("father_number"),
        father_name=raw.text("father_name"),
        mother_number=raw.text("mother_number"),
        mother_name=raw.text("mother_name"),
        spouse_number=raw.text("spouse_number"),
        spouse_name=raw.text("spouse_name"),
        old_id_number=raw.text("old_id_number"),
        household_id=raw.text("household_id"),
        household_relationship=raw.choice("household_relationship", Relationship),
        status=raw.choice("status", Status, Status.LIVING) or Status.LIVING,
        death_date=PartialDate.parse(death) if death else None,
    )


def _require_commune(code: str, field_name: str) -> None:
    try:
        current_commune(code)
    except NotFound:
        raise RegistryInvalid(f"{field_name} '{code}' is not a commune in force") from None


def _code(value: str, field_name: str, lookup: Any) -> str:
    try:
        return str(lookup(value).code)
    except NotFound:
        raise RegistryInvalid(f"{field_name} '{value}' is not a recognised code or name") from None


# --- life events -------------------------------------------------------------------------------


class EventKind(enum.StrEnum):
    BIRTH = "birth"
    DEATH = "death"
    MARRIAGE = "marriage"
    DIVORCE = "divorce"
    CHANGE_OF_RESIDENCE = "change_of_residence"
    CHANGE_OF_NAME = "change_of_name"
    CORRECTION = "correction"
    HOUSEHOLD_MOVE = "household_move"
    IMPORT = "import"


# Fields an officer may correct; the number itself is never corrected in place (a wrong number is
# retired and a new one allocated, so a number is never reused).
CORRECTABLE = frozenset(
    {
        "family_name", "middle_name", "given_name", "sex", "birth_date", "origin_commune",
        "residence_detail", "current_commune", "current_detail", "ethnicity", "religion", "nationality",
        "father_number", "father_name", "mother_number", "mother_name", "old_id_number",
    }
)


@dataclass(frozen=True, slots=True)
class LifeEvent:
    kind: EventKind
    effective_date: dt.date
    reason: str
    legal_basis: str
    data: dict[str, Any]


def apply_event(person: Person, event: LifeEvent) -> Person:
    """The person as they are after ``event``.  Raises RegistryInvalid when the event cannot apply."""
    if person.status is Status.DECEASED and event.kind is not EventKind.CORRECTION:
        raise RegistryInvalid(f"{person.personal_number} is recorded as deceased; only a correction may follow")
    if not event.reason.strip():
        raise RegistryInvalid("a life event needs a reason")
    if not event.legal_basis.strip():
        raise RegistryInvalid("a life event needs its legal basis")
    handler = _EVENT_RULES.get(event.kind)
    if handler is None:
        raise RegistryInvalid(f"'{event.kind.value}' creates a person; it does not change one")
    return handler(person, event)


def _death(person: Person, event: LifeEvent) -> Person:
    when = _opt(event.data, "death_date") or event.effective_date.isoformat()
    return replace(person, status=Status.DECEASED, death_date=PartialDate.parse(when))


def _marriage(person: Person, event: LifeEvent) -> Person:
    spouse_number = _opt(event.data, "spouse_number")
    spouse_name = _opt(event.data, "spouse_name")
    if spouse_number:
        parse_number(spouse_number)
    if not (spouse_number or spouse_name):
        raise RegistryInvalid("a marriage names the spouse (spouse_number or spouse_name)")
    if person.spouse_number or person.spouse_name:
        raise RegistryInvalid("the register already records a spouse; record the divorce first")
    return replace(person, spouse_number=spouse_number, spouse_name=spouse_name)


def _divorce(person: Person, event: LifeEvent) -> Person:  # noqa: ARG001 - one signature for all rules
    if not (person.spouse_number or person.spouse_name):
        raise RegistryInvalid("the register records no spouse to divorce")
    return replace(person, spouse_number=None, spouse_name=None)


def _change_of_residence(person: Person, event: LifeEvent) -> Person:
    commune = _opt(event.data, "residence_commune")
    if not commune:
        raise RegistryInvalid("a change of residence needs residence_commune")
    _require_commune(commune, "residence_commune")
    return replace(person, residence_commune=commune, residence_detail=_opt(event.data, "residence_detail"))


def _change_of_name(person: Person, event: LifeEvent) -> Person:
    d = event.data
    family = _opt(d, "family_name") or person.family_name
    given = _opt(d, "given_name") or person.given_name
    middle = _opt(d, "middle_name") if "middle_name" in d else person.middle_name
    if (family, middle, given) == (person.family_name, person.middle_name, person.given_name):
        raise RegistryInvalid("the new name is the same as the old one")
    return replace(person, family_name=family, middle_name=middle, given_name=given)


def _household_move(person: Person, event: LifeEvent) -> Person:
    raw = _Raw(event.data)
    household = raw.text("household_id")
    if not household:
        raise RegistryInvalid("a household move names the household_id")
    relationship = raw.choice("household_relationship", Relationship, Relationship.OTHER)
    return replace(person, household_id=household, household_relationship=relationship)


def _correction(person: Person, event: LifeEvent) -> Person:
    return _correct(person, event.data)


_EVENT_RULES: dict[EventKind, Callable[[Person, LifeEvent], Person]] = {
    EventKind.DEATH: _death,
    EventKind.MARRIAGE: _marriage,
    EventKind.DIVORCE: _divorce,
    EventKind.CHANGE_OF_RESIDENCE: _change_of_residence,
    EventKind.CHANGE_OF_NAME: _change_of_name,
    EventKind.HOUSEHOLD_MOVE: _household_move,
    EventKind.CORRECTION: _correction,
}


def _correct(person: Person, data: dict[str, Any]) -> Person:
    unknown = set(data) - CORRECTABLE
    if unknown:
        raise RegistryInvalid(f"these fields cannot be corrected by this event: {', '.join(sorted(unknown))}")
    if not data:
        raise RegistryInvalid("a correction names at least one field")
    merged = person.to_dict() | dict(data)
    corrected = build_person(merged, today=dt.date.max)
    return replace(corrected, version=person.version, status=person.status, death_date=person.death_date)


def _opt(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    return _clean(str(value))


def diff(before: Person, after: Person) -> dict[str, tuple[Any, Any]]:
    """Field-by-field changes between two versions (for history views)."""
    a, b = before.to_dict(), after.to_dict()
    return {k: (a[k], b[k]) for k in a if k != "version" and a[k] != b[k]}
