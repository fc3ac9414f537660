"""Accounts and sessions against a real database."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import update

from citizenid.auth.errors import LoginFailed, NotAuthenticated
from citizenid.auth.models import SessionRow, UserRow
from citizenid.auth.service import AuthService
from citizenid.bootstrap import Container

PASSWORD = "mot-mat-khau-du-dai"


def service(container: Container, cache_seconds: float) -> AuthService:
    return AuthService(container.uow, session_ttl_seconds=60, cache_seconds=cache_seconds,
                       hasher=PasswordHasher(memory_cost=1024, time_cost=1))


def test_passwords_are_argon2id_and_never_stored_plain(any_container: Container) -> None:
    any_container.auth.add_user("lan", PASSWORD, role="supervisor")
    with any_container.uow() as uow:
        stored = uow.session.query(UserRow.password_hash).scalar()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    with pytest.raises(LoginFailed):
        any_container.auth.login("lan", PASSWORD + "x")


def test_disabling_an_account_ends_its_sessions_at_once(any_container: Container) -> None:
    any_container.auth.add_user("lan", PASSWORD, role="supervisor")
    token = any_container.auth.login("lan", PASSWORD).token
    assert any_container.auth.authenticate(token).username == "lan"
    any_container.auth.set_active("lan", False)
    with pytest.raises(NotAuthenticated):
        any_container.auth.authenticate(token)
    with pytest.raises(LoginFailed):
        any_container.auth.login("lan", PASSWORD)


def test_another_process_revoking_a_session_is_seen_when_the_cache_lapses(any_container: Container) -> None:
    any_container.auth.add_user("lan", PASSWORD, role="supervisor")
    caching, uncached = service(any_container, 3600), service(any_container, 0)
    token = caching.login("lan", PASSWORD).token
    assert caching.authenticate(token).username == "lan"
    with any_container.uow() as uow:
        uow.session.execute(update(SessionRow).values(revoked=True))
        uow.commit()
    assert caching.authenticate(token).username == "lan"  # trusted for its cache window
    with pytest.raises(NotAuthenticated):
        uncached.authenticate(token)
