from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citizenid.db.base import Base, UtcDateTime


class AccessLogRow(Base):
    """Append-only.  Nothing in citizenid updates or deletes a row of this table."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_subject_at", "subject", "at"),
        Index("ix_access_log_actor_at", "actor", "at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(String(20))
    request_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
