"""The audit log's use cases: record accesses, sequence them into the Merkle tree, sign checkpoints, prove.

Recording stays one INSERT in the caller's transaction (the access and its record commit together).
Entries get their leaf index later, from the *sequencer* (:meth:`AuditService.sequence`), which takes
committed entries in row order under one lock and extends the tree; see
docs/decisions/0030-audit-merkle-log.md for why indexes are not assigned inside the accessing
transaction.  Checkpoints sign the tree head with the audit checkpoint key from the key store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citizenid.audit import repository as repo
from citizenid.audit.domain import (
    AccessRecord,
    Checkpoint,
    LoggedAccess,
    TreeHead,
    canonical_entry,
    entry_leaf_hash,
    key_id,
)
from citizenid.audit.errors import NoCheckpointError, ProofRequestError, UnknownEntryError
from citizenid.audit.integrity import VerificationReport, verify_log
from citizenid.audit.merkle import (
    CompactRange,
    consistency_proof,
    hash_ranges,
    inclusion_ranges,
    needed_subtrees,
    root_hash,
)
from citizenid.audit.models import AccessLogRow
from citizenid.db.base import utcnow
from citizenid.db.driver import driver_cursor
from citizenid.db.uow import UnitOfWork
from citizenid.errors import CitizenIdError
from citizenid.pki.service import KeyAlgorithm, KeyStore, PublicKey, Signer

__all__ = [
    "AccessRecord",
    "AuditService",
    "Checkpoint",
    "InclusionProof",
    "LoggedAccess",
    "TrackedAccess",
    "Tracker",
    "TreeHead",
    "VerificationReport",
]

CHECKPOINT_KEY_LABEL = "audit-checkpoint"
ORIGIN = "citizenid/access-log"


@dataclass(frozen=True, slots=True)
class InclusionProof:
    entry: LoggedAccess
    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    path: list[bytes]

    @property
    def canonical_entry(self) -> bytes:
        return canonical_entry(self.entry.entry_id, self.entry.record)


@dataclass(frozen=True, slots=True)
class TrackedAccess:
    """One access in a citizen's data tracker; ``path`` is None while it is newer than the checkpoint."""

    entry: LoggedAccess
    leaf_hash: bytes | None
    path: list[bytes] | None

    @property
    def canonical_entry(self) -> bytes:
        return canonical_entry(self.entry.entry_id, self.entry.record)


@dataclass(frozen=True, slots=True)
class Tracker:
    subject: str
    checkpoint: Checkpoint | None
    accesses: list[TrackedAccess]


_RECORD_COLUMNS = ("at", "actor", "action", "purpose", "subject", "outcome", "request_id", "details", "hold_until")


