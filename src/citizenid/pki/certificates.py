"""Certificates and CRLs with the ICAO 9303 part 12 profiles, signed through a :class:`Signer`.

Recipes, not primitives: :func:`issue_csca`, :func:`issue_link_certificate`,
:func:`issue_document_signer`, :func:`issue_masterlist_signer`, :func:`issue_crl`, and
:func:`check_profile` which a verifier runs on what it is handed.

The cryptography builders sign only with in-memory keys; to sign with an HSM key the builder signs once
with a throw-away key of the same family (which fixes the signature algorithm in the TBS part), and the
TBS part is then signed by the real signer and reassembled.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from asn1crypto import core as asn1_core
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID, ObjectIdentifier

from citizenid.pki.errors import ProfileError
from citizenid.pki.keystore import KeyAlgorithm, PublicKey, Signer

OID_DOCUMENT_TYPE_LIST = ObjectIdentifier("2.23.136.1.1.6.2")
OID_MASTERLIST_SIGNING = ObjectIdentifier("2.23.136.1.1.3")
_DER = Encoding.DER
FAR_FUTURE = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)  # RFC 5280 4.1.2.5: no well-defined expiry


class Role(StrEnum):
    CSCA = "csca"
    LINK = "link"
    DOCUMENT_SIGNER = "document-signer"
    MASTERLIST_SIGNER = "masterlist-signer"


@dataclass(frozen=True, slots=True)
class Authority:
    """Who issues: the CSCA's name parts and where its CRL is published."""

    country: str = "VN"
    organisation: str = "Ministry of Public Security"
    unit: str = "Police Department for Administrative Management of Social Order"
    crl_url: str = "https://pki.citizenid.example/crl/VN.crl"

    def name(self, common_name: str, serial: str | None = None) -> x509.Name:
        attributes = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, self.country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, self.unit),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
        if serial is not None:
            attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
        return x509.Name(attributes)


class _DocumentTypes(asn1_core.SetOf):  # type: ignore[misc]
    _child_spec = asn1_core.PrintableString


class _DocumentTypeList(asn1_core.Sequence):  # type: ignore[misc]
    _fields = [("version", asn1_core.Integer), ("doc_type_list", _DocumentTypes)]  # noqa: RUF012 - asn1crypto declares fields as a list


def document_type_list(types: tuple[str, ...]) -> x509.UnrecognizedExtension:
    value = _DocumentTypeList({"version": 0, "doc_type_list": list(types)}).dump()
    return x509.UnrecognizedExtension(OID_DOCUMENT_TYPE_LIST, value)


def document_types_of(certificate: x509.Certificate) -> tuple[str, ...]:
    try:
        ext = certificate.extensions.get_extension_for_oid(OID_DOCUMENT_TYPE_LIST).value
    except x509.ExtensionNotFound:
        return ()
    assert isinstance(ext, x509.UnrecognizedExtension)
    try:
        parsed = _DocumentTypeList.load(ext.value, strict=True)
        return tuple(str(t.native) for t in parsed["doc_type_list"])
    except (ValueError, TypeError):
        return ()


# -- signing through a Signer ------------------------------------------------------------------


@functools.cache
def _stand_in(algorithm_is_ec: bool) -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
    if algorithm_is_ec:
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _sign_certificate(builder: x509.CertificateBuilder, signer: Signer) -> x509.Certificate:
    draft = builder.sign(_stand_in(signer.algorithm.is_ec), hashes.SHA256())
    parsed = asn1_x509.Certificate.load(draft.public_bytes(_DER))
    parsed["signature_value"] = asn1_core.OctetBitString(signer.sign(draft.tbs_certificate_bytes))
    return x509.load_der_x509_certificate(parsed.dump(force=True))


def _sign_crl(builder: x509.CertificateRevocationListBuilder, signer: Signer) -> x509.CertificateRevocationList:
    draft = builder.sign(_stand_in(signer.algorithm.is_ec), hashes.SHA256())
    parsed = asn1_crl.CertificateList.load(draft.public_bytes(_DER))
    parsed["signature"] = asn1_core.OctetBitString(signer.sign(draft.tbs_certlist_bytes))
    return x509.load_der_x509_crl(parsed.dump(force=True))




