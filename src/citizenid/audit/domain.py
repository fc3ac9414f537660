"""An access to personal data (who, what, when, why), its place in the Merkle log, and checkpoints.  Pure.

The log's leaf for an entry is the RFC 9162 leaf hash of :func:`canonical_entry`: a byte-exact,
versioned encoding of everything stored about the access.  Anyone with the entry's fields can recompute
it, so a stored entry that changes after it was sequenced no longer matches the signed tree.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from citizenid.audit.merkle import leaf_hash
from citizenid.pki.service import PublicKey, verify_signature

ENTRY_FORMAT = 1


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
    # An access under a legal hold (an investigation) stays out of the citizen's view until then.  It is
    # fixed when the access is recorded and hashed with it: nobody can hide an entry afterwards.
    hold_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class LoggedAccess:
    """A stored access: its row id and, once sequenced, its leaf index in the Merkle log."""

    entry_id: int
    record: AccessRecord
    leaf_index: int | None = None

    def visible_to_subject(self, now: dt.datetime) -> bool:
        hold = self.record.hold_until
        return hold is None or hold <= now


def _timestamp(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_entry(entry_id: int, record: AccessRecord) -> bytes:
    """The exact bytes a leaf hashes: compact JSON, sorted keys, UTF-8, microsecond UTC timestamps.

    The row id is inside, so an entry cannot be deleted and re-inserted as another row unnoticed.
    """
    body = {
        "v": ENTRY_FORMAT,
        "id": entry_id,
        "at": _timestamp(record.at),
        "actor": record.actor,
        "action": record.action,
        "purpose": record.purpose,
        "subject": record.subject,
        "outcome": record.outcome,
        "request_id": record.request_id,
        "details": record.details,
        "hold_until": _timestamp(record.hold_until),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def entry_leaf_hash(entry_id: int, record: AccessRecord) -> bytes:
    return leaf_hash(canonical_entry(entry_id, record))


def key_id(public_key: PublicKey) -> str:
    """SHA-256 of the SubjectPublicKeyInfo, hex: names the checkpoint key without trusting a label."""
    return hashlib.sha256(public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).hexdigest()


@dataclass(frozen=True, slots=True)
class TreeHead:
    tree_size: int
    root_hash: bytes


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement "the log ``origin`` had ``tree_size`` entries with root ``root_hash`` at ``issued_at``".

    The signed body follows the C2SP tlog-checkpoint layout (origin, size, base64 root, one line each)
    with the time as an extension line, so existing transparency-log tooling can read it.
    """

    origin: str
    tree_size: int
    root_hash: bytes
    issued_at: dt.datetime
    key_id: str
    signature: bytes

    @staticmethod
    def body_for(origin: str, tree_size: int, root_hash: bytes, issued_at: dt.datetime) -> bytes:
        root = base64.b64encode(root_hash).decode()
        return f"{origin}\n{tree_size}\n{root}\ntime {_timestamp(issued_at)}\n".encode()

    @property
    def body(self) -> bytes:
        return self.body_for(self.origin, self.tree_size, self.root_hash, self.issued_at)

    def verify(self, public_key: PublicKey) -> bool:
        return key_id(public_key) == self.key_id and verify_signature(public_key, self.signature, self.body)

    def as_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "tree_size": self.tree_size,
            "root_hash": base64.b64encode(self.root_hash).decode(),
            "issued_at": _timestamp(self.issued_at),
            "key_id": self.key_id,
            "signature": base64.b64encode(self.signature).decode(),
            "signed_body": self.body.decode(),
        }
