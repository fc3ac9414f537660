"""Routes for logging in and out, the principal dependency every other route uses, and accounts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, Field, ValidationError

from citizenid.auth.domain import Permission, Principal, Role
from citizenid.auth.errors import NotAuthenticated
from citizenid.auth.service import AuthService
from citizenid.errors import InvalidInput

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
users_router = APIRouter(prefix="/api/v1/users", tags=["auth"])
# The OAuth 2.0 password flow lets the API docs' "Authorize" button log an officer in directly.
_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
SESSION_COOKIE = "citizenid_session"

PUBLIC_ROUTES = frozenset({("POST", "/api/v1/auth/token")})


def auth_service(request: Request) -> AuthService:
    service: AuthService = request.app.state.container.auth
    return service


def _token(request: Request, bearer: str | None) -> str:
    if bearer:
        return bearer
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie
    raise NotAuthenticated("send 'Authorization: Bearer <token>' (POST /api/v1/auth/token gives one)")


async def current_principal(
    request: Request,
    bearer: Annotated[str | None, Depends(_bearer)],
) -> Principal:
    # Every request passes here: a token seen recently is answered on the event loop, and only a cache
    # miss (a database query) goes to the thread pool.
    token = _token(request, bearer)
    service = auth_service(request)
    principal = service.recently_authenticated(token)
    if principal is None:
        principal = await run_in_threadpool(service.authenticate, token)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


class LoginBody(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: dt.datetime
    role: str
    province_code: str | None


class PrincipalOut(BaseModel):
    username: str
    role: str
    province_code: str | None


_LOGIN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": LoginBody.model_json_schema()},
            "application/x-www-form-urlencoded": {"schema": LoginBody.model_json_schema()},
        },
    }
}


async def _login_body(request: Request) -> LoginBody:
    """JSON for programs, form-encoded for the OAuth 2.0 password grant (the API docs' login)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    try:
        if content_type == "application/x-www-form-urlencoded":
            form = parse_qs(raw.decode("utf-8"), max_num_fields=10)
            return LoginBody(username=form.get("username", [""])[0], password=form.get("password", [""])[0])
        return LoginBody.model_validate_json(raw)
    except (ValidationError, UnicodeDecodeError, ValueError):
        raise InvalidInput("send username and password as JSON or as an OAuth 2.0 password form") from None


@router.post("/token", response_model=TokenOut, openapi_extra=_LOGIN_BODY)
async def login(request: Request) -> TokenOut:
    body = await _login_body(request)
    # argon2 is deliberately slow: keep it off the event loop.
    issued = await run_in_threadpool(auth_service(request).login, body.username, body.password)
    return TokenOut(
        access_token=issued.token,
        expires_at=issued.expires_at,
        role=issued.principal.role.value,
        province_code=issued.principal.province_code,
    )


@router.post("/logout", status_code=204)
def logout(
    request: Request,
    principal: CurrentPrincipal,
    bearer: Annotated[str | None, Depends(_bearer)],
) -> None:
    auth_service(request).logout(_token(request, bearer))


@router.get("/me", response_model=PrincipalOut)
def me(principal: CurrentPrincipal) -> PrincipalOut:
    return PrincipalOut(username=principal.username, role=principal.role.value, province_code=principal.province_code)


class NewUser(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(min_length=12, max_length=1024)
    role: Role
    province_code: str | None = Field(default=None, max_length=3)
    display_name: str | None = Field(default=None, max_length=200)


class UserOut(BaseModel):
    username: str
    display_name: str
    role: str
    province_code: str | None
    active: bool


@users_router.post("", response_model=UserOut, status_code=201)
def add_user(body: NewUser, request: Request, principal: CurrentPrincipal) -> UserOut:
    principal.require(Permission.USER_MANAGE)
    view = auth_service(request).add_user(
        body.username, body.password, role=body.role, province_code=body.province_code,
        display_name=body.display_name,
    )
    return UserOut(username=view.username, display_name=view.display_name, role=view.role.value,
                   province_code=view.province_code, active=view.active)


@users_router.get("", response_model=list[UserOut])
def list_users(request: Request, principal: CurrentPrincipal) -> list[UserOut]:
    principal.require(Permission.USER_MANAGE)
    return [
        UserOut(username=v.username, display_name=v.display_name, role=v.role.value,
                province_code=v.province_code, active=v.active)
        for v in auth_service(request).list_users()
    ]
