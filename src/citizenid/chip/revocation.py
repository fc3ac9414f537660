"""Signed lists of revoked cards, for verifiers that check cards offline.

A CRL only revokes certificates; a lost or revoked card is a document number.  The issuer publishes
those numbers as CMS SignedData (signed by the masterlist signer, so it chains to the CSCA) over::

    DocumentRevocationList ::= SEQUENCE {
        thisUpdate  GeneralizedTime,
        nextUpdate  GeneralizedTime,
        revoked     SEQUENCE OF PrintableString }   -- document numbers, sorted

The content type is citizenid's own OID under the UUID arc (ITU-T X.667), which needs no registration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from citizenid.chip import der
from citizenid.chip.der import PRINTABLE_STRING, SEQUENCE, tlv
from citizenid.chip.errors import LdsError
from citizenid.pki.errors import PkiError
from citizenid.pki.service import open_cms

OID_DOCUMENT_REVOCATION_LIST = "2.25.247702374932151592208433906244744419083"
_GENERALIZED_TIME = 0x18
_NUMBER = re.compile(r"[0-9A-Z]{1,20}")


@dataclass(frozen=True, slots=True)
class DocumentRevocationList:
    this_update: datetime
    next_update: datetime
    revoked: frozenset[str]


def _time(value: datetime) -> bytes:
    return tlv(_GENERALIZED_TIME, value.astimezone(UTC).strftime("%Y%m%d%H%M%SZ").encode("ascii"))


def _parse_time(value: bytes) -> datetime:
    try:
        return datetime.strptime(value.decode("ascii"), "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)
    except (UnicodeDecodeError, ValueError):
        raise LdsError("revocation list time is not GeneralizedTime YYYYMMDDHHMMSSZ") from None


def encode_revocation_list(revoked: frozenset[str], this_update: datetime, next_update: datetime) -> bytes:
    for number in revoked:
        if not _NUMBER.fullmatch(number):
            raise LdsError(f"{number!r} is not a document number")
    numbers = b"".join(tlv(PRINTABLE_STRING, n.encode("ascii")) for n in sorted(revoked))
    return tlv(SEQUENCE, _time(this_update) + _time(next_update) + tlv(SEQUENCE, numbers))


def decode_revocation_list(data: bytes) -> DocumentRevocationList:
    parts = der.children(der.unwrap(data, SEQUENCE))
    if len(parts) != 3 or [t for t, _ in parts] != [_GENERALIZED_TIME, _GENERALIZED_TIME, SEQUENCE]:
        raise LdsError("not a document revocation list")
    numbers = set()
    for tag, value in der.children(parts[2][1]):
        if tag != PRINTABLE_STRING or not _NUMBER.fullmatch(value.decode("latin-1")):
            raise LdsError("revoked document numbers are PrintableStrings of 0-9 and A-Z")
        numbers.add(value.decode("ascii"))
    return DocumentRevocationList(_parse_time(parts[0][1]), _parse_time(parts[1][1]), frozenset(numbers))


def read_revocation_list(signed: bytes, cscas: list[x509.Certificate]) -> DocumentRevocationList:
    """Open a signed revocation list; its signer must be issued by one of ``cscas``."""
    try:
        opened = open_cms(signed)
    except PkiError as error:
        raise LdsError(f"revocation list is not signed data: {error.detail}") from None
    if opened.content_type != OID_DOCUMENT_REVOCATION_LIST:
        raise LdsError("signed data does not hold a document revocation list")
    if not opened.signature_valid:
        raise LdsError("revocation list signature does not verify")
    signer = opened.signer_certificate
    if not any(_issued_by(signer, csca) for csca in cscas):
        raise LdsError("revocation list is not signed under a trusted CSCA")
    return decode_revocation_list(opened.content)


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    if certificate.issuer != issuer.subject:
        return False
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
