"""The reference level-4 service end to end, through HTTP at both edges: a citizen applies for a change of
permanent residence with their number and a one-time code, the form is pre-filled under consent, the service
decides and records it in the register, and the citizen's tracker shows each access."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import Container
from citizenid.documents.domain import Action
from citizenid.documents.service import Push
from citizenid.exchange.notify import RecordingChannel
from citizenid.exchange.wiring import wire_exchange
from dvc_thuongtru.app import create_service_app
from dvc_thuongtru.cases import ATTRIBUTES
from dvc_thuongtru.platform import PlatformClient
from tests.conftest import make_container
from tests.factories import HCMC_COMMUNE
from tests.functional.exchange_helpers import ADMIN, load_people, make_service


@pytest.fixture
def container(sqlite_engine: Engine, tmp_path: Path) -> Container:
    return make_container(sqlite_engine, tmp_path, keystore_passphrase="functional-test")


@pytest.fixture
def channel(container: Container) -> RecordingChannel:
    recording = RecordingChannel()
    wire_exchange(container, channel=recording)
    return recording


@pytest.fixture
def service(client: TestClient, container: Container, channel: RecordingChannel) -> TestClient:
    """The service registered on the platform as a partner of the police's residence subsystem."""
    make_service(container, "BCA-THUONGTRU-T", {"fetch": ATTRIBUTES, "record_events": ["change_of_residence"]},
                 member="BCA")
    key = ec.generate_private_key(ec.SECP256R1())
    platform = PlatformClient("http://testserver", "dvc-thuongtru", key, send=_through(client))
    container.exchange.add_client(ADMIN, "BCA-THUONGTRU-T", "dvc-thuongtru", "Cổng dịch vụ công: thường trú")
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    container.exchange.add_key(ADMIN, "dvc-thuongtru", {**jwk, "kid": platform.kid})
    return TestClient(create_service_app(platform), raise_server_exceptions=False)


def _through(client: TestClient) -> Any:
    def send(method: str, url: str, headers: dict[str, str], body: bytes | None) -> tuple[int, bytes]:
        answer = client.request(method, url, headers=headers, content=body)
        return answer.status_code, answer.content

    return send


def test_a_citizen_moves_online_without_uploading_anything(
        service: TestClient, client: TestClient, container: Container, channel: RecordingChannel) -> None:
    person = next(p for p in load_people(container, 40) if p["status"] == "living")
    number = person["personal_number"]
    container.documents.push("partner:bhxh", "BHXH", frozenset({"health_insurance"}), Push(
        Action.ADD, "health_insurance", "0123456789", number,
        {"benefit_level": "4", "registered_facility": "Trạm y tế xã", "valid_until": "2027-12-31"}))

    started = service.post("/cases", json={"personal_number": number})
    assert started.status_code == 201, started.text
    case, token = started.json()["case_id"], started.json()["case_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert service.get(f"/cases/{case}").status_code == 404  # without the case's token

    wrong = service.post(f"/cases/{case}/code", json={"code": "000000" if channel.last_code(number) != "000000"
                                                       else "111111"}, headers=auth)
    assert wrong.status_code == 403
    filled = service.post(f"/cases/{case}/code", json={"code": channel.last_code(number)}, headers=auth)
    assert filled.status_code == 200, filled.text
    form = filled.json()["form"]
    assert form["full_name"] == person["full_name"]
    assert form["current_commune"] == person["residence_commune"]
    assert form["health_insurance"]["registered_facility"] == "Trạm y tế xã"

    decided = service.post(f"/cases/{case}/submit", json={"new_commune": HCMC_COMMUNE, "new_detail": "7 Pasteur",
                                                           "confirmed": True}, headers=auth)
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "approved"
    assert decided.json()["register_version"] == 2
    record = container.registry.get_person(operator_principal("t"), number)
    assert (record.residence_commune, record.residence_detail) == (HCMC_COMMUNE, "7 Pasteur")

    # the citizen's tracker on the platform shows the service's accesses
    challenge = client.post("/api/v1/portal/login", json={"personal_number": number}).json()["challenge_id"]
    login = client.post("/api/v1/portal/login/verify", json={"personal_number": number, "challenge_id": challenge,
                                                             "code": channel.last_code(number)}).json()
    tracker = client.get("/api/v1/portal/tracker", headers={"Authorization": f"Bearer {login['access_token']}"})
    actions = {(a["actor"], a["action"]) for a in tracker.json()["accesses"]}
    assert ("partner:dvc-thuongtru", "exchange:person:fetch") in actions
    assert ("partner:dvc-thuongtru", "registry:event:change_of_residence") in actions


def test_the_service_rejects_a_non_change_and_refuses_replays(
        service: TestClient, container: Container, channel: RecordingChannel) -> None:
    person = next(p for p in load_people(container, 40) if p["status"] == "living")
    number = person["personal_number"]
    started = service.post("/cases", json={"personal_number": number}).json()
    auth = {"Authorization": f"Bearer {started['case_token']}"}
    code = channel.last_code(number)
    assert service.post(f"/cases/{started['case_id']}/code", json={"code": code}, headers=auth).status_code == 200
    assert service.post(f"/cases/{started['case_id']}/code", json={"code": code}, headers=auth).status_code == 409
    same = service.post(f"/cases/{started['case_id']}/submit", headers=auth, json={
        "new_commune": person["residence_commune"], "new_detail": person["residence_detail"] or "",
        "confirmed": True})
    assert same.json()["state"] == "rejected"
    assert len(container.registry.history(operator_principal("t"), number).versions) == 1
    again = service.post(f"/cases/{started['case_id']}/submit", headers=auth, json={
        "new_commune": HCMC_COMMUNE, "new_detail": "7 Pasteur", "confirmed": True})
    assert again.status_code == 409
    assert service.post("/cases", json={"personal_number": "12"}).status_code == 422


def test_the_service_imports_nothing_from_the_platform() -> None:
    """It is built as a ministry's developer would build it: on the public API only."""
    import ast  # noqa: PLC0415

    import dvc_thuongtru  # noqa: PLC0415

    package = Path(dvc_thuongtru.__file__).parent
    imported: set[str] = set()
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
    assert "dvc_thuongtru.platform" in imported
    assert not [name for name in imported if name.split(".")[0] == "citizenid"]
