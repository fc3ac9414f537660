"""An access to personal data: who, what, when, why.  Pure, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class AccessRecord:
    actor: str                    # "officer:lan.nguyen", "cli:operator", later "partner:…", "citizen:…"
    action: str                   # typed tag "registry:person:read"
    purpose: str
    subject: str | None = None    # the personal number the access concerns, if one
    outcome: str = "ok"
    at: dt.datetime | None = None
    request_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
