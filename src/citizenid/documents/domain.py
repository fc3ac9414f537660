"""A person's integrated document and what may happen to it.  Pure rules, no I/O.

States::

    active ──renew──► active (new validity, new version)
      │  ▲
    suspend  reinstate
      ▼  │
    suspended
    active | suspended ──revoke──► revoked   (final)

Expiry is not a state: a document is *valid on a day* when it is active and that day falls inside its
validity.  Every change makes a new version; the history keeps them all.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, replace
from typing import Any

from citizenid.documents.catalogue import DocumentType, licence_classes, licence_expiry
from citizenid.documents.errors import DocumentConflict, DocumentInvalid


class DocumentStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class Action(enum.StrEnum):
    ADD = "add"
    RENEW = "renew"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REVOKE = "revoke"


@dataclass(frozen=True)
class Document:
    personal_number: str
    doc_type: str
    doc_number: str
    status: DocumentStatus
    valid_from: dt.date
    valid_until: dt.date | None
    attributes: dict[str, Any]
    agency: str
    version: int = 1

    def valid_on(self, day: dt.date) -> bool:
        return (self.status is DocumentStatus.ACTIVE and self.valid_from <= day
                and (self.valid_until is None or day <= self.valid_until))

    def shared(self, kind: DocumentType, allowed: frozenset[str] | None = None) -> dict[str, Any]:
        """The attributes a service may receive: the type's shareable ones, narrowed by the grant."""
        names = [a for a in kind.shareable if allowed is None or a in allowed]
        return {a: self.attributes[a] for a in names if a in self.attributes}


def _date(value: Any, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DocumentInvalid(f"{name} '{value}' is not a date (YYYY-MM-DD)") from None


def clean_attributes(kind: DocumentType, raw: dict[str, Any]) -> dict[str, Any]:
    """Only the type's attributes, dates as ISO text, licence classes in the law's order."""
    unknown = sorted(set(raw) - set(kind.attributes))
    if unknown:
        raise DocumentInvalid(f"a {kind.code} has no attribute {', '.join(unknown)}; "
                              f"it has {', '.join(kind.attributes)}")
    cleaned: dict[str, Any] = {}
    for name, value in raw.items():
        if value in (None, ""):
            continue
        if name in ("valid_from", "valid_until", "issued_on", "registered_on"):
            cleaned[name] = (_date(value, name) or dt.date.min).isoformat()
        elif name == "classes":
            cleaned[name] = list(licence_classes(",".join(value) if isinstance(value, list) else str(value)))
        elif name == "benefit_level":
            if str(value) not in {"1", "2", "3", "4", "5"}:
                raise DocumentInvalid("benefit_level is 1-5")
            cleaned[name] = str(value)
        else:
            text = str(value).strip()
            if len(text) > 300:
                raise DocumentInvalid(f"{name} is longer than 300 characters")
            cleaned[name] = text
    return cleaned


def validity(kind: DocumentType, attributes: dict[str, Any], today: dt.date) -> tuple[dt.date, dt.date | None]:
    """From and until when a document is valid, from its attributes and the type's rules."""
    start = _date(attributes.get("valid_from") or attributes.get("issued_on") or attributes.get("registered_on"),
                  "valid_from") or today
    until = _date(attributes.get("valid_until"), "valid_until")
    if kind.code == "driving_licence":
        classes = attributes.get("classes")
        if not classes:
            raise DocumentInvalid("a driving licence lists its classes")
        # The law sets the longest term; an earlier date on the licence (health, age) is kept.
        limit = licence_expiry(tuple(classes), start)
        until = None if limit is None else min(until or limit, limit)
    if kind.expires and kind.code != "driving_licence" and until is None:
        raise DocumentInvalid(f"a {kind.code} needs valid_until")
    if until is not None and until < start:
        raise DocumentInvalid("valid_until is before the document starts")
    return start, until


def add(kind: DocumentType, personal_number: str, number: str, attributes: dict[str, Any], *,
        agency: str, today: dt.date) -> Document:
    cleaned = clean_attributes(kind, attributes)
    start, until = validity(kind, cleaned, today)
    return Document(personal_number, kind.code, number, DocumentStatus.ACTIVE, start, until, cleaned, agency)


def change(kind: DocumentType, document: Document, action: Action, attributes: dict[str, Any], *,
           today: dt.date) -> Document:
    """The document after ``action``; raises DocumentConflict where the action does not apply."""
    if document.status is DocumentStatus.REVOKED:
        raise DocumentConflict(f"{kind.code} {document.doc_number} is revoked; nothing more can happen to it")
    if action is Action.RENEW:
        if document.status is not DocumentStatus.ACTIVE:
            raise DocumentConflict("only an active document is renewed; reinstate it first")
        merged = {**document.attributes, **clean_attributes(kind, attributes)}
        start, until = validity(kind, merged, today)
        if until is not None and document.valid_until is not None and until <= document.valid_until:
            raise DocumentConflict("a renewal must extend the validity")
        return replace(document, valid_from=start, valid_until=until, attributes=merged,
                       version=document.version + 1)
    if action is Action.SUSPEND:
        if document.status is not DocumentStatus.ACTIVE:
            raise DocumentConflict("only an active document can be suspended")
        return replace(document, status=DocumentStatus.SUSPENDED, version=document.version + 1)
    if action is Action.REINSTATE:
        if document.status is not DocumentStatus.SUSPENDED:
            raise DocumentConflict("only a suspended document can be reinstated")
        return replace(document, status=DocumentStatus.ACTIVE, version=document.version + 1)
    if action is Action.REVOKE:
        return replace(document, status=DocumentStatus.REVOKED, version=document.version + 1)
    raise DocumentConflict(f"'{action.value}' creates a document; it does not change one")


def holds(documents: list[Document], kind: str, day: dt.date, licence_class: str | None = None) -> bool:
    """Yes/no: does the person hold a document of this kind valid on ``day`` (and of this licence class)?"""
    for d in documents:
        if d.doc_type != kind or not d.valid_on(day):
            continue
        if licence_class is None or licence_class.upper() in d.attributes.get("classes", []):
            return True
    return False
