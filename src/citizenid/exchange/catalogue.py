"""The demo's catalogue of public services (package data), loaded into the exchange tables."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def catalogue() -> dict[str, Any]:
    """Members, their subsystems and services, each service with its legal basis, purpose and grants."""
    text = (files("citizenid.exchange") / "data" / "catalogue.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def service_count() -> int:
    return sum(len(s["services"]) for m in catalogue()["members"] for s in m["subsystems"])
