"""Cleansing tables: staged source records, their issues, linkage runs, scored pairs and merges.

Staged records are keyed by (source, record_id): they have no personal number until they are merged,
so unlike the register's tables they are not distributed by person (docs/decisions/0044-cleansing-storage.md).
The link from a person to every source record it was built from is the register's ``person_sources``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from citizenid.db.base import Base, UtcDateTime


class CleansingBatchRow(Base):
    """One ingested file: accepted whole (``staged``) or not at all (``failed``, with its report)."""

    __tablename__ = "cleansing_batches"

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(60))
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))
    rows: Mapped[int] = mapped_column(Integer)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    ingested_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    ingested_by: Mapped[str] = mapped_column(String(120))


class StagedRecordRow(Base):
    """A source record as the source wrote it (``original``), with its comparison keys beside it."""

    __tablename__ = "cleansing_records"
    __table_args__ = (
        Index("ix_cleansing_records_batch_id", "batch_id"),
        Index("ix_cleansing_records_personal_number", "personal_number"),
    )

    source: Mapped[str] = mapped_column(String(60), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(36))
    row_number: Mapped[int] = mapped_column(Integer)
    original: Mapped[dict[str, Any]] = mapped_column(JSON)
    canonical: Mapped[dict[str, Any]] = mapped_column(JSON)
    keys: Mapped[dict[str, Any]] = mapped_column(JSON)
    province: Mapped[str | None] = mapped_column(String(2))
    """Current province of residence, for quality per province ("unknown" when unresolved: NULL)."""
    personal_number: Mapped[str | None] = mapped_column(String(12))
    """The person this record was merged into; NULL until then."""


class RecordIssueRow(Base):
    __tablename__ = "cleansing_issues"

    source: Mapped[str] = mapped_column(String(60), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(10), primary_key=True)
    field: Mapped[str] = mapped_column(String(40), primary_key=True)
    severity: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))


class LinkageRunRow(Base):
    """A linkage run: its input (hash), parameters, trained model and results."""

    __tablename__ = "cleansing_runs"

    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    input_hash: Mapped[str] = mapped_column(String(64))
    engine: Mapped[str] = mapped_column(String(10))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    model: Mapped[dict[str, Any]] = mapped_column(JSON)
    results: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    started_by: Mapped[str] = mapped_column(String(120))
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class ScoredPairRow(Base):
    """Two records the model scored above the lower threshold, its decision and, for reviews, the answer."""

    __tablename__ = "cleansing_pairs"
    __table_args__ = (Index("ix_cleansing_pairs_decision_review", "run_id", "decision", "review_status"),)

    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    pair_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    left_id: Mapped[str] = mapped_column(String(200))
    right_id: Mapped[str] = mapped_column(String(200))
    match_weight: Mapped[float] = mapped_column(Float)
    match_probability: Mapped[float] = mapped_column(Float)
    decision: Mapped[str] = mapped_column(String(8))
    guards: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    review_status: Mapped[str | None] = mapped_column(String(10))
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    note: Mapped[str | None] = mapped_column(Text)


class MergeRow(Base):
    """Source records merged into one person: what survived from where, and what an un-merge restores."""

    __tablename__ = "cleansing_merges"
    __table_args__ = (
        Index("ix_cleansing_merges_run_id", "run_id"),
        Index("ix_cleansing_merges_personal_number", "personal_number"),
    )

    merge_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(36))
    personal_number: Mapped[str] = mapped_column(String(12))
    records: Mapped[list[str]] = mapped_column(JSON)
    created_person: Mapped[bool] = mapped_column(Boolean)
    survivorship: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8))
    merged_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    merged_by: Mapped[str] = mapped_column(String(120))
    undone_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    undone_by: Mapped[str | None] = mapped_column(String(120))
