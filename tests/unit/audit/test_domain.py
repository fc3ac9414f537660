"""The leaf encoding is byte-exact and stable; checkpoints sign exactly what they say; holds hide until they end."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from citizenid.audit.domain import AccessRecord, Checkpoint, LoggedAccess, canonical_entry, entry_leaf_hash, key_id
from citizenid.pki.service import KeyAlgorithm, SoftwareSigner

AT = dt.datetime(2026, 11, 27, 8, 30, 1, 250000, tzinfo=dt.UTC)


def record(**changes: object) -> AccessRecord:
    fields: dict[str, object] = {"actor": "officer:lan.nguyen", "action": "registry:person:read",
                                 "purpose": "kiểm tra hồ sơ", "subject": "001090000001", "at": AT}
    fields.update(changes)
    return AccessRecord(**fields)  # type: ignore[arg-type]


def test_the_canonical_encoding_is_pinned() -> None:
    encoded = canonical_entry(42, record(details={"service": "bhyt", "a": 1}))
    assert encoded == (
        '{"action":"registry:person:read","actor":"officer:lan.nguyen","at":"2026-11-27T08:30:01.250000Z",'
        '"details":{"a":1,"service":"bhyt"},"hold_until":null,"id":42,"outcome":"ok","purpose":"kiểm tra hồ sơ",'
        '"request_id":null,"subject":"001090000001","v":1}'
    ).encode()
    leaf = entry_leaf_hash(42, record(details={"service": "bhyt", "a": 1}))
    assert leaf == hashlib.sha256(b"\x00" + encoded).digest()


def test_every_field_and_the_row_id_change_the_leaf() -> None:
    base = entry_leaf_hash(1, record())
    variants = [
        entry_leaf_hash(2, record()),
        entry_leaf_hash(1, record(actor="officer:other")),
        entry_leaf_hash(1, record(action="registry:person:write")),
        entry_leaf_hash(1, record(purpose="khác")),
        entry_leaf_hash(1, record(subject="001090000002")),
        entry_leaf_hash(1, record(outcome="denied")),
        entry_leaf_hash(1, record(at=AT + dt.timedelta(microseconds=1))),
        entry_leaf_hash(1, record(request_id="r1")),
        entry_leaf_hash(1, record(details={"x": 1})),
        entry_leaf_hash(1, record(hold_until=AT)),
    ]
    assert base not in variants
    assert len(set(variants)) == len(variants)


def test_the_same_instant_in_another_zone_encodes_the_same() -> None:
    hanoi = AT.astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert canonical_entry(1, record(at=hanoi)) == canonical_entry(1, record())
    with pytest.raises(ValueError, match="timezone-aware"):
        canonical_entry(1, record(at=dt.datetime(2026, 1, 1)))  # noqa: DTZ001 - the mistake under test


def test_a_checkpoint_verifies_only_as_signed() -> None:
    signer = SoftwareSigner.generate(KeyAlgorithm.EC_P256)
    body = Checkpoint.body_for("citizenid/VNM/access-log", 8, b"\x11" * 32, AT)
    assert body == (b"citizenid/VNM/access-log\n8\nERERERERERERERERERERERERERERERERERERERERERE=\n"
                    b"time 2026-11-27T08:30:01.250000Z\n")
    checkpoint = Checkpoint("citizenid/VNM/access-log", 8, b"\x11" * 32, AT, key_id(signer.public_key()),
                            signer.sign(body))
    assert checkpoint.verify(signer.public_key())
    other = SoftwareSigner.generate(KeyAlgorithm.EC_P256)
    assert not checkpoint.verify(other.public_key())
    for forged in (
        Checkpoint(checkpoint.origin, 9, checkpoint.root_hash, AT, checkpoint.key_id, checkpoint.signature),
        Checkpoint(checkpoint.origin, 8, b"\x12" * 32, AT, checkpoint.key_id, checkpoint.signature),
        Checkpoint(checkpoint.origin, 8, checkpoint.root_hash, AT + dt.timedelta(seconds=1), checkpoint.key_id,
                   checkpoint.signature),
        Checkpoint("elsewhere", 8, checkpoint.root_hash, AT, checkpoint.key_id, checkpoint.signature),
    ):
        assert not forged.verify(signer.public_key())
    assert checkpoint.as_dict()["signed_body"] == body.decode()


def test_a_legal_hold_hides_an_entry_until_it_ends() -> None:
    held = LoggedAccess(1, record(hold_until=AT + dt.timedelta(days=30)), 0)
    assert not held.visible_to_subject(AT)
    assert held.visible_to_subject(AT + dt.timedelta(days=30))
    assert LoggedAccess(2, record(), 1).visible_to_subject(AT)
