"""Use cases of integrated documents: agencies push them, services verify or receive them, holders see them.

Callers say who acts (``actor``, as the audit log names them) and, for agencies, which document types
their grant covers; the exchange platform's routes derive both from the partner's credentials.  Every
push, accepted or refused, and every read is in the audit log; a refused push stores nothing else.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citizenid.audit.domain import AccessRecord
from citizenid.audit.service import AuditService
from citizenid.db import UnitOfWork
from citizenid.db.base import utcnow
from citizenid.documents import domain
from citizenid.documents import repository as repo
from citizenid.documents.catalogue import document_type
from citizenid.documents.domain import Action, Document
from citizenid.documents.errors import (
    AgencyNotAllowed,
    DocumentConflict,
    DocumentError,
    DocumentInvalid,
    DocumentNotFound,
    HolderNotEligible,
)
from citizenid.registry.domain import Status
from citizenid.registry.errors import RegistryInvalid
from citizenid.registry.numbers import parse_number
from citizenid.registry.service import RegistryService

BULK_COLUMNS = ("action", "doc_type", "doc_number", "personal_number", "attributes")


@dataclass(frozen=True)
class Push:
    """One change an agency sends: what to do, to which document, of whom, with which attributes."""

    action: Action
    doc_type: str
    doc_number: str
    personal_number: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class LoadReport:
    accepted: int = 0
    rejected: int = 0
    errors_path: Path | None = None


@dataclass(frozen=True)
class DocumentVersion:
    version: int
    action: str
    recorded_at: dt.datetime
    recorded_by: str
    snapshot: dict[str, Any]


class DocumentService:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], *, registry: RegistryService, audit: AuditService,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._uow = uow_factory
        self._registry = registry
        self._audit = audit
        self._clock = clock

    # --- agencies --------------------------------------------------------------------------------

    def push(self, actor: str, agency: str, allowed_types: frozenset[str], change: Push) -> Document:
        """Apply one agency push.  A refusal raises, stores nothing, and is audited as refused."""
        try:
            with self._uow() as uow:
                document = self._apply(uow, actor, agency, allowed_types, change)
                uow.commit()
        except DocumentError as exc:
            self._refused(actor, change, exc)
            raise
        return document

    def _apply(self, uow: UnitOfWork, actor: str, agency: str, allowed: frozenset[str], change: Push) -> Document:
        kind = document_type(change.doc_type)
        if kind.code not in allowed:
            raise AgencyNotAllowed(f"{agency} has no grant to push {kind.code} documents")
        holder = _holder(change.personal_number)
        number = kind.normalise_number(change.doc_number, holder)
        now = self._clock()
        session = uow.session
        if change.action is Action.ADD:
            status = self._registry.holder_status(holder)
            if status is None:
                raise HolderNotEligible(f"no person {holder} in the register")
            if status is Status.DECEASED:
                raise HolderNotEligible(f"{holder} is recorded as deceased; no new document can be linked")
            owner = repo.holder_of(session, kind.code, number)
            if owner is not None:
                raise DocumentConflict(f"{kind.code} {number} is already linked"
                                       + (" to this person; renew it instead" if owner == holder else
                                          " to another person"))
            document = domain.add(kind, holder, number, change.attributes, agency=agency, today=now.date())
            repo.insert(session, document, now)
        else:
            row = repo.get(session, holder, kind.code, number, for_update=True)
            if row is None:
                raise DocumentNotFound(f"{holder} holds no {kind.code} {number}")
            document = domain.change(kind, repo.to_document(row), change.action, change.attributes,
                                     today=now.date())
            repo.update(row, document, now)
        repo.add_version(session, document, change.action, actor, now)
        try:
            session.flush()
        except IntegrityError:
            raise DocumentConflict(f"{kind.code} {number} was linked at the same moment by another push") from None
        self._audit.record_in(session, [AccessRecord(
            actor=actor, action=f"documents:{kind.code}:{change.action.value}", purpose=f"{agency} keeps its register",
            subject=holder, details={"doc_number": number, "version": document.version})])
        return document

    def _refused(self, actor: str, change: Push, exc: DocumentError) -> None:
        subject = change.personal_number if change.personal_number.isdigit() and len(change.personal_number) == 12 \
            else None
        self._audit.record(AccessRecord(
            actor=actor, action=f"documents:{change.doc_type[:32]}:{change.action.value}", purpose="agency push",
            subject=subject, outcome="refused", details={"code": exc.code, "reason": exc.detail[:300]}))

    def load_file(self, actor: str, agency: str, allowed_types: frozenset[str], path: Path, *,
                  errors_path: Path) -> LoadReport:
        """An agency's existing documents from CSV (columns: action, doc_type, doc_number, personal_number,
        attributes as JSON).  Each row is applied on its own; rejected rows go to ``errors_path`` with the
        reason, so the agency can fix and resend just those."""
        report = LoadReport(errors_path=errors_path)
        try:
            # Decoded whole before any row is applied: a file in the wrong encoding changes nothing.
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise DocumentInvalid(f"cannot read {path.name}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise DocumentInvalid(f"{path.name} is not UTF-8 (byte {exc.start}); save it as UTF-8 CSV") from None
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            missing = set(BULK_COLUMNS) - set(reader.fieldnames or ())
            if missing:
                raise DocumentInvalid(f"{path.name} lacks the columns {', '.join(sorted(missing))}")
            rows = list(reader)
        except csv.Error as exc:
            raise DocumentInvalid(f"{path.name} is not valid CSV: {exc}") from None
        with errors_path.open("w", encoding="utf-8", newline="") as errors_out:
            errors = csv.writer(errors_out)
            errors.writerow(["line", *BULK_COLUMNS, "code", "reason"])
            for line, row in enumerate(rows, start=2):
                try:
                    self.push(actor, agency, allowed_types, _push_from(row))
                    report.accepted += 1
                except DocumentError as exc:
                    report.rejected += 1
                    errors.writerow([line, *(row.get(c, "") for c in BULK_COLUMNS), exc.code, exc.detail])
        return report

    # --- holders and services ------------------------------------------------------------------------

    def of_holder(self, actor: str, personal_number: str, *, purpose: str) -> list[Document]:
        holder = _holder(personal_number)
        with self._uow() as uow:
            found = repo.of_holder(uow.session, holder)
            self._audit.record_in(uow.session, [AccessRecord(actor=actor, action="documents:holder:read",
                                                             purpose=purpose, subject=holder)])
            uow.commit()
        return found

    def documents_in(self, session: Session, personal_number: str, types: frozenset[str]) -> dict[str, Any]:
        """For the exchange, inside its transaction (it audits the access): per type, the holder's documents
        valid today as that type may be shared."""
        today = self._clock().date()
        found: dict[str, list[dict[str, Any]]] = {t: [] for t in types}
        for document in repo.of_holder(session, personal_number):
            if document.doc_type in found and document.valid_on(today):
                found[document.doc_type].append(shared_view(document))
        return found

    def verify(self, actor: str, personal_number: str, doc_type: str, *, purpose: str,
               licence_class: str | None = None, on: dt.date | None = None) -> bool:
        """Yes/no: the holder has a valid document of this type (and licence class) on the day."""
        kind = document_type(doc_type)
        holder = _holder(personal_number)
        with self._uow() as uow:
            found = repo.of_holder(uow.session, holder)
            answer = domain.holds(found, kind.code, on or self._clock().date(), licence_class)
            self._audit.record_in(uow.session, [AccessRecord(
                actor=actor, action=f"documents:{kind.code}:verify", purpose=purpose, subject=holder,
                details={"licence_class": licence_class} if licence_class else {})])
            uow.commit()
        return answer

    def history(self, actor: str, personal_number: str, doc_type: str, doc_number: str, *,
                purpose: str) -> list[DocumentVersion]:
        kind = document_type(doc_type)
        holder = _holder(personal_number)
        number = kind.normalise_number(doc_number, holder)
        with self._uow() as uow:
            rows = repo.versions(uow.session, holder, kind.code, number)
            if not rows:
                raise DocumentNotFound(f"{holder} holds no {kind.code} {number}")
            self._audit.record_in(uow.session, [AccessRecord(actor=actor, action="documents:history:read",
                                                             purpose=purpose, subject=holder)])
            uow.commit()
            return [DocumentVersion(r.version, r.action, r.recorded_at, r.recorded_by, dict(r.snapshot))
                    for r in rows]


def as_dict(document: Document) -> dict[str, object]:
    """A document as its holder, an operator or its agency sees it (JSON-ready)."""
    kind = document_type(document.doc_type)
    return {"type": document.doc_type, "name": kind.name_vi, "number": document.doc_number,
            "status": document.status.value, "valid_from": document.valid_from.isoformat(),
            "valid_until": document.valid_until.isoformat() if document.valid_until else None,
            "attributes": document.attributes, "agency": document.agency, "version": document.version}


def shared_view(document: Document) -> dict[str, Any]:
    """What a service with a grant and consent receives: number, validity and the shareable attributes."""
    return {"number": document.doc_number, "valid_from": document.valid_from.isoformat(),
            "valid_until": document.valid_until.isoformat() if document.valid_until else None,
            "status": document.status.value, **document.shared(document_type(document.doc_type))}


def _holder(number: str) -> str:
    try:
        return parse_number(number).value
    except RegistryInvalid as exc:
        raise DocumentInvalid(exc.detail) from None


def _push_from(row: dict[str, str]) -> Push:
    try:
        action = Action((row.get("action") or "").strip().lower())
    except ValueError:
        raise DocumentInvalid(f"action must be one of {', '.join(a.value for a in Action)}") from None
    raw = (row.get("attributes") or "").strip()
    try:
        attributes = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        raise DocumentInvalid("attributes is not a JSON object") from None
    if not isinstance(attributes, dict):
        raise DocumentInvalid("attributes is not a JSON object")
    return Push(action, (row.get("doc_type") or "").strip(), (row.get("doc_number") or "").strip(),
                (row.get("personal_number") or "").strip(), attributes)
