"""Use cases of the population register.  The only place in the area that commits.

Every read and write of a person's data is recorded in the access log in the same transaction.
Registrars (and any officer given a province) see only people who reside in their province.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from citizenid.audit.domain import AccessRecord
from citizenid.audit.service import AuditService
from citizenid.auth.domain import Permission, Principal
from citizenid.db.base import utcnow
from citizenid.db.uow import UnitOfWork
from citizenid.registry import repository as repo
from citizenid.registry.bulk import ImportReport, ProgressCallback, import_file, load_table
from citizenid.registry.domain import (
    EventKind,
    LifeEvent,
    PartialDate,
    Person,
    Relationship,
    Status,
    apply_event,
    build_person,
    diff,
)
from citizenid.registry.errors import (
    HouseholdNotFound,
    PersonNotFound,
    RegistryInvalid,
    StaleVersion,
)
from citizenid.registry.models import HouseholdRow, LifeEventRow, OldIdRow, PersonSourceRow
from citizenid.registry.numbers import NumberExplanation, allocate, explain, mismatches, parse_number, registration_code
from citizenid.registry.repository import SearchCriteria
from citizenid.vntext import tone_key

MAX_PAGE_SIZE = 100
DEFAULT_PURPOSE = "registration work"


@dataclass(frozen=True, slots=True)
class SearchPage:
    items: list[Person]
    page: int
    page_size: int
    has_more: bool
    exact: list[bool]


@dataclass(frozen=True, slots=True)
class Version:
    version: int
    recorded_at: dt.datetime
    superseded_at: dt.datetime | None
    person: Person
    changes: dict[str, tuple[Any, Any]]


@dataclass(frozen=True, slots=True)
class EventView:
    event_id: str
    kind: str
    effective_date: str
    recorded_at: dt.datetime
    recorded_by: str
    reason: str
    legal_basis: str
    version_after: int
    changes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PersonHistory:
    personal_number: str
    versions: list[Version]
    events: list[EventView]


@dataclass(frozen=True, slots=True)
class HouseholdView:
    household_id: str
    head_number: str | None
    residence_commune: str
    residence_detail: str | None
    members: list[Person]


@dataclass(frozen=True, slots=True)
class NumberCheck:
    explanation: NumberExplanation
    registered: bool | None = None
    mismatches: list[str] = field(default_factory=list)


class RegistryService:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        *,
        engine: Engine,
        audit: AuditService,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._uow = uow_factory
        self._engine = engine
        self._audit = audit
        self._clock = clock
        # Called in the transaction of each recorded life event (the exchange's event outbox).
        self.life_event_hooks: list[Callable[[Session, str, str, str, int, str], None]] = []

    def person_in(self, session: Session, number: str) -> Person | None:
        """The current version of a person, read in the caller's transaction (the exchange's hot path)."""
        return repo.read_person(session, number)

    # --- reads ------------------------------------------------------------------------------

    def get_person(
        self, principal: Principal, number: str, *, purpose: str = DEFAULT_PURPOSE, request_id: str | None = None
    ) -> Person:
        principal.require(Permission.PERSON_READ)
        value = parse_number(number).value
        with self._uow() as uow:
            person = repo.read_person(uow.session, value)
            if person is None or not principal.may_see_province(person.residence_province):
                # Out-of-province records answer exactly like missing ones: no existence oracle.
                raise PersonNotFound(f"no person {value} in the register you can see")
            self._audit.record_in(uow.session, [_access(principal, "registry:person:read", purpose, value, request_id)])
            uow.commit()
            return person

    def search(
        self,
        principal: Principal,
        criteria: SearchCriteria,
        *,
        page: int = 1,
        page_size: int = 20,
        purpose: str = DEFAULT_PURPOSE,
        old_id_number: str | None = None,
    ) -> SearchPage:
        principal.require(Permission.PERSON_READ)
        if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise RegistryInvalid(f"page must be ≥ 1 and page_size 1-{MAX_PAGE_SIZE}")
        if principal.province_code:
            criteria = replace(criteria, residence_province=principal.province_code)
        with self._uow() as uow:
            if old_id_number is not None:
                number = repo.number_for_old_id(uow.session, old_id_number.strip())
                if number is None:
                    people: list[Person] = []
                    more = False
                else:
                    row = repo.get_row(uow.session, number)
                    visible = row is not None and principal.may_see_province(row.residence_province)
                    people = [repo.to_person(row)] if row is not None and visible else []
                    more = False
            else:
                if not any((criteria.name, criteria.household_id, criteria.residence_commune)):
                    raise RegistryInvalid("search needs a name, a household, a commune or an old ID number")
                people, more = repo.search(uow.session, criteria, offset=(page - 1) * page_size, limit=page_size)
            self._audit.record_in(
                uow.session,
                [_access(principal, "registry:person:search", purpose, p.personal_number) for p in people],
            )
            uow.commit()
        wanted = tone_key(criteria.name) if criteria.name else None
        exact = [wanted is not None and tone_key(p.full_name).startswith(wanted) for p in people]
        return SearchPage(people, page, page_size, more, exact)

    def history(self, principal: Principal, number: str, *, purpose: str = DEFAULT_PURPOSE) -> PersonHistory:
        principal.require(Permission.PERSON_READ)
        value = parse_number(number).value
        with self._uow() as uow:
            row = repo.get_row(uow.session, value)
            if row is None or not principal.may_see_province(row.residence_province):
                raise PersonNotFound(f"no person {value} in the register you can see")
            versions_raw = repo.history(uow.session, value)
            events = [_event_view(e) for e in repo.events(uow.session, value)]
            self._audit.record_in(uow.session, [_access(principal, "registry:person:history", purpose, value)])
            uow.commit()
        versions: list[Version] = []
        previous: Person | None = None
        for recorded_at, superseded_at, person in versions_raw:
            changes = diff(previous, person) if previous else {}
            versions.append(Version(person.version, recorded_at, superseded_at, person, changes))
            previous = person
        return PersonHistory(value, versions, events)

    def as_of(self, principal: Principal, number: str, at: dt.datetime, *, purpose: str = DEFAULT_PURPOSE) -> Person:
        """What the register said about a person at instant ``at`` (transaction time)."""
        if at.tzinfo is None:
            raise RegistryInvalid("the instant needs a time zone (e.g. 2025-07-01T00:00:00+07:00)")
        found = self.history(principal, number, purpose=purpose)
        for version in found.versions:
            if version.recorded_at <= at and (version.superseded_at is None or at < version.superseded_at):
                return version.person
        raise PersonNotFound(f"the register held nothing about {found.personal_number} at {at.isoformat()}")

    def household(self, principal: Principal, household_id: str, *, purpose: str = DEFAULT_PURPOSE) -> HouseholdView:
        principal.require(Permission.PERSON_READ)
        with self._uow() as uow:
            row, members = repo.household(uow.session, household_id)
            if row is None or not principal.may_see_province(row.residence_province):
                raise HouseholdNotFound(f"no household {household_id} you can see")
            self._audit.record_in(
                uow.session,
                [_access(principal, "registry:household:read", purpose, m.personal_number) for m in members],
            )
            uow.commit()
            return HouseholdView(
                row.household_id, row.head_number, row.residence_commune, row.residence_detail, members
            )

    def check_number(self, principal: Principal, number: str) -> NumberCheck:
        principal.require(Permission.PERSON_READ)
        explanation = explain(number)
        if not explanation.valid:
            return NumberCheck(explanation)
        with self._uow() as uow:
            row = repo.get_row(uow.session, explanation.number)
            if row is None or not principal.may_see_province(row.residence_province):
                return NumberCheck(explanation, registered=False)
            person = repo.to_person(row)
            self._audit.record_in(
                uow.session, [_access(principal, "registry:number:check", DEFAULT_PURPOSE, person.personal_number)]
            )
            uow.commit()
        found = mismatches(
            parse_number(person.personal_number),
            sex=person.sex.value,
            birth_year=person.birth_date.year,
            birth_registration_province=person.birth_registration_province,
        )
        return NumberCheck(explanation, registered=True, mismatches=found)

    def count(self) -> int:
        with self._uow() as uow:
            return repo.count_persons(uow.session)

    def holder_status(self, number: str) -> Status | None:
        """Whether a number belongs to a living or a deceased person (None: to nobody).  For other areas'
        checks before they link something to a person; it reveals no personal data, so it is not audited."""
        value = parse_number(number).value
        with self._uow() as uow:
            row = repo.get_row(uow.session, value)
            return None if row is None else Status(row.status)

    def counts_by_province(self, principal: Principal) -> dict[str, int]:
        """Living and deceased persons per residence province: a statistic, not personal data."""
        principal.require(Permission.PERSON_READ)
        with self._uow() as uow:
            counts = repo.counts_by_province(uow.session)
        return {k: v for k, v in counts.items() if principal.may_see_province(k)}

    # --- writes -----------------------------------------------------------------------------

    def register_birth(
        self,
        principal: Principal,
        details: dict[str, Any],
        *,
        registration_province: str,
        registered_on: dt.date,
        reason: str,
        legal_basis: str,
    ) -> Person:
        """Record a birth and allocate the child's personal number."""
        principal.require(Permission.NUMBER_ALLOCATE)
        if not reason.strip() or not legal_basis.strip():
            raise RegistryInvalid("a birth registration needs a reason and its legal basis")
        ppp = registration_code(registration_province, registered_on)
        sex, birth = _sex_and_birth(details)
        now = self._clock()
        with self._uow() as uow:
            number = allocate(ppp, sex, birth.year, is_taken=lambda n: repo.number_taken(uow.session, n))
            person = build_person(
                {**details, "personal_number": number.value, "birth_registration_province": ppp}, today=now.date()
            )
            principal.require_province(person.residence_province)
            repo.insert_person(uow.session, person, now)
            self._require_household(uow, person)
            self._event_row(uow, principal, person, EventKind.BIRTH, registered_on, reason, legal_basis,
                            {"registered_in": ppp}, now)
            self._audit.record_in(uow.session, [_access(principal, "registry:person:create", reason, number.value)])
            uow.commit()
            return person

    def record_event(
        self,
        principal: Principal,
        number: str,
        event: LifeEvent,
        *,
        expected_version: int | None = None,
    ) -> Person:
        principal.require(Permission.EVENT_RECORD)
        value = parse_number(number).value
        now = self._clock()
        with self._uow() as uow:
            row = repo.get_row(uow.session, value, for_update=True)
            if row is None or not principal.may_see_province(row.residence_province):
                raise PersonNotFound(f"no person {value} in the register you can see")
            if expected_version is not None and expected_version != row.version:
                raise StaleVersion(f"{value} is at version {row.version}, not {expected_version}; reload and retry")
            before = repo.to_person(row)
            after = apply_event(before, event)
            if event.kind is EventKind.HOUSEHOLD_MOVE:
                after = self._join_household(uow, after, now)
            principal.require_province(after.residence_province)
            repo.replace_person(uow.session, row, after, now)
            changes = {k: list(v) for k, v in diff(before, after).items()}
            event_id = self._event_row(uow, principal, after, event.kind, event.effective_date, event.reason,
                                       event.legal_basis, changes, now, version_after=before.version + 1)
            for hook in self.life_event_hooks:
                hook(uow.session, value, event.kind.value, event.effective_date.isoformat(), before.version + 1,
                     event_id)
            self._audit.record_in(
                uow.session, [_access(principal, f"registry:event:{event.kind.value}", event.reason, value)]
            )
            uow.commit()
            return replace(after, version=before.version + 1)

    def import_file(
        self,
        principal: Principal,
        path: Path,
        *,
        errors_path: Path,
        progress: ProgressCallback | None = None,
        chunk_size: int = 50_000,
    ) -> ImportReport:
        principal.require(Permission.PERSON_IMPORT)
        report = import_file(self._engine, path, errors_path=errors_path, today=self._clock().date(),
                             progress=progress, chunk_size=chunk_size)
        self._audit.record(
            AccessRecord(actor=principal.actor, action="registry:person:import", purpose="bulk import",
                         details={"file": path.name, "inserted": report.inserted, "rejected": report.rejected,
                                  "unchanged": report.unchanged})
        )
        return report

    def load_table(self, principal: Principal, table: Any, *, progress: ProgressCallback | None = None) -> ImportReport:
        """Load an in-memory Arrow table (the synthetic population) through the same path as files."""
        principal.require(Permission.PERSON_IMPORT)
        report = load_table(self._engine, table, today=self._clock().date(), progress=progress)
        self._audit.record(
            AccessRecord(actor=principal.actor, action="registry:person:import", purpose="synthetic population",
                         details={"inserted": report.inserted, "rejected": report.rejected})
        )
        return report

    # --- for the cleansing pipeline: inside the caller's transaction (docs/decisions/0045) ----

    def admit_in(self, session: Session, principal: Principal, details: dict[str, Any], *, now: dt.datetime) -> Person:
        """Create a person from cleansed legacy records in the caller's transaction (a merge commits the
        person and its provenance together).  A number the records carry is kept when it is free and
        agrees with the person; otherwise one is allocated, as for a birth."""
        principal.require(Permission.NUMBER_ALLOCATE)
        sex, birth = _sex_and_birth(details)
        ppp = str(details["birth_registration_province"])
        given = details.get("personal_number")
        number = None
        if given and not repo.number_taken(session, given):
            parsed = parse_number(given)
            if not mismatches(parsed, sex=sex, birth_year=birth.year, birth_registration_province=ppp):
                number = parsed.value
        if number is None:
            number = allocate(ppp, sex, birth.year, is_taken=lambda n: repo.number_taken(session, n)).value
        person = build_person({**details, "personal_number": number}, today=now.date())
        repo.insert_person(session, person, now)
        self._audit.record_in(session, [_access(principal, "registry:person:create", "legacy records merged", number)])
        return person

    def withdraw_in(self, session: Session, principal: Principal, number: str) -> None:
        """Remove a person that a merge created and nothing has changed since (an un-merge)."""
        principal.require(Permission.NUMBER_ALLOCATE)
        row = repo.get_row(session, number, for_update=True)
        if row is None:
            raise PersonNotFound(f"no person {number}")
        if row.version != 1:
            raise StaleVersion(f"{number} has changed since it was created (version {row.version})")
        session.execute(delete(OldIdRow).where(OldIdRow.personal_number == number))
        session.execute(delete(PersonSourceRow).where(PersonSourceRow.personal_number == number))
        # The last version stays in the history: the number was used once and is never allocated again.
        repo.retire_person(session, row, self._clock())
        self._audit.record_in(session, [_access(principal, "registry:person:withdraw", "un-merge", number)])

    @staticmethod
    def link_sources_in(session: Session, number: str, records: list[tuple[str, str]], now: dt.datetime) -> None:
        for source, record_id in records:
            session.add(PersonSourceRow(personal_number=number, source=source, record_id=record_id, linked_at=now))

    @staticmethod
    def unlink_sources_in(session: Session, number: str, records: list[tuple[str, str]]) -> None:
        for source, record_id in records:
            session.execute(delete(PersonSourceRow).where(
                PersonSourceRow.personal_number == number, PersonSourceRow.source == source,
                PersonSourceRow.record_id == record_id,
            ))

    # --- helpers ----------------------------------------------------------------------------

    def _require_household(self, uow: UnitOfWork, person: Person) -> None:
        if not person.household_id:
            return
        if uow.session.get(HouseholdRow, person.household_id) is None:
            raise HouseholdNotFound(f"no household {person.household_id}")

    def _join_household(self, uow: UnitOfWork, person: Person, now: dt.datetime) -> Person:
        """Moving into an existing household takes its address; a new id founds one at the person's."""
        assert person.household_id is not None
        household = uow.session.get(HouseholdRow, person.household_id)
        if household is None:
            if person.household_relationship is not Relationship.HEAD:
                raise HouseholdNotFound(
                    f"no household {person.household_id}; found a new one with household_relationship 'head'"
                )
            uow.session.add(HouseholdRow(
                household_id=person.household_id, head_number=person.personal_number,
                residence_province=person.residence_province, residence_commune=person.residence_commune,
                residence_detail=person.residence_detail, created_at=now,
            ))
            return person
        if person.household_relationship is Relationship.HEAD:
            household.head_number = person.personal_number
        return replace(person, residence_commune=household.residence_commune,
                       residence_detail=household.residence_detail)

    def _event_row(
        self,
        uow: UnitOfWork,
        principal: Principal,
        person: Person,
        kind: EventKind,
        effective: dt.date,
        reason: str,
        legal_basis: str,
        changes: dict[str, Any],
        now: dt.datetime,
        *,
        version_after: int = 1,
    ) -> str:
        event_id = str(uuid.uuid4())
        uow.session.add(LifeEventRow(
            personal_number=person.personal_number, event_id=event_id, kind=kind.value,
            effective_date=effective.isoformat(), recorded_at=now, recorded_by=principal.actor,
            reason=reason, legal_basis=legal_basis, version_after=version_after, changes=changes,
        ))
        return event_id


def _sex_and_birth(details: dict[str, Any]) -> tuple[str, PartialDate]:
    sex = str(details.get("sex") or "").upper()
    if sex not in ("M", "F"):
        raise RegistryInvalid(f"sex must be M or F, not '{details.get('sex')}'")
    return sex, PartialDate.parse(str(details.get("birth_date") or ""))


def _access(principal: Principal, action: str, purpose: str, subject: str | None,
            request_id: str | None = None) -> AccessRecord:
    return AccessRecord(actor=principal.actor, action=action, purpose=purpose, subject=subject, request_id=request_id)


def _event_view(row: LifeEventRow) -> EventView:
    return EventView(row.event_id, row.kind, row.effective_date, row.recorded_at, row.recorded_by, row.reason,
                     row.legal_basis, row.version_after, dict(row.changes or {}))
