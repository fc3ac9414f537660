"""Reading and writing documents.  No commits here: the service's unit of work commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citizenid.documents.domain import Action, Document, DocumentStatus
from citizenid.documents.models import DocumentNumberRow, DocumentRow, DocumentVersionRow


def to_document(row: DocumentRow) -> Document:
    return Document(row.personal_number, row.doc_type, row.doc_number, DocumentStatus(row.status), row.valid_from,
                    row.valid_until, dict(row.attributes), row.agency, row.version)


def holder_of(session: Session, doc_type: str, doc_number: str) -> str | None:
    return session.scalar(select(DocumentNumberRow.personal_number).where(
        DocumentNumberRow.doc_type == doc_type, DocumentNumberRow.doc_number == doc_number))


def get(session: Session, personal_number: str, doc_type: str, doc_number: str, *,
        for_update: bool = False) -> DocumentRow | None:
    query = select(DocumentRow).where(DocumentRow.personal_number == personal_number,
                                      DocumentRow.doc_type == doc_type, DocumentRow.doc_number == doc_number)
    return session.scalar(query.with_for_update() if for_update else query)


def of_holder(session: Session, personal_number: str) -> list[Document]:
    rows = session.scalars(select(DocumentRow).where(DocumentRow.personal_number == personal_number)
                           .order_by(DocumentRow.doc_type, DocumentRow.doc_number))
    return [to_document(r) for r in rows]


def versions(session: Session, personal_number: str, doc_type: str, doc_number: str) -> list[DocumentVersionRow]:
    return list(session.scalars(select(DocumentVersionRow).where(
        DocumentVersionRow.personal_number == personal_number, DocumentVersionRow.doc_type == doc_type,
        DocumentVersionRow.doc_number == doc_number).order_by(DocumentVersionRow.version)))


def insert(session: Session, document: Document, now: dt.datetime) -> None:
    session.add(DocumentNumberRow(doc_type=document.doc_type, doc_number=document.doc_number,
                                  personal_number=document.personal_number))
    session.add(DocumentRow(**_columns(document), updated_at=now))


def update(row: DocumentRow, document: Document, now: dt.datetime) -> None:
    for name, value in _columns(document).items():
        setattr(row, name, value)
    row.updated_at = now


def add_version(session: Session, document: Document, action: Action, actor: str, now: dt.datetime) -> None:
    session.add(DocumentVersionRow(personal_number=document.personal_number, doc_type=document.doc_type,
                                   doc_number=document.doc_number, version=document.version, action=action.value,
                                   recorded_at=now, recorded_by=actor, snapshot=snapshot(document)))


def snapshot(document: Document) -> dict[str, Any]:
    data = asdict(document)
    data["status"] = document.status.value
    data["valid_from"] = document.valid_from.isoformat()
    data["valid_until"] = document.valid_until.isoformat() if document.valid_until else None
    return data


def _columns(document: Document) -> dict[str, Any]:
    return {"personal_number": document.personal_number, "doc_type": document.doc_type,
            "doc_number": document.doc_number, "status": document.status.value, "valid_from": document.valid_from,
            "valid_until": document.valid_until, "attributes": document.attributes, "agency": document.agency,
            "version": document.version}
