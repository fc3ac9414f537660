"""Reading and writing register rows.  Converts between rows and domain values; never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from citizenid.db.driver import driver_cursor
from citizenid.registry.domain import Person
from citizenid.registry.models import (
    HouseholdRow,
    LifeEventRow,
    OldIdRow,
    PersonHistoryRow,
    PersonRow,
)
from citizenid.vntext import fold

PERSON_COLUMNS = [c.name for c in PersonRow.__table__.columns]


def person_row_values(person: Person, recorded_at: dt.datetime) -> dict[str, Any]:
    data = person.to_dict()
    data.update(
        full_name=person.full_name,
        name_key=person.name_key,
        given_key=fold(person.given_name),
        birth_year=person.birth_date.year,
        residence_province=person.residence_province,
        recorded_at=recorded_at,
    )
    return data


def to_person(row: PersonRow) -> Person:
    return Person.from_dict({c: getattr(row, c) for c in PERSON_COLUMNS})


_SNAPSHOT_COLUMNS = [c for c in PERSON_COLUMNS if c not in ("recorded_at",)]
_READ_PERSON = f"SELECT {', '.join(_SNAPSHOT_COLUMNS)} FROM persons WHERE personal_number = {{mark}}"  # noqa: S608


def read_person(session: Session, number: str) -> Person | None:
    """The current version of a person: the hot path of every lookup, so one plain statement on the
    session's own connection, without the ORM's identity map or the Core compiler (a tenth of the cost)."""
    with driver_cursor(session) as (cursor, mark):
        cursor.execute(_READ_PERSON.format(mark=mark), (number,))
        found = cursor.fetchone()
    return None if found is None else Person.from_dict(dict(zip(_SNAPSHOT_COLUMNS, found, strict=True)))


def get_row(session: Session, number: str, *, for_update: bool = False) -> PersonRow | None:
    query = select(PersonRow).where(PersonRow.personal_number == number)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def number_taken(session: Session, number: str) -> bool:
    """A number is taken while its person is in the register, and for ever once it has any history (a
    person withdrawn by an un-merge keeps their last version there): numbers are never reused."""
    if session.scalar(select(PersonRow.personal_number).where(PersonRow.personal_number == number)) is not None:
        return True
    return session.scalar(select(PersonHistoryRow.personal_number)
                          .where(PersonHistoryRow.personal_number == number).limit(1)) is not None


def _existing(session: Session, column: Any, values: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(values), 900):  # SQLite caps bound parameters
        found.update(session.scalars(select(column).where(column.in_(values[start : start + 900]))))
    return found


def existing_numbers(session: Session, numbers: Sequence[str]) -> set[str]:
    return _existing(session, PersonRow.personal_number, numbers)


def existing_old_ids(session: Session, old_ids: Sequence[str]) -> set[str]:
    return _existing(session, OldIdRow.old_id_number, old_ids)


def register_is_empty(session: Session) -> bool:
    """Whether any person is registered: one index probe, where a COUNT would scan the whole table."""
    return session.scalar(select(PersonRow.personal_number).limit(1)) is None


def number_for_old_id(session: Session, old_id: str) -> str | None:
    return session.scalar(select(OldIdRow.personal_number).where(OldIdRow.old_id_number == old_id))


def insert_person(session: Session, person: Person, recorded_at: dt.datetime) -> None:
    session.add(PersonRow(**person_row_values(person, recorded_at)))
    if person.old_id_number:
        session.add(OldIdRow(old_id_number=person.old_id_number, personal_number=person.personal_number))


def retire_person(session: Session, row: PersonRow, now: dt.datetime) -> None:
    """Remove a person from the register, keeping their last version in the history."""
    session.add(PersonHistoryRow(personal_number=row.personal_number, version=row.version,
                                 recorded_at=row.recorded_at, superseded_at=now, snapshot=to_person(row).to_dict()))
    session.delete(row)


def replace_person(session: Session, row: PersonRow, after: Person, now: dt.datetime) -> None:
    """Move the current version into history and write ``after`` as the next version."""
    before = to_person(row)
    session.add(
        PersonHistoryRow(
            personal_number=row.personal_number,
            version=row.version,
            recorded_at=row.recorded_at,
            superseded_at=now,
            snapshot=before.to_dict(),
        )
    )
    if before.old_id_number != after.old_id_number:
        if before.old_id_number:
            old = session.get(OldIdRow, before.old_id_number)
            if old is not None:
                session.delete(old)
        if after.old_id_number:
            session.add(OldIdRow(old_id_number=after.old_id_number, personal_number=after.personal_number))
    for key, value in person_row_values(after, now).items():
        setattr(row, key, value)
    row.version = before.version + 1


def history(session: Session, number: str) -> list[tuple[dt.datetime, dt.datetime | None, Person]]:
    """Every version of a person, oldest first: (recorded_at, superseded_at, person)."""
    versions: list[tuple[dt.datetime, dt.datetime | None, Person]] = [
        (h.recorded_at, h.superseded_at, Person.from_dict(h.snapshot))
        for h in session.scalars(
            select(PersonHistoryRow)
            .where(PersonHistoryRow.personal_number == number)
            .order_by(PersonHistoryRow.version)
        )
    ]
    current = get_row(session, number)
    if current is not None:
        versions.append((current.recorded_at, None, to_person(current)))
    return versions


def events(session: Session, number: str) -> list[LifeEventRow]:
    return list(
        session.scalars(
            select(LifeEventRow)
            .where(LifeEventRow.personal_number == number)
            .order_by(LifeEventRow.recorded_at, LifeEventRow.event_id)
        )
    )


@dataclass(frozen=True, slots=True)
class SearchCriteria:
    name: str | None = None
    birth_year: int | None = None
    birth_date: str | None = None
    household_id: str | None = None
    residence_commune: str | None = None
    residence_province: str | None = None
    sex: str | None = None


def search_query(criteria: SearchCriteria) -> Select[PersonRow]:
    query = select(PersonRow)
    if criteria.name:
        key = fold(criteria.name)
        words = key.split(" ")
        if len(words) == 1:
            # One word is a given name ("Lan"), or a family name, never searched alone at scale.
            query = query.where(PersonRow.given_key == key)
        else:
            # A full or leading part of the name: a B-tree range over the folded key.
            query = query.where(PersonRow.name_key >= key, PersonRow.name_key < key + "\uffff")
    if criteria.birth_date:
        query = query.where(PersonRow.birth_date == criteria.birth_date)
        query = query.where(PersonRow.birth_year == int(criteria.birth_date[:4]))
    elif criteria.birth_year is not None:
        query = query.where(PersonRow.birth_year == criteria.birth_year)
    if criteria.household_id:
        query = query.where(PersonRow.household_id == criteria.household_id)
    if criteria.residence_commune:
        query = query.where(PersonRow.residence_commune == criteria.residence_commune)
    if criteria.residence_province:
        query = query.where(PersonRow.residence_province == criteria.residence_province)
    if criteria.sex:
        query = query.where(PersonRow.sex == criteria.sex)
    return query


def search(session: Session, criteria: SearchCriteria, *, offset: int, limit: int) -> tuple[list[Person], bool]:
    """One page of matches and whether more follow (no COUNT over millions of rows)."""
    rows = list(
        session.scalars(
            search_query(criteria)
            .order_by(PersonRow.name_key, PersonRow.personal_number)
            .offset(offset)
            .limit(limit + 1)
        )
    )
    return [to_person(r) for r in rows[:limit]], len(rows) > limit


def household(session: Session, household_id: str) -> tuple[HouseholdRow | None, list[Person]]:
    row = session.get(HouseholdRow, household_id)
    members = [
        to_person(r)
        for r in session.scalars(
            select(PersonRow).where(PersonRow.household_id == household_id).order_by(PersonRow.birth_date)
        )
    ]
    return row, members


def count_persons(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(PersonRow)) or 0)


def counts_by_province(session: Session) -> dict[str, int]:
    rows = session.execute(select(PersonRow.residence_province, func.count()).group_by(PersonRow.residence_province))
    return {str(province): int(n) for province, n in rows}
