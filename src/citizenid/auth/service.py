"""Use cases for accounts and sessions.  The only place in the area that commits."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from citizenid.auth.domain import (
    ACCOUNT_ROLES,
    ROLES_REQUIRING_PROVINCE,
    Principal,
    Role,
    validate_password,
    validate_username,
)
from citizenid.auth.errors import AccountExists, LoginFailed, NotAuthenticated
from citizenid.auth.models import SessionRow, UserRow
from citizenid.db.base import utcnow
from citizenid.db.uow import UnitOfWork
from citizenid.errors import InvalidInput, NotFound
from citizenid.refdata import current_province

# A fixed hash to verify against when the username is unknown, so that timing does not tell
# whether an account exists.
_CACHE_LIMIT = 50_000
_DUMMY_PASSWORD = "not-a-real-password-for-timing"  # noqa: S105 - not a credential


@dataclass(frozen=True, slots=True)
class UserView:
    username: str
    display_name: str
    role: Role
    province_code: str | None
    active: bool


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: dt.datetime
    principal: Principal


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AuthService:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        *,
        session_ttl_seconds: int,
        hasher: PasswordHasher | None = None,
        cache_seconds: float = 15.0,
    ) -> None:
        self._uow = uow_factory
        self._ttl = dt.timedelta(seconds=session_ttl_seconds)
        # Recently seen tokens, so that each request does not cost a query.  Logout and disabling act at
        # once in this process; other processes notice within ``cache_seconds``.
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, dt.datetime, Principal]] = {}
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None

    def add_user(
        self,
        username: str,
        password: str,
        *,
        role: Role | str,
        province_code: str | None = None,
        display_name: str | None = None,
    ) -> UserView:
        allowed = {r.value: r for r in ACCOUNT_ROLES}
        if str(role) not in allowed:
            raise InvalidInput(f"unknown role '{role}'; one of: {', '.join(sorted(allowed))}")
        role = allowed[str(role)]
        try:
            validate_username(username)
            validate_password(password)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        if role in ROLES_REQUIRING_PROVINCE and not province_code:
            raise InvalidInput(f"a {role.value} must be given a province (--province)")
        if province_code is not None:
            province_code = _current_province_code(province_code)
        with self._uow() as uow:
            exists = uow.session.scalar(select(UserRow.id).where(UserRow.username == username))
            if exists is not None:
                raise AccountExists(f"account '{username}' already exists")
            row = UserRow(
                username=username,
                display_name=display_name or username,
                password_hash=self._hasher.hash(password),
                role=role.value,
                province_code=province_code,
                active=True,
                created_at=utcnow(),
            )
            uow.session.add(row)
            uow.commit()
            return _view(row)

    def list_users(self) -> list[UserView]:
        with self._uow() as uow:
            return [_view(r) for r in uow.session.scalars(select(UserRow).order_by(UserRow.username))]

    def set_active(self, username: str, active: bool) -> None:
        with self._uow() as uow:
            row = uow.session.scalar(select(UserRow).where(UserRow.username == username))
            if row is None:
                raise InvalidInput(f"no account '{username}'")
            row.active = active
            if not active:
                self._cache.clear()
                uow.session.execute(
                    update(SessionRow).where(SessionRow.user_id == row.id).values(revoked=True)
                )
            uow.commit()

    def login(self, username: str, password: str) -> IssuedToken:
        with self._uow() as uow:
            row = uow.session.scalar(select(UserRow).where(UserRow.username == username))
            if row is None or not row.active:
                self._burn_time(password)
                raise LoginFailed("wrong username or password")
            try:
                self._hasher.verify(row.password_hash, password)
            except (VerificationError, InvalidHashError):
                raise LoginFailed("wrong username or password") from None
            if self._hasher.check_needs_rehash(row.password_hash):
                row.password_hash = self._hasher.hash(password)
            token = secrets.token_urlsafe(32)
            now = utcnow()
            session = SessionRow(
                token_hash=_token_hash(token),
                user_id=row.id,
                created_at=now,
                expires_at=now + self._ttl,
                revoked=False,
            )
            uow.session.add(session)
            uow.commit()
            return IssuedToken(token=token, expires_at=session.expires_at, principal=_principal(row))

    def recently_authenticated(self, token: str) -> Principal | None:
        """The principal of a token checked within the cache window, without touching the database."""
        cached = self._cache.get(_token_hash(token))
        if cached is not None and cached[0] > time.monotonic() and cached[1] > utcnow():
            return cached[2]
        return None

    def authenticate(self, token: str) -> Principal:
        key = _token_hash(token)
        cached = self.recently_authenticated(token)
        if cached is not None:
            return cached
        with self._uow() as uow:
            found = uow.session.execute(
                select(UserRow, SessionRow)
                .join(SessionRow, SessionRow.user_id == UserRow.id)
                .where(SessionRow.token_hash == key)
            ).first()
            if found is None:
                raise NotAuthenticated("unknown or expired token")
            user, session = found
            if session.revoked or session.expires_at <= utcnow() or not user.active:
                raise NotAuthenticated("unknown or expired token")
            principal = _principal(user)
            expires_at = session.expires_at
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = (time.monotonic() + self._cache_seconds, expires_at, principal)
        return principal

    def logout(self, token: str) -> None:
        self._cache.pop(_token_hash(token), None)
        with self._uow() as uow:
            uow.session.execute(
                update(SessionRow).where(SessionRow.token_hash == _token_hash(token)).values(revoked=True)
            )
            uow.commit()

    def _burn_time(self, password: str) -> None:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(_DUMMY_PASSWORD)
        with contextlib.suppress(VerificationError):
            self._hasher.verify(self._dummy_hash, password)


def _current_province_code(code: str) -> str:
    try:
        return current_province(code).code
    except NotFound as exc:
        raise InvalidInput(exc.detail) from None


def _principal(row: UserRow) -> Principal:
    return Principal(username=row.username, role=Role(row.role), province_code=row.province_code)


def _view(row: UserRow) -> UserView:
    return UserView(
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        province_code=row.province_code,
        active=row.active,
    )
