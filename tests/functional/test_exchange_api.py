"""The exchange API end to end: tokens (private_key_jwt + DPoP), verify, suspension, replay, rate limits,
enumeration, consent and fetch, aliases, the citizen's tracker."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citizenid.audit.domain import AccessRecord
from citizenid.bootstrap import Container, bootstrap
from citizenid.config import Settings
from citizenid.exchange.domain import Limits
from citizenid.exchange.notify import RecordingChannel
from citizenid.exchange.tokens import PartnerKey
from citizenid.exchange.wiring import wire_exchange
from citizenid.otp.service import totp
from citizenid.vntext import fold
from tests.functional.exchange_helpers import TOKEN_URL, Partner, load_people, make_service

ID = ["birth_date", "full_name", "sex"]


@pytest.fixture
def container(sqlite_engine: Engine, tmp_path: Path) -> Container:
    """With a key store passphrase, so the tracker can sign its checkpoint."""
    settings = Settings(data_dir=tmp_path, database_url=str(sqlite_engine.url), keystore_passphrase="functional-test",
                        argon2_memory_kib=1024, argon2_time_cost=1)
    return bootstrap(settings, engine=sqlite_engine)


@pytest.fixture
def channel(container: Container) -> RecordingChannel:
    recording = RecordingChannel()
    wire_exchange(container, channel=recording)
    return recording


@pytest.fixture
def people(container: Container, channel: RecordingChannel) -> list[dict[str, Any]]:
    return load_people(container)


def _claims(person: dict[str, Any]) -> dict[str, str]:
    return {"full_name": person["full_name"], "birth_date": person["birth_date"], "sex": person["sex"]}


def _audit(container: Container, action: str) -> list[Any]:
    return [r for r in container.audit.recent(limit=1000) if r.action == action]


def test_verify_answers_yes_or_no_per_attribute_and_never_the_data(
        client: TestClient, container: Container, people: list[dict[str, Any]]) -> None:
    make_service(container, "NH-MOTK", {"verify": ID})
    bank = Partner(client, container, "NH-MOTK", "bank-app")
    person = people[0]
    claims = _claims(person)
    claims["full_name"] = fold(person["full_name"]).upper()  # typed without diacritics
    answer = bank.call("POST", "/api/v1/exchange/verify", {"identifier": person["personal_number"],
                                                           "attributes": claims})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["match"] is True
    assert body["attributes"] == {"full_name": True, "birth_date": True, "sex": True}
    assert body["name_exact"] is False
    assert "RateLimit-Remaining" in answer.headers
    assert person["family_name"] not in answer.text
    wrong = bank.call("POST", "/api/v1/exchange/verify", {"identifier": person["personal_number"], "attributes": {
        **_claims(person), "birth_date": "1900-01-01"}}).json()
    assert wrong["match"] is False
    assert wrong["attributes"]["birth_date"] is False
    assert wrong["attributes"]["full_name"] is True
    batch = bank.call("POST", "/api/v1/exchange/verify/batch", {"items": [
        {"identifier": p["personal_number"], "attributes": _claims(p)} for p in people[:10]]})
    assert batch.status_code == 200
    assert all(a["match"] for a in batch.json())
    # every verification is in the access log, with the service, for that person
    logged = [r for r in container.audit.for_subject(person["personal_number"]) if r.action == "exchange:person:verify"]
    assert len(logged) == 3
    assert logged[0].details["service"] == "NH-MOTK"
    assert logged[0].actor == "partner:bank-app"
    # attributes outside the grant: 403, no data, an audit entry
    outside = bank.call("POST", "/api/v1/exchange/verify", {"identifier": person["personal_number"],
                                                            "attributes": {"residence_detail": "x"}})
    assert outside.status_code == 403
    assert outside.json()["code"] == "XCH-410"
    assert outside.headers["content-type"] == "application/problem+json"
    assert any(r.outcome == "XCH-410" for r in _audit(container, "exchange:request:post"))


def test_tokens_need_a_signed_assertion_and_a_dpop_proof(client: TestClient, container: Container) -> None:
    make_service(container, "NH-X", {"verify": ID})
    bank = Partner(client, container, "NH-X", "bank-x")
    ok = bank.get_token()
    assert ok.status_code == 200
    assert ok.json()["token_type"] == "DPoP"
    # the same assertion again: replay
    assertion = bank.key.client_assertion("bank-x", TOKEN_URL)
    assert bank.get_token(assertion=assertion).status_code == 200
    replay = bank.get_token(assertion=assertion)
    assert replay.status_code == 401
    assert replay.json()["code"] == "XCH-403"
    # an assertion signed by a key the client never registered
    stranger = PartnerKey()
    forged = bank.get_token(assertion=stranger.client_assertion("bank-x", TOKEN_URL))
    assert forged.status_code == 401
    assert forged.json()["code"] == "XCH-402"
    # no DPoP proof
    none = client.post("/api/v1/exchange/oauth/token", data={
        "grant_type": "client_credentials", "client_assertion": bank.key.client_assertion("bank-x", TOKEN_URL),
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"})
    assert none.status_code == 401
    # key rotation: a second key works alongside, the retired one stops
    new_key = PartnerKey()
    container.exchange.add_key("cli:test", "bank-x", new_key.public_jwk)
    assert bank.get_token(assertion=new_key.client_assertion("bank-x", TOKEN_URL)).status_code == 200
    container.exchange.retire_key("cli:test", "bank-x", bank.key.kid)
    assert bank.get_token().status_code == 401


def test_a_token_is_bound_to_its_dpop_key_and_each_proof_is_used_once(
        client: TestClient, container: Container, people: list[dict[str, Any]]) -> None:
    make_service(container, "NH-Y", {"verify": ID})
    bank = Partner(client, container, "NH-Y", "bank-y")
    path = "/api/v1/exchange/verify"
    body = {"identifier": people[1]["personal_number"], "attributes": _claims(people[1])}
    headers = bank.headers("POST", path)
    assert client.post(path, json=body, headers=headers).status_code == 200
    replayed = client.post(path, json=body, headers=headers)
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "XCH-404"
    assert replayed.headers["www-authenticate"].startswith("DPoP ")
    thief = PartnerKey()  # a stolen token with the thief's own proof
    stolen = {"Authorization": headers["Authorization"],
              "DPoP": thief.dpop("POST", f"http://testserver{path}", bank.token)}
    assert client.post(path, json=body, headers=stolen).status_code == 401
    as_bearer = {"Authorization": f"Bearer {bank.token}"}
    assert client.post(path, json=body, headers=as_bearer).status_code == 401
    wrong_url = {**bank.headers("POST", "/api/v1/exchange/aliases")}
    assert client.post(path, json=body, headers=wrong_url).status_code == 401


def test_suspension_stops_existing_tokens_at_once(
        client: TestClient, container: Container, people: list[dict[str, Any]]) -> None:
    make_service(container, "NH-Z", {"verify": ID})
    bank = Partner(client, container, "NH-Z", "bank-z")
    body = {"identifier": people[2]["personal_number"], "attributes": _claims(people[2])}
    assert bank.call("POST", "/api/v1/exchange/verify", body).status_code == 200
    container.exchange.set_suspended("cli:test", "bank-z", True, "leaked key")
    refused = bank.call("POST", "/api/v1/exchange/verify", body)
    assert refused.status_code == 401
    assert bank.get_token().status_code == 401
    container.exchange.set_suspended("cli:test", "bank-z", False)
    bank.token = None
    assert bank.call("POST", "/api/v1/exchange/verify", body).status_code == 200


def test_rate_limits_answer_429_with_standard_headers(
        client: TestClient, container: Container, people: list[dict[str, Any]]) -> None:
    make_service(container, "NH-R", {"verify": ID})
    bank = Partner(client, container, "NH-R", "bank-r", limits=Limits(rate=0.01, burst=3, daily_quota=1000))
    body = {"identifier": people[3]["personal_number"], "attributes": _claims(people[3])}
    codes = [bank.call("POST", "/api/v1/exchange/verify", body) for _ in range(4)]
    assert [c.status_code for c in codes] == [200, 200, 200, 429]
    assert codes[2].headers["RateLimit-Remaining"] == "0"
    limited = codes[3]
    assert limited.headers["content-type"] == "application/problem+json"
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["RateLimit-Limit"] == "3"


def test_enumeration_is_blocked_and_audited(client: TestClient, container: Container,
                                            people: list[dict[str, Any]]) -> None:
    container.exchange.detector._threshold = 5
    make_service(container, "NH-E", {"verify": ID})
    bank = Partner(client, container, "NH-E", "bank-e")
    statuses = []
    for i in range(8):
        number = f"0010900{i:05d}"
        statuses.append(bank.call("POST", "/api/v1/exchange/verify", {"identifier": number, "attributes": {
            "sex": "M"}}).status_code)
    assert statuses[:6] == [200] * 6
    assert statuses[6:] == [429, 429]
    assert _audit(container, "exchange:abuse:enumeration")


def test_consent_with_a_one_time_code_then_one_fetch(
        client: TestClient, container: Container, channel: RecordingChannel, people: list[dict[str, Any]]) -> None:
    make_service(container, "NH-F", {"verify": ID, "fetch": [*ID, "residence_commune"]})
    bank = Partner(client, container, "NH-F", "bank-f")
    number = people[4]["personal_number"]
    outside = bank.call("POST", "/api/v1/exchange/consents", {"identifier": number, "attributes": ["religion"],
                                                               "purpose": "mở tài khoản"})
    assert outside.status_code == 403
    asked = bank.call("POST", "/api/v1/exchange/consents", {
        "identifier": number, "attributes": ["full_name", "residence_commune"], "purpose": "mở tài khoản"})
    assert asked.status_code == 201, asked.text
    consent_id = asked.json()["consent_id"]
    assert asked.json()["status"] == "pending"
    early = bank.call("POST", "/api/v1/exchange/fetch", {"identifier": number, "consent_id": consent_id})
    assert early.status_code == 403
    assert early.json()["code"] == "XCH-440"
    wrong = bank.call("POST", f"/api/v1/exchange/consents/{consent_id}/approve", {"identifier": number,
                                                                                  "code": "000000"})
    code = channel.last_code(number)
    if code != "000000":
        assert wrong.status_code == 403
        assert wrong.json()["code"] == "XCH-441"
    approved = bank.call("POST", f"/api/v1/exchange/consents/{consent_id}/approve", {"identifier": number,
                                                                                     "code": code})
    assert approved.status_code == 200, approved.text
    receipt = approved.json()
    assert receipt["status"] == "granted"
    assert receipt["scope"]["attributes"] == ["full_name", "residence_commune"]
    fetched = bank.call("POST", "/api/v1/exchange/fetch", {"identifier": number, "consent_id": consent_id})
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["attributes"] == {"full_name": people[4]["full_name"],
                                            "residence_commune": people[4]["residence_commune"]}
    again = bank.call("POST", "/api/v1/exchange/fetch", {"identifier": number, "consent_id": consent_id})
    assert again.status_code == 403
    assert again.json()["code"] == "XCH-440"
    fetches = [r for r in container.audit.for_subject(number) if r.action == "exchange:person:fetch"]
    assert {r.outcome for r in fetches} == {"ok", "refused"}
    assert next(r for r in fetches if r.outcome == "ok").purpose == "mở tài khoản"


def test_aliases_are_stable_per_service_unlinkable_and_accepted_as_numbers(
        client: TestClient, container: Container, people: list[dict[str, Any]]) -> None:
    make_service(container, "BV-1", {"verify": ID}, pseudonymous=True, member="BYT-T")
    make_service(container, "BV-2", {"verify": ID}, pseudonymous=True, member="BYT-T")
    one = Partner(client, container, "BV-1", "hospital-1")
    two = Partner(client, container, "BV-2", "hospital-2")
    number = people[5]["personal_number"]
    a1 = one.call("POST", "/api/v1/exchange/aliases", {"identifier": number}).json()["alias"]
    a1b = one.call("POST", "/api/v1/exchange/aliases", {"identifier": number}).json()["alias"]
    a2 = two.call("POST", "/api/v1/exchange/aliases", {"identifier": number}).json()["alias"]
    assert a1 == a1b
    assert a1 != a2
    assert len(a1) == 26
    assert number not in a1
    by_alias = one.call("POST", "/api/v1/exchange/verify", {"identifier": a1, "attributes": _claims(people[5])})
    assert by_alias.json()["match"] is True
    foreign = one.call("POST", "/api/v1/exchange/verify", {"identifier": a2, "attributes": _claims(people[5])})
    assert foreign.json()["match"] is False


def test_a_citizen_sees_who_accessed_their_data_after_an_otp_login(
        client: TestClient, container: Container, channel: RecordingChannel, people: list[dict[str, Any]]) -> None:
    make_service(container, "NH-T", {"verify": ID})
    bank = Partner(client, container, "NH-T", "bank-t")
    number = people[6]["personal_number"]
    bank.call("POST", "/api/v1/exchange/verify", {"identifier": number, "attributes": _claims(people[6])})
    started = client.post("/api/v1/portal/login", json={"personal_number": number})
    assert started.status_code == 202
    challenge = started.json()["challenge_id"]
    bad = client.post("/api/v1/portal/login/verify", json={"personal_number": number, "challenge_id": challenge,
                                                           "code": "999999" if channel.last_code(number) != "999999"
                                                           else "111111"})
    assert bad.status_code == 401
    logged = client.post("/api/v1/portal/login/verify", json={"personal_number": number, "challenge_id": challenge,
                                                              "code": channel.last_code(number)})
    assert logged.status_code == 200, logged.text
    headers = {"Authorization": f"Bearer {logged.json()['access_token']}"}
    tracker = client.get("/api/v1/portal/tracker", headers=headers)
    assert tracker.status_code == 200, tracker.text
    accesses = tracker.json()["accesses"]
    verify = next(a for a in accesses if a["action"] == "exchange:person:verify")
    assert verify["service"] == "NH-T"
    assert verify["actor"] == "partner:bank-t"
    assert verify["inclusion_proof"] is not None
    assert client.get("/api/v1/portal/tracker").status_code == 401
    # an unknown number gets the same answer and no message
    sent = len(channel.sent)
    assert client.post("/api/v1/portal/login", json={"personal_number": "001090099999"}).status_code == 202
    assert len(channel.sent) == sent


def _citizen(client: TestClient, channel: RecordingChannel, number: str) -> dict[str, str]:
    challenge = client.post("/api/v1/portal/login", json={"personal_number": number}).json()["challenge_id"]
    token = client.post("/api/v1/portal/login/verify", json={
        "personal_number": number, "challenge_id": challenge, "code": channel.last_code(number)}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def test_accesses_under_a_legal_hold_appear_when_it_ends(
        client: TestClient, container: Container, channel: RecordingChannel, people: list[dict[str, Any]]) -> None:
    number = people[7]["personal_number"]
    now = dt.datetime.now(dt.UTC)
    container.audit.record(
        AccessRecord(actor="officer:dieutra", action="registry:person:read", purpose="điều tra vụ án 12/2026",
                     subject=number, hold_until=now + dt.timedelta(days=90)),
        AccessRecord(actor="officer:dieutra", action="registry:person:read", purpose="điều tra vụ án 3/2025",
                     subject=number, hold_until=now - dt.timedelta(days=1)),
    )
    tracker = client.get("/api/v1/portal/tracker", headers=_citizen(client, channel, number)).json()
    purposes = [a["purpose"] for a in tracker["accesses"]]
    assert "điều tra vụ án 3/2025" in purposes
    assert "điều tra vụ án 12/2026" not in purposes


def test_a_citizen_lists_and_revokes_consents(
        client: TestClient, container: Container, channel: RecordingChannel, people: list[dict[str, Any]]) -> None:
    make_service(container, "NH-REV", {"fetch": ID})
    bank = Partner(client, container, "NH-REV", "bank-rev")
    number = people[8]["personal_number"]
    consent = bank.call("POST", "/api/v1/exchange/consents", {"identifier": number, "attributes": ["full_name"],
                                                               "purpose": "vay tiêu dùng"}).json()
    bank.call("POST", f"/api/v1/exchange/consents/{consent['consent_id']}/approve",
              {"identifier": number, "code": channel.last_code(number)})
    citizen = _citizen(client, channel, number)
    receipts = client.get("/api/v1/portal/consents", headers=citizen).json()
    assert [r["status"] for r in receipts] == ["granted"]
    assert receipts[0]["controller"]["service"] == "NH-REV"
    assert receipts[0]["purpose"] == "vay tiêu dùng"
    revoked = client.post(f"/api/v1/portal/consents/{consent['consent_id']}/revoke", headers=citizen)
    assert revoked.json()["status"] == "revoked"
    refused = bank.call("POST", "/api/v1/exchange/fetch", {"identifier": number, "consent_id": consent["consent_id"]})
    assert refused.status_code == 403
    other = _citizen(client, channel, people[9]["personal_number"])
    assert client.post(f"/api/v1/portal/consents/{consent['consent_id']}/revoke", headers=other).status_code == 404


def test_a_code_from_the_cards_otp_application_approves_a_consent(
        client: TestClient, container: Container, people: list[dict[str, Any]]) -> None:
    make_service(container, "NH-OTP", {"fetch": ID})
    bank = Partner(client, container, "NH-OTP", "bank-otp")
    number = people[10]["personal_number"]
    enrolment = container.otp.enrol(number, "card-otp-1")
    consent = bank.call("POST", "/api/v1/exchange/consents", {"identifier": number, "attributes": ["sex"],
                                                               "purpose": "mở tài khoản"}).json()
    approve = f"/api/v1/exchange/consents/{consent['consent_id']}/approve"
    code = totp(enrolment.secret, int(time.time()))
    wrong = "000000" if code != "000000" else "111111"
    refused = bank.call("POST", approve, {"identifier": number, "card_otp": {"credential_id": "card-otp-1",
                                                                              "code": wrong}})
    assert refused.status_code == 403
    assert refused.json()["code"] == "XCH-441"
    both = bank.call("POST", approve, {"identifier": number, "code": "123456",
                                       "card_otp": {"credential_id": "card-otp-1", "code": code}})
    assert both.status_code == 400
    approved = bank.call("POST", approve, {"identifier": number, "card_otp": {"credential_id": "card-otp-1",
                                                                               "code": code}})
    assert approved.status_code == 200, approved.text
    assert approved.json()["method"] == "card_otp"
    assert any(r.action == "otp:code:validate" for r in container.audit.for_subject(number))
