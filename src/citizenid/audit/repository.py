"""Reading and writing the access log and its tree in a caller's session.  No commits here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Row, Table, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from citizenid.audit.domain import AccessRecord, Checkpoint, LoggedAccess, TreeHead
from citizenid.audit.merkle import EMPTY_ROOT, Subtree
from citizenid.audit.models import AccessLogRow, AuditCheckpointRow, AuditTreeHeadRow, AuditTreeNodeRow

HEAD_ID = 1
# The sequencer and the verifier read entries by the thousand: plain rows, not ORM objects (about twice
# as fast), with the same column types (timestamps come back UTC-aware either way).
_LOG: Table = AccessLogRow.__table__  # type: ignore[assignment]  # mapped classes type it as FromClause
EntryRow = AccessLogRow | Row[Any]
_CHUNK = 500  # keys per IN (...) list: well under SQLite's bound-parameter limit


def record_of(row: EntryRow) -> AccessRecord:
    return AccessRecord(
        actor=row.actor,
        action=row.action,
        purpose=row.purpose,
        subject=row.subject,
        outcome=row.outcome,
        at=row.at,
        request_id=row.request_id,
        details=dict(row.details or {}),
        hold_until=row.hold_until,
    )


def logged_of(row: EntryRow) -> LoggedAccess:
    return LoggedAccess(row.id, record_of(row), row.leaf_index)


class DbNodeSource:
    """Perfect-subtree hashes from the database: leaves from ``access_log``, the rest from the node table."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def subtree_hashes(self, subtrees: Iterable[Subtree]) -> dict[Subtree, bytes]:
        wanted = set(subtrees)
        leaves = sorted(s.index for s in wanted if s.level == 0)
        inner = sorted(s.key for s in wanted if s.level > 0)
        found: dict[Subtree, bytes] = {}
        for chunk in _chunks(leaves):
            rows = self._session.execute(
                select(AccessLogRow.leaf_index, AccessLogRow.leaf_hash).where(AccessLogRow.leaf_index.in_(chunk))
            )
            found.update((Subtree(0, i), h) for i, h in rows if i is not None and h is not None)
        for chunk in _chunks(inner):
            nodes = self._session.execute(
                select(AuditTreeNodeRow.node_key, AuditTreeNodeRow.hash).where(AuditTreeNodeRow.node_key.in_(chunk))
            )
            found.update((Subtree.from_key(k), h) for k, h in nodes)
        missing = wanted - found.keys()
        if missing:
            # Only a damaged store gets here: the sequencer writes every node before it moves the head.
            raise LookupError(f"the tree store lacks {len(missing)} node(s), e.g. {min(missing)}")
        return found


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def lock_head(session: Session, now: dt.datetime) -> TreeHead | None:
    """Take the sequencer's lock: a write to the head row, held until the transaction ends.

    A write (not a read) comes first on purpose: on SQLite it takes the database's write lock at once,
    so two sequencers queue on the busy timeout instead of one failing to upgrade a read transaction;
    on PostgreSQL it is a row lock that the second sequencer waits on.  ``None`` when there is no head
    row yet (a new log); the caller inserts it, and a concurrent first insert fails on the primary key.
    """
    touched = session.execute(
        update(AuditTreeHeadRow).where(AuditTreeHeadRow.id == HEAD_ID).values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if touched.rowcount == 0:  # type: ignore[attr-defined]
        return None
    return read_head(session)


def read_head(session: Session) -> TreeHead:
    row = session.get(AuditTreeHeadRow, HEAD_ID, populate_existing=True)
    if row is None:
        return TreeHead(0, EMPTY_ROOT)
    return TreeHead(row.tree_size, row.root_hash)


def create_head(session: Session, now: dt.datetime) -> TreeHead:
    session.execute(insert(AuditTreeHeadRow).values(id=HEAD_ID, tree_size=0, root_hash=EMPTY_ROOT, updated_at=now))
    return TreeHead(0, EMPTY_ROOT)


def save_head(session: Session, head: TreeHead, now: dt.datetime) -> None:
    session.execute(
        update(AuditTreeHeadRow).where(AuditTreeHeadRow.id == HEAD_ID)
        .values(tree_size=head.tree_size, root_hash=head.root_hash, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def pending(session: Session, limit: int) -> list[Row[Any]]:
    """Committed entries not yet in the tree, oldest row first."""
    return list(session.execute(
        select(_LOG).where(_LOG.c.leaf_index.is_(None)).order_by(_LOG.c.id).limit(limit)
    ))


def count_pending(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AccessLogRow).where(
        AccessLogRow.leaf_index.is_(None))) or 0)


def place_leaves(session: Session, placed: Sequence[tuple[int, int, bytes]]) -> None:
    """Give each (entry id, leaf index, leaf hash) its place in the tree."""
    if placed:
        session.execute(
            update(_LOG).where(_LOG.c.id == bindparam("entry_id"))
            .values(leaf_index=bindparam("index"), leaf_hash=bindparam("leaf")),
            [{"entry_id": entry_id, "index": index, "leaf": leaf} for entry_id, index, leaf in placed],
        )


def store_nodes(session: Session, nodes: Sequence[tuple[Subtree, bytes]]) -> None:
    rows = [{"node_key": s.key, "hash": h} for s, h in nodes if s.level > 0]
    if rows:
        session.execute(insert(AuditTreeNodeRow), rows)


def entries_in_order(session: Session, batch: int = 5000) -> Iterator[Row[Any]]:
    """Every sequenced entry by leaf index, streamed in pages (keyset pagination: works on both databases)."""
    after = -1
    while True:
        rows = list(session.execute(
            select(_LOG).where(_LOG.c.leaf_index > after).order_by(_LOG.c.leaf_index).limit(batch)
        ))
        if not rows:
            return
        yield from rows
        after = rows[-1].leaf_index


def entry_at(session: Session, leaf_index: int) -> AccessLogRow | None:
    return session.scalars(select(AccessLogRow).where(AccessLogRow.leaf_index == leaf_index)).first()


def add_checkpoint(session: Session, checkpoint: Checkpoint) -> None:
    session.execute(insert(AuditCheckpointRow).values(
        origin=checkpoint.origin, tree_size=checkpoint.tree_size, root_hash=checkpoint.root_hash,
        issued_at=checkpoint.issued_at, key_id=checkpoint.key_id, signature=checkpoint.signature,
    ))


def _checkpoint(row: AuditCheckpointRow) -> Checkpoint:
    return Checkpoint(row.origin, row.tree_size, row.root_hash, row.issued_at, row.key_id, row.signature)


def latest_checkpoint(session: Session) -> Checkpoint | None:
    row = session.scalars(select(AuditCheckpointRow).order_by(AuditCheckpointRow.id.desc()).limit(1)).first()
    return _checkpoint(row) if row else None


def checkpoints(session: Session) -> list[Checkpoint]:
    return [_checkpoint(r) for r in session.scalars(select(AuditCheckpointRow).order_by(AuditCheckpointRow.id))]


def for_subject(session: Session, personal_number: str, limit: int,
                visible_at: dt.datetime | None = None) -> list[AccessLogRow]:
    """A person's entries, newest first; with ``visible_at``, only those whose legal hold has ended by then."""
    query = select(AccessLogRow).where(AccessLogRow.subject == personal_number)
    if visible_at is not None:
        query = query.where(or_(AccessLogRow.hold_until.is_(None), AccessLogRow.hold_until <= visible_at))
    return list(session.scalars(query.order_by(AccessLogRow.id.desc()).limit(limit)))
