"""Signing and OTP over HTTP: real app, real SQLite, a virtual card; no mocks."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest
from cryptography import x509
from fastapi.testclient import TestClient

from citizenid.bootstrap import Container
from citizenid.chip.image import ChipImage, personalise
from citizenid.otp.service import totp
from citizenid.pki.service import MemoryKeyStore, PkiService
from citizenid.signing.service import SigningService
from tests.functional.conftest import login
from tests.unit.chip.conftest import FACE, make_holder
from tests.unit.signing.conftest import PIN, PUK, make_pdf


@pytest.fixture
def card(container: Container, tmp_path: Path) -> ChipImage:
    # The file key store wants a passphrase the test settings lack; an in-memory one serves the same PKI.
    container.pki = PkiService(MemoryKeyStore(), tmp_path / "pki")
    container.pki.init()
    container.signing = SigningService(container.pki)
    holder = make_holder()
    image = personalise(holder, FACE, container.pki.document_signer())
    container.signing.personalise(image, full_name=holder.full_name, personal_number=holder.personal_number,
                                  pin=PIN, puk=PUK)
    return image


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_service_signs_and_an_officer_validates(client: TestClient, card: ChipImage) -> None:
    production = login(client, "xuong")
    answer = client.post("/api/v1/signing/sign", headers=production,
                         json={"pdf": b64(make_pdf()), "card_image": b64(card.to_bytes()), "pin": PIN,
                               "timestamp": True})
    assert answer.status_code == 200, answer.text
    signed = base64.b64decode(answer.json()["signed_pdf"])
    officer = login(client, "canbo.hn")
    report = client.post("/api/v1/signing/validate", headers={**officer, "content-type": "application/pdf"},
                         content=signed)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["valid"] is True
    assert body["signatures"][0]["level"] == "B-T"
    assert body["signatures"][0]["signer_id"] == "IDCVN-001093047064"

    tampered = signed.replace(b"Don xin", b"Ban xin", 1)
    report = client.post("/api/v1/signing/validate", headers=officer, content=tampered).json()
    assert report["valid"] is False
    assert "changed after it was signed" in report["reason"]


def test_wrong_pin_and_permissions_are_problems(client: TestClient, card: ChipImage) -> None:
    production = login(client, "xuong")
    wrong = client.post("/api/v1/signing/sign", headers=production,
                        json={"pdf": b64(make_pdf()), "card_image": b64(card.to_bytes()), "pin": "000000"})
    assert wrong.status_code == 403
    assert wrong.headers["content-type"] == "application/problem+json"
    problem = wrong.json()
    assert problem["code"] == "SIGN-010"
    assert problem["tries_left"] == 4
    after = ChipImage.from_bytes(base64.b64decode(problem["card_image"]))
    assert after.applications is not None
    assert after.applications.signing is not None
    assert after.applications.signing.pin.tries_left == 4
    assert "signed_pdf" not in problem

    registrar = login(client, "canbo.hn")
    refused = client.post("/api/v1/signing/sign", headers=registrar,
                          json={"pdf": b64(make_pdf()), "card_image": b64(card.to_bytes()), "pin": PIN})
    assert refused.status_code == 403
    assert refused.json()["code"] == "AUTH-403"

    junk = client.post("/api/v1/signing/validate", headers=registrar, content=b"GIF89a")
    assert junk.status_code == 422
    assert junk.json()["code"] == "SIGN-030"
    unsigned = client.post("/api/v1/signing/validate", headers=registrar, content=make_pdf())
    assert unsigned.json()["code"] == "SIGN-051"
    garbage = client.post("/api/v1/signing/sign", headers=production,
                          json={"pdf": "***", "card_image": b64(card.to_bytes()), "pin": PIN})
    assert garbage.status_code == 400


def test_ca_and_crl_follow_card_revocation(client: TestClient, card: ChipImage, container: Container) -> None:
    officer = login(client, "giamsat")
    ca = x509.load_pem_x509_certificate(client.get("/api/v1/signing/ca", headers=officer).content)
    assert ca.subject.rfc4514_string().startswith("CN=Citizen Signing CA VN")
    assert card.applications is not None
    assert card.applications.signing is not None
    serial = x509.load_der_x509_certificate(card.applications.signing.certificate).serial_number
    before = x509.load_der_x509_crl(client.get("/api/v1/signing/crl", headers=officer).content)
    assert before.get_revoked_certificate_by_serial_number(serial) is None
    container.signing.revoke_card(card.document_number)
    after = x509.load_der_x509_crl(client.get("/api/v1/signing/crl", headers=officer).content)
    assert after.get_revoked_certificate_by_serial_number(serial) is not None
    assert after.is_signature_valid(ca.public_key())


def test_otp_code_from_the_card_is_accepted_once(client: TestClient, container: Container) -> None:
    enrolment = container.otp.enrol("001093047064", "C01234567")
    officer = login(client, "canbo.hn")
    body = {"personal_number": "001093047064", "credential_id": "C01234567",
            "code": totp(enrolment.secret, int(time.time()))}
    first = client.post("/api/v1/otp/validate", headers=officer, json=body)
    assert first.status_code == 200, first.text
    assert first.json()["accepted"] is True
    again = client.post("/api/v1/otp/validate", headers=officer, json=body)
    assert again.status_code == 403
    assert again.json()["code"] == "OTP-011"
    unknown = client.post("/api/v1/otp/validate", headers=officer, json={**body, "credential_id": "nope"})
    assert unknown.json()["code"] == "OTP-020"
    logged = [r for r in container.audit.for_subject("001093047064") if r.action == "otp:code:validate"]
    assert sorted(r.outcome for r in logged) == ["OTP-011", "ok"]
    assert {r.actor for r in logged} == {"officer:canbo.hn"}
