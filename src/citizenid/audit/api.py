"""Auditors read the access log, its signed checkpoints and proofs; the citizen's data tracker.

Hashes and signatures travel as standard base64, as in the checkpoint's signed body.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import APIRouter, Path, Query, Request

from citizenid.audit.domain import key_id
from citizenid.audit.service import AccessRecord, AuditService, LoggedAccess, TrackedAccess
from citizenid.auth.api import CurrentPrincipal
from citizenid.auth.domain import Permission

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
PersonalNumber = Annotated[str, Path(pattern=r"^\d{12}$", description="the person's 12-digit personal number")]


def _service(request: Request) -> AuditService:
    service: AuditService = request.app.state.container.audit
    return service


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


@router.get("/access-log")
def access_log(
    request: Request,
    principal: CurrentPrincipal,
    subject: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    actor: Annotated[str | None, Query(max_length=120)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    principal.require(Permission.AUDIT_READ)
    service = _service(request)
    records = service.for_subject(subject, limit=limit) if subject else service.recent(limit=limit, actor=actor)
    return [asdict(r) for r in records]


@router.get("/checkpoints/latest")
def latest_checkpoint(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """The latest signed tree head: what proofs are checked against."""
    principal.require(Permission.AUDIT_READ)
    return _service(request).latest_checkpoint().as_dict()


@router.post("/checkpoints", status_code=201)
def new_checkpoint(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    """Sequence what is pending and sign the tree head now.  Harmless to repeat: it only attests."""
    principal.require(Permission.AUDIT_READ)
    return _service(request).checkpoint().as_dict()


@router.get("/checkpoint-key")
def checkpoint_key(request: Request, principal: CurrentPrincipal) -> dict[str, str]:
    """The public key that signs checkpoints (PEM SubjectPublicKeyInfo) and its key id."""
    principal.require(Permission.AUDIT_READ)
    public = _service(request).public_key()
    pem = public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    return {"key_id": key_id(public), "public_key_pem": pem}


@router.get("/entries/{leaf_index}/inclusion")
def inclusion_proof(
    request: Request,
    principal: CurrentPrincipal,
    leaf_index: Annotated[int, Path(ge=0)],
    tree_size: Annotated[int | None, Query(ge=1, description="default: the latest checkpoint's")] = None,
) -> dict[str, Any]:
    """The entry at ``leaf_index``, its canonical encoding and its RFC 9162 audit path."""
    principal.require(Permission.AUDIT_READ)
    proof = _service(request).inclusion(leaf_index, tree_size)
    return {
        "leaf_index": proof.leaf_index,
        "tree_size": proof.tree_size,
        "leaf_hash": _b64(proof.leaf_hash),
        "entry": _b64(proof.canonical_entry),
        "audit_path": [_b64(h) for h in proof.path],
    }


@router.get("/consistency")
def consistency_proof(
    request: Request,
    principal: CurrentPrincipal,
    first: Annotated[int, Query(ge=0)],
    second: Annotated[int, Query(ge=0)],
) -> dict[str, Any]:
    """RFC 9162 consistency proof: the tree of ``second`` entries extends the tree of ``first``."""
    principal.require(Permission.AUDIT_READ)
    proof = _service(request).consistency(first, second)
    return {"first": first, "second": second, "proof": [_b64(h) for h in proof]}


@router.get("/tracker/{personal_number}")
def data_tracker(
    request: Request,
    principal: CurrentPrincipal,
    personal_number: PersonalNumber,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Who accessed this person's data, when and why, each entry with its proof of inclusion in the latest
    checkpoint.  Entries under a legal hold appear when the hold ends.

    Served to auditors now.  Citizens reach the same view through the portal once they can log in with a
    one-time password: their principal will carry their own personal number, and this route will let a
    citizen principal read exactly that number (docs/decisions/0031-citizen-data-tracker.md).
    """
    principal.require(Permission.AUDIT_READ)
    viewer = AccessRecord(actor=principal.actor, action="audit:tracker:read", purpose="citizen data tracker")
    tracker = _service(request).tracker(personal_number, viewer=viewer, limit=limit)
    return {
        "subject": tracker.subject,
        "checkpoint": tracker.checkpoint.as_dict() if tracker.checkpoint else None,
        "accesses": [_tracked(a) for a in tracker.accesses],
    }


def _tracked(access: TrackedAccess) -> dict[str, Any]:
    entry: LoggedAccess = access.entry
    record = entry.record
    return {
        "leaf_index": entry.leaf_index,
        "at": _time(record.at),
        "actor": record.actor,
        "action": record.action,
        "purpose": record.purpose,
        "service": record.details.get("service"),
        "outcome": record.outcome,
        "leaf_hash": _b64(access.leaf_hash) if access.leaf_hash else None,
        "entry": _b64(access.canonical_entry),
        "inclusion_proof": [_b64(h) for h in access.path] if access.path is not None else None,
    }
