"""Offline verification of what a reader read: passive, active and chip authentication, revocation.

The result lists every check by name with ``passed`` True, False, or None (not applicable / not
possible, e.g. no CRL at hand), and the reason.  A card is valid when no check failed and the
mandatory ones (SOD signature, data-group hashes, chain to a trusted CSCA) passed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from citizenid.chip import lds
from citizenid.chip.errors import LdsError
from citizenid.chip.lds import CardHolder, File
from citizenid.chip.mrz import TD1
from citizenid.chip.reader import CardRead
from citizenid.chip.revocation import DocumentRevocationList, read_revocation_list
from citizenid.chip.sod import SecurityObject, parse_sod
from citizenid.pki.errors import ProfileError
from citizenid.pki.service import Role, check_profile, read_masterlist, verify_signature

MANDATORY = ("sod.signature", "data_group_hashes", "document_signer.chain")


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    passed: bool | None
    detail: str


@dataclass(frozen=True, slots=True)
class VerificationResult:
    checks: tuple[Check, ...]
    holder: CardHolder | None = None
    mrz: TD1 | None = None
    access: str = ""

    @property
    def valid(self) -> bool:
        by_name = {c.name: c.passed for c in self.checks}
        return all(c.passed is not False for c in self.checks) and all(by_name.get(n) for n in MANDATORY)

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.passed is False]

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "access": self.access,
            "personal_number": self.holder.personal_number if self.holder else None,
            "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in self.checks],
        }


@dataclass(slots=True)
class TrustStore:
    """What a verifier trusts: CSCA and link certificates, CRLs, and revoked card numbers."""

    cscas: list[x509.Certificate]
    crls: list[x509.CertificateRevocationList] = field(default_factory=list)
    revoked_documents: frozenset[str] = frozenset()
    revocation_list: DocumentRevocationList | None = None

    @classmethod
    def from_masterlist(cls, masterlist: bytes, trust_anchor: x509.Certificate | None = None,
                        crls: list[x509.CertificateRevocationList] | None = None,
                        revoked_documents: frozenset[str] = frozenset(),
                        revocation_list: bytes | None = None) -> TrustStore:
        """Trust from a signed masterlist; ``revocation_list`` is a signed list of revoked card numbers."""
        cscas = read_masterlist(masterlist, trust_anchor)
        documents = read_revocation_list(revocation_list, cscas) if revocation_list is not None else None
        return cls(cscas, list(crls or []), revoked_documents, documents)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Verifier:
    def __init__(self, trust: TrustStore, *, crl_max_age: timedelta = timedelta(days=2),
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self._trust = trust
        self._crl_max_age = crl_max_age
        self._clock = clock
        self._chain_cache: dict[bytes, tuple[x509.Certificate | None, str]] = {}
        self._profile_cache: dict[bytes, Check] = {}
        self._crl_cache: dict[int, bool] = {}

    # -- document signer ------------------------------------------------------------------------------

    def _issuer_of(self, certificate: x509.Certificate) -> tuple[x509.Certificate | None, str]:
        key = certificate.tbs_certificate_bytes
        cached = self._chain_cache.get(key)
        if cached is not None:
            return cached
        result: tuple[x509.Certificate | None, str] = (None, "issued by no trusted CSCA")
        for csca in self._trust.cscas:
            if csca.subject != certificate.issuer:
                continue
            try:
                certificate.verify_directly_issued_by(csca)
            except (ValueError, TypeError, InvalidSignature):
                continue
            result = (csca, f"issued by {csca.subject.rfc4514_string()}")
            break
        self._chain_cache[key] = result
        return result

    def _chain(self, certificate: x509.Certificate, now: datetime) -> tuple[Check, Check, x509.Certificate | None]:
        profile = self._profile_cache.get(certificate.tbs_certificate_bytes)
        if profile is None:
            try:
                check_profile(certificate, Role.DOCUMENT_SIGNER)
                profile = Check("document_signer.profile", True, "ICAO 9303-12 document signer profile")
            except ProfileError as error:
                profile = Check("document_signer.profile", False, error.detail)
            self._profile_cache[certificate.tbs_certificate_bytes] = profile
        csca, detail = self._issuer_of(certificate)
        if csca is None:
            return profile, Check("document_signer.chain", False, detail), None
        for cert, role in ((certificate, "document signer"), (csca, "CSCA")):
            if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
                return profile, Check("document_signer.chain", False, f"{role} certificate not valid now"), csca
        return profile, Check("document_signer.chain", True, detail), csca

    def _crl_valid(self, crl: x509.CertificateRevocationList, csca: x509.Certificate) -> bool:
        key = id(crl)
        if key not in self._crl_cache:
            public = csca.public_key()
            self._crl_cache[key] = isinstance(public, ec.EllipticCurvePublicKey | rsa.RSAPublicKey) and (
                crl.is_signature_valid(public)
            )
        return self._crl_cache[key]

    def _revocation(self, certificate: x509.Certificate, csca: x509.Certificate | None, now: datetime) -> Check:
        if csca is None:
            return Check("document_signer.revocation", None, "no trusted CSCA, so no CRL to consult")
        crls = [c for c in self._trust.crls if c.issuer == csca.subject and self._crl_valid(c, csca)]
        if not crls:
            return Check("document_signer.revocation", None, "no CRL from the issuing CSCA at hand")
        crl = max(crls, key=lambda c: c.last_update_utc)
        age = now - crl.last_update_utc
        hours = int(age.total_seconds() // 3600)
        if crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None:
            return Check("document_signer.revocation", False, f"document signer revoked (CRL {hours} h old)")
        if crl.next_update_utc is not None and now > crl.next_update_utc:
            return Check("document_signer.revocation", False, f"CRL expired; it is {hours} h old")
        if age > self._crl_max_age:
            return Check("document_signer.revocation", False, f"CRL is {hours} h old, older than allowed")
        return Check("document_signer.revocation", True, f"not on the CRL ({hours} h old)")

    # -- the card -----------------------------------------------------------------------------------------

    def verify(self, read: CardRead) -> VerificationResult:
        now = self._clock()
        files = read.files
        checks: list[Check] = [Check("access_control", bool(read.access), read.access or "no access control")]
        try:
            sod: SecurityObject | None = parse_sod(files[File.SOD])
        except (KeyError, LdsError) as error:
            sod = None
            checks.append(Check("sod.signature", False, f"EF.SOD unreadable: {error}"))
        holder, mrz = self._content(files, checks)
        if sod is not None:
            ok = sod.verify_signature()
            checks.append(Check("sod.signature", ok, "signature verifies" if ok else "signature does not verify"))
            checks.append(self._hashes(sod, files))
            profile, chain, csca = self._chain(sod.certificate, now)
            checks += [profile, chain, self._revocation(sod.certificate, csca, now)]
        if mrz is not None:
            number = mrz.vietnamese_personal_number or mrz.document_number
            # A card is listed as number + issue date, so revoking it spares the holder's next card (0053).
            card_key = f"{holder.personal_number}{holder.issue_date:%Y%m%d}" if holder is not None else None
            checks.append(self._document_revocation(number, now, card_key))
        checks.append(self._active(read))
        checks.append(self._chip(read))
        return VerificationResult(tuple(checks), holder, mrz, read.access)

    def _content(self, files: dict[File, bytes], checks: list[Check]) -> tuple[CardHolder | None, TD1 | None]:
        mrz = holder = None
        try:
            mrz, failed = lds.decode_dg1(files[File.DG1])
            checks.append(Check("mrz", not failed, "check digits correct" if not failed else f"wrong: {failed}"))
        except (KeyError, LdsError) as error:
            checks.append(Check("mrz", False, f"DG1 unreadable: {error}"))
        if File.DG13 in files:
            try:
                holder = lds.decode_dg13(files[File.DG13])
            except LdsError as error:
                checks.append(Check("dg13", False, f"DG13 unreadable: {error.detail}"))
            else:
                same = mrz is None or mrz.vietnamese_personal_number == holder.personal_number
                checks.append(Check("dg13", same, "matches DG1" if same else "personal number differs from DG1"))
        return holder, mrz

    def _document_revocation(self, number: str, now: datetime, card_key: str | None = None) -> Check:
        listed = self._trust.revocation_list
        keys = {number} if card_key is None else {number, card_key}
        if keys & self._trust.revoked_documents or (listed is not None and keys & listed.revoked):
            return Check("document.revocation", False, "card revoked")
        if listed is None:
            if self._trust.revoked_documents:
                return Check("document.revocation", True, "not on the local list of revoked cards")
            return Check("document.revocation", None, "no list of revoked cards at hand")
        hours = int((now - listed.this_update).total_seconds() // 3600)
        if now > listed.next_update:
            return Check("document.revocation", False, f"revoked-card list expired; it is {hours} h old")
        if now - listed.this_update > self._crl_max_age:
            return Check("document.revocation", False, f"revoked-card list is {hours} h old, older than allowed")
        return Check("document.revocation", True, f"not on the revoked-card list ({hours} h old)")

    @staticmethod
    def _hashes(sod: SecurityObject, files: dict[File, bytes]) -> Check:
        wrong = []
        for file, content in files.items():
            number = file.data_group
            if number is None:
                continue
            expected = sod.hashes.get(number)
            if expected is None or hashlib.sha256(content).digest() != expected:
                wrong.append(f"DG{number}")
        missing = [f"DG{n}" for n in sorted(sod.hashes) if File(0x0100 | n) not in files]
        if wrong:
            return Check("data_group_hashes", False, f"hash mismatch: {', '.join(wrong)}")
        detail = f"{len(sod.hashes) - len(missing)} data groups match"
        return Check("data_group_hashes", True, detail + (f"; not read: {', '.join(missing)}" if missing else ""))

    @staticmethod
    def _active(read: CardRead) -> Check:
        if File.DG15 not in read.files:
            return Check("active_authentication", None, "card does not offer active authentication")
        if not read.active_attempted:
            return Check("active_authentication", None, "offered by the card but not performed")
        if read.active_signature is None or read.active_challenge is None:
            return Check("active_authentication", False, "chip did not answer INTERNAL AUTHENTICATE")
        try:
            key = lds.decode_dg15(read.files[File.DG15])
        except LdsError as error:
            return Check("active_authentication", False, error.detail)
        signature = read.active_signature
        if not isinstance(key, ec.EllipticCurvePublicKey) or len(signature) != 64:
            return Check("active_authentication", False, "unsupported active authentication key or signature")
        der_signature = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                             int.from_bytes(signature[32:], "big"))
        ok = verify_signature(key, der_signature, read.active_challenge)
        return Check("active_authentication", ok, "chip holds the DG15 key" if ok else "signature wrong: clone?")

    @staticmethod
    def _chip(read: CardRead) -> Check:
        if read.chip_authenticated is None:
            return Check("chip_authentication", None, "not offered or not performed")
        if read.chip_authenticated:
            return Check("chip_authentication", True, "session re-keyed with the DG14 key")
        return Check("chip_authentication", False, "; ".join(read.notes) or "chip authentication failed")
