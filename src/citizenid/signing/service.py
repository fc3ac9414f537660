"""The signing area's use cases: put the signature application on a card, sign PDFs with the card,
validate signed PDFs against the citizen signing CA.

Signing is refused before the card is asked for anything when the document is not a PDF or the card's
certificate is expired or revoked; a wrong or blocked PIN stops it at the card.  In every refusal no
signature is made and no bytes are returned.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from citizenid.chip.service import (
    CardApplications,
    ChipImage,
    InProcessTransport,
    SigningApplet,
    Transport,
    VirtualChip,
)
from citizenid.pki.service import PkiService
from citizenid.signing.card import CardSigner, SignatureCard, software_signer, to_asn1
from citizenid.signing.domain import SignatureReport, ValidationReport, explain_trust_problem
from citizenid.signing.errors import (
    CardNotPersonalised,
    CertificateExpired,
    CertificateNotUsable,
    CertificateRevoked,
    NoSignature,
    NotAPdf,
    SigningError,
    TimeStampFailed,
)
from citizenid.signing.tsa import KeyStoreTimeStamper

__all__ = [
    "CardSigner",
    "SignatureCard",
    "SignatureReport",
    "SigningService",
    "ValidationReport",
    "software_signer",
]

MAX_PDF_BYTES = 20 * 1024 * 1024


def utc_now() -> datetime:
    return datetime.now(UTC)


def _check_pdf(pdf: bytes) -> None:
    if len(pdf) > MAX_PDF_BYTES:
        raise NotAPdf(f"the document is larger than {MAX_PDF_BYTES // (1024 * 1024)} MiB")
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise NotAPdf("the document is not a PDF (no %PDF- header)")


class SigningService:
    def __init__(self, pki: PkiService, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._pki = pki
        self._clock = clock

    @property
    def _ca(self) -> x509.Certificate:
        return self._pki.citizen_signing.ensure()

    def chain(self) -> list[x509.Certificate]:
        return [self._ca]

    # -- production -----------------------------------------------------------------------------------

    def personalise(self, image: ChipImage, *, full_name: str, personal_number: str, pin: str, puk: str,
                    not_after: datetime | None = None) -> x509.Certificate:
        """Install the signature application: key made on the chip, certificate from the citizen CA."""
        try:
            applet = SigningApplet.create(pin, puk)
        except ValueError as error:
            raise SigningError(str(error)) from None
        public_key = applet.generate_key()
        self._ca  # noqa: B018 - create the CA before its first certificate
        certificate = self._pki.citizen_signing.issue(public_key, full_name=full_name, personal_number=personal_number,
                                                      card_number=image.document_number, not_after=not_after)
        applet.store_certificate(certificate.public_bytes(Encoding.DER))
        applications = image.applications or CardApplications()
        applications.signing = applet
        image.applications = applications
        return certificate

    def revoke_card(self, card_number: str) -> int:
        """The card was revoked (lost, stolen, replaced): its signing certificates go on the CRL now."""
        self._ca  # noqa: B018
        return self._pki.citizen_signing.revoke_card(card_number)

    def crl(self) -> x509.CertificateRevocationList:
        self._ca  # noqa: B018
        return self._pki.citizen_signing.crl()

    def time_stamper(self) -> KeyStoreTimeStamper:
        self._ca  # noqa: B018
        certificate, signer = self._pki.citizen_signing.time_stamping()
        return KeyStoreTimeStamper(certificate, signer, self.chain())

    # -- signing ----------------------------------------------------------------------------------------

    def check_certificate(self, certificate: x509.Certificate) -> None:
        """Refuse a certificate that is not ours, not valid now, or revoked."""
        ca = self._ca
        try:
            certificate.verify_directly_issued_by(ca)
        except (ValueError, TypeError, x509.verification.VerificationError) as error:
            raise CertificateNotUsable(f"the card's certificate is not from the citizen signing CA: {error}") from None
        except Exception:  # noqa: BLE001 - cryptography raises InvalidSignature for a bad signature
            raise CertificateNotUsable("the card's certificate is not from the citizen signing CA") from None
        now = self._clock()
        if now >= certificate.not_valid_after_utc:
            raise CertificateExpired(f"the card's signing certificate expired on "
                                     f"{certificate.not_valid_after_utc.date().isoformat()}")
        if now < certificate.not_valid_before_utc:
            raise CertificateNotUsable("the card's signing certificate is not valid yet")
        if self.crl().get_revoked_certificate_by_serial_number(certificate.serial_number) is not None:
            raise CertificateRevoked("the card's signing certificate is revoked: the card was revoked")

    def sign_pdf(self, pdf: bytes, card: SignatureCard, pin: str, *, timestamp: bool = False,
                 reason: str | None = None, location: str | None = None) -> bytes:
        """A PAdES signature (B-B; B-T with ``timestamp``) made by the card; returns the signed PDF."""
        _check_pdf(pdf)
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
            existing = len(list(fields.enumerate_sig_fields(writer.prev)))
        except (PdfError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise NotAPdf(f"the document is not a readable PDF: {error}") from None
        certificate = card.certificate()
        self.check_certificate(certificate)
        card.verify_pin(pin)
        metadata = signers.PdfSignatureMetadata(
            field_name=f"Signature{existing + 1}", md_algorithm="sha256", reason=reason, location=location,
            subfilter=fields.SigSeedSubFilter.PADES, use_pades_lta=False,
        )
        return self._sign(writer, metadata, CardSigner(card, certificate, self.chain()), timestamp)

    def _sign(self, writer: IncrementalPdfFileWriter, metadata: signers.PdfSignatureMetadata,
              signer: signers.Signer, timestamp: bool) -> bytes:
        timestamper = self.time_stamper() if timestamp else None
        try:
            out = signers.PdfSigner(metadata, signer=signer, timestamper=timestamper).sign_pdf(writer)
        except PyHankoSigningError as error:
            if timestamp and "timestamp" in str(error).lower():
                raise TimeStampFailed(str(error)) from None
            raise SigningError(f"the PDF could not be signed: {error}") from None
        except PdfError as error:
            raise NotAPdf(f"the document is not a readable PDF: {error}") from None
        assert isinstance(out, io.BytesIO)
        return out.getvalue()

    def sign_pdf_with_image(self, pdf: bytes, image: ChipImage, pin: str, *, timestamp: bool = False,
                            reason: str | None = None, location: str | None = None) -> bytes:
        """Sign through the virtual chip in process (the card image's PIN counter moves in ``image``)."""
        if image.applications is None or image.applications.signing is None:
            raise CardNotPersonalised("this card has no signature application")
        return self.sign_pdf(pdf, self.card(InProcessTransport(VirtualChip(image)), image.mrz_information), pin,
                             timestamp=timestamp, reason=reason, location=location)

    @staticmethod
    def card(transport: Transport, mrz_information: str, *, prefer_pace: bool = True) -> SignatureCard:
        return SignatureCard(transport, mrz_information, prefer_pace=prefer_pace)

    # -- validation --------------------------------------------------------------------------------------

    def validation_context(self) -> ValidationContext:
        return ValidationContext(trust_roots=[to_asn1(self._ca)],
                                 crls=[self.crl().public_bytes(Encoding.DER)],
                                 allow_fetching=False, revocation_mode="hard-fail")

    def validate_pdf(self, pdf: bytes) -> ValidationReport:
        """Validate every signature of a PDF against the citizen signing CA and its current CRL."""
        _check_pdf(pdf)
        try:
            embedded = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        except (PdfError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise NotAPdf(f"the document is not a readable PDF: {error}") from None
        if not embedded:
            raise NoSignature("the document carries no signature")
        reports = []
        for signature in embedded:
            try:
                status = validate_pdf_signature(signature, self.validation_context(), self.validation_context())
            except (PdfError, ValueError, KeyError, TypeError) as error:
                reports.append(SignatureReport(signature.field_name, False, f"the signature is malformed: {error}"))
                continue
            reports.append(_report(signature.field_name, status))
        return ValidationReport(tuple(reports))


def _report(field: str, status: PdfSignatureStatus) -> SignatureReport:
    whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    if not status.intact:
        reason = "the document was changed after it was signed"
    elif not status.valid:
        reason = "the signature value does not match the signer's key"
    elif not status.trusted:
        problem = status.trust_problem_indic
        indication = getattr(problem, "name", None) if problem is not None else None
        reason = explain_trust_problem(indication)
    elif not status.bottom_line:
        reason = "the document was modified after signing in a way the signature does not allow"
    else:
        reason = "valid"
    subject = status.signing_cert.subject.native
    stamp = status.timestamp_validity
    return SignatureReport(
        field=field, valid=status.bottom_line, reason=reason,
        signer=subject.get("common_name"), signer_id=subject.get("serial_number"),
        level="B-T" if stamp is not None else "B-B", signed_at=status.signer_reported_dt,
        timestamp=stamp.timestamp if stamp is not None else None, intact=status.intact, trusted=status.trusted,
        revoked=status.revoked, covers_whole_document=whole,
    )
