"""Register tables.  Citus-compatible: person tables are keyed by the personal number (the
distribution column) and include it in every primary and unique key; secondary unique keys (the old
ID number) live in lookup tables.  See docs/decisions/0005-register-schema.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from citizenid.db.base import Base, UtcDateTime


class PersonRow(Base):
    __tablename__ = "persons"
    __table_args__ = (
        Index("ix_persons_name_key_birth_year", "name_key", "birth_year"),
        Index("ix_persons_given_key_birth_year", "given_key", "birth_year"),
        Index("ix_persons_household_id", "household_id"),
        Index("ix_persons_residence_commune", "residence_commune"),
    )

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    family_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(200))
    given_name: Mapped[str] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(400))
    # Derived comparison keys (diacritics folded), kept beside the name as written, never instead.
    name_key: Mapped[str] = mapped_column(String(400))
    given_key: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[str] = mapped_column(String(10))
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    birth_registration_province: Mapped[str] = mapped_column(String(3))
    origin_commune: Mapped[str | None] = mapped_column(String(5))
    # Province scope narrows a search the name index has already made small: no index of its own.
    residence_province: Mapped[str] = mapped_column(String(2))
    residence_commune: Mapped[str] = mapped_column(String(5))
    residence_detail: Mapped[str | None] = mapped_column(String(300))
    current_commune: Mapped[str | None] = mapped_column(String(5))
    current_detail: Mapped[str | None] = mapped_column(String(300))
    ethnicity: Mapped[str] = mapped_column(String(2))
    religion: Mapped[str] = mapped_column(String(2))
    nationality: Mapped[str] = mapped_column(String(3))
    father_number: Mapped[str | None] = mapped_column(String(12))
    father_name: Mapped[str | None] = mapped_column(String(400))
    mother_number: Mapped[str | None] = mapped_column(String(12))
    mother_name: Mapped[str | None] = mapped_column(String(400))
    spouse_number: Mapped[str | None] = mapped_column(String(12))
    spouse_name: Mapped[str | None] = mapped_column(String(400))
    old_id_number: Mapped[str | None] = mapped_column(String(9))
    household_id: Mapped[str | None] = mapped_column(String(20))
    household_relationship: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    death_date: Mapped[str | None] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class PersonHistoryRow(Base):
    """A superseded version: what the register said from ``recorded_at`` until ``superseded_at``."""

    __tablename__ = "person_history"

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    superseded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


class LifeEventRow(Base):
    __tablename__ = "life_events"

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    effective_date: Mapped[str] = mapped_column(String(10))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    recorded_by: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(String(300))
    version_after: Mapped[int] = mapped_column(Integer)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)


class OldIdRow(Base):
    """Lookup table for the legacy 9-digit ID number (a secondary unique key)."""

    __tablename__ = "old_id_numbers"

    old_id_number: Mapped[str] = mapped_column(String(9), primary_key=True)
    personal_number: Mapped[str] = mapped_column(String(12))


class HouseholdRow(Base):
    __tablename__ = "households"

    household_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    head_number: Mapped[str | None] = mapped_column(String(12))
    residence_province: Mapped[str] = mapped_column(String(2))
    residence_commune: Mapped[str] = mapped_column(String(5))
    residence_detail: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class PersonSourceRow(Base):
    """Which legacy source records a person was built from (filled by the cleansing pipeline)."""

    __tablename__ = "person_sources"

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    source: Mapped[str] = mapped_column(String(60), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    linked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
