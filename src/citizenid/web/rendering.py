"""Jinja2 environment and the per-request page context (principal, language, CSRF token)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from citizenid.auth.domain import Permission, Principal
from citizenid.web.i18n import LANGUAGES, Translator, choose_language
from citizenid.web.security import LANGUAGE_COOKIE, PageKeys

# Pages must not be cached by the browser or a proxy: they carry personal data.
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                                       "script-src 'self'; form-action 'self'; frame-ancestors 'none'"}


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("citizenid.web", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class SignInRequired(Exception):
    """Raised when a page needs a signed-in officer; the app answers with a redirect to the sign-in page."""


@dataclass(frozen=True)
class Page:
    """What every template sees: who is signed in, in which language, and the form token."""

    request: Request
    language: str
    principal: Principal | None = None
    session_token: str | None = None
    csrf: str = ""
    citizen: str | None = None  # the personal number of a citizen signed in to the portal

    @property
    def t(self) -> Translator:
        return Translator(self.language)

    def officer(self) -> Principal:
        if self.principal is None:
            raise SignInRequired
        return self.principal

    def token(self) -> str:
        if self.session_token is None:
            raise SignInRequired
        return self.session_token

    def can(self, permission: str) -> bool:
        return self.principal is not None and self.principal.has(Permission(permission))

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        t = self.t
        html = environment().get_template(template).render(
            page=self, _=t.gettext, ngettext=t.ngettext, t=t, languages=LANGUAGES, **values
        )
        return HTMLResponse(html, status_code=status, headers=NO_STORE)


def page_keys(request: Request) -> PageKeys:
    keys: PageKeys = request.app.state.page_keys
    return keys


def language_of(request: Request) -> str:
    return choose_language(request.cookies.get(LANGUAGE_COOKIE))
