"""The access log and the Merkle tree over it: perfect-subtree hashes, the tree head, signed checkpoints."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from citizenid.db.base import Base, UtcDateTime

_BIGINT = BigInteger().with_variant(Integer, "sqlite")


class AccessLogRow(Base):
    """Append-only.  Nothing in citizenid updates or deletes a row of this table, except the sequencer,
    which fills ``leaf_index`` and ``leaf_hash`` once, after the access commits."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_subject_at", "subject", "at"),
        Index("ix_access_log_actor_at", "actor", "at"),
        # Unique: one entry per leaf.  NULL (not yet sequenced) is allowed many times, and the sequencer
        # finds its work through this index ("leaf_index IS NULL") on both databases.
        Index("ix_access_log_leaf_index", "leaf_index", unique=True),
    )

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(String(20))
    request_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hold_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    leaf_index: Mapped[int | None] = mapped_column(BigInteger)
    leaf_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))


class AuditTreeNodeRow(Base):
    """The hash of every perfect subtree of level 1 and up (level 0 is ``access_log.leaf_hash``).

    ``node_key`` packs (level, index) as ``level << 48 | index`` (see ``merkle.Subtree``).  Rows are
    written once, when the sequencer completes the subtree, and never change.
    """

    __tablename__ = "audit_tree_nodes"

    node_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditTreeHeadRow(Base):
    """One row: how many entries the tree holds and its root.  Its row lock serialises the sequencer."""

    __tablename__ = "audit_tree_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class AuditCheckpointRow(Base):
    __tablename__ = "audit_checkpoints"
    __table_args__ = (Index("ix_audit_checkpoints_tree_size", "tree_size"),)

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    origin: Mapped[str] = mapped_column(String(100))
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary(600))
