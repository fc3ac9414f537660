from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from citizenid.db.base import Base, UtcDateTime


class DocumentRow(Base):
    """An integrated document, current version.  The holder's number leads the key (Citus distribution)."""

    __tablename__ = "documents"

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    doc_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(12))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    agency: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DocumentNumberRow(Base):
    """Lookup table for the secondary unique key: one holder per (type, number), across all persons."""

    __tablename__ = "document_numbers"

    doc_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    doc_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    personal_number: Mapped[str] = mapped_column(String(12))


class DocumentVersionRow(Base):
    """Every version of every document: what happened, who did it, and the document as it then was."""

    __tablename__ = "document_versions"

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    doc_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(12))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    recorded_by: Mapped[str] = mapped_column(String(120))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
