"""The issuing PKI's use cases: set up the CSCA, keep a current document signer, revoke, publish.

State lives in ``<directory>/state.json`` with certificates as PEM files beside it; private keys live
only in the :class:`KeyStore`.  The document signer rotates when it is older than the policy's age or
has signed its quota of documents; the count is kept in memory and saved by :meth:`PkiService.flush`
(and on every rotation), so a crash can at worst under-count one batch.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from citizenid.pki.certificates import (
    Authority,
    RevokedCertificate,
    Role,
    check_profile,
    issue_crl,
    issue_csca,
    issue_document_signer,
    issue_link_certificate,
    issue_masterlist_signer,
)
from citizenid.pki.citizen import CitizenSigningAuthority
from citizenid.pki.cms import OpenedCms, open_cms, sign_cms
from citizenid.pki.errors import AlreadyInitialisedError, NotInitialisedError, PkiError
from citizenid.pki.keystore import (
    FileKeyStore,
    KeyAlgorithm,
    KeyStore,
    LazyKeyStore,
    MemoryKeyStore,
    PublicKey,
    Signer,
    SoftwareSigner,
    verify_signature,
)
from citizenid.pki.masterlist import build_masterlist, read_masterlist

__all__ = [
    "Authority",
    "CitizenSigningAuthority",
    "DocumentSigner",
    "FileKeyStore",
    "KeyAlgorithm",
    "KeyStore",
    "LazyKeyStore",
    "MemoryKeyStore",
    "OpenedCms",
    "PkiService",
    "PkiStatus",
    "PublicKey",
    "Role",
    "RotationPolicy",
    "Signer",
    "SoftwareSigner",
    "check_profile",
    "open_cms",
    "read_masterlist",
    "verify_signature",
]

YEAR = timedelta(days=365)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class RotationPolicy:
    """When a document signer retires, and how long what the PKI signs stays valid."""

    signer_max_age: timedelta = timedelta(days=90)
    signer_max_documents: int = 1_000_000
    # Cards issued at 58 or older never expire: certificates must outlive their holders.
    card_horizon: timedelta = 65 * YEAR
    csca_key_usage: timedelta = 5 * YEAR
    crl_validity: timedelta = timedelta(days=90)


@dataclass(slots=True)
class DocumentSigner:
    """The current document signer: its certificate and a signer over its key.  Counts what it signs."""

    label: str
    certificate: x509.Certificate
    signer: Signer
    issued_at: datetime
    documents_signed: int = 0
    certificate_der: bytes = field(init=False)

    def __post_init__(self) -> None:
        self.certificate_der = self.certificate.public_bytes(Encoding.DER)

    @property
    def algorithm(self) -> KeyAlgorithm:
        return self.signer.algorithm

    def sign(self, data: bytes) -> bytes:
        self.documents_signed += 1
        return self.signer.sign(data)


@dataclass(frozen=True, slots=True)
class PkiStatus:
    country: str
    csca_subject: str
    csca_serial: str
    csca_key_usage_ends: datetime
    csca_count: int
    signer_label: str
    signer_issued_at: datetime
    signer_documents_signed: int
    signer_rotation_due: str | None
    revoked: int
    crl_number: int

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v)
                for k, v in ((name, getattr(self, name)) for name in self.__slots__)}


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.PEM)


class PkiService:
    def __init__(self, key_store: KeyStore, directory: Path, *, authority: Authority | None = None,
                 policy: RotationPolicy | None = None, clock: Callable[[], datetime] = utc_now) -> None:
        self._keys = key_store
        self._dir = directory
        self._authority = authority or Authority()
        self._policy = policy or RotationPolicy()
        self._clock = clock
        self._lock = threading.RLock()
        self._state: dict[str, Any] | None = None
        self._current: DocumentSigner | None = None
        self._citizen_signing: CitizenSigningAuthority | None = None

    @property
    def citizen_signing(self) -> CitizenSigningAuthority:
        """The citizen signing CA (decision 0021), in the same directory and key store as the CSCA."""
        if self._citizen_signing is None:
            self._citizen_signing = CitizenSigningAuthority(self._keys, self._dir, self._authority, self._clock)
        return self._citizen_signing

    # -- state -------------------------------------------------------------------------------------

    @property
    def _state_path(self) -> Path:
        return self._dir / "state.json"

    def _load(self) -> dict[str, Any]:
        if self._state is None:
            if not self._state_path.exists():
                raise NotInitialisedError("the PKI has no CSCA yet: run `citizenid pki init`")
            self._state = json.loads(self._state_path.read_text())
        return self._state

    def _save(self) -> None:
        assert self._state is not None
        if self._current is not None:
            for entry in self._state["signers"]:
                if entry["label"] == self._current.label:
                    entry["documents_signed"] = self._current.documents_signed
        # One temporary file per process: production workers in several processes save the same state.
        tmp = self._state_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self._state, indent=2, sort_keys=True))
        tmp.replace(self._state_path)

    def _write_cert(self, name: str, cert: x509.Certificate) -> str:
        path = self._dir / "certs" / f"{name}.pem"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_pem(cert))
        return path.name

    def _cert(self, name: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate((self._dir / "certs" / name).read_bytes())

    def _next_label(self, prefix: str) -> str:
        state = self._load()
        state["sequence"] = state.get("sequence", 0) + 1
        return f"{prefix}-{state['sequence']}"

    def flush(self) -> None:
        """Save the current signer's document count."""
        with self._lock:
            if self._state is not None:
                self._save()

    # -- CSCA ----------------------------------------------------------------------------------------

    @property
    def is_initialised(self) -> bool:
        return self._state_path.exists()

    def init(self, algorithm: KeyAlgorithm = KeyAlgorithm.EC_P256,
             signer_algorithm: KeyAlgorithm | None = None) -> PkiStatus:
        """Create the first CSCA, its masterlist signer and the first document signer."""
        with self._lock:
            if self.is_initialised:
                raise AlreadyInitialisedError(f"the PKI in {self._dir} already has a CSCA")
            self._dir.mkdir(parents=True, exist_ok=True)
            self._state = {"country": self._authority.country, "sequence": 0, "cscas": [], "links": [],
                           "signers": [], "revoked": [], "crl_number": 0,
                           "signer_algorithm": (signer_algorithm or algorithm).value}
            self._new_csca(algorithm)
            self._rotate_signer_locked("initial")
            return self.status()

    def _new_csca(self, algorithm: KeyAlgorithm) -> x509.Certificate:
        state = self._load()
        label = self._next_label("csca")
        signer = self._keys.generate(label, algorithm)
        now = self._clock()
        policy = self._policy
        validity = policy.csca_key_usage + policy.signer_max_age + policy.card_horizon
        cert = issue_csca(signer, self._authority, common_name=f"CSCA {self._authority.country} {label}",
                          not_before=now, key_usage=policy.csca_key_usage, validity=validity)
        ml_label = self._next_label("ml")
        ml_signer = self._keys.generate(ml_label, algorithm)
        ml_cert = issue_masterlist_signer(signer, cert, ml_signer.public_key(), self._authority,
                                          not_before=now, validity=policy.csca_key_usage)
        state["cscas"].append({"label": label, "cert": self._write_cert(label, cert),
                               "masterlist_signer": ml_label, "masterlist_cert": self._write_cert(ml_label, ml_cert)})
        return cert

    def rotate_csca(self, algorithm: KeyAlgorithm | None = None) -> x509.Certificate:
        """A new CSCA key and certificate, the link certificate from the old one, and a new signer."""
        with self._lock:
            state = self._load()
            old = state["cscas"][-1]
            old_cert = self._cert(old["cert"])
            old_signer = self._keys.signer(old["label"])
            new_cert = self._new_csca(algorithm or old_signer.algorithm)
            link = issue_link_certificate(old_signer, old_cert, new_cert, self._authority)
            state["links"].append(self._write_cert(f"link-{state['cscas'][-1]['label']}", link))
            self._rotate_signer_locked("new CSCA")
            return link

    def _csca(self) -> tuple[x509.Certificate, Signer, dict[str, Any]]:
        entry = self._load()["cscas"][-1]
        return self._cert(entry["cert"]), self._keys.signer(entry["label"]), entry

    def csca_certificates(self) -> list[x509.Certificate]:
        return [self._cert(e["cert"]) for e in self._load()["cscas"]]

    def link_certificates(self) -> list[x509.Certificate]:
        return [self._cert(name) for name in self._load()["links"]]

    # -- document signers ------------------------------------------------------------------------

    def _rotation_due(self, signer: DocumentSigner) -> str | None:
        if signer.documents_signed >= self._policy.signer_max_documents:
            return f"signed {signer.documents_signed} documents"
        if self._clock() - signer.issued_at >= self._policy.signer_max_age:
            return f"older than {self._policy.signer_max_age.days} days"
        return None

    def document_signer(self) -> DocumentSigner:
        """The signer to use now; rotates first when the current one is due."""
        with self._lock:
            current = self._current or self._load_current()
            if self._rotation_due(current) is not None:
                current = self._rotate_signer_locked("due")
            return current

    def _load_current(self) -> DocumentSigner:
        entry = self._load()["signers"][-1]
        self._current = DocumentSigner(entry["label"], self._cert(entry["cert"]), self._keys.signer(entry["label"]),
                                       datetime.fromisoformat(entry["issued_at"]), entry["documents_signed"])
        return self._current

    def rotate_signer(self) -> DocumentSigner:
        with self._lock:
            return self._rotate_signer_locked("requested")

    def _rotate_signer_locked(self, reason: str) -> DocumentSigner:
        state = self._load()
        if self._current is not None:
            self._save()
        csca_cert, csca_signer, _ = self._csca()
        label = self._next_label("ds")
        algorithm = KeyAlgorithm(state["signer_algorithm"])
        key = self._keys.generate(label, algorithm)
        now = self._clock()
        cert = issue_document_signer(
            csca_signer, csca_cert, key.public_key(), self._authority,
            common_name=f"Document Signer {self._authority.country} {label}", not_before=now,
            key_usage=self._policy.signer_max_age, validity=self._policy.signer_max_age + self._policy.card_horizon,
        )
        state["signers"].append({"label": label, "cert": self._write_cert(label, cert), "issued_at": now.isoformat(),
                                 "documents_signed": 0, "reason": reason, "csca": state["cscas"][-1]["label"],
                                 "serial": format(cert.serial_number, "x")})
        self._current = DocumentSigner(label, cert, key, now)
        self._save()
        return self._current

    def signer_certificates(self) -> list[x509.Certificate]:
        return [self._cert(e["cert"]) for e in self._load()["signers"]]

    # -- revocation and publication ------------------------------------------------------------

    def revoke(self, certificate: x509.Certificate,
               reason: x509.ReasonFlags = x509.ReasonFlags.key_compromise) -> None:
        """Revoke a document signer: publish new CRLs at once, and rotate when it is the current signer."""
        with self._lock:
            state = self._load()
            serial = format(certificate.serial_number, "x")
            if serial not in {e["serial"] for e in state["signers"]}:
                raise PkiError("only document signers issued by this PKI can be revoked here")
            state["revoked"].append({"serial": serial, "at": self._clock().isoformat(), "reason": reason.value})
            self._save()
            if self._current is not None and self._current.certificate.serial_number == certificate.serial_number:
                self._rotate_signer_locked("revoked")
            self.crls()

    def crls(self) -> list[x509.CertificateRevocationList]:
        """Issue the next CRL of every CSCA (each lists the revoked signers it issued), oldest first.

        A CSCA keeps signing CRLs after its key stops issuing certificates: the cards its signers signed
        stay in use.  Each is written to ``crl-<csca>.der``; the current CSCA's also to ``crl.der``.
        """
        with self._lock:
            state = self._load()
            state["crl_number"] += 1
            now = self._clock()
            issuer_of = {e["serial"]: e.get("csca", state["cscas"][0]["label"]) for e in state["signers"]}
            issued = []
            for entry in state["cscas"]:
                revoked = [RevokedCertificate(int(e["serial"], 16), datetime.fromisoformat(e["at"]),
                                              x509.ReasonFlags(e["reason"]))
                           for e in state["revoked"] if issuer_of.get(e["serial"]) == entry["label"]]
                crl = issue_crl(self._keys.signer(entry["label"]), self._cert(entry["cert"]), revoked,
                                number=state["crl_number"], this_update=now,
                                next_update=now + self._policy.crl_validity)
                (self._dir / f"crl-{entry['label']}.der").write_bytes(crl.public_bytes(Encoding.DER))
                issued.append(crl)
            (self._dir / "crl.der").write_bytes(issued[-1].public_bytes(Encoding.DER))
            self._save()
            return issued

    def crl(self) -> x509.CertificateRevocationList:
        """Issue the next CRLs (see :meth:`crls`) and return the current CSCA's."""
        return self.crls()[-1]

    def published_crls(self) -> list[x509.CertificateRevocationList]:
        """The CRLs last issued, one per CSCA; new ones are issued only if any is missing or expired."""
        with self._lock:
            state = self._load()
            now = self._clock()
            found = []
            for entry in state["cscas"]:
                path = self._dir / f"crl-{entry['label']}.der"
                if not path.exists():
                    return self.crls()
                crl = x509.load_der_x509_crl(path.read_bytes())
                if crl.next_update_utc is None or crl.next_update_utc <= now:
                    return self.crls()
                found.append(crl)
            return found

    def masterlist(self) -> bytes:
        """The signed CSCA masterlist (every CSCA and link certificate) as DER."""
        with self._lock:
            _, _, entry = self._csca()
            certificates = self.csca_certificates() + self.link_certificates()
            signer = self._keys.signer(entry["masterlist_signer"])
            return build_masterlist(certificates, signer, self._cert(entry["masterlist_cert"]), self._clock())

    def sign_content(self, content_type: str, content: bytes) -> bytes:
        """CMS SignedData over ``content`` by the current masterlist signer (revocation lists, exports)."""
        with self._lock:
            _, _, entry = self._csca()
            signer = self._keys.signer(entry["masterlist_signer"])
            return sign_cms(content_type, content, signer, self._cert(entry["masterlist_cert"]), self._clock())

    def status(self) -> PkiStatus:
        with self._lock:
            state = self._load()
            csca_cert, _, _ = self._csca()
            current = self._current or self._load_current()
            pkup = csca_cert.extensions.get_extension_for_class(x509.PrivateKeyUsagePeriod).value
            return PkiStatus(
                country=state["country"],
                csca_subject=csca_cert.subject.rfc4514_string(),
                csca_serial=format(csca_cert.serial_number, "x"),
                csca_key_usage_ends=(pkup.not_after or csca_cert.not_valid_after).replace(tzinfo=UTC),
                csca_count=len(state["cscas"]),
                signer_label=current.label,
                signer_issued_at=current.issued_at,
                signer_documents_signed=current.documents_signed,
                signer_rotation_due=self._rotation_due(current),
                revoked=len(state["revoked"]),
                crl_number=state["crl_number"],
            )
