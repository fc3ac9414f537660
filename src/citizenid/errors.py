"""One error hierarchy for the whole system, with stable codes.

Every error a user can see is a :class:`CitizenIdError`.  Each carries a stable ``code`` (``"REG-001"``),
an HTTP ``status`` and a short ``title``; the ``detail`` is the sentence a user reads.  The HTTP layer
turns them into RFC 9457 ``application/problem+json`` answers and the CLI into one line on stderr and a
non-zero exit.  Codes are unique across the whole tree (a test walks every subclass).

::

    CitizenIdError                      (GEN-000)
    ├── InvalidInput                    (GEN-400)  bad input the caller can fix
    ├── NotFound                        (GEN-404)
    ├── Conflict                        (GEN-409)
    ├── AuthError                       (AUTH-*)   in citizenid.auth.errors
    ├── RegistryError                   (REG-*)    in citizenid.registry.errors
    └── ...                             each area subclasses in its own errors.py
"""

from __future__ import annotations

from typing import Any, ClassVar


class CitizenIdError(Exception):
    """Base of every error a user of citizenid can see."""

    code: ClassVar[str] = "GEN-000"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def problem(self) -> dict[str, Any]:
        """The RFC 9457 problem document for this error."""
        body: dict[str, Any] = {
            "type": f"https://citizenid.example/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        body.update(self.extra)
        return body


class InvalidInput(CitizenIdError):
    code = "GEN-400"
    status = 400
    title = "Invalid input"


class NotFound(CitizenIdError):
    code = "GEN-404"
    status = 404
    title = "Not found"


class Conflict(CitizenIdError):
    code = "GEN-409"
    status = 409
    title = "Conflict"


def all_error_classes() -> list[type[CitizenIdError]]:
    """Every subclass of :class:`CitizenIdError` that has been imported, the base included."""
    seen: list[type[CitizenIdError]] = []
    stack: list[type[CitizenIdError]] = [CitizenIdError]
    while stack:
        cls = stack.pop()
        if cls not in seen:
            seen.append(cls)
            stack.extend(cls.__subclasses__())
    return seen
