"""EF.SOD: CMS SignedData over the LDS security object (ICAO 9303 part 10 4.6.2, RFC 5652).

:func:`build_sod` is the personalisation hot path: everything that depends only on the document signer
is encoded once per signer and cached, leaving two hashes, a signature and some concatenation per chip.
:func:`parse_sod` decodes strictly and :func:`SecurityObject.verify_signature` checks the signature.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from citizenid.chip import der
from citizenid.chip.der import INTEGER, NULL, OCTET_STRING, OID, SEQUENCE, SET, tlv
from citizenid.chip.errors import LdsError
from citizenid.chip.lds import TAG_SOD
from citizenid.pki.service import verify_signature

OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"
OID_SHA256 = "2.16.840.1.101.3.4.2.1"
OID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2"
OID_RSA_SHA256 = "1.2.840.113549.1.1.11"

_SHA256_ALG = tlv(SEQUENCE, der.oid(OID_SHA256))
_LDS_OID = der.oid(OID_LDS_SECURITY_OBJECT)
_CONTENT_TYPE_ATTR = tlv(SEQUENCE, der.oid(OID_CONTENT_TYPE) + tlv(SET, _LDS_OID))
_DIGEST_ATTR_HEAD = der.oid(OID_MESSAGE_DIGEST)


class SodSigner(Protocol):
    """What signs an SOD: a document signer from :mod:`citizenid.pki.service`."""

    @property
    def certificate(self) -> x509.Certificate: ...

    @property
    def certificate_der(self) -> bytes: ...

    def sign(self, data: bytes) -> bytes: ...


# DataGroupHash ::= SEQUENCE { INTEGER n, OCTET STRING (32 bytes) }: fixed size with SHA-256.
_DG_HASH_HEAD = {n: bytes((SEQUENCE, 0x25, INTEGER, 1, n, OCTET_STRING, 0x20)) for n in range(1, 17)}
_LDS_HEAD = der.integer(0) + _SHA256_ALG


def lds_security_object(hashes: dict[int, bytes]) -> bytes:
    for digest in hashes.values():
        if len(digest) != 32:
            raise ValueError("data group hashes are SHA-256")
    groups = b"".join([_DG_HASH_HEAD[n] + hashes[n] for n in sorted(hashes)])
    return tlv(SEQUENCE, _LDS_HEAD + tlv(SEQUENCE, groups))


def signed_attributes(content: bytes) -> bytes:
    """The DER SET of signed attributes, exactly the bytes the signature covers."""
    digest_attr = tlv(SEQUENCE, _DIGEST_ATTR_HEAD + tlv(SET, tlv(OCTET_STRING, hashlib.sha256(content).digest())))
    return tlv(SET, _CONTENT_TYPE_ATTR + digest_attr)


@lru_cache(maxsize=16)
def _signer_parts(certificate_der: bytes) -> tuple[bytes, bytes]:
    """(the SignedData fields before the SignerInfo's signed attributes, the signature algorithm)."""
    cert = x509.load_der_x509_certificate(certificate_der)
    sid = tlv(SEQUENCE, cert.issuer.public_bytes() + der.integer(cert.serial_number))
    if isinstance(cert.public_key(), ec.EllipticCurvePublicKey):
        sig_alg = tlv(SEQUENCE, der.oid(OID_ECDSA_SHA256))
    else:
        sig_alg = tlv(SEQUENCE, der.oid(OID_RSA_SHA256) + tlv(NULL, b""))
    return sid, sig_alg


def _assemble(content: bytes, attrs: bytes, signature: bytes, cert_der: bytes) -> bytes:
    """EF.SOD from its three variable parts; ``attrs`` is the DER SET the signature covers."""
    sid, sig_alg = _signer_parts(cert_der)
    signer_info = tlv(SEQUENCE, b"".join((
        der.integer(1), sid, _SHA256_ALG, b"\xa0" + attrs[1:], sig_alg, tlv(OCTET_STRING, signature),
    )))
    signed_data = tlv(SEQUENCE, b"".join((
        der.integer(3),
        tlv(SET, _SHA256_ALG),
        tlv(SEQUENCE, _LDS_OID + tlv(0xA0, tlv(OCTET_STRING, content))),
        tlv(0xA0, cert_der),
        tlv(SET, signer_info),
    )))
    content_info = tlv(SEQUENCE, der.oid(OID_SIGNED_DATA) + tlv(0xA0, signed_data))
    return tlv(TAG_SOD, content_info)


@lru_cache(maxsize=64)
def _template(cert_der: bytes, content_size: int, attrs_size: int, signature_size: int) -> tuple[bytes, bytes, bytes]:
    """The constant bytes around content, signed attributes and signature for one signer and these sizes.

    Every length in EF.SOD follows from the three sizes, so the frame is encoded once (with random
    stand-ins, located by search) and personalisation only concatenates.
    """
    content, attrs, signature = (secrets.token_bytes(n) for n in (content_size, attrs_size, signature_size))
    frame = _assemble(content, attrs, signature, cert_der)
    at_content = frame.index(content)
    at_attrs = frame.index(attrs[1:], at_content + content_size)
    at_signature = len(frame) - signature_size
    return (frame[:at_content], frame[at_content + content_size : at_attrs],
            frame[at_attrs + attrs_size - 1 : at_signature])


def build_sod(data_groups: dict[int, bytes], signer: SodSigner) -> bytes:
    """EF.SOD over the whole encoded data groups ``{number: bytes}``, signed by ``signer``."""
    sha256 = hashlib.sha256
    content = lds_security_object({n: sha256(dg).digest() for n, dg in data_groups.items()})
    attrs = signed_attributes(content)
    signature = signer.sign(attrs)
    head, middle, before_signature = _template(signer.certificate_der, len(content), len(attrs), len(signature))
    return b"".join((head, content, middle, attrs[1:], before_signature, signature))


@lru_cache(maxsize=64)
def _load_certificate(data: bytes) -> x509.Certificate:
    """Document signer certificates repeat across millions of cards: parse each once."""
    return x509.load_der_x509_certificate(data)


@dataclass(frozen=True, slots=True)
class SecurityObject:
    """A decoded EF.SOD: the data-group hashes, the signer certificate and what its signature covers."""

    hashes: dict[int, bytes]
    hash_algorithm: str
    certificate: x509.Certificate
    signed_attributes: bytes
    signature: bytes
    content_digest_ok: bool

    def verify_signature(self) -> bool:
        return self.content_digest_ok and verify_signature(
            self.certificate.public_key(), self.signature, self.signed_attributes
        )


def _expect(parts: list[tuple[int, bytes, bytes]], index: int, tag: int, what: str) -> bytes:
    if index >= len(parts) or parts[index][0] != tag:
        raise LdsError(f"EF.SOD: {what} missing or of the wrong type")
    return parts[index][1]


def parse_sod(data: bytes) -> SecurityObject:
    """Decode EF.SOD strictly; raises :class:`LdsError` for anything but a one-signer LDS SignedData."""
    info = der.children_raw(der.unwrap(der.unwrap(data, TAG_SOD), SEQUENCE))
    if der.decode_oid(_expect(info, 0, OID, "content type")) != OID_SIGNED_DATA:
        raise LdsError("EF.SOD is not CMS SignedData")
    signed = der.children_raw(der.unwrap(_expect(info, 1, 0xA0, "content"), SEQUENCE))
    if der.decode_integer(_expect(signed, 0, INTEGER, "version")) not in (1, 3):
        raise LdsError("EF.SOD SignedData version must be 1 or 3")
    encap = der.children_raw(_expect(signed, 2, SEQUENCE, "encapsulated content"))
    if der.decode_oid(_expect(encap, 0, OID, "eContentType")) != OID_LDS_SECURITY_OBJECT:
        raise LdsError("EF.SOD does not hold an LDS security object")
    content = der.unwrap(_expect(encap, 1, 0xA0, "eContent"), OCTET_STRING)
    index = 3
    certificate = None
    if index < len(signed) and signed[index][0] == 0xA0:
        certs = der.children_raw(signed[index][1])
        if not certs:
            raise LdsError("EF.SOD certificate set is empty")
        try:
            certificate = _load_certificate(certs[0][2])
            # cryptography parses lazily: touch what verification reads so a bad certificate fails here.
            _ = (certificate.issuer, certificate.subject, certificate.public_key(), certificate.extensions,
                 certificate.not_valid_before_utc, certificate.not_valid_after_utc)
        except (ValueError, UnsupportedAlgorithm) as error:
            raise LdsError(f"EF.SOD signer certificate is malformed: {error}") from None
        index += 1
    if index < len(signed) and signed[index][0] == 0xA1:
        index += 1  # CRLs are allowed and ignored: revocation comes from the verifier's own CRL
    infos = der.children(_expect(signed, index, SET, "signer infos"))
    if len(infos) != 1 or infos[0][0] != SEQUENCE or certificate is None:
        raise LdsError("EF.SOD must have exactly one signer and carry its certificate")
    signed_attrs, signature, attributes_ok = _parse_signer_info(infos[0][1], certificate, content)
    hashes = _parse_lds_security_object(content)
    return SecurityObject(hashes, "sha256", certificate, signed_attrs, signature, attributes_ok)


def _parse_signer_info(value: bytes, certificate: x509.Certificate, content: bytes) -> tuple[bytes, bytes, bool]:
    signer = der.children_raw(value)
    sid = _expect(signer, 1, SEQUENCE, "signer identifier")
    expected_sid = certificate.issuer.public_bytes() + der.integer(certificate.serial_number)
    if sid != expected_sid:
        raise LdsError("EF.SOD signer identifier does not name the embedded certificate")
    if der.decode_oid(der.children(_expect(signer, 2, SEQUENCE, "digest algorithm"))[0][1]) != OID_SHA256:
        raise LdsError("EF.SOD must use SHA-256")
    attrs_value = _expect(signer, 3, 0xA0, "signed attributes")
    signed_attrs = tlv(SET, attrs_value)
    digest_ok = False
    type_ok = False
    for tag, attr in der.children(attrs_value):
        parts = der.children(attr)
        if tag != SEQUENCE or len(parts) != 2 or parts[0][0] != OID:
            raise LdsError("EF.SOD signed attribute is malformed")
        kind = der.decode_oid(parts[0][1])
        values = der.children(parts[1][1])
        if kind == OID_MESSAGE_DIGEST:
            digest_ok = values == [(OCTET_STRING, hashlib.sha256(content).digest())]
        elif kind == OID_CONTENT_TYPE:
            type_ok = values == [(OID, _LDS_OID[2:])]
    signature = _expect(signer, 5, OCTET_STRING, "signature")
    return signed_attrs, signature, digest_ok and type_ok


def _parse_lds_security_object(content: bytes) -> dict[int, bytes]:
    parts = der.children(der.unwrap(content, SEQUENCE))
    if len(parts) < 3 or parts[0] not in ((INTEGER, b"\x00"), (INTEGER, b"\x01")):
        raise LdsError("LDS security object version must be 0 or 1")
    algorithm = der.children(parts[1][1])
    if not algorithm or der.decode_oid(algorithm[0][1]) != OID_SHA256:
        raise LdsError("LDS security object must hash with SHA-256")
    hashes: dict[int, bytes] = {}
    for tag, value in der.children(parts[2][1]):
        item = der.children(value)
        if tag != SEQUENCE or len(item) != 2 or item[0][0] != INTEGER or item[1][0] != OCTET_STRING:
            raise LdsError("malformed data group hash")
        number = der.decode_integer(item[0][1])
        if not 1 <= number <= 16 or number in hashes or len(item[1][1]) != 32:
            raise LdsError(f"bad data group hash entry for DG{number}")
        hashes[number] = item[1][1]
    return hashes


def certificate_pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(Encoding.PEM)
