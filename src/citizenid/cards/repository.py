"""Queries of the card area, and the mapping from a register person to what the card says."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from citizenid.cards.domain import ApplicationState, CardState
from citizenid.cards.models import (
    ApplicationHistoryRow,
    ApplicationIdRow,
    ApplicationRow,
    BatchItemRow,
    CardHistoryRow,
    CardNumberRow,
    CardRow,
    SequenceRow,
)
from citizenid.chip.service import CardHolder
from citizenid.refdata import address_text, code_name, ethnic_group, religion
from citizenid.registry.domain import Person

LIVE_CARD_STATES = (CardState.PRODUCED, CardState.DISPATCHED, CardState.ACTIVE)


def application(session: Session, application_id: str, *, for_update: bool = False) -> ApplicationRow | None:
    number = session.scalar(select(ApplicationIdRow.personal_number).where(
        ApplicationIdRow.application_id == application_id))
    if number is None:
        return None
    query = select(ApplicationRow).where(ApplicationRow.personal_number == number,
                                         ApplicationRow.application_id == application_id)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def card(session: Session, card_number: str) -> CardRow | None:
    number = session.scalar(select(CardNumberRow.personal_number).where(CardNumberRow.card_number == card_number))
    if number is None:
        return None
    return session.get(CardRow, (number, card_number))


def cards_of(session: Session, personal_number: str) -> list[CardRow]:
    return list(session.scalars(select(CardRow).where(CardRow.personal_number == personal_number)
                                .order_by(CardRow.issue_date, CardRow.card_number)))


def next_serial(session: Session, name: str = "card") -> int:
    """The next value of a gapless counter; the row stays locked until the caller's transaction ends."""
    bump = (update(SequenceRow).where(SequenceRow.name == name)
            .values(last_value=SequenceRow.last_value + 1).returning(SequenceRow.last_value))
    value = session.scalar(bump)
    if value is None:
        # The migration seeds the row; a database emptied since (tests truncate) gets it back, once, even
        # when several workers find it missing at the same moment.
        insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(SequenceRow).values(name=name, last_value=0).on_conflict_do_nothing())
        value = session.scalar(bump)
    assert value is not None
    return int(value)


def next_card_seq(session: Session, row: CardRow) -> int:
    last = session.scalar(select(func.max(CardHistoryRow.seq)).where(
        CardHistoryRow.personal_number == row.personal_number, CardHistoryRow.card_number == row.card_number))
    return int(last or 0) + 1


def history(session: Session, row: ApplicationRow) -> list[ApplicationHistoryRow]:
    return list(session.scalars(select(ApplicationHistoryRow).where(
        ApplicationHistoryRow.personal_number == row.personal_number,
        ApplicationHistoryRow.application_id == row.application_id).order_by(ApplicationHistoryRow.seq)))


@dataclass(frozen=True, slots=True)
class Worklist:
    province: str | None = None
    site: str | None = None
    state: ApplicationState | None = None
    in_state_since_before: dt.datetime | None = None


def worklist_query(criteria: Worklist) -> Select[ApplicationRow]:
    query = select(ApplicationRow)
    if criteria.province:
        query = query.where(ApplicationRow.province == criteria.province)
    if criteria.site:
        query = query.where(ApplicationRow.site == criteria.site)
    if criteria.state:
        query = query.where(ApplicationRow.state == criteria.state.value)
    if criteria.in_state_since_before:
        query = query.where(ApplicationRow.state_since < criteria.in_state_since_before)
    return query.order_by(ApplicationRow.state_since, ApplicationRow.application_id)


def pending_item(session: Session, batch_id: str, *, skip_locked: bool) -> BatchItemRow | None:
    query = (select(BatchItemRow).where(BatchItemRow.batch_id == batch_id, BatchItemRow.status == "pending")
             .order_by(BatchItemRow.position).limit(1))
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query)


def milestone_counts(session: Session, state: str, province: str | None, since: dt.datetime | None) -> int:
    query = select(func.count(func.distinct(ApplicationHistoryRow.application_id))).where(
        ApplicationHistoryRow.to_state == state)
    if province:
        query = query.where(ApplicationHistoryRow.province == province)
    if since is not None:
        query = query.where(ApplicationHistoryRow.at >= since)
    return int(session.scalar(query) or 0)


# -- the register's person as the card prints it --------------------------------------------------------


def card_holder(person: Person, issued: dt.date, expiry: dt.date | None) -> CardHolder:
    """What the chip says: a partly known birth date is printed as its earliest day (decision 0051)."""
    return CardHolder(
        personal_number=person.personal_number,
        full_name=person.full_name,
        birth_date=person.birth_date.earliest(),
        sex=person.sex.value,
        place_of_origin=address_text(person.origin_commune) or "Việt Nam",
        place_of_residence=address_text(person.residence_commune, person.residence_detail),
        issue_date=issued,
        expiry_date=expiry,
        nationality="Việt Nam" if person.nationality == "VNM" else person.nationality,
        ethnicity=code_name(ethnic_group, person.ethnicity, "Kinh"),
        religion=code_name(religion, person.religion, "Không"),
        father=person.father_name or "",
        mother=person.mother_name or "",
        spouse=person.spouse_name or "",
        old_id_number=person.old_id_number or "",
    )
