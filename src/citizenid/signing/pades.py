"""Everything that touches pyHanko: the card as a pyHanko signer, PAdES signing, validation.

Imported by :mod:`citizenid.signing.service` on first use only: pyHanko and its dependencies take a
third of a second to import, which every ``citizenid`` command would otherwise pay.

:class:`CardSigner` is a pyHanko ``Signer`` whose raw signature comes from the chip: pyHanko hashes the
signed attributes, the card signs the digest, and the private key never leaves the chip.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable
from typing import Any

from asn1crypto import algos, core, keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from citizenid.signing.card import SignatureCard
from citizenid.signing.domain import SignatureReport, ValidationReport, explain_trust_problem
from citizenid.signing.errors import NoSignature, NotAPdf, SigningError, TimeStampFailed


def _refresh_asn1crypto_name_maps() -> None:
    """pyHanko teaches asn1crypto new OID names on import (CAdES attributes, extensions), but asn1crypto
    caches each class's name -> OID map the first time it is used.  When the chip or the PKI used
    asn1crypto before pyHanko was imported, those caches lack the new names and pyHanko's own
    ``signing_certificate_v2`` fails to encode; rebuild every cache that is already built."""
    pending: list[type[Any]] = [core.ObjectIdentifier]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        mapping = cls.__dict__.get("_map") or getattr(cls, "_map", None)
        if mapping and cls._reverse_map is not None and len(cls._reverse_map) != len(mapping):
            cls._reverse_map = {name: oid for oid, name in mapping.items()}


_refresh_asn1crypto_name_maps()

# pyHanko logs every signature that fails validation as a warning with a traceback.  An invalid signature
# is an answer here, given in words in the report, not an incident for the operator's log.
logging.getLogger("pyhanko.sign.validation").setLevel(logging.ERROR)

# pyHanko leaves this constructor untyped; the annotation states what it returns.
_certificate_store: Callable[[list[asn1_x509.Certificate]], SimpleCertificateStore] = SimpleCertificateStore.from_certs
_DRY_RUN_SIGNATURE = bytes(72)  # the longest DER ECDSA-P256 signature
_SHA256_ECDSA = {"algorithm": "sha256_ecdsa"}
_UNREADABLE = (PdfError, ValueError, KeyError, TypeError, AttributeError, IndexError)


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))


class CardSigner(signers.Signer):
    """pyHanko signs; the card computes the raw ECDSA signature.  The PIN must be verified first."""

    def __init__(self, card: SignatureCard, certificate: x509.Certificate, chain: list[x509.Certificate]) -> None:
        super().__init__(
            signing_cert=to_asn1(certificate),
            cert_registry=_certificate_store([to_asn1(c) for c in chain]),
            signature_mechanism=algos.SignedDigestAlgorithm(_SHA256_ECDSA),
        )
        self._card = card

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if digest_algorithm != "sha256":
            raise SigningError("the card signs SHA-256 digests only")
        if dry_run:
            return _DRY_RUN_SIGNATURE
        return self._card.sign_digest(hashlib.sha256(data).digest())


def software_signer(key: Any, certificate: x509.Certificate, chain: list[x509.Certificate]) -> signers.Signer:
    """A pyHanko signer over an in-memory key: the benchmark's baseline, never used for citizens."""
    der = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    return signers.SimpleSigner(to_asn1(certificate), keys.PrivateKeyInfo.load(der),
                                _certificate_store([to_asn1(c) for c in chain]),
                                signature_mechanism=algos.SignedDigestAlgorithm(_SHA256_ECDSA))


def open_for_signing(pdf: bytes) -> tuple[IncrementalPdfFileWriter, str]:
    """The PDF opened for an incremental update, and the name of the next free signature field."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        existing = len(list(fields.enumerate_sig_fields(writer.prev)))
    except _UNREADABLE as error:
        raise NotAPdf(f"the document is not a readable PDF: {error}") from None
    return writer, f"Signature{existing + 1}"


def sign(writer: IncrementalPdfFileWriter, field: str, signer: signers.Signer, timestamper: TimeStamper | None, *,
         reason: str | None = None, location: str | None = None) -> bytes:
    metadata = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256", reason=reason, location=location,
                                            subfilter=fields.SigSeedSubFilter.PADES, use_pades_lta=False)
    try:
        out = signers.PdfSigner(metadata, signer=signer, timestamper=timestamper).sign_pdf(writer)
    except PyHankoSigningError as error:
        if timestamper is not None and "timestamp" in str(error).lower():
            raise TimeStampFailed(str(error)) from None
        raise SigningError(f"the PDF could not be signed: {error}") from None
    except PdfError as error:
        raise NotAPdf(f"the document is not a readable PDF: {error}") from None
    assert isinstance(out, io.BytesIO)
    return out.getvalue()


def validate(pdf: bytes, trust_root: x509.Certificate, crl_der: bytes) -> ValidationReport:
    """Every signature against one trust root and its CRL, revocation hard-fail, nothing fetched."""
    try:
        embedded = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except _UNREADABLE as error:
        raise NotAPdf(f"the document is not a readable PDF: {error}") from None
    if not embedded:
        raise NoSignature("the document carries no signature")

    def context() -> ValidationContext:
        return ValidationContext(trust_roots=[to_asn1(trust_root)], crls=[crl_der], allow_fetching=False,
                                 revocation_mode="hard-fail")

    reports = []
    for signature in embedded:
        try:
            status = validate_pdf_signature(signature, context(), context())
        except _UNREADABLE as error:
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
        reason = explain_trust_problem(getattr(problem, "name", None) if problem is not None else None)
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
