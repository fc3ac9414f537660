"""The signing area's use cases: put the signature application on a card, sign PDFs with the card,
validate signed PDFs against the citizen signing CA.

Signing is refused before the card is asked for anything when the document is not a PDF or the card's
certificate is expired or revoked; a wrong or blocked PIN stops it at the card.  In every refusal no
signature is made and no bytes are returned.  pyHanko is imported on first use (see ``pades``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding

from citizenid.chip.service import (
    CardApplications,
    ChipImage,
    InProcessTransport,
    SigningApplet,
    Transport,
    VirtualChip,
)
from citizenid.pki.service import CitizenSigningAuthority, PkiService
from citizenid.signing.card import SignatureCard
from citizenid.signing.domain import SignatureReport, ValidationReport
from citizenid.signing.errors import (
    CardNotPersonalised,
    CertificateExpired,
    CertificateNotUsable,
    CertificateRevoked,
    NotAPdf,
    SigningError,
)

if TYPE_CHECKING:
    from citizenid.signing.tsa import KeyStoreTimeStamper

__all__ = [
    "SignatureCard",
    "SignatureReport",
    "SigningService",
    "ValidationReport",
]

MAX_PDF_BYTES = 20 * 1024 * 1024


def utc_now() -> datetime:
    return datetime.now(UTC)


def _check_pdf(pdf: bytes) -> None:
    if len(pdf) > MAX_PDF_BYTES:
        raise NotAPdf(f"the document is larger than {MAX_PDF_BYTES // (1024 * 1024)} MiB")
    if pdf.lstrip()[:5] != b"%PDF-":
        raise NotAPdf("the document is not a PDF (no %PDF- header)")


def card_expiry(mrz_information: str) -> datetime | None:
    """The end of the card's validity from its MRZ information (YYMMDD after the birth date), if any."""
    raw = mrz_information[17:23]
    if not raw.isdigit():
        return None  # "Không thời hạn": no expiry in the MRZ
    try:
        day = date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:6]))
    except ValueError:
        return None
    return datetime.combine(day, time(23, 59, 59), UTC)


class SigningService:
    def __init__(self, pki: PkiService, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._pki = pki
        self._clock = clock

    def _authority(self) -> CitizenSigningAuthority:
        authority = self._pki.citizen_signing
        authority.ensure()  # the CA and its TSA are made on first use
        return authority

    def chain(self) -> list[x509.Certificate]:
        return [self._authority().certificate]

    # -- production -----------------------------------------------------------------------------------

    def personalise(self, image: ChipImage, *, full_name: str, personal_number: str, pin: str, puk: str,
                    not_after: datetime | None = None) -> x509.Certificate:
        """Install the signature application: key made on the chip, certificate from the citizen CA that
        ends with the card (``not_after``, else the expiry in the card's MRZ)."""
        try:
            applet = SigningApplet.create(pin, puk)
        except ValueError as error:
            raise SigningError(str(error)) from None
        end = not_after or card_expiry(image.mrz_information)
        if end is not None and end <= self._clock():
            raise CertificateExpired("the card has expired: it gets no signing certificate")
        public_key = applet.generate_key()
        certificate = self._authority().issue(public_key, full_name=full_name, personal_number=personal_number,
                                              card_number=image.document_number, not_after=end)
        applet.store_certificate(certificate.public_bytes(Encoding.DER))
        applications = image.applications or CardApplications()
        applications.signing = applet
        image.applications = applications
        return certificate

    def revoke_card(self, card_number: str) -> int:
        """The card was revoked (lost, stolen, replaced): its signing certificates go on the CRL now."""
        return self._authority().revoke_card(card_number)

    def crl(self) -> x509.CertificateRevocationList:
        return self._authority().crl()

    def time_stamper(self) -> KeyStoreTimeStamper:
        from citizenid.signing.tsa import KeyStoreTimeStamper  # noqa: PLC0415 - pyHanko on first use

        certificate, signer = self._authority().time_stamping()
        return KeyStoreTimeStamper(certificate, signer, self.chain())

    # -- signing ----------------------------------------------------------------------------------------

    def check_certificate(self, certificate: x509.Certificate) -> None:
        """Refuse a certificate that is not ours, not valid now, or revoked."""
        try:
            certificate.verify_directly_issued_by(self.chain()[0])
        except (ValueError, TypeError, InvalidSignature):
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
        from citizenid.signing import pades  # noqa: PLC0415 - pyHanko on first use

        _check_pdf(pdf)
        writer, field = pades.open_for_signing(pdf)
        certificate = card.certificate()
        self.check_certificate(certificate)
        card.verify_pin(pin)
        signer = pades.CardSigner(card, certificate, self.chain())
        return pades.sign(writer, field, signer, self.time_stamper() if timestamp else None, reason=reason,
                          location=location)

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

    def validate_pdf(self, pdf: bytes) -> ValidationReport:
        """Validate every signature of a PDF against the citizen signing CA and its current CRL."""
        from citizenid.signing import pades  # noqa: PLC0415 - pyHanko on first use

        _check_pdf(pdf)
        return pades.validate(pdf, self.chain()[0], self.crl().public_bytes(Encoding.DER))