def _base(subject: x509.Name, issuer: x509.Name, public_key: PublicKey, not_before: datetime,
          not_after: datetime, key_usage_end: datetime, crl_url: str) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.PrivateKeyUsagePeriod(not_before, key_usage_end), critical=False)
        .add_extension(
            x509.CRLDistributionPoints([
                x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
            ]),
            critical=False,
        )
    )


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                         encipher_only=False, decipher_only=False)


def _signing_usage() -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                         encipher_only=False, decipher_only=False)


def _aki(issuer: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def issue_csca(signer: Signer, authority: Authority, *, common_name: str, not_before: datetime,
               key_usage: timedelta, validity: timedelta) -> x509.Certificate:
    """A self-signed CSCA certificate: CA, path length 0, keyCertSign + cRLSign."""
    name = authority.name(common_name)
    public = signer.public_key()
    builder = (
        _base(name, name, public, not_before, not_before + validity, not_before + key_usage, authority.crl_url)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
    )
    return _sign_certificate(builder, signer)


def issue_link_certificate(old_signer: Signer, old_csca: x509.Certificate, new_csca: x509.Certificate,
                           authority: Authority) -> x509.Certificate:
    """The new CSCA's name and key, signed by the old CSCA key: verifiers holding the old trust the new."""
    not_before = new_csca.not_valid_before_utc
    pkup = new_csca.extensions.get_extension_for_class(x509.PrivateKeyUsagePeriod).value
    key_usage_end = (pkup.not_after or new_csca.not_valid_after).replace(tzinfo=UTC)
    public = new_csca.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise ProfileError("a CSCA key must be EC or RSA")
    builder = (
        _base(new_csca.subject, old_csca.subject, public, not_before,
              min(new_csca.not_valid_after_utc, old_csca.not_valid_after_utc), key_usage_end, authority.crl_url)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(_aki(old_csca), critical=False)
    )
    return _sign_certificate(builder, old_signer)


def issue_document_signer(csca_signer: Signer, csca: x509.Certificate, public_key: PublicKey,
                          authority: Authority, *, common_name: str, not_before: datetime,
                          key_usage: timedelta, validity: timedelta,
                          document_types: tuple[str, ...] = ("ID",)) -> x509.Certificate:
    """A document signer certificate: digitalSignature only, the document type list it may sign."""
    end = min(not_before + validity, csca.not_valid_after_utc)
    builder = (
        _base(authority.name(common_name, serial=f"{x509.random_serial_number() % 10**12:012d}"), csca.subject,
              public_key, not_before, end, not_before + key_usage, authority.crl_url)
        .add_extension(_signing_usage(), critical=True)
        .add_extension(_aki(csca), critical=False)
        .add_extension(document_type_list(document_types), critical=False)
    )
    return _sign_certificate(builder, csca_signer)


def issue_masterlist_signer(csca_signer: Signer, csca: x509.Certificate, public_key: PublicKey,
                            authority: Authority, *, not_before: datetime, validity: timedelta) -> x509.Certificate:
    builder = (
        _base(authority.name("Master List Signer"), csca.subject, public_key, not_before,
              min(not_before + validity, csca.not_valid_after_utc), not_before + validity, authority.crl_url)
        .add_extension(_signing_usage(), critical=True)
        .add_extension(x509.ExtendedKeyUsage([OID_MASTERLIST_SIGNING]), critical=False)
        .add_extension(_aki(csca), critical=False)
    )
    return _sign_certificate(builder, csca_signer)


@dataclass(frozen=True, slots=True)
class RevokedCertificate:
    serial_number: int
    revoked_at: datetime
    reason: x509.ReasonFlags = x509.ReasonFlags.unspecified


def issue_crl(csca_signer: Signer, csca: x509.Certificate, revoked: list[RevokedCertificate], *,
              number: int, this_update: datetime, next_update: datetime) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(csca.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(_aki(csca), critical=False)
    )
    for entry in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(entry.serial_number)
            .revocation_date(entry.revoked_at)
            .add_extension(x509.CRLReason(entry.reason), critical=False)
            .build()
        )
    return _sign_crl(builder, csca_signer)


