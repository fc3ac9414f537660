"""Entries written before the log became a Merkle log are sequenced, oldest first, after migration 0003."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from citizenid.audit.domain import AccessRecord
from citizenid.audit.service import AuditService
from citizenid.db.engine import create_engine_for
from citizenid.db.migrate import upgrade
from citizenid.db.uow import UnitOfWork
from citizenid.pki.service import MemoryKeyStore


def test_entries_from_before_the_upgrade_join_the_tree(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0002")
    with engine.begin() as connection:
        for i in range(5):
            connection.execute(text(
                "INSERT INTO access_log (at, actor, action, purpose, subject, outcome, request_id, details) "
                "VALUES ('2026-01-0' || :d || ' 10:00:00.000000', 'officer:cu', 'registry:person:read', 'cũ', "
                "'001090000001', 'ok', NULL, '{}')"), {"d": i + 1})
    upgrade(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    audit = AuditService(lambda: UnitOfWork(factory), keys=MemoryKeyStore())
    audit.record(AccessRecord(actor="officer:moi", action="registry:person:read", purpose="mới"))
    checkpoint = audit.checkpoint()
    assert checkpoint.tree_size == 6
    assert audit.inclusion(0).entry.record.purpose == "cũ"
    assert audit.inclusion(5).entry.record.purpose == "mới"
    assert audit.verify().ok
    engine.dispose()
