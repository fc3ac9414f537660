"""``audit verify``: rebuild the whole tree from the stored entries and hold every stored hash to it.

What it catches, and how:

- an entry whose fields changed: its recomputed leaf hash differs from the stored one, or (when the
  stored leaf hash was forged too) the recomputed root differs from every later signed checkpoint;
- a deleted entry: a gap in the leaf indexes, or fewer entries than the tree head or a checkpoint;
- a forged or re-signed checkpoint: its signature fails under the checkpoint key, or its root is not the
  recomputed root at its size;
- a damaged stored subtree hash (which would make proofs fail for their verifiers): it differs from the
  recomputed one.

Memory stays O(log n): entries stream through a :class:`CompactRange` by leaf index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from citizenid.audit import repository as repo
from citizenid.audit.domain import Checkpoint, entry_leaf_hash
from citizenid.audit.merkle import EMPTY_ROOT, CompactRange, Subtree
from citizenid.audit.models import AuditTreeNodeRow
from citizenid.pki.service import PublicKey

_NODE_BATCH = 500  # keys per IN (...) list, under SQLite's parameter limit
_MAX_PROBLEMS = 100  # enough to act on; a wholesale rewrite would otherwise print a line per entry


@dataclass(slots=True)
class VerificationReport:
    tree_size: int = 0
    entries_checked: int = 0
    checkpoints_checked: int = 0
    nodes_checked: int = 0
    pending: int = 0
    problems: list[str] = field(default_factory=list)
    problems_left_out: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(text)
        else:
            self.problems_left_out += 1


def verify_log(session: Session, public_key: PublicKey,
               progress: Callable[[int], None] | None = None) -> VerificationReport:
    return _Verifier(session, public_key).run(progress)


class _Verifier:
    def __init__(self, session: Session, public_key: PublicKey) -> None:
        self._session = session
        self._key = public_key
        self.head = repo.read_head(session)
        self.report = VerificationReport(tree_size=self.head.tree_size, pending=repo.count_pending(session))
        self.by_size: dict[int, list[Checkpoint]] = defaultdict(list)
        self.tree = CompactRange()
        self.nodes: list[tuple[Subtree, bytes]] = []
        self.bad_nodes: list[Subtree] = []
        self.altered = 0
        self.broken = False  # after a gap, roots can no longer be recomputed

    def run(self, progress: Callable[[int], None] | None) -> VerificationReport:
        self._checkpoints()
        for row in repo.entries_in_order(self._session):
            self._entry(row)
            if progress is not None and self.report.entries_checked % 10_000 == 0:
                progress(self.report.entries_checked)
        self._flush_nodes()
        self._ending()
        return self.report

    def _checkpoints(self) -> None:
        for checkpoint in repo.checkpoints(self._session):
            self.by_size[checkpoint.tree_size].append(checkpoint)
            self.report.checkpoints_checked += 1
            if not checkpoint.verify(self._key):
                self.report.problem(f"checkpoint at size {checkpoint.tree_size} issued "
                                    f"{checkpoint.issued_at:%Y-%m-%d %H:%M:%S} does not carry a valid signature "
                                    "of the checkpoint key")
        self._check_root(0, EMPTY_ROOT)

    def _entry(self, row: repo.EntryRow) -> None:
        index = row.leaf_index if row.leaf_index is not None else -1
        if not self.broken and index != self.tree.size:
            self.report.problem(f"entries {self.tree.size}..{index - 1} are missing (deleted from the store)")
            self.broken = True
        recomputed = entry_leaf_hash(row.id, repo.record_of(row))
        if row.leaf_hash != recomputed:
            self.report.problem(f"entry {index} (row {row.id}) was altered: its fields no longer hash to its leaf")
            self.altered += 1
        self.report.entries_checked += 1
        if not self.broken:
            self.nodes.extend(n for n in self.tree.append(recomputed) if n[0].level > 0)
            self._check_root(self.tree.size, self.tree.root())
            if len(self.nodes) >= _NODE_BATCH:
                self._flush_nodes()

    def _ending(self) -> None:
        report, tree, head = self.report, self.tree, self.head
        if self.altered and self.bad_nodes:
            # The stored nodes above an altered entry were built from its original hash: expected, not news.
            report.problem(f"{len(self.bad_nodes)} stored subtree hash(es) above the altered entries differ "
                           "from the recomputed ones")
        else:
            for subtree in self.bad_nodes:
                report.problem(f"stored subtree hash (level {subtree.level}, index {subtree.index}) is wrong or "
                               "missing: proofs that use it would fail")
        if not self.broken and tree.size < head.tree_size:
            report.problem(f"entries {tree.size}..{head.tree_size - 1} are missing (deleted from the store)")
        elif not self.broken and tree.root() != head.root_hash:
            report.problem("the stored tree head does not match the entries")
        for size in sorted(s for s in self.by_size if s > report.entries_checked):
            report.problem(f"a checkpoint covers {size} entries but the store holds {report.entries_checked}")

    def _check_root(self, size: int, root: bytes) -> None:
        for checkpoint in self.by_size.get(size, ()):
            if checkpoint.root_hash != root:
                self.report.problem(f"the checkpoint at size {size} does not match the entries: an entry before "
                                    "it was altered, or the checkpoint was")

    def _flush_nodes(self) -> None:
        if not self.nodes:
            return
        expected = {s.key: h for s, h in self.nodes}
        self.nodes = []
        rows = self._session.execute(
            select(AuditTreeNodeRow.node_key, AuditTreeNodeRow.hash)
            .where(AuditTreeNodeRow.node_key.in_(list(expected)))
        )
        stored: dict[int, bytes] = dict(rows.all())
        for key, digest in expected.items():
            self.report.nodes_checked += 1
            if stored.get(key) != digest:
                self.bad_nodes.append(Subtree.from_key(key))
