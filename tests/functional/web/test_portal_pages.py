"""The citizen portal's pages through HTTP: one-time-code sign-in, my record, documents, consents, tracker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import Container
from citizenid.documents.domain import Action
from citizenid.documents.service import Push
from citizenid.exchange.notify import RecordingChannel
from citizenid.exchange.wiring import wire_exchange
from citizenid.synth import generate_population
from tests.conftest import make_container

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
CHALLENGE = re.compile(r'name="challenge" value="([^"]+)"')


@pytest.fixture
def container(sqlite_engine: Engine, tmp_path: Path) -> Container:
    """With a key store passphrase, so that the tracker can sign its checkpoint."""
    return make_container(sqlite_engine, tmp_path, keystore_passphrase="portal-pages")


@pytest.fixture
def channel(container: Container) -> RecordingChannel:
    recording = RecordingChannel()
    wire_exchange(container, channel=recording)
    return recording


def a_citizen(container: Container) -> str:
    table = generate_population(30, seed=9)
    container.registry.load_table(operator_principal("test"), table)
    return next(p["personal_number"] for p in table.to_pylist() if p["status"] == "living")


def sign_in(client: TestClient, channel: RecordingChannel, number: str) -> str:
    form = client.get("/portal/login")
    token = CSRF.search(form.text)
    assert token is not None
    sent = client.post("/portal/login", data={"csrf": token.group(1), "personal_number": number})
    assert sent.status_code == 200, sent.text
    challenge, csrf = CHALLENGE.search(sent.text), CSRF.search(sent.text)
    assert challenge is not None
    assert csrf is not None
    done = client.post("/portal/login/verify", follow_redirects=False, data={
        "csrf": csrf.group(1), "personal_number": number, "challenge": challenge.group(1),
        "code": channel.last_code(number)})
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/portal"
    assert "HttpOnly" in done.headers["set-cookie"]
    home = client.get("/portal")
    found = CSRF.search(home.text)
    assert found is not None
    return found.group(1)


def test_a_citizen_signs_in_and_sees_their_data(client: TestClient, container: Container,
                                               channel: RecordingChannel) -> None:
    number = a_citizen(container)
    container.documents.push("partner:bca", "BCA", frozenset({"driving_licence"}), Push(
        Action.ADD, "driving_licence", "010203040506", number, {"classes": "B", "issued_on": "2024-01-10"}))
    assert client.get("/portal", follow_redirects=False).headers["location"] == "/portal/login"
    sign_in(client, channel, number)
    home = client.get("/portal")
    assert home.status_code == 200
    person = container.registry.get_person(operator_principal("t"), number)
    assert person.full_name in home.text
    assert "Giấy phép lái xe" in home.text
    assert "010203040506" in home.text
    assert "exchange:citizen:login" in home.text  # my own sign-in is in my tracker
    assert number not in str(home.url)


def test_a_wrong_code_signs_nobody_in(client: TestClient, container: Container, channel: RecordingChannel) -> None:
    number = a_citizen(container)
    token = CSRF.search(client.get("/portal/login").text)
    assert token is not None
    sent = client.post("/portal/login", data={"csrf": token.group(1), "personal_number": number})
    challenge, csrf = CHALLENGE.search(sent.text), CSRF.search(sent.text)
    assert challenge is not None
    assert csrf is not None
    wrong = "000000" if channel.last_code(number) != "000000" else "111111"
    refused = client.post("/portal/login/verify", data={"csrf": csrf.group(1), "personal_number": number,
                                                       "challenge": challenge.group(1), "code": wrong})
    assert refused.status_code == 401
    assert "Mã không đúng hoặc đã hết hạn." in refused.text
    assert "citizenid_citizen" not in refused.headers.get("set-cookie", "")
    bad = client.post("/portal/login", data={"csrf": "forged", "personal_number": number})
    assert bad.status_code == 403


def test_a_citizen_revokes_a_consent_and_signs_out(client: TestClient, container: Container,
                                                   channel: RecordingChannel) -> None:
    from tests.functional.exchange_helpers import Partner, make_service  # noqa: PLC0415

    number = a_citizen(container)
    make_service(container, "NH-P", {"fetch": ["full_name"]})
    bank = Partner(client, container, "NH-P", "bank-p")
    asked = bank.call("POST", "/api/v1/exchange/consents", {"identifier": number, "attributes": ["full_name"],
                                                            "purpose": "mở tài khoản"})
    consent_id = asked.json()["consent_id"]
    csrf = sign_in(client, channel, number)
    assert "mở tài khoản" in client.get("/portal").text
    forged = client.post(f"/portal/consents/{consent_id}/revoke", data={"csrf": "forged"})
    assert forged.status_code == 403
    revoked = client.post(f"/portal/consents/{consent_id}/revoke", data={"csrf": csrf})
    assert revoked.status_code == 200, revoked.text
    assert "Đã thu hồi sự đồng ý." in revoked.text
    assert "Đã thu hồi" in revoked.text
    out = client.post("/portal/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/portal", follow_redirects=False).status_code == 303


def test_a_citizen_sees_their_application_and_why_it_was_rejected(
        client: TestClient, container: Container, channel: RecordingChannel) -> None:
    from tests.integration.cards.conftest import SUPERVISOR, add_people, apply, person  # noqa: PLC0415

    [number] = add_people(container, person(residence_commune="00004"))
    application = apply(container, number).application.application_id
    container.cards.reject(SUPERVISOR, application, "ảnh chụp không rõ mặt")
    sign_in(client, channel, number)
    home = client.get("/portal")
    assert application in home.text
    assert "Bị từ chối: ảnh chụp không rõ mặt" in home.text
