"""The CLI's shared state: one container per process, built on first use (never at import)."""

from __future__ import annotations

import getpass
from functools import cache

from citizenid.auth.domain import Principal, operator_principal
from citizenid.bootstrap import Container, bootstrap
from citizenid.db.engine import is_postgres
from citizenid.db.migrate import upgrade


@cache
def container() -> Container:
    built = bootstrap()
    if not is_postgres(built.engine):
        # The embedded database is the operator's own file: bring it to the current schema on first use.
        # PostgreSQL is migrated deliberately (`citizenid db upgrade`), as part of a release.
        upgrade(built.engine)
    return built


def operator() -> Principal:
    """The person at the server's console, recorded in the access log under their OS account."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "operator"
    return operator_principal(user)
