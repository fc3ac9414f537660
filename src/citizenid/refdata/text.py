"""Reference codes in words, as people read them on a card, a page or an answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from citizenid.errors import NotFound
from citizenid.refdata.loaders import current_commune, current_province


def code_name(lookup: Callable[[str], Any], code: str | None, default: str = "") -> str:
    """The name a code list gives ``code`` (ethnic group, religion, …); the code itself when the list does
    not know it, ``default`` when there is no code."""
    if not code:
        return default
    try:
        return str(lookup(code).name)
    except NotFound:
        return code


def address_text(commune_code: str | None, detail: str | None = None) -> str:
    """'detail, commune, province' in words; the code stands in for a commune the tables do not know."""
    if not commune_code:
        return detail or ""
    try:
        commune = current_commune(commune_code)
        parts = [detail, commune.name, current_province(commune.province_code).name]
    except NotFound:
        parts = [detail, commune_code]
    return ", ".join(p for p in parts if p)
