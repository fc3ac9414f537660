"""Card-based authentication: the partner's reader read a card and answered the server's challenge; the
platform checks it with the chip verifier and the revocation status, and approves consents with it."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from citizenid.bootstrap import Container, bootstrap
from citizenid.chip.image import ChipImage
from citizenid.chip.lds import CardHolder, File
from citizenid.config import Settings
from citizenid.exchange.notify import RecordingChannel
from citizenid.exchange.wiring import RevocationStatus, wire_exchange
from tests.functional.exchange_helpers import Partner, load_people, make_service

FACE = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 12 + b"\xff\xd9"


@pytest.fixture
def container(sqlite_engine: Engine, tmp_path: Path) -> Container:
    settings = Settings(data_dir=tmp_path, database_url=str(sqlite_engine.url), keystore_passphrase="functional-test",
                        argon2_memory_kib=1024, argon2_time_cost=1)
    built = bootstrap(settings, engine=sqlite_engine)
    built.pki.init()
    wire_exchange(built, channel=RecordingChannel())
    return built


def _card(container: Container, person: dict[str, Any]) -> ChipImage:
    holder = CardHolder(personal_number=person["personal_number"], full_name=person["full_name"],
                        birth_date=dt.date.fromisoformat(person["birth_date"]), sex=person["sex"],
                        place_of_origin="Hà Nội", place_of_residence="Hà Nội", issue_date=dt.date(2024, 7, 1),
                        expiry_date=dt.date(2034, 7, 1))
    return container.chip.personalise(holder, FACE)


def _read(image: ChipImage, challenge: dict[str, str], *, tamper: bool = False) -> dict[str, Any]:
    """What a reader submits: EF.SOD, the data groups, the chip's answer to the server's nonce."""
    nonce = base64.b64decode(challenge["nonce"])
    r, s = decode_dss_signature(image.aa_key.sign(nonce, ec.ECDSA(hashes.SHA256())))  # type: ignore[union-attr]
    groups = {str(f.data_group): base64.b64encode(data).decode() for f, data in image.files.items()
              if f.data_group is not None}
    if tamper:
        dg13 = bytearray(image.files[File.DG13])
        dg13[len(dg13) // 2] ^= 0x01
        groups["13"] = base64.b64encode(bytes(dg13)).decode()
    return {"challenge_id": challenge["challenge_id"], "sod": base64.b64encode(image.files[File.SOD]).decode(),
            "data_groups": groups, "active_authentication_signature": base64.b64encode(
                r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode()}


def test_card_authentication_answers_with_the_identity(client: TestClient, container: Container) -> None:
    people = [p for p in load_people(container, 40) if p["birth_date"] and len(p["birth_date"]) == 10]
    make_service(container, "TEL-SIM", {"card_auth": ["birth_date", "full_name"]})
    telco = Partner(client, container, "TEL-SIM", "telco-1")
    person = people[0]
    image = _card(container, person)
    challenge = telco.call("POST", "/api/v1/exchange/card/challenges").json()
    answer = telco.call("POST", "/api/v1/exchange/card/authenticate", _read(image, challenge))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["subject"] == person["personal_number"]
    assert body["attributes"] == {"birth_date": person["birth_date"], "full_name": person["full_name"]}
    assert any(c["name"] == "active_authentication" and c["passed"] for c in body["checks"])
    assert any(r.action == "exchange:person:card_auth" for r in container.audit.for_subject(person["personal_number"]))
    # the challenge is single use
    again = telco.call("POST", "/api/v1/exchange/card/authenticate", _read(image, challenge))
    assert again.status_code == 422
    assert again.json()["code"] == "XCH-450"
    # a tampered data group fails passive authentication
    fresh = telco.call("POST", "/api/v1/exchange/card/challenges").json()
    tampered = telco.call("POST", "/api/v1/exchange/card/authenticate", _read(image, fresh, tamper=True))
    assert tampered.status_code == 422
    assert "data_group_hashes" in tampered.json()["detail"]
    # an answer to another nonce (a replayed or cloned chip) fails active authentication
    other = telco.call("POST", "/api/v1/exchange/card/challenges").json()
    replayed = _read(image, fresh)
    replayed["challenge_id"] = other["challenge_id"]
    refused = telco.call("POST", "/api/v1/exchange/card/authenticate", replayed)
    assert refused.status_code == 422
    assert "active_authentication" in refused.json()["detail"]


def test_a_revoked_card_is_refused(client: TestClient, container: Container) -> None:
    people = [p for p in load_people(container, 40) if p["birth_date"] and len(p["birth_date"]) == 10]
    make_service(container, "TEL-R", {"card_auth": ["full_name"]})
    telco = Partner(client, container, "TEL-R", "telco-r")
    image = _card(container, people[1])
    container.exchange._is_revoked = lambda number: True
    challenge = telco.call("POST", "/api/v1/exchange/card/challenges").json()
    refused = telco.call("POST", "/api/v1/exchange/card/authenticate", _read(image, challenge))
    assert refused.status_code == 422
    assert "revoked" in refused.json()["detail"]


def test_the_citizen_approves_a_consent_with_their_card(client: TestClient, container: Container) -> None:
    people = [p for p in load_people(container, 40) if p["birth_date"] and len(p["birth_date"]) == 10]
    make_service(container, "NH-CARD", {"fetch": ["full_name", "sex"], "card_auth": ["full_name"]})
    bank = Partner(client, container, "NH-CARD", "bank-card")
    person, stranger = people[2], people[3]
    number = person["personal_number"]
    consent = bank.call("POST", "/api/v1/exchange/consents", {"identifier": number, "attributes": ["sex"],
                                                               "purpose": "mở thẻ tín dụng"}).json()
    challenge = bank.call("POST", "/api/v1/exchange/card/challenges").json()
    wrong_card = bank.call("POST", f"/api/v1/exchange/consents/{consent['consent_id']}/approve", {
        "identifier": number, "card": _read(_card(container, stranger), challenge)})
    assert wrong_card.status_code == 403
    challenge = bank.call("POST", "/api/v1/exchange/card/challenges").json()
    approved = bank.call("POST", f"/api/v1/exchange/consents/{consent['consent_id']}/approve", {
        "identifier": number, "card": _read(_card(container, person), challenge)})
    assert approved.status_code == 200, approved.text
    assert approved.json()["method"] == "card"
    fetched = bank.call("POST", "/api/v1/exchange/fetch", {"identifier": number, "consent_id": consent["consent_id"]})
    assert fetched.json()["attributes"] == {"sex": person["sex"]}


def test_revocation_status_asks_the_cards_area_when_there_is_one(container: Container) -> None:
    class Cards:
        def is_revoked(self, number: str) -> bool:
            return number == "C12345678"

    class Holder:
        cards = Cards()

    status = RevocationStatus(Holder())
    assert status("C12345678")
    assert not status("C00000000")
    assert status.source == "cards.is_revoked"
    assert not RevocationStatus(object())("C12345678")


def test_a_verifier_with_the_card_gets_the_documents_it_is_entitled_to(client: TestClient,
                                                                       container: Container) -> None:
    """Presentation with the card (integrated documents): a traffic officer's reader read the card; the
    platform answers with the holder's valid driving licence because the service's grant names it."""
    from citizenid.documents.domain import Action  # noqa: PLC0415
    from citizenid.documents.service import Push  # noqa: PLC0415

    person = next(p for p in load_people(container, 40) if p["birth_date"] and len(p["birth_date"]) == 10
                  and p["status"] == "living")
    container.documents.push("partner:bca", "BCA", frozenset({"driving_licence"}), Push(
        Action.ADD, "driving_licence", "010203040506", person["personal_number"],
        {"classes": "A1,B", "issued_on": "2024-01-10", "issued_by": "Phòng CSGT Hà Nội"}))
    make_service(container, "CSGT-KIEMTRA", {"card_auth": ["full_name", "document:driving_licence"]}, member="BCA")
    officer = Partner(client, container, "CSGT-KIEMTRA", "csgt-reader")
    challenge = officer.call("POST", "/api/v1/exchange/card/challenges").json()
    answer = officer.call("POST", "/api/v1/exchange/card/authenticate", _read(_card(container, person), challenge))
    assert answer.status_code == 200, answer.text
    [licence] = answer.json()["attributes"]["document:driving_licence"]
    assert licence["classes"] == ["A1", "B"]
    assert licence["valid_until"] == "2034-01-10"
    assert "issued_by" not in licence  # recorded by the agency, not shared
    assert set(answer.json()["attributes"]) == {"full_name", "document:driving_licence"}


def test_a_card_the_holder_reported_lost_is_refused_and_its_replacement_is_not(
        client: TestClient, container: Container) -> None:
    """The whole chain: a card made by the production centre, issued, reported lost; the platform's card
    authentication refuses it at once, and accepts the replacement the holder gets afterwards."""
    from citizenid.cards.domain import Reason, RevocationReason  # noqa: PLC0415
    from tests.integration.cards.conftest import (  # noqa: PLC0415
        FACTORY,
        REGISTRAR,
        SUPERVISOR,
        add_people,
        apply,
        approved,
        person,
    )

    def make_and_issue(application_id: str) -> str:
        batch = container.cards.create_batch(FACTORY)
        container.cards.run_batch(FACTORY, batch.batch_id)
        container.cards.dispatch_batch(FACTORY, batch.batch_id)
        return container.cards.issue(REGISTRAR, application_id, officer_confirmed=True).card_number

    [number] = add_people(container, person(residence_commune="00004"))
    first = make_and_issue(approved(container, number))
    make_service(container, "NH-THE", {"card_auth": ["full_name"]})
    bank = Partner(client, container, "NH-THE", "bank-card")

    def present(card_number: str) -> Any:
        challenge = bank.call("POST", "/api/v1/exchange/card/challenges").json()
        return bank.call("POST", "/api/v1/exchange/card/authenticate",
                         _read(container.cards.chip_image(FACTORY, card_number), challenge))

    assert present(first).status_code == 200
    container.cards.revoke(REGISTRAR, first, RevocationReason.LOST, "mất ví")
    refused = present(first)
    assert refused.status_code == 422
    assert "revoked" in refused.json()["detail"]
    # A chip names its card only by holder and issue date, so the replacement is made on a later day, as
    # it always is in life (decision 0053); the production centre's clock moves on a day.
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    container.cards._clock = lambda: tomorrow  # the service's injected clock
    replacement = apply(container, number, reason=Reason.LOSS).application.application_id
    container.cards.verify(REGISTRAR, replacement)
    container.cards.approve(SUPERVISOR, replacement)
    second = make_and_issue(replacement)
    assert present(second).status_code == 200, present(second).text
