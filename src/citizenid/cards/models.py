"""Card tables.  Citus-compatible like the register's: per-person tables lead their keys with the personal
number; application and card numbers are secondary unique keys and live in lookup tables.

Photos, fingerprints and chip images (which hold the chip's private keys) are stored only as AES-GCM
ciphertext (decision 0050).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from citizenid.db.base import Base, UtcDateTime


class ApplicationRow(Base):
    __tablename__ = "card_applications"
    __table_args__ = (
        Index("ix_card_applications_province_state", "province", "state", "state_since"),
        Index("ix_card_applications_state", "state", "state_since"),
        Index("ix_card_applications_site_state", "site", "state"),
    )

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    province: Mapped[str] = mapped_column(String(2))
    site: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    state_since: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer)
    declared: Mapped[dict[str, Any]] = mapped_column(JSON)
    mismatches: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    appointment: Mapped[dt.date] = mapped_column(Date)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    fingerprints: Mapped[bytes | None] = mapped_column(LargeBinary)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    received_by: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    card_number: Mapped[str | None] = mapped_column(String(12))


class ApplicationIdRow(Base):
    """Lookup: application number → person."""

    __tablename__ = "card_application_ids"

    application_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    personal_number: Mapped[str] = mapped_column(String(12))


class OpenApplicationRow(Base):
    """At most one open application per person: its primary key is the rule."""

    __tablename__ = "card_open_applications"

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(20))


class ApplicationHistoryRow(Base):
    __tablename__ = "card_application_history"
    __table_args__ = (Index("ix_card_application_history_to_state", "to_state", "at"),)

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    province: Mapped[str] = mapped_column(String(2))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)


class IdempotencyKeyRow(Base):
    """A write already done under a client's key: the request's fingerprint and what it produced."""

    __tablename__ = "card_idempotency_keys"

    actor: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    operation: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(64))
    result_ref: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class CardRow(Base):
    __tablename__ = "cards"
    __table_args__ = (
        UniqueConstraint("personal_number", "application_id", name="uq_cards_personal_number_application"),
        Index("ix_cards_state_expiry", "state", "expiry_date"),
    )

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    card_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(20))
    batch_id: Mapped[str] = mapped_column(String(36))
    province: Mapped[str] = mapped_column(String(2))
    state: Mapped[str] = mapped_column(String(20))
    issue_date: Mapped[dt.date] = mapped_column(Date)
    expiry_date: Mapped[dt.date | None] = mapped_column(Date)
    revocation_key: Mapped[str] = mapped_column(String(20))
    revoked_reason: Mapped[str | None] = mapped_column(String(20))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    activated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    chip_version: Mapped[int] = mapped_column(Integer)
    chip_image: Mapped[bytes] = mapped_column(LargeBinary)
    qc_detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class CardNumberRow(Base):
    """Lookup: card number → person."""

    __tablename__ = "card_numbers"

    card_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    personal_number: Mapped[str] = mapped_column(String(12))


class CardHistoryRow(Base):
    __tablename__ = "card_history"

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    card_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    event: Mapped[str] = mapped_column(String(30))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class ChipVersionRow(Base):
    """A chip image a later authenticated update replaced: kept, encrypted, for the card's history."""

    __tablename__ = "card_chip_versions"

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    card_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    chip_image: Mapped[bytes] = mapped_column(LargeBinary)
    replaced_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class BatchRow(Base):
    __tablename__ = "card_batches"

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    province: Mapped[str | None] = mapped_column(String(2))


class BatchItemRow(Base):
    __tablename__ = "card_batch_items"
    __table_args__ = (
        Index("ix_card_batch_items_status", "batch_id", "status", "position"),
        UniqueConstraint("batch_id", "application_id", name="uq_card_batch_items_batch_id_application"),
    )

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    personal_number: Mapped[str] = mapped_column(String(12))
    application_id: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    card_number: Mapped[str | None] = mapped_column(String(12))
    detail: Mapped[str | None] = mapped_column(Text)


class SequenceRow(Base):
    """Gapless counters (card numbers): incremented in the transaction that uses the value."""

    __tablename__ = "card_sequences"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger)


class CampaignTargetRow(Base):
    __tablename__ = "card_campaign_targets"

    target_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    province: Mapped[str | None] = mapped_column(String(2))
    milestone: Mapped[str] = mapped_column(String(20))
    target_count: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
