"""The citizen signing CA: issues each card holder a signing certificate and revokes it with the card.

A root of its own, apart from the CSCA (decision 0021): the CSCA signs chips for border and identity
checks, this CA vouches for signatures citizens make with their cards.  It also certifies the project's
RFC 3161 time-stamp authority.  State lives in ``<pki dir>/signing-ca.json``; keys in the key store.
The CRL is reissued at once on every revocation, so a revoked card's certificate is refused from then on.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from citizenid.pki.certificates import (
    Authority,
    RevokedCertificate,
    issue_citizen_signing_certificate,
    issue_crl,
    issue_signing_ca,
    issue_time_stamping_certificate,
)
from citizenid.pki.errors import NotInitialisedError, PkiError
from citizenid.pki.keystore import KeyAlgorithm, KeyStore, PublicKey, Signer

YEAR = timedelta(days=365)


class CitizenSigningAuthority:
    def __init__(self, key_store: KeyStore, directory: Path, authority: Authority, clock: Callable[[], datetime],
                 *, certificate_validity: timedelta = 5 * YEAR, crl_validity: timedelta = timedelta(days=1)) -> None:
        self._keys = key_store
        self._dir = directory
        self._authority = authority
        self._clock = clock
        self._certificate_validity = certificate_validity
        self._crl_validity = crl_validity
        self._lock = threading.RLock()
        self._state: dict[str, Any] | None = None
        self._cache: dict[str, x509.Certificate] = {}

    @property
    def crl_url(self) -> str:
        return self._authority.crl_url.removesuffix(".crl") + "-signing.crl"

    @property
    def _path(self) -> Path:
        return self._dir / "signing-ca.json"

    def _load(self) -> dict[str, Any]:
        if self._state is None:
            if not self._path.exists():
                raise NotInitialisedError("there is no citizen signing CA yet")
            self._state = json.loads(self._path.read_text())
        return self._state

    def _save(self) -> None:
        assert self._state is not None
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._state, indent=1, sort_keys=True))
        tmp.replace(self._path)

    def _cert(self, name: str) -> x509.Certificate:
        if name not in self._cache:
            self._cache[name] = x509.load_pem_x509_certificate((self._dir / "certs" / name).read_bytes())
        return self._cache[name]

    def _write(self, name: str, cert: x509.Certificate) -> str:
        path = self._dir / "certs" / f"{name}.pem"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(cert.public_bytes(Encoding.PEM))
        return path.name

    @property
    def is_initialised(self) -> bool:
        return self._path.exists()

    def ensure(self, algorithm: KeyAlgorithm = KeyAlgorithm.EC_P256) -> x509.Certificate:
        """The CA certificate, creating the CA and its time-stamp authority on first use."""
        with self._lock:
            if not self.is_initialised:
                self._create(algorithm)
            return self.certificate

    def _create(self, algorithm: KeyAlgorithm) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        existing = set(self._keys.labels())
        number = 1
        while f"sca-{number}" in existing or f"tsa-{number}" in existing:
            number += 1
        now = self._clock()
        ca_signer = self._keys.generate(f"sca-{number}", algorithm)
        ca = issue_signing_ca(ca_signer, self._authority, common_name=f"Citizen Signing CA {self._authority.country}",
                              not_before=now, validity=20 * YEAR, crl_url=self.crl_url)
        tsa_signer = self._keys.generate(f"tsa-{number}", algorithm)
        tsa = issue_time_stamping_certificate(ca_signer, ca, tsa_signer.public_key(), self._authority,
                                              not_before=now, validity=10 * YEAR, crl_url=self.crl_url)
        self._state = {"ca": f"sca-{number}", "ca_cert": self._write(f"sca-{number}", ca),
                       "tsa": f"tsa-{number}", "tsa_cert": self._write(f"tsa-{number}", tsa),
                       "issued": {}, "revoked": [], "crl_number": 0}
        self._save()
        self.issue_crl()

    @property
    def certificate(self) -> x509.Certificate:
        return self._cert(self._load()["ca_cert"])

    def time_stamping(self) -> tuple[x509.Certificate, Signer]:
        state = self._load()
        return self._cert(state["tsa_cert"]), self._keys.signer(state["tsa"])

    def issue(self, public_key: PublicKey, *, full_name: str, personal_number: str, card_number: str,
              not_after: datetime | None = None) -> x509.Certificate:
        """Certify a key a card made; the certificate ends with the card (or after five years)."""
        with self._lock:
            state = self._load()
            now = self._clock()
            end = min(not_after or now + self._certificate_validity, now + self._certificate_validity)
            if end <= now:
                raise PkiError("the card has expired: no signing certificate can be issued for it")
            cert = issue_citizen_signing_certificate(
                self._keys.signer(state["ca"]), self.certificate, public_key, self._authority, full_name=full_name,
                personal_number=personal_number, not_before=now, not_after=end, crl_url=self.crl_url)
            state["issued"].setdefault(card_number, []).append(format(cert.serial_number, "x"))
            self._save()
            return cert

    def revoke_card(self, card_number: str, reason: x509.ReasonFlags = x509.ReasonFlags.cessation_of_operation,
                    ) -> int:
        """Revoke every signing certificate issued for a card and publish the CRL now; returns how many."""
        with self._lock:
            state = self._load()
            already = {e["serial"] for e in state["revoked"]}
            serials = [s for s in state["issued"].get(card_number, []) if s not in already]
            at = self._clock().isoformat()
            state["revoked"] += [{"serial": s, "at": at, "reason": reason.value} for s in serials]
            self._save()
            self.issue_crl()
            return len(serials)

    def issue_crl(self) -> x509.CertificateRevocationList:
        with self._lock:
            state = self._load()
            state["crl_number"] += 1
            now = self._clock()
            revoked = [RevokedCertificate(int(e["serial"], 16), datetime.fromisoformat(e["at"]),
                                          x509.ReasonFlags(e["reason"])) for e in state["revoked"]]
            crl = issue_crl(self._keys.signer(state["ca"]), self.certificate, revoked, number=state["crl_number"],
                            this_update=now, next_update=now + self._crl_validity)
            (self._dir / "crl-signing.der").write_bytes(crl.public_bytes(Encoding.DER))
            self._save()
            return crl

    def crl(self) -> x509.CertificateRevocationList:
        """The CRL last published; a new one when it is missing or past its next update."""
        with self._lock:
            path = self._dir / "crl-signing.der"
            if path.exists():
                crl = x509.load_der_x509_crl(path.read_bytes())
                if crl.next_update_utc is not None and crl.next_update_utc > self._clock():
                    return crl
            return self.issue_crl()