def _insert_records(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """One driver-level INSERT on the caller's connection: every read of personal data pays for it, and the
    ORM and Core compiler cost ten times the insert.  Values go through the columns' own bind processors,
    so they are stored exactly as an ORM insert would store them."""
    processors = _bind_processors(session.get_bind().dialect)
    values = [tuple(p(v) if p else v for p, v in zip(processors, row, strict=True)) for row in rows]
    with driver_cursor(session) as (cursor, mark):
        marks = ", ".join([mark] * len(_RECORD_COLUMNS))
        sql = f"INSERT INTO access_log ({', '.join(_RECORD_COLUMNS)}) VALUES ({marks})"  # noqa: S608 - fixed names
        cursor.executemany(sql, values)


_PROCESSORS: dict[str, tuple[Callable[[Any], Any] | None, ...]] = {}


def _bind_processors(dialect: Dialect) -> tuple[Callable[[Any], Any] | None, ...]:
    found = _PROCESSORS.get(dialect.name)
    if found is None:
        table = AccessLogRow.__table__
        found = tuple(table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in _RECORD_COLUMNS)
        _PROCESSORS[dialect.name] = found
    return found


class AuditService:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        *,
        keys: KeyStore,
        key_label: str = CHECKPOINT_KEY_LABEL,
        origin: str = ORIGIN,
        checkpoint_interval: dt.timedelta = dt.timedelta(seconds=60),
        sequence_batch: int = 5000,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._uow = uow_factory
        self._keys = keys
        self._key_label = key_label
        self._origin = origin
        self._interval = checkpoint_interval
        self._batch = sequence_batch
        self._clock = clock

    # -- recording ------------------------------------------------------------------------------------

    @staticmethod
    def record_in(session: Session, records: Iterable[AccessRecord]) -> None:
        """Add records to the caller's transaction: the access and its record commit together."""
        now = utcnow()
        rows = [
            (r.at or now, r.actor, r.action, r.purpose, r.subject, r.outcome, r.request_id, r.details, r.hold_until)
            for r in records
        ]
        if rows:
            _insert_records(session, rows)

    def record(self, *records: AccessRecord) -> None:
        with self._uow() as uow:
            self.record_in(uow.session, records)
            uow.commit()

    def for_subject(self, personal_number: str, *, limit: int = 100) -> list[AccessRecord]:
        with self._uow() as uow:
            return [repo.record_of(r) for r in repo.for_subject(uow.session, personal_number, limit)]

    def recent(self, *, limit: int = 100, actor: str | None = None) -> list[AccessRecord]:
        with self._uow() as uow:
            query = select(AccessLogRow).order_by(AccessLogRow.id.desc()).limit(limit)
            if actor is not None:
                query = query.where(AccessLogRow.actor == actor)
            return [repo.record_of(r) for r in uow.session.scalars(query)]

    # -- the tree --------------------------------------------------------------------------------------

    def sequence(self, *, max_entries: int | None = None) -> TreeHead:
        """Put every committed, unsequenced entry into the tree (in row order); returns the new head."""
        done = 0
        while max_entries is None or done < max_entries:
            batch = self._batch if max_entries is None else min(self._batch, max_entries - done)
            added = self._sequence_batch(batch)
            done += added
            if added < batch:
                break
        return self.head()

    def _sequence_batch(self, limit: int) -> int:
        for attempt in range(3):
            try:
                return self._integrate(limit)
            except IntegrityError:
                # Two sequencers created the first head row at once; the loser retries under the lock.
                if attempt == 2:
                    raise
        return 0

    def _integrate(self, limit: int) -> int:
        with self._uow() as uow:
            session, now = uow.session, self._clock()
            head = repo.lock_head(session, now) or repo.create_head(session, now)
            rows = repo.pending(session, limit)
            if not rows:
                uow.commit()
                return 0
            source = repo.DbNodeSource(session)
            edge = CompactRange.edge_subtrees(head.tree_size)
            known = source.subtree_hashes(edge)
            tree = CompactRange(head.tree_size, [known[s] for s in edge])
            placed, nodes = [], []
            for row in rows:
                leaf = _leaf(row)
                placed.append((row.id, tree.size, leaf))
                nodes.extend(tree.append(leaf))
            repo.place_leaves(session, placed)
            repo.store_nodes(session, nodes)
            repo.save_head(session, TreeHead(tree.size, tree.root()), now)
            uow.commit()
            return len(rows)

    def head(self) -> TreeHead:
        with self._uow() as uow:
            return repo.read_head(uow.session)

    def pending(self) -> int:
        with self._uow() as uow:
            return repo.count_pending(uow.session)

    # -- checkpoints ----------------------------------------------------------------------------------

    def _signer(self) -> Signer:
        if self._key_label not in self._keys.labels():
            try:
                return self._keys.generate(self._key_label, KeyAlgorithm.EC_P256)
            except CitizenIdError:
                pass  # another process made it first: use theirs
        return self._keys.signer(self._key_label)

    def public_key(self) -> PublicKey:
        return self._signer().public_key()

    def checkpoint(self) -> Checkpoint:
        """Sequence what is pending, then sign the tree head now."""
        self.sequence()
        signer = self._signer()
        with self._uow() as uow:
            head = repo.read_head(uow.session)
            issued_at = self._clock()
            body = Checkpoint.body_for(self._origin, head.tree_size, head.root_hash, issued_at)
            checkpoint = Checkpoint(self._origin, head.tree_size, head.root_hash, issued_at,
                                    key_id(signer.public_key()), signer.sign(body))
            repo.add_checkpoint(uow.session, checkpoint)
            uow.commit()
            return checkpoint

    def checkpoint_if_due(self) -> Checkpoint:
        """The latest checkpoint, after signing a new one if the log grew and the last is older than the interval."""
        self.sequence()
        with self._uow() as uow:
            latest = repo.latest_checkpoint(uow.session)
            head = repo.read_head(uow.session)
        if latest is None or (head.tree_size > latest.tree_size and self._clock() - latest.issued_at >= self._interval):
            return self.checkpoint()
        return latest

    def latest_checkpoint(self) -> Checkpoint:
        with self._uow() as uow:
            latest = repo.latest_checkpoint(uow.session)
        if latest is None:
            raise NoCheckpointError("the audit log has no checkpoint yet: `citizenid audit checkpoint` signs one")
        return latest

    # -- proofs ---------------------------------------------------------------------------------------------

    def _tree_size(self, session: Session, tree_size: int | None) -> int:
        if tree_size is None:
            latest = repo.latest_checkpoint(session)
            if latest is None:
                raise NoCheckpointError("no checkpoint to prove against yet; name a tree size or sign one")
            return latest.tree_size
        head = repo.read_head(session)
        if not 0 <= tree_size <= head.tree_size:
            raise ProofRequestError(f"the tree has {head.tree_size} entries, not {tree_size}")
        return tree_size

    def inclusion(self, leaf_index: int, tree_size: int | None = None) -> InclusionProof:
        """The entry at ``leaf_index`` and its audit path in the tree of ``tree_size`` (default: the latest
        checkpoint's)."""
        with self._uow() as uow:
            session = uow.session
            size = self._tree_size(session, tree_size)
            if not 0 <= leaf_index < size:
                raise UnknownEntryError(f"no entry {leaf_index} in a tree of {size}")
            row = repo.entry_at(session, leaf_index)
            if row is None or row.leaf_hash is None:
                raise UnknownEntryError(f"entry {leaf_index} is missing from the store")
            ranges = inclusion_ranges(leaf_index, size)
            path = hash_ranges(ranges, repo.DbNodeSource(session).subtree_hashes(needed_subtrees(ranges)))
            return InclusionProof(repo.logged_of(row), leaf_index, size, row.leaf_hash, path)

    def consistency(self, first: int, second: int) -> list[bytes]:
        with self._uow() as uow:
            size = self._tree_size(uow.session, second)
            if not 0 <= first <= size:
                raise ProofRequestError(f"no consistency proof from {first} to {size} entries")
            return consistency_proof(first, size, repo.DbNodeSource(uow.session))

    def tree_root(self, tree_size: int) -> bytes:
        with self._uow() as uow:
            size = self._tree_size(uow.session, tree_size)
            return root_hash(size, repo.DbNodeSource(uow.session))

    # -- the citizen's data tracker ---------------------------------------------------------------------

    def tracker(self, personal_number: str, *, viewer: AccessRecord, limit: int = 100) -> Tracker:
        """Who accessed this person's data, newest first, each with its inclusion proof against the latest
        checkpoint.  Entries under a legal hold stay out until the hold ends.  Looking is itself logged:
        ``viewer`` is the access record of this read (its subject is set here)."""
        checkpoint = self.checkpoint_if_due()
        now = self._clock()
        with self._uow() as uow:
            session = uow.session
            rows = repo.for_subject(session, personal_number, limit, visible_at=now)
            proven = [r for r in rows if r.leaf_index is not None and r.leaf_index < checkpoint.tree_size]
            ranges = {r.id: inclusion_ranges(r.leaf_index or 0, checkpoint.tree_size) for r in proven}
            known = repo.DbNodeSource(session).subtree_hashes(
                needed_subtrees(rng for rs in ranges.values() for rng in rs))
            accesses = [
                TrackedAccess(repo.logged_of(r), r.leaf_hash if r.id in ranges else None,
                              hash_ranges(ranges[r.id], known) if r.id in ranges else None)
                for r in rows
            ]
            self.record_in(session, [_with_subject(viewer, personal_number)])
            uow.commit()
        return Tracker(personal_number, checkpoint, accesses)

    # -- verification -------------------------------------------------------------------------------------

    def verify(self, public_key: PublicKey | None = None,
               progress: Callable[[int], None] | None = None) -> VerificationReport:
        """Recompute the whole tree from the stored entries; check every stored hash and checkpoint."""
        key = public_key if public_key is not None else self.public_key()
        with self._uow() as uow:
            return verify_log(uow.session, key, progress)


def _leaf(row: repo.EntryRow) -> bytes:
    return entry_leaf_hash(row.id, repo.record_of(row))


def _with_subject(record: AccessRecord, subject: str) -> AccessRecord:
    return AccessRecord(actor=record.actor, action=record.action, purpose=record.purpose, subject=subject,
                        outcome=record.outcome, at=record.at, request_id=record.request_id, details=record.details)
