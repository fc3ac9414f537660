"""The access log as a Merkle log on SQLite and PostgreSQL: sequencing under concurrency, proofs against
signed checkpoints, tamper detection by the whole-log verification, legal holds in the tracker."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, select, text

from citizenid.audit.domain import AccessRecord, entry_leaf_hash
from citizenid.audit.errors import NoCheckpointError, ProofRequestError, UnknownEntryError
from citizenid.audit.merkle import MemoryTree, verify_consistency, verify_inclusion
from citizenid.audit.models import AccessLogRow
from citizenid.audit.repository import record_of
from citizenid.audit.service import AuditService
from citizenid.bootstrap import Container
from citizenid.pki.service import FileKeyStore, KeyAlgorithm, MemoryKeyStore, SoftwareSigner
from tests.integration.registry.test_service import HANOI_REGISTRAR, born

VIEWER = AccessRecord(actor="officer:kiemtoan", action="audit:tracker:read", purpose="citizen data tracker")


def access(i: int, subject: str = "001090000001", **extra: object) -> AccessRecord:
    fields: dict[str, object] = {"actor": f"officer:canbo{i % 3}", "action": "registry:person:read",
                                 "purpose": f"hồ sơ {i}", "subject": subject, **extra}
    return AccessRecord(**fields)  # type: ignore[arg-type]


def stored_leaves(engine: Engine) -> list[tuple[int, bytes]]:
    with engine.connect() as connection:
        rows = connection.execute(select(AccessLogRow.leaf_index, AccessLogRow.leaf_hash)
                                  .order_by(AccessLogRow.leaf_index)).all()
    return [(int(i), bytes(h)) for i, h in rows]


def test_sequenced_entries_prove_against_a_signed_checkpoint(audited: Container) -> None:
    audit = audited.audit
    audit.record(*[access(i) for i in range(37)])
    with pytest.raises(NoCheckpointError):
        audit.latest_checkpoint()
    assert audit.pending() == 37
    checkpoint = audit.checkpoint()
    assert checkpoint.tree_size == 37
    assert audit.pending() == 0
    assert checkpoint.verify(audit.public_key())
    leaves = stored_leaves(audited.engine)
    assert [i for i, _ in leaves] == list(range(37))
    assert MemoryTree(h for _, h in leaves).root() == checkpoint.root_hash
    for index in range(37):
        proof = audit.inclusion(index)
        assert proof.leaf_hash == entry_leaf_hash(proof.entry.entry_id, proof.entry.record)
        assert verify_inclusion(index, 37, proof.leaf_hash, proof.path, checkpoint.root_hash)
    with pytest.raises(UnknownEntryError):
        audit.inclusion(37)
    with pytest.raises(ProofRequestError):
        audit.inclusion(0, tree_size=38)


def test_consistency_between_checkpoints(audited: Container) -> None:
    audit = audited.audit
    audit.record(*[access(i) for i in range(13)])
    first = audit.checkpoint()
    for i in range(3):
        audit.record(*[access(100 * i + j) for j in range(7 + i)])
    second = audit.checkpoint()
    assert second.tree_size == 13 + 7 + 8 + 9
    proof = audit.consistency(first.tree_size, second.tree_size)
    assert verify_consistency(first.tree_size, second.tree_size, first.root_hash, second.root_hash, proof)
    assert audit.tree_root(first.tree_size) == first.root_hash
    with pytest.raises(ProofRequestError):
        audit.consistency(14, 13)


def test_concurrent_appends_and_sequencers_give_one_gapless_order(audited: Container) -> None:
    audit = audited.audit
    writers, per_writer = 4, 15
    stop = threading.Event()
    failures: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                work()
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                failures.append(exc)
        return run

    def write(w: int) -> Callable[[], None]:
        def work() -> None:
            for i in range(per_writer):
                audit.record(access(w * 1000 + i), access(w * 1000 + i, subject="001090000002"))
        return work

    def sequence() -> None:
        while not stop.is_set():
            audit.sequence()

    threads = [threading.Thread(target=guarded(write(w))) for w in range(writers)]
    sequencers = [threading.Thread(target=guarded(sequence)) for _ in range(2)]
    for thread in threads + sequencers:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    for thread in sequencers:
        thread.join()
    assert failures == []
    checkpoint = audit.checkpoint()
    total = writers * per_writer * 2
    assert checkpoint.tree_size == total
    assert [i for i, _ in stored_leaves(audited.engine)] == list(range(total))
    report = audit.verify()
    assert report.ok, report.problems
    assert report.entries_checked == total


def test_registry_accesses_reach_the_tracker_with_proofs(audited: Container) -> None:
    number = born(audited)
    audited.registry.get_person(HANOI_REGISTRAR, number, purpose="cấp căn cước")
    tracker = audited.audit.tracker(number, viewer=VIEWER)
    checkpoint = tracker.checkpoint
    assert checkpoint is not None
    assert checkpoint.verify(audited.audit.public_key())
    seen = [(a.entry.record.actor, a.entry.record.action, a.entry.record.purpose) for a in tracker.accesses]
    assert ("officer:canbo.hn", "registry:person:read", "cấp căn cước") in seen
    for tracked in tracker.accesses:
        assert tracked.path is not None
        assert tracked.leaf_hash is not None
        assert verify_inclusion(tracked.entry.leaf_index or 0, checkpoint.tree_size, tracked.leaf_hash,
                                tracked.path, checkpoint.root_hash)
    # Looking is itself an access the person will see next time.
    again = audited.audit.tracker(number, viewer=VIEWER)
    assert again.accesses[0].entry.record.action == "audit:tracker:read"


def test_a_legal_hold_keeps_an_access_out_of_the_tracker_until_it_ends(audited: Container) -> None:
    now = dt.datetime.now(dt.UTC)
    audited.audit.record(
        access(1, hold_until=now + dt.timedelta(days=90), purpose="điều tra"),
        access(2, hold_until=now - dt.timedelta(days=1), purpose="điều tra đã xong"),
        access(3),
    )
    purposes = {a.entry.record.purpose for a in audited.audit.tracker("001090000001", viewer=VIEWER).accesses}
    assert purposes == {"điều tra đã xong", "hồ sơ 3"}
    later = AuditService(audited.uow, keys=MemoryKeyStore(), clock=lambda: now + dt.timedelta(days=91))
    purposes = {a.entry.record.purpose for a in later.tracker("001090000001", viewer=VIEWER).accesses}
    assert "điều tra" in purposes
    # Auditors still see everything.
    assert len(audited.audit.for_subject("001090000001")) == 3 + 2


def _alter(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE access_log SET purpose = 'sửa' WHERE leaf_index = 4"))


def _alter_and_rehash(engine: Engine) -> None:
    with engine.begin() as connection:
        row = connection.execute(select(AccessLogRow).where(AccessLogRow.leaf_index == 4)).one()
    forged = record_of(row)  # type: ignore[arg-type]
    forged = AccessRecord(**{**{f: getattr(forged, f) for f in forged.__slots__}, "actor": "officer:ai-do"})
    with engine.begin() as connection:
        connection.execute(text("UPDATE access_log SET actor = 'officer:ai-do', leaf_hash = :h WHERE leaf_index = 4"),
                           {"h": entry_leaf_hash(row.id, forged)})


def _delete(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM access_log WHERE leaf_index = 6"))


def _delete_last(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM access_log WHERE leaf_index = 19"))


def _forge_checkpoint(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_checkpoints SET root_hash = :h"), {"h": b"\x07" * 32})


def _damage_node(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_tree_nodes SET hash = :h WHERE node_key = :k"),
                           {"h": b"\x07" * 32, "k": (2 << 48) | 1})


@pytest.mark.parametrize(("tamper", "expected"), [
    (_alter, "entry 4 (row 5) was altered"),
    (_alter_and_rehash, "the checkpoint at size 20 does not match the entries"),
    (_delete, "entries 6..6 are missing"),
    (_delete_last, "entries 19..19 are missing"),
    (_forge_checkpoint, "does not carry a valid signature"),
    (_damage_node, "stored subtree hash (level 2, index 1) is wrong"),
])
def test_verification_detects_tampering(audited: Container, tamper: Callable[[Engine], None], expected: str) -> None:
    audit = audited.audit
    audit.record(*[access(i) for i in range(20)])
    audit.checkpoint()
    assert audit.verify().ok
    tamper(audited.engine)
    report = audit.verify()
    assert not report.ok
    assert any(expected in problem for problem in report.problems), report.problems


def test_a_checkpoint_signed_by_another_key_fails(audited: Container) -> None:
    audited.audit.record(access(1))
    audited.audit.checkpoint()
    stranger = SoftwareSigner.generate(KeyAlgorithm.EC_P256).public_key()
    assert not audited.audit.verify(stranger).ok
    assert audited.audit.verify(audited.audit.public_key()).ok


def test_the_checkpoint_key_survives_a_restart(audited: Container) -> None:
    audited.audit.record(access(1))
    first = audited.audit.checkpoint()
    keys = FileKeyStore(audited.settings.data_dir / "keys", audited.settings.keystore_passphrase)
    restarted = AuditService(audited.uow, keys=keys)
    assert restarted.checkpoint().key_id == first.key_id


def test_the_tracker_signs_a_new_checkpoint_at_most_once_an_interval(audited: Container) -> None:
    now = [dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)]
    keys = FileKeyStore(audited.settings.data_dir / "keys", audited.settings.keystore_passphrase)
    audit = AuditService(audited.uow, keys=keys, checkpoint_interval=dt.timedelta(seconds=60), clock=lambda: now[0])
    audit.record(access(1))
    first = audit.tracker("001090000001", viewer=VIEWER)
    assert first.checkpoint is not None
    assert first.checkpoint.tree_size == 1
    audit.record(access(2))
    now[0] += dt.timedelta(seconds=30)
    second = audit.tracker("001090000001", viewer=VIEWER)
    assert second.checkpoint == first.checkpoint
    newest = [a for a in second.accesses if a.entry.record.purpose == "hồ sơ 2"]
    assert newest[0].path is None  # in the tree, not yet under a checkpoint
    now[0] += dt.timedelta(seconds=31)
    third = audit.tracker("001090000001", viewer=VIEWER)
    assert third.checkpoint is not None
    assert third.checkpoint.tree_size == 4  # two accesses and the first two looks
    assert all(a.path is not None for a in third.accesses)
