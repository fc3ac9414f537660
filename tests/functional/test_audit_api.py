"""The audit log over HTTP: signed checkpoints, proofs a client checks on its own, the data tracker."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citizenid.audit.domain import AccessRecord
from citizenid.audit.merkle import verify_consistency, verify_inclusion
from citizenid.bootstrap import Container, bootstrap
from citizenid.config import Settings
from citizenid.pki.service import verify_signature
from tests.functional.conftest import login
from tests.functional.test_registry_api import load

PROBLEM = "application/problem+json"


@pytest.fixture
def container(sqlite_engine: Engine, tmp_path: Path) -> Container:
    """The functional suite's container, with a key store that can hold the checkpoint key."""
    settings = Settings(data_dir=tmp_path, database_url=str(sqlite_engine.url), keystore_passphrase="functional-test",
                        argon2_memory_kib=1024, argon2_time_cost=1)
    return bootstrap(settings, engine=sqlite_engine)


def b64(value: str) -> bytes:
    return base64.b64decode(value)


def checked_signature(client: TestClient, headers: dict[str, str], checkpoint: dict[str, object]) -> bool:
    key = client.get("/api/v1/audit/checkpoint-key", headers=headers).json()
    public = load_pem_public_key(key["public_key_pem"].encode())
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert key["key_id"] == checkpoint["key_id"]
    body = str(checkpoint["signed_body"]).encode()
    assert body.split(b"\n")[1:3] == [str(checkpoint["tree_size"]).encode(), str(checkpoint["root_hash"]).encode()]
    return verify_signature(public, b64(str(checkpoint["signature"])), body)


def test_the_tracker_shows_who_accessed_a_person_with_proofs_a_citizen_can_check(
    client: TestClient, container: Container
) -> None:
    number = load(container, 20)[0]["personal_number"]
    client.get(f"/api/v1/persons/{number}", headers={**login(client, "giamsat"), "X-Purpose": quote("kiểm tra hồ sơ")})
    container.audit.record(AccessRecord(actor="partner:bhxh", action="exchange:person:verify", purpose="cấp thẻ BHYT",
                                        subject=number, details={"service": "health-insurance-card"}))
    auditor = login(client, "kiemtoan")
    response = client.get(f"/api/v1/audit/tracker/{number}", headers=auditor)
    assert response.status_code == 200, response.text
    tracker = response.json()
    checkpoint = tracker["checkpoint"]
    assert checked_signature(client, auditor, checkpoint)
    seen = {(a["actor"], a["action"], a["purpose"], a["service"]) for a in tracker["accesses"]}
    assert ("officer:giamsat", "registry:person:read", "kiểm tra hồ sơ", None) in seen
    assert ("partner:bhxh", "exchange:person:verify", "cấp thẻ BHYT", "health-insurance-card") in seen
    for access in tracker["accesses"]:
        leaf = hashlib.sha256(b"\x00" + b64(access["entry"])).digest()
        assert leaf == b64(access["leaf_hash"])
        assert verify_inclusion(access["leaf_index"], checkpoint["tree_size"], leaf,
                                [b64(h) for h in access["inclusion_proof"]], b64(checkpoint["root_hash"]))
    # The auditor's look is logged for the person to see.
    again = client.get(f"/api/v1/audit/tracker/{number}", headers=auditor).json()
    assert again["accesses"][0]["actor"] == "officer:kiemtoan"
    assert again["accesses"][0]["action"] == "audit:tracker:read"


def test_accesses_under_a_legal_hold_stay_hidden(client: TestClient, container: Container) -> None:
    number = "001090000042"
    now = dt.datetime.now(dt.UTC)
    container.audit.record(
        AccessRecord(actor="officer:c03", action="registry:person:read", purpose="điều tra", subject=number,
                     hold_until=now + dt.timedelta(days=180)),
        AccessRecord(actor="officer:canbo.hn", action="registry:person:read", purpose="cấp căn cước", subject=number),
    )
    tracker = client.get(f"/api/v1/audit/tracker/{number}", headers=login(client, "kiemtoan")).json()
    assert [a["purpose"] for a in tracker["accesses"]] == ["cấp căn cước"]


def test_checkpoints_and_proofs_for_auditors(client: TestClient, container: Container) -> None:
    auditor = login(client, "kiemtoan")
    missing = client.get("/api/v1/audit/checkpoints/latest", headers=auditor)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    assert missing.json()["code"] == "AUD-020"
    container.audit.record(*[AccessRecord(actor="cli:operator", action="registry:person:import", purpose=f"lô {i}")
                             for i in range(9)])
    first = client.post("/api/v1/audit/checkpoints", headers=auditor)
    assert first.status_code == 201
    container.audit.record(*[AccessRecord(actor="cli:operator", action="registry:person:import", purpose=f"lô {i}")
                             for i in range(9, 30)])
    second = client.post("/api/v1/audit/checkpoints", headers=auditor).json()
    assert client.get("/api/v1/audit/checkpoints/latest", headers=auditor).json() == second
    assert checked_signature(client, auditor, second)

    proof = client.get("/api/v1/audit/entries/5/inclusion", headers=auditor).json()
    assert proof["tree_size"] == 30
    assert verify_inclusion(5, 30, b64(proof["leaf_hash"]), [b64(h) for h in proof["audit_path"]],
                            b64(second["root_hash"]))
    old = client.get("/api/v1/audit/entries/5/inclusion", params={"tree_size": 9}, headers=auditor).json()
    assert verify_inclusion(5, 9, b64(old["leaf_hash"]), [b64(h) for h in old["audit_path"]],
                            b64(first.json()["root_hash"]))
    consistency = client.get("/api/v1/audit/consistency", params={"first": 9, "second": 30}, headers=auditor).json()
    assert verify_consistency(9, 30, b64(first.json()["root_hash"]), b64(second["root_hash"]),
                              [b64(h) for h in consistency["proof"]])

    for path, params, status, code in [
        ("/api/v1/audit/entries/30/inclusion", {}, 404, "AUD-010"),
        ("/api/v1/audit/entries/1/inclusion", {"tree_size": 31}, 422, "AUD-011"),
        ("/api/v1/audit/consistency", {"first": 31, "second": 30}, 422, "AUD-011"),
        ("/api/v1/audit/consistency", {"first": 3, "second": 99}, 422, "AUD-011"),
        ("/api/v1/audit/entries/-1/inclusion", {}, 422, "GEN-422"),
        ("/api/v1/audit/tracker/12345", {}, 422, "GEN-422"),
    ]:
        response = client.get(path, params=params, headers=auditor)
        assert response.status_code == status, (path, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == code


def test_only_auditors_reach_the_audit_routes(client: TestClient) -> None:
    registrar = login(client, "canbo.hn")
    for method, path in [
        ("GET", "/api/v1/audit/tracker/001090000001"),
        ("GET", "/api/v1/audit/checkpoints/latest"),
        ("POST", "/api/v1/audit/checkpoints"),
        ("GET", "/api/v1/audit/checkpoint-key"),
        ("GET", "/api/v1/audit/entries/0/inclusion"),
        ("GET", "/api/v1/audit/consistency?first=0&second=0"),
    ]:
        response = client.request(method, path, headers=registrar)
        assert response.status_code == 403, (method, path)
        assert response.headers["content-type"] == PROBLEM
