"""Integrated documents through the exchange: agencies push, services verify and fetch under consent, a
service records a case's outcome, the citizen sees their documents and who looked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import Container
from citizenid.exchange.notify import RecordingChannel
from citizenid.exchange.wiring import wire_exchange
from citizenid.registry.domain import EventKind, LifeEvent
from tests.conftest import make_container
from tests.factories import HCMC_COMMUNE
from tests.functional.exchange_helpers import Partner, load_people, make_service


@pytest.fixture
def container(sqlite_engine: Engine, tmp_path: Path) -> Container:
    return make_container(sqlite_engine, tmp_path, keystore_passphrase="functional-test")


@pytest.fixture
def channel(container: Container) -> RecordingChannel:
    recording = RecordingChannel()
    wire_exchange(container, channel=recording)
    return recording


@pytest.fixture
def living(container: Container, channel: RecordingChannel) -> list[dict[str, Any]]:
    return [p for p in load_people(container, 60) if p["status"] == "living"]


@pytest.fixture
def agency(client: TestClient, container: Container, living: list[dict[str, Any]]) -> Partner:
    make_service(container, "BCA-GPLX-T", {"documents_push": ["driving_licence"]}, member="BCA")
    return Partner(client, container, "BCA-GPLX-T", "bca-gplx")


def licence(number: str, holder: str, **extra: Any) -> dict[str, Any]:
    return {"action": "add", "doc_type": "driving_licence", "doc_number": number, "personal_number": holder,
            "attributes": {"classes": "A1,B", "issued_on": "2023-04-01", **extra}}


def test_an_agency_pushes_within_its_grant_only(
        client: TestClient, container: Container, agency: Partner, living: list[dict[str, Any]]) -> None:
    holder = living[0]["personal_number"]
    added = agency.call("POST", "/api/v1/exchange/documents", licence("010203040506", holder))
    assert added.status_code == 201, added.text
    assert added.json()["valid_until"] == "2033-04-01"
    assert added.json()["agency"] == "BCA"
    outside = agency.call("POST", "/api/v1/exchange/documents", {
        "action": "add", "doc_type": "tax_code", "doc_number": "0100109106", "personal_number": holder})
    assert outside.status_code == 403
    assert outside.headers["content-type"] == "application/problem+json"
    duplicate = agency.call("POST", "/api/v1/exchange/documents", licence("010203040506", living[1]["personal_number"]))
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "DOC-003"
    unknown_field = agency.call("POST", "/api/v1/exchange/documents", {**licence("010203040507", holder), "x": 1})
    assert unknown_field.status_code == 422
    container.registry.record_event(operator_principal("t"), living[2]["personal_number"], LifeEvent(
        EventKind.DEATH, dt.date(2026, 1, 1), "giấy báo tử", "Luật Hộ tịch 2014", {}))
    dead = agency.call("POST", "/api/v1/exchange/documents", licence("010203040508", living[2]["personal_number"]))
    assert dead.status_code == 422
    assert dead.json()["code"] == "DOC-004"
    assert [d.doc_number for d in container.documents.of_holder("t", living[1]["personal_number"],
                                                                 purpose="check")] == []


def test_a_service_verifies_and_fetches_documents_under_consent(
        client: TestClient, container: Container, channel: RecordingChannel, agency: Partner,
        living: list[dict[str, Any]]) -> None:
    holder = living[3]["personal_number"]
    assert agency.call("POST", "/api/v1/exchange/documents", licence("010203040509", holder)).status_code == 201
    make_service(container, "NH-DOC", {"documents_verify": ["driving_licence"],
                                       "fetch": ["full_name", "document:driving_licence"]})
    bank = Partner(client, container, "NH-DOC", "bank-doc")
    yes = bank.call("POST", "/api/v1/exchange/documents/verify", {"identifier": holder, "doc_type": "driving_licence",
                                                                  "licence_class": "B"})
    assert yes.status_code == 200, yes.text
    assert yes.json()["holds"] is True
    no = bank.call("POST", "/api/v1/exchange/documents/verify", {"identifier": holder, "doc_type": "driving_licence",
                                                                 "licence_class": "C"})
    assert no.json()["holds"] is False
    not_granted = bank.call("POST", "/api/v1/exchange/documents/verify", {"identifier": holder,
                                                                          "doc_type": "health_insurance"})
    assert not_granted.status_code == 403
    asked = bank.call("POST", "/api/v1/exchange/consents", {"identifier": holder, "purpose": "vay mua ô tô",
                                                            "attributes": ["full_name", "document:driving_licence"]})
    assert asked.status_code == 201, asked.text
    consent_id = asked.json()["consent_id"]
    approved = bank.call("POST", f"/api/v1/exchange/consents/{consent_id}/approve",
                         {"identifier": holder, "code": channel.last_code(holder)})
    assert approved.status_code == 200, approved.text
    fetched = bank.call("POST", "/api/v1/exchange/fetch", {"identifier": holder, "consent_id": consent_id}).json()
    [held] = fetched["attributes"]["document:driving_licence"]
    assert held["classes"] == ["A1", "B"]
    assert held["number"] == "010203040509"
    assert "issued_by" not in held  # recorded by the agency, not shareable


def test_a_service_records_the_outcome_of_a_case(
        client: TestClient, container: Container, living: list[dict[str, Any]]) -> None:
    holder = living[5]["personal_number"]
    make_service(container, "CA-THUONGTRU-T", {"record_events": ["change_of_residence"]}, member="BCA")
    police = Partner(client, container, "CA-THUONGTRU-T", "ca-thuongtru")
    body = {"identifier": holder, "kind": "change_of_residence", "effective_date": "2026-11-20",
            "reason": "đăng ký thường trú trực tuyến, hồ sơ số 123", "legal_basis": "Luật Cư trú 2020, Điều 22",
            "data": {"residence_commune": HCMC_COMMUNE, "residence_detail": "12 Lê Lợi"}}
    recorded = police.call("POST", "/api/v1/exchange/life-events", body)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["version"] == 2
    history = container.registry.history(operator_principal("t"), holder)
    assert history.events[-1].recorded_by == "partner:ca-thuongtru"
    death = police.call("POST", "/api/v1/exchange/life-events", {**body, "kind": "death", "data": {}})
    assert death.status_code == 403
    assert len(container.registry.history(operator_principal("t"), holder).versions) == 2


def test_a_citizen_sees_their_documents(
        client: TestClient, channel: RecordingChannel, agency: Partner, living: list[dict[str, Any]]) -> None:
    holder = living[7]["personal_number"]
    agency.call("POST", "/api/v1/exchange/documents", licence("010203040510", holder))
    assert client.get("/api/v1/portal/documents").status_code == 401
    challenge = client.post("/api/v1/portal/login", json={"personal_number": holder}).json()["challenge_id"]
    token = client.post("/api/v1/portal/login/verify", json={
        "personal_number": holder, "challenge_id": challenge, "code": channel.last_code(holder)}).json()
    mine = client.get("/api/v1/portal/documents", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert mine.status_code == 200, mine.text
    assert [d["number"] for d in mine.json()] == ["010203040510"]
    assert mine.json()[0]["name"] == "Giấy phép lái xe"
