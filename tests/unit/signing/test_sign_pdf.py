"""PAdES signing through the virtual chip and validation against the citizen signing CA."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509

from citizenid.chip.image import ChipImage, personalise
from citizenid.pki.service import PkiService
from citizenid.signing.errors import (
    CardNotPersonalised,
    CertificateExpired,
    CertificateRevoked,
    NoSignature,
    NotAPdf,
    PinBlocked,
    WrongPin,
)
from citizenid.signing.service import SigningService, card_expiry
from tests.unit.chip.conftest import FACE, make_holder

from .conftest import PIN, PUK, make_pdf


def test_b_b_signature_made_by_the_card_validates(signing: SigningService, card_image: ChipImage, pdf: bytes) -> None:
    signed = signing.sign_pdf_with_image(pdf, card_image, PIN, reason="Xác nhận", location="Hà Nội")
    assert signed.startswith(pdf)  # an incremental update: the original bytes are untouched
    report = signing.validate_pdf(signed)
    assert report.valid, report.as_dict()
    [signature] = report.signatures
    assert signature.level == "B-B"
    assert signature.signer == "Ưng Hoàng Hiệp"
    assert signature.signer_id == "IDCVN-001093047064"
    assert signature.covers_whole_document


def test_b_t_signature_carries_a_time_stamp_from_the_project_tsa(signing: SigningService, card_image: ChipImage,
                                                                 pdf: bytes) -> None:
    signed = signing.sign_pdf_with_image(pdf, card_image, PIN, timestamp=True)
    report = signing.validate_pdf(signed)
    assert report.valid, report.as_dict()
    [signature] = report.signatures
    assert signature.level == "B-T"
    assert signature.timestamp is not None
    assert abs(signature.timestamp - datetime.now(UTC)) < timedelta(minutes=1)


def test_signing_certificate_has_qualified_style_key_usage(signing: SigningService, card_image: ChipImage) -> None:
    assert card_image.applications is not None
    assert card_image.applications.signing is not None
    cert = x509.load_der_x509_certificate(card_image.applications.signing.certificate)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature
    assert usage.value.content_commitment
    assert not usage.value.key_cert_sign
    ca = signing.chain()[0]
    cert.verify_directly_issued_by(ca)
    assert ca.subject != signing._pki.csca_certificates()[0].subject  # a CA of its own, not the CSCA


def test_a_tampered_pdf_is_invalid(signing: SigningService, card_image: ChipImage, pdf: bytes) -> None:
    signed = bytearray(signing.sign_pdf_with_image(pdf, card_image, PIN))
    position = signed.index(b"Don xin")
    signed[position : position + 3] = b"Ban"  # same length: only the signed bytes change
    report = signing.validate_pdf(bytes(signed))
    assert not report.valid
    assert report.signatures[0].reason == "the document was changed after it was signed"


def test_a_revoked_card_cannot_sign_and_its_signatures_stop_validating(
    signing: SigningService, card_image: ChipImage, pdf: bytes
) -> None:
    signed = signing.sign_pdf_with_image(pdf, card_image, PIN)
    assert signing.validate_pdf(signed).valid
    assert signing.revoke_card(card_image.document_number) >= 1
    report = signing.validate_pdf(signed)
    assert not report.valid
    assert report.signatures[0].reason == "the signer's certificate is revoked (the card was revoked)"
    assert report.signatures[0].revoked
    with pytest.raises(CertificateRevoked):
        signing.sign_pdf_with_image(pdf, card_image, PIN)


def test_wrong_pin_signs_nothing_and_five_block_the_card(signing: SigningService, card_image: ChipImage,
                                                         pdf: bytes) -> None:
    for tries_left in (4, 3, 2, 1):
        with pytest.raises(WrongPin) as caught:
            signing.sign_pdf_with_image(pdf, card_image, "000000")
        assert caught.value.tries_left == tries_left
    with pytest.raises(PinBlocked):
        signing.sign_pdf_with_image(pdf, card_image, "000000")
    with pytest.raises(PinBlocked):
        signing.sign_pdf_with_image(pdf, card_image, PIN)  # the right PIN no longer helps


def test_not_a_pdf_is_refused_before_the_card_is_asked(signing: SigningService, card_image: ChipImage) -> None:
    assert card_image.applications is not None
    assert card_image.applications.signing is not None
    before = card_image.applications.signing.pin.tries_left
    for junk in (b"", b"hello", b"%PDF-1.7\nnot really a pdf", b"\x89PNG\r\n\x1a\n" + bytes(100)):
        with pytest.raises(NotAPdf):
            signing.sign_pdf_with_image(junk, card_image, "000000")
        with pytest.raises(NotAPdf):
            signing.validate_pdf(junk)
    assert card_image.applications.signing.pin.tries_left == before


def test_an_unsigned_pdf_has_no_signature_to_validate(signing: SigningService) -> None:
    with pytest.raises(NoSignature):
        signing.validate_pdf(make_pdf())


def test_an_expired_certificate_signs_nothing(pki: PkiService, card_image: ChipImage, pdf: bytes) -> None:
    later = SigningService(pki, clock=lambda: datetime.now(UTC) + timedelta(days=6 * 365))
    with pytest.raises(CertificateExpired):
        later.sign_pdf_with_image(pdf, card_image, PIN)


def test_a_card_without_the_application_is_refused(signing: SigningService, card_image: ChipImage,
                                                   pdf: bytes) -> None:
    card_image.applications = None
    with pytest.raises(CardNotPersonalised):
        signing.sign_pdf_with_image(pdf, card_image, PIN)


def test_two_signatures_on_one_document(signing: SigningService, card_image: ChipImage, pdf: bytes) -> None:
    once = signing.sign_pdf_with_image(pdf, card_image, PIN)
    twice = signing.sign_pdf_with_image(once, card_image, PIN, timestamp=True)
    report = signing.validate_pdf(twice)
    assert [s.field for s in report.signatures] == ["Signature1", "Signature2"]
    assert report.valid, report.as_dict()
    assert PUK


def test_the_certificate_ends_with_the_card(pki: PkiService, signing: SigningService) -> None:
    assert card_expiry(make_holder().mrz().mrz_information()) == datetime(2033, 1, 5, 23, 59, 59, tzinfo=UTC)
    # "Không thời hạn" is 991231 in the MRZ: the certificate's own five years then decide.
    assert card_expiry(make_holder(expiry_date=None).mrz().mrz_information()) == datetime(2099, 12, 31, 23, 59, 59,
                                                                                         tzinfo=UTC)
    assert card_expiry("093047064193010545<<<<<<2") is None
    soon = datetime.now(UTC).date() + timedelta(days=400)
    holder = make_holder(expiry_date=soon)
    image = personalise(holder, FACE, pki.document_signer())
    certificate = signing.personalise(image, full_name=holder.full_name, personal_number=holder.personal_number,
                                      pin=PIN, puk=PUK)
    assert certificate.not_valid_after_utc.date() == soon
    expired = personalise(make_holder(issue_date=datetime(2010, 1, 1, tzinfo=UTC).date(),
                                      expiry_date=datetime(2020, 1, 1, tzinfo=UTC).date()), FACE, pki.document_signer())
    with pytest.raises(CertificateExpired):
        signing.personalise(expired, full_name="X", personal_number=holder.personal_number, pin=PIN, puk=PUK)
    assert expired.applications is None


def test_signing_works_when_asn1crypto_was_used_before_pyhanko_was_imported(tmp_path: Path) -> None:
    # A fresh interpreter, so that the chip builds CMS attributes before pyHanko is first imported.
    script = """
import sys
from pathlib import Path
from citizenid.chip.image import personalise
from citizenid.pki.service import MemoryKeyStore, PkiService
from citizenid.signing.service import SigningService
from tests.unit.chip.conftest import FACE, make_holder
from tests.unit.signing.conftest import make_pdf
assert "pyhanko" not in sys.modules
pki = PkiService(MemoryKeyStore(), Path(sys.argv[1]))
pki.init()
image = personalise(make_holder(), FACE, pki.document_signer())
service = SigningService(pki)
service.personalise(image, full_name="A", personal_number="001093047064", pin="123456", puk="87654321")
assert service.validate_pdf(service.sign_pdf_with_image(make_pdf(), image, "123456", timestamp=True)).valid
"""
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "pki")], cwd=root, capture_output=True,
                            text=True, timeout=120, check=False,
                            env={**os.environ, "PYTHONPATH": f"{root / 'src'}{os.pathsep}{root}"})
    assert result.returncode == 0, result.stderr[-2000:]
