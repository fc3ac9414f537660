"""Audit log: appends per second with checkpoints, sequencing, and inclusion proofs on a large log (SQLite).

Figures (one JSON line each):

- ``audit.append``: one access recorded per transaction (as a register read records it), with the
  sequencer and a signed checkpoint every ``BENCH_AUDIT_CHECKPOINT_EVERY`` appends; beside it the same
  appends with no sequencing or signing at all, measured in the same run.
- ``audit.sequence``: committed entries placed into the tree per second (the sequencer alone).
- ``audit.inclusion.prove``: inclusion proofs served from the stored subtree hashes per second, in a log
  of ``BENCH_AUDIT_ENTRIES`` (default 1,000,000) entries.
- ``audit.inclusion.verify``: those proofs verified per second (what a citizen's or auditor's client does).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

from citizenid.audit.domain import AccessRecord
from citizenid.audit.merkle import verify_inclusion
from citizenid.audit.service import AuditService
from citizenid.bootstrap import Container, bootstrap
from citizenid.config import Settings
from citizenid.db.base import utcnow
from citizenid.db.migrate import upgrade

from .common import emit

ENTRIES = int(os.environ.get("BENCH_AUDIT_ENTRIES", "1000000"))
APPENDS = int(os.environ.get("BENCH_AUDIT_APPENDS", "20000"))
CHECKPOINT_EVERY = int(os.environ.get("BENCH_AUDIT_CHECKPOINT_EVERY", "1000"))
PROOFS = int(os.environ.get("BENCH_AUDIT_PROOFS", "2000"))


def _container(directory: Path) -> Container:
    settings = Settings(data_dir=directory, keystore_passphrase="bench-audit")
    container = bootstrap(settings)
    upgrade(container.engine)
    return container


def _access(i: int) -> AccessRecord:
    return AccessRecord(actor=f"officer:canbo{i % 50}", action="registry:person:read", purpose="kiểm tra hồ sơ",
                        subject=f"{(i * 7919) % 10**12:012d}")


def _appends(audit: AuditService, count: int, checkpoint_every: int | None) -> float:
    start = time.perf_counter()
    for i in range(count):
        audit.record(_access(i))
        if checkpoint_every and (i + 1) % checkpoint_every == 0:
            audit.checkpoint()
    if checkpoint_every:
        audit.checkpoint()
    return count / (time.perf_counter() - start)


def bench_appends(directory: Path) -> None:
    baseline = _appends(_container(directory / "plain").audit, APPENDS, None)
    with_checkpoints = _appends(_container(directory / "merkle").audit, APPENDS, CHECKPOINT_EVERY)
    emit("audit.append", per_s=round(with_checkpoints), checkpoint_every=CHECKPOINT_EVERY,
         baseline_per_s=round(baseline), ratio=round(with_checkpoints / baseline, 3))


def bench_large_log(directory: Path) -> None:
    container = _container(directory / "large")
    audit = container.audit
    now = utcnow()
    for start in range(0, ENTRIES, 50_000):
        with container.uow() as uow:
            audit.record_in(uow.session, [AccessRecord(actor="cli:bench", action="registry:person:read",
                                                       purpose="bench", subject=f"{i:012d}", at=now)
                                          for i in range(start, min(ENTRIES, start + 50_000))])
            uow.commit()
    began = time.perf_counter()
    checkpoint = audit.checkpoint()
    elapsed = time.perf_counter() - began
    emit("audit.sequence", per_s=round(ENTRIES / elapsed), entries=ENTRIES)

    indexes = random.Random(9162).sample(range(checkpoint.tree_size), min(PROOFS, checkpoint.tree_size))
    began = time.perf_counter()
    proofs = [audit.inclusion(i) for i in indexes]
    emit("audit.inclusion.prove", per_s=round(len(proofs) / (time.perf_counter() - began)),
         tree_size=checkpoint.tree_size)

    rounds = max(1, 20_000 // len(proofs))
    began = time.perf_counter()
    for _ in range(rounds):
        for proof in proofs:
            if not verify_inclusion(proof.leaf_index, proof.tree_size, proof.leaf_hash, proof.path,
                                    checkpoint.root_hash):
                raise SystemExit(f"proof of entry {proof.leaf_index} failed")
    emit("audit.inclusion.verify", per_s=round(rounds * len(proofs) / (time.perf_counter() - began)),
         tree_size=checkpoint.tree_size, path_length=len(proofs[0].path))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        bench_appends(Path(tmp))
        bench_large_log(Path(tmp))


if __name__ == "__main__":
    main()
