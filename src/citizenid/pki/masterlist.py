"""The CSCA masterlist (ICAO 9303 part 12, 9): every CSCA and link certificate, signed, for verifiers."""

from __future__ import annotations

from datetime import datetime

from asn1crypto import core as asn1_core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from citizenid.pki.certificates import OID_MASTERLIST_SIGNING
from citizenid.pki.cms import open_cms, sign_cms
from citizenid.pki.errors import CmsError, MasterlistError
from citizenid.pki.keystore import Signer

OID_CSCA_MASTERLIST = "2.23.136.1.1.2"


class _CertificateSet(asn1_core.SetOf):  # type: ignore[misc]
    _child_spec = asn1_x509.Certificate


class _CscaMasterList(asn1_core.Sequence):  # type: ignore[misc]
    _fields = [("version", asn1_core.Integer), ("cert_list", _CertificateSet)]  # noqa: RUF012 - asn1crypto declares fields as a list


def build_masterlist(certificates: list[x509.Certificate], signer: Signer, signer_certificate: x509.Certificate,
                     signing_time: datetime) -> bytes:
    content = _CscaMasterList({
        "version": 0,
        "cert_list": [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in certificates],
    }).dump()
    return sign_cms(OID_CSCA_MASTERLIST, content, signer, signer_certificate, signing_time)


def read_masterlist(der: bytes, trust_anchor: x509.Certificate | None = None) -> list[x509.Certificate]:
    """The certificates of a masterlist whose signature and signer chain check out.

    The signer must be issued by a CSCA in the list; with ``trust_anchor`` that CSCA must be the anchor
    (the verifier's out-of-band copy of its own country's CSCA).
    """
    try:
        opened = open_cms(der)
    except CmsError as error:
        raise MasterlistError(f"masterlist is not valid signed data: {error.detail}") from None
    if opened.content_type != OID_CSCA_MASTERLIST:
        raise MasterlistError("signed data does not hold a CSCA masterlist")
    if not opened.signature_valid:
        raise MasterlistError("masterlist signature does not verify")
    try:
        parsed = _CscaMasterList.load(opened.content, strict=True)
        certificates = [x509.load_der_x509_certificate(c.dump()) for c in parsed["cert_list"]]
    except ValueError as error:
        raise MasterlistError(f"masterlist content is malformed: {error}") from None
    signer = opened.signer_certificate
    try:
        usage = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        raise MasterlistError("masterlist signer lacks the masterlist-signing key purpose") from None
    if x509.ObjectIdentifier(OID_MASTERLIST_SIGNING.dotted_string) not in usage:
        raise MasterlistError("masterlist signer lacks the masterlist-signing key purpose")
    trusted = certificates if trust_anchor is None else _reachable(trust_anchor, certificates)
    for csca in trusted:
        if _issued_by(signer, csca):
            return trusted
    raise MasterlistError("masterlist signer is not issued by a trusted CSCA")


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    if certificate.issuer != issuer.subject:
        return False
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _reachable(anchor: x509.Certificate, certificates: list[x509.Certificate]) -> list[x509.Certificate]:
    """The anchor and every CSCA that link certificates lead to from it, with those link certificates.

    A verifier that pinned an old CSCA follows the rollover chain: old CSCA → link → new CSCA → link → …
    """
    trusted = [anchor]
    keys = {_key_id(anchor)}
    changed = True
    while changed:
        changed = False
        for cert in certificates:
            if cert in trusted:
                continue
            is_link = cert.issuer != cert.subject and any(_issued_by(cert, t) for t in trusted)
            is_linked_csca = cert.issuer == cert.subject and _key_id(cert) in keys
            if is_link or is_linked_csca:
                trusted.append(cert)
                keys.add(_key_id(cert))
                changed = True
    return trusted


def _key_id(certificate: x509.Certificate) -> bytes:
    return certificate.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
