"""Reading and writing the exchange tables.  Never commits.  The hot path (a partner's verification)
uses plain driver statements on the session's connection, as the register's person lookup does."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.orm import Session

from citizenid.db.driver import driver_cursor
from citizenid.exchange.domain import ClientStatus, Limits, Operation, PartnerPrincipal
from citizenid.exchange.models import (
    AliasRow,
    ClientKeyRow,
    ClientRow,
    GrantRow,
    ServiceRow,
    SubsystemRow,
    UsedJtiRow,
)


class LoopReader:
    """Read-only sessions for the verify hot path.  On a thread running an event loop (the server's), they
    share one long-lived connection, which saves a pool checkout and return per request; each session
    still ends its transaction on close, so every request reads the latest commits.  Anywhere else they
    are ordinary sessions."""

    def __init__(self, engine: Engine, session_factory: Callable[[], Session]) -> None:
        self._engine = engine
        self._factory = session_factory
        self._local = threading.local()

    def __call__(self) -> Session:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return self._factory()
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None or connection.closed or connection.invalidated:
            connection = self._engine.connect()
            self._local.connection = connection
        return Session(bind=connection)


def client_status(session: Session, client_id: str) -> str | None:
    """One primary-key probe: asked on every partner request, so a suspension acts at once."""
    with driver_cursor(session) as (cursor, mark):
        cursor.execute(f"SELECT status FROM exchange_clients WHERE client_id = {mark}", (client_id,))  # noqa: S608
        found = cursor.fetchone()
    return None if found is None else str(found[0])


def remember_jti(session: Session, client_id: str, jti: str, kind: str, expires_at: dt.datetime) -> bool:
    """Record an assertion or proof id; False when it was seen before (a replay).  One driver statement:
    the insert that loses a race (or a replay) does nothing and says so in its row count."""
    dialect = session.get_bind().dialect
    column = UsedJtiRow.__table__.c.expires_at
    processor = column.type.dialect_impl(dialect).bind_processor(dialect)
    expires = processor(expires_at) if processor else expires_at
    with driver_cursor(session) as (cursor, mark):
        cursor.execute(
            "INSERT INTO exchange_used_jtis (client_id, jti, kind, expires_at) "  # noqa: S608 - fixed names
            f"VALUES ({mark}, {mark}, {mark}, {mark}) ON CONFLICT DO NOTHING",
            (client_id, jti, kind, expires))
        return bool(cursor.rowcount == 1)


def forget_expired_jtis(session: Session, now: dt.datetime) -> int:
    result = session.execute(delete(UsedJtiRow).where(UsedJtiRow.expires_at < now))
    return int(getattr(result, "rowcount", 0) or 0)


def active_keys(session: Session, client_id: str) -> dict[str, dict[str, Any]]:
    rows = session.scalars(select(ClientKeyRow).where(ClientKeyRow.client_id == client_id,
                                                      ClientKeyRow.active.is_(True)))
    return {r.kid: dict(r.jwk) for r in rows}


def principal_for(session: Session, client_id: str) -> PartnerPrincipal | None:
    client = session.get(ClientRow, client_id)
    if client is None or client.status != ClientStatus.ACTIVE:
        return None
    service = session.get(ServiceRow, client.service_code)
    if service is None:
        return None
    subsystem = session.get(SubsystemRow, service.subsystem_id)
    grants = {Operation(g.operation): frozenset(g.scope)
              for g in session.scalars(select(GrantRow).where(GrantRow.service_code == service.service_code))}
    return PartnerPrincipal(
        client_id=client.client_id, service_code=service.service_code,
        member_id=subsystem.member_id if subsystem else "", grants=grants, pseudonymous=service.pseudonymous,
        limits=Limits(client.rate_per_second, client.burst, client.daily_quota),
        service_name=service.name, purpose=service.purpose,
    )


def number_for_alias(session: Session, service_code: str, alias: str) -> str | None:
    return session.scalar(select(AliasRow.personal_number).where(AliasRow.service_code == service_code,
                                                                 AliasRow.alias == alias))


def keep_alias(session: Session, service_code: str, alias: str, number: str) -> None:
    if number_for_alias(session, service_code, alias) is None:
        session.add(AliasRow(service_code=service_code, alias=alias, personal_number=number))
        session.flush()


def set_client_status(session: Session, client_id: str, status: ClientStatus, now: dt.datetime,
                      reason: str | None) -> bool:
    result = session.execute(update(ClientRow).where(ClientRow.client_id == client_id).values(
        status=status.value, suspended_at=now if status is ClientStatus.SUSPENDED else None,
        suspension_reason=reason))
    return bool(getattr(result, "rowcount", 0))
