"""Errors of the pages.

    CitizenIdError
    └── WebError (WEB-000)
        ├── BadReference (WEB-001)   a person link from another session, or altered
        └── CsrfRejected (WEB-002)   a form without this session's CSRF token
"""

from __future__ import annotations

from citizenid.errors import CitizenIdError


class WebError(CitizenIdError):
    code = "WEB-000"
    title = "Page error"


class BadReference(WebError):
    code = "WEB-001"
    status = 404
    title = "Unknown link"


class CsrfRejected(WebError):
    code = "WEB-002"
    status = 403
    title = "Form expired"
