"""CMS SignedData (RFC 5652) as ICAO 9303 uses it: one signer, SHA-256, signed attributes.

:func:`sign_cms` builds one with asn1crypto (masterlists, revocation lists); :func:`open_cms`
parses one and checks its signature, returning the content, its type and the signer certificate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from citizenid.pki.errors import CmsError
from citizenid.pki.keystore import Signer, verify_signature


def _signature_algorithm(signer: Signer) -> str:
    return "sha256_ecdsa" if signer.algorithm.is_ec else "sha256_rsa"


def sign_cms(content_type: str, content: bytes, signer: Signer, certificate: x509.Certificate,
             signing_time: datetime | None = None) -> bytes:
    """DER ContentInfo{SignedData} over ``content`` (dotted OID ``content_type``), certificate included."""
    cert = asn1_cms.Certificate.load(certificate.public_bytes(Encoding.DER))
    attrs = [
        {"type": "content_type", "values": [content_type]},
        {"type": "message_digest", "values": [hashlib.sha256(content).digest()]},
    ]
    if signing_time is not None:
        attrs.append({"type": "signing_time", "values": [asn1_cms.Time({"utc_time": signing_time})]})
    signed_attrs = asn1_cms.CMSAttributes(attrs)
    to_sign = b"\x31" + signed_attrs.dump()[1:]
    signer_info = asn1_cms.SignerInfo({
        "version": "v1",
        "sid": asn1_cms.SignerIdentifier({"issuer_and_serial_number": asn1_cms.IssuerAndSerialNumber({
            "issuer": cert.issuer, "serial_number": cert.serial_number})}),
        "digest_algorithm": {"algorithm": "sha256"},
        "signed_attrs": signed_attrs,
        "signature_algorithm": {"algorithm": _signature_algorithm(signer)},
        "signature": signer.sign(to_sign),
    })
    signed = asn1_cms.SignedData({
        "version": "v3",
        "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {"content_type": content_type,
                               "content": asn1_core.ParsableOctetString(content)},
        "certificates": [cert],
        "signer_infos": [signer_info],
    })
    return bytes(asn1_cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump())


@dataclass(frozen=True, slots=True)
class OpenedCms:
    content_type: str
    content: bytes
    signer_certificate: x509.Certificate
    signature_valid: bool


def open_cms(der: bytes) -> OpenedCms:
    """Parse ContentInfo{SignedData}; check the signed attributes and the signature with the embedded cert.

    Raises :class:`CmsError` for anything that is not a one-signer SignedData; a wrong signature is
    reported in ``signature_valid`` so the caller can say which check failed.
    """
    try:
        info = asn1_cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise CmsError("not a CMS SignedData")
        signed = info["content"]
        encap = signed["encap_content_info"]
        content_type = encap["content_type"].dotted
        content = encap["content"].contents if encap["content"].native is not None else b""
        certs = signed["certificates"]
        infos = signed["signer_infos"]
        if len(infos) != 1 or not certs or len(certs) < 1:
            raise CmsError("expected exactly one signer and its certificate")
        signer_info = infos[0]
        sid = signer_info["sid"]
        certificate = None
        for choice in certs:
            cert = choice.chosen
            if sid.name == "issuer_and_serial_number":
                match = (cert.issuer == sid.chosen["issuer"]
                         and cert.serial_number == sid.chosen["serial_number"].native)
            else:
                match = cert.key_identifier == sid.chosen.native
            if match:
                certificate = x509.load_der_x509_certificate(cert.dump())
        if certificate is None:
            raise CmsError("the signer's certificate is not in the SignedData")
        if signer_info["digest_algorithm"]["algorithm"].native != "sha256":
            raise CmsError("only SHA-256 signed data is accepted")
        attrs = signer_info["signed_attrs"]
        values = {a["type"].native: a["values"][0] for a in attrs}
        digest_ok = (values.get("message_digest") is not None
                     and values["message_digest"].native == hashlib.sha256(content).digest())
        type_ok = values.get("content_type") is not None and values["content_type"].dotted == content_type
        signed_bytes = b"\x31" + attrs.dump()[1:]
        signature = signer_info["signature"].native
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise CmsError(f"malformed CMS SignedData: {error}") from None
    valid = digest_ok and type_ok and verify_signature(certificate.public_key(), signature, signed_bytes)
    return OpenedCms(content_type, bytes(content), certificate, valid)
