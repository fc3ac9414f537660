"""Authentication and authorisation errors.

::

    CitizenIdError
    └── AuthError                 AUTH-000
        ├── NotAuthenticated      AUTH-401  no or bad credentials
        ├── LoginFailed           AUTH-402  wrong username or password (never says which)
        ├── Forbidden             AUTH-403  authenticated, but the role or province does not allow it
        └── AccountExists         AUTH-409
"""

from __future__ import annotations

from citizenid.errors import CitizenIdError


class AuthError(CitizenIdError):
    code = "AUTH-000"
    status = 401
    title = "Authentication error"


class NotAuthenticated(AuthError):
    code = "AUTH-401"
    status = 401
    title = "Not authenticated"


class LoginFailed(AuthError):
    code = "AUTH-402"
    status = 401
    title = "Login failed"


class Forbidden(AuthError):
    code = "AUTH-403"
    status = 403
    title = "Forbidden"


class AccountExists(AuthError):
    code = "AUTH-409"
    status = 409
    title = "Account exists"
