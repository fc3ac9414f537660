"""Where issuing keys live: the :class:`KeyStore` protocol and its encrypted-file implementation.

A key store hands out *signers*, never private keys: a signer signs bytes with one fixed algorithm
(ECDSA with SHA-256, or RSA PKCS#1 v1.5 with SHA-256) and knows its public key.  The PKCS#11
implementation lives in :mod:`citizenid.pki.pkcs11`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from citizenid.pki.errors import KeyNotFoundError, KeyStoreError, WrongPassphraseError

_LABEL = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


class KeyAlgorithm(StrEnum):
    EC_P256 = "ec-p256"
    EC_BRAINPOOL_P256 = "ec-brainpoolP256r1"
    RSA_2048 = "rsa-2048"
    RSA_3072 = "rsa-3072"

    @property
    def is_ec(self) -> bool:
        return self.value.startswith("ec-")

    def curve(self) -> ec.EllipticCurve:
        if self is KeyAlgorithm.EC_P256:
            return ec.SECP256R1()
        if self is KeyAlgorithm.EC_BRAINPOOL_P256:
            return ec.BrainpoolP256R1()
        raise ValueError(f"{self.value} is not an elliptic-curve algorithm")

    @property
    def rsa_bits(self) -> int:
        return int(self.value.split("-")[1])


PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey


@runtime_checkable
class Signer(Protocol):
    """Signs with one key and one algorithm: ECDSA-SHA256 (DER signature) or RSA PKCS#1 v1.5 SHA-256."""

    @property
    def algorithm(self) -> KeyAlgorithm: ...

    def public_key(self) -> PublicKey: ...

    def sign(self, data: bytes) -> bytes: ...


class KeyStore(Protocol):
    """Creates and keeps issuing keys under labels; hands out :class:`Signer` objects."""

    def generate(self, label: str, algorithm: KeyAlgorithm) -> Signer: ...

    def signer(self, label: str) -> Signer: ...

    def labels(self) -> list[str]: ...

    def delete(self, label: str) -> None: ...


def check_label(label: str) -> str:
    if not _LABEL.fullmatch(label):
        raise KeyStoreError(f"key label {label!r} must be 1-64 of a-z, 0-9, '.', '_', '-'")
    return label


def verify_signature(public_key: PublicKeyTypes, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` over ``data`` is valid under the algorithm a :class:`Signer` uses."""
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            return False
    except InvalidSignature:
        return False
    return True


class SoftwareSigner:
    """A signer over an in-memory private key (file key store, chip keys, tests)."""

    __slots__ = ("_algorithm", "_ecdsa", "_key", "_public")

    def __init__(self, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, algorithm: KeyAlgorithm) -> None:
        self._key = key
        self._algorithm = algorithm
        self._public: PublicKey = key.public_key()
        self._ecdsa = ec.ECDSA(hashes.SHA256())

    @classmethod
    def generate(cls, algorithm: KeyAlgorithm) -> SoftwareSigner:
        key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
        if algorithm.is_ec:
            key = ec.generate_private_key(algorithm.curve())
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=algorithm.rsa_bits)
        return cls(key, algorithm)

    @property
    def algorithm(self) -> KeyAlgorithm:
        return self._algorithm

    def public_key(self) -> PublicKey:
        return self._public

    def sign(self, data: bytes) -> bytes:
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, self._ecdsa)
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def __repr__(self) -> str:
        return f"SoftwareSigner({self._algorithm.value})"


class FileKeyStore:
    """Private keys as passphrase-encrypted PKCS#8 files, one per label, in a directory of mode 0700."""

    def __init__(self, directory: Path, passphrase: str | bytes | None) -> None:
        self._dir = directory
        self._secret = passphrase.encode() if isinstance(passphrase, str) else passphrase
        self._cache: dict[str, SoftwareSigner] = {}
        self._lock = threading.Lock()

    @property
    def _passphrase(self) -> bytes:
        if not self._secret:
            raise KeyStoreError("the file key store needs a passphrase: set CITIZENID_KEYSTORE_PASSPHRASE")
        return self._secret

    def _path(self, label: str) -> Path:
        return self._dir / f"{check_label(label)}.key.pem"

    def generate(self, label: str, algorithm: KeyAlgorithm) -> Signer:
        path = self._path(label)
        with self._lock:
            if path.exists():
                raise KeyStoreError(f"a key labelled {label!r} already exists")
            signer = SoftwareSigner.generate(algorithm)
            pem = signer._key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(self._passphrase),
            )
            self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(pem)
            tmp.chmod(0o600)
            path.with_suffix(".json").write_text(json.dumps({"algorithm": algorithm.value}))
            tmp.replace(path)
            self._cache[label] = signer
        return signer

    def signer(self, label: str) -> Signer:
        with self._lock:
            cached = self._cache.get(label)
            if cached is not None:
                return cached
            path = self._path(label)
            if not path.exists():
                raise KeyNotFoundError(f"no key labelled {label!r} in the key store")
            try:
                key = serialization.load_pem_private_key(path.read_bytes(), self._passphrase)
            except (ValueError, TypeError) as error:
                raise WrongPassphraseError("the key store passphrase does not open the key files") from error
            meta = json.loads(path.with_suffix(".json").read_text())
            if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
                raise KeyStoreError(f"key {label!r} is of an unsupported type")
            signer = SoftwareSigner(key, KeyAlgorithm(meta["algorithm"]))
            self._cache[label] = signer
            return signer

    def labels(self) -> list[str]:
        if not self._dir.exists():
            return []
        return sorted(p.name.removesuffix(".key.pem") for p in self._dir.glob("*.key.pem"))

    def delete(self, label: str) -> None:
        path = self._path(label)
        with self._lock:
            self._cache.pop(label, None)
            path.unlink(missing_ok=True)
            path.with_suffix(".json").unlink(missing_ok=True)


class MemoryKeyStore:
    """Keys held only in memory: tests and benchmarks."""

    def __init__(self) -> None:
        self._keys: dict[str, SoftwareSigner] = {}

    def generate(self, label: str, algorithm: KeyAlgorithm) -> Signer:
        if check_label(label) in self._keys:
            raise KeyStoreError(f"a key labelled {label!r} already exists")
        self._keys[label] = SoftwareSigner.generate(algorithm)
        return self._keys[label]

    def signer(self, label: str) -> Signer:
        try:
            return self._keys[label]
        except KeyError:
            raise KeyNotFoundError(f"no key labelled {label!r} in the key store") from None

    def labels(self) -> list[str]:
        return sorted(self._keys)

    def delete(self, label: str) -> None:
        self._keys.pop(label, None)


class LazyKeyStore:
    """Builds the real key store on first use: the composition root can wire an HSM that is not up yet."""

    def __init__(self, factory: Callable[[], KeyStore]) -> None:
        self._factory = factory
        self._store: KeyStore | None = None
        self._lock = threading.Lock()

    def _real(self) -> KeyStore:
        with self._lock:
            if self._store is None:
                self._store = self._factory()
            return self._store

    def generate(self, label: str, algorithm: KeyAlgorithm) -> Signer:
        return self._real().generate(label, algorithm)

    def signer(self, label: str) -> Signer:
        return self._real().signer(label)

    def labels(self) -> list[str]:
        return self._real().labels()

    def delete(self, label: str) -> None:
        self._real().delete(label)