def check_profile(certificate: x509.Certificate, role: Role) -> None:
    """Raise :class:`ProfileError` when ``certificate`` breaks the ICAO 9303-12 profile of ``role``."""
    ext = certificate.extensions
    try:
        usage = ext.get_extension_for_class(x509.KeyUsage)
        ext.get_extension_for_class(x509.PrivateKeyUsagePeriod)
        ext.get_extension_for_class(x509.CRLDistributionPoints)
    except x509.ExtensionNotFound as missing:
        raise ProfileError(f"{role.value} certificate lacks {missing.oid.dotted_string}") from None
    if not usage.critical:
        raise ProfileError("key usage must be critical")
    if role in (Role.CSCA, Role.LINK):
        try:
            constraints = ext.get_extension_for_class(x509.BasicConstraints)
        except x509.ExtensionNotFound:
            raise ProfileError("a CSCA certificate must carry basic constraints") from None
        if not (constraints.critical and constraints.value.ca and constraints.value.path_length == 0):
            raise ProfileError("a CSCA must be a critical CA with path length 0")
        if not (usage.value.key_cert_sign and usage.value.crl_sign) or usage.value.digital_signature:
            raise ProfileError("a CSCA key is for certificate and CRL signing only")
    else:
        if not usage.value.digital_signature or usage.value.key_cert_sign:
            raise ProfileError(f"a {role.value} key is for digital signatures only")
        if role is Role.DOCUMENT_SIGNER and "ID" not in document_types_of(certificate):
            raise ProfileError("the document signer may not sign identity cards (document type list)")


def key_algorithm_of(public_key: object) -> KeyAlgorithm:
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return KeyAlgorithm.EC_BRAINPOOL_P256 if public_key.curve.name == "brainpoolP256r1" else KeyAlgorithm.EC_P256
    if isinstance(public_key, rsa.RSAPublicKey):
        return KeyAlgorithm.RSA_3072 if public_key.key_size >= 3072 else KeyAlgorithm.RSA_2048
    raise ProfileError("unsupported key type")


# -- the citizen signing CA (decision 0021): a root of its own, apart from the CSCA ---------------------

OID_QCP_N_QSCD = ObjectIdentifier("0.4.0.194112.1.2")  # ETSI EN 319 411-2: qualified, key on a QSCD
OID_TIME_STAMPING = x509.oid.ExtendedKeyUsageOID.TIME_STAMPING


def issue_signing_ca(signer: Signer, authority: Authority, *, common_name: str, not_before: datetime,
                     validity: timedelta, crl_url: str) -> x509.Certificate:
    """Self-signed root of citizens' signing certificates: CA, path length 0, keyCertSign + cRLSign."""
    name = authority.name(common_name)
    public = signer.public_key()
    builder = (
        _base(name, name, public, not_before, not_before + validity, not_before + validity, crl_url)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
    )
    return _sign_certificate(builder, signer)


def issue_citizen_signing_certificate(ca_signer: Signer, ca: x509.Certificate, public_key: PublicKey,
                                      authority: Authority, *, full_name: str, personal_number: str,
                                      not_before: datetime, not_after: datetime,
                                      crl_url: str) -> x509.Certificate:
    """A holder's signing certificate: digitalSignature + nonRepudiation (contentCommitment), critical,
    and the ETSI policy for qualified signatures whose key sits on a secure device."""
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, authority.country),
        x509.NameAttribute(NameOID.COMMON_NAME, full_name),
        # ETSI EN 319 412-1 5.1.3: natural-person semantics identifier, "IDC" + country + national number.
        x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IDC{authority.country}-{personal_number}"),
    ])
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    builder = (
        _base(subject, ca.subject, public_key, not_before, min(not_after, ca.not_valid_after_utc), not_after,
              crl_url)
        .add_extension(usage, critical=True)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.CertificatePolicies([x509.PolicyInformation(OID_QCP_N_QSCD, None)]), critical=False)
        .add_extension(_aki(ca), critical=False)
    )
    return _sign_certificate(builder, ca_signer)


def issue_time_stamping_certificate(ca_signer: Signer, ca: x509.Certificate, public_key: PublicKey,
                                    authority: Authority, *, not_before: datetime, validity: timedelta,
                                    crl_url: str) -> x509.Certificate:
    """The project's RFC 3161 time-stamp authority: timeStamping as its only, critical, extended usage."""
    builder = (
        _base(authority.name("Time Stamping Authority"), ca.subject, public_key, not_before,
              min(not_before + validity, ca.not_valid_after_utc), not_before + validity, crl_url)
        .add_extension(_signing_usage(), critical=True)
        .add_extension(x509.ExtendedKeyUsage([OID_TIME_STAMPING]), critical=True)
        .add_extension(_aki(ca), critical=False)
    )
    return _sign_certificate(builder, ca_signer)
