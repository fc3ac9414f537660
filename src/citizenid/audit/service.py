"""Recording accesses and reading them back (for auditors now, for citizens later)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from citizenid.audit.domain import AccessRecord
from citizenid.audit.models import AccessLogRow
from citizenid.db.base import utcnow
from citizenid.db.uow import UnitOfWork


class AuditService:
    def __init__(self, uow_factory: Callable[[], UnitOfWork]) -> None:
        self._uow = uow_factory

    @staticmethod
    def record_in(session: Session, records: Iterable[AccessRecord]) -> None:
        """Add records to the caller's transaction: the access and its record commit together."""
        now = utcnow()
        rows = [
            {"at": r.at or now, "actor": r.actor, "action": r.action, "purpose": r.purpose, "subject": r.subject,
             "outcome": r.outcome, "request_id": r.request_id, "details": r.details}
            for r in records
        ]
        if rows:
            session.execute(insert(AccessLogRow), rows)

    def record(self, *records: AccessRecord) -> None:
        with self._uow() as uow:
            self.record_in(uow.session, records)
            uow.commit()

    def for_subject(self, personal_number: str, *, limit: int = 100) -> list[AccessRecord]:
        with self._uow() as uow:
            rows = uow.session.scalars(
                select(AccessLogRow)
                .where(AccessLogRow.subject == personal_number)
                .order_by(AccessLogRow.id.desc())
                .limit(limit)
            )
            return [_record(r) for r in rows]

    def recent(self, *, limit: int = 100, actor: str | None = None) -> list[AccessRecord]:
        with self._uow() as uow:
            query = select(AccessLogRow).order_by(AccessLogRow.id.desc()).limit(limit)
            if actor is not None:
                query = query.where(AccessLogRow.actor == actor)
            return [_record(r) for r in uow.session.scalars(query)]


def _record(row: AccessLogRow) -> AccessRecord:
    return AccessRecord(
        actor=row.actor,
        action=row.action,
        purpose=row.purpose,
        subject=row.subject,
        outcome=row.outcome,
        at=row.at,
        request_id=row.request_id,
        details=dict(row.details or {}),
    )
