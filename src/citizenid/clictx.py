"""The CLI's shared state: one container per process, built on first use (never at import)."""

from __future__ import annotations

import getpass
from functools import cache

from citizenid.auth.domain import Principal, operator_principal
from citizenid.bootstrap import Container, bootstrap


@cache
def container() -> Container:
    return bootstrap()


def operator() -> Principal:
    """The person at the server's console, recorded in the access log under their OS account."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "operator"
    return operator_principal(user)
