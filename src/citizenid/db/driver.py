"""Plain driver statements on a session's own connection, for the few hot paths where the ORM and the
Core compiler cost several times the SQL (a person lookup and its access-log row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session


@contextmanager
def driver_cursor(session: Session) -> Iterator[tuple[Any, str]]:
    """A DB-API cursor in the session's transaction, and the driver's parameter mark (``?`` or ``%s``)."""
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        yield cursor, mark
    finally:
        cursor.close()
