"""A :class:`~citizenid.pki.keystore.KeyStore` over a PKCS#11 token (SoftHSM2 in tests, an HSM in production).

Private keys are generated on the token as non-extractable, sensitive objects and never leave it.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from citizenid.pki.errors import KeyNotFoundError, KeyStoreError, KeyStoreUnavailableError
from citizenid.pki.keystore import KeyAlgorithm, PublicKey, check_label

_CURVES = {KeyAlgorithm.EC_P256: "1.2.840.10045.3.1.7", KeyAlgorithm.EC_BRAINPOOL_P256: "1.3.36.3.3.2.8.1.1.7"}


def _load_pkcs11() -> Any:
    try:
        import pkcs11  # noqa: PLC0415 - optional dependency
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise KeyStoreUnavailableError("python-pkcs11 is not installed") from error
    return pkcs11


class Pkcs11Signer:
    __slots__ = ("_algorithm", "_key", "_lock", "_mechanism", "_pkcs11", "_public")

    def __init__(self, pkcs11: Any, key: Any, public: PublicKey, algorithm: KeyAlgorithm,
                 lock: threading.Lock) -> None:
        self._pkcs11 = pkcs11
        self._key = key
        self._public = public
        self._algorithm = algorithm
        self._lock = lock
        mech = pkcs11.Mechanism
        # Plain ECDSA over our own SHA-256: SoftHSM2 and many HSMs lack CKM_ECDSA_SHA256.
        self._mechanism = mech.ECDSA if algorithm.is_ec else mech.SHA256_RSA_PKCS

    @property
    def algorithm(self) -> KeyAlgorithm:
        return self._algorithm

    def public_key(self) -> PublicKey:
        return self._public

    def sign(self, data: bytes) -> bytes:
        message = hashlib.sha256(data).digest() if self._algorithm.is_ec else data
        with self._lock:
            raw = bytes(self._key.sign(message, mechanism=self._mechanism))
        if self._algorithm.is_ec:
            from pkcs11.util.ec import encode_ecdsa_signature  # noqa: PLC0415

            return bytes(encode_ecdsa_signature(raw))
        return raw


class Pkcs11KeyStore:
    """Keys on one token of a PKCS#11 module, found by label."""

    def __init__(self, module_path: str, token_label: str, user_pin: str) -> None:
        self._pkcs11 = _load_pkcs11()
        try:
            lib = self._pkcs11.lib(module_path)
            token = lib.get_token(token_label=token_label)
            self._session = token.open(user_pin=user_pin, rw=True)
        except RuntimeError as error:
            raise KeyStoreUnavailableError(f"cannot load PKCS#11 module {module_path}: {error}") from error
        except self._pkcs11.exceptions.PKCS11Error as error:
            raise KeyStoreUnavailableError(f"cannot open PKCS#11 token {token_label!r}: {error!r}") from error
        self._lock = threading.Lock()
        self._cache: dict[str, Pkcs11Signer] = {}

    def close(self) -> None:
        self._session.close()

    def generate(self, label: str, algorithm: KeyAlgorithm) -> Pkcs11Signer:
        p = self._pkcs11
        check_label(label)
        if label in self.labels():
            raise KeyStoreError(f"a key labelled {label!r} already exists")
        private_template = {p.Attribute.SENSITIVE: True, p.Attribute.EXTRACTABLE: False}
        with self._lock:
            if algorithm.is_ec:
                from pkcs11.util.ec import encode_named_curve_parameters  # noqa: PLC0415

                params = self._session.create_domain_parameters(
                    p.KeyType.EC, {p.Attribute.EC_PARAMS: encode_named_curve_parameters(_CURVES[algorithm])},
                    local=True,
                )
                _, private = params.generate_keypair(store=True, label=label,
                                                     private_template=private_template)
            else:
                _, private = self._session.generate_keypair(
                    p.KeyType.RSA, algorithm.rsa_bits, store=True, label=label,
                    private_template=private_template,
                )
        return self._signer_for(label, private, algorithm)

    def _signer_for(self, label: str, private: Any, algorithm: KeyAlgorithm) -> Pkcs11Signer:
        p = self._pkcs11
        with self._lock:
            public_obj = self._session.get_key(object_class=p.ObjectClass.PUBLIC_KEY, label=label)
            public: PublicKey
            if algorithm.is_ec:
                from pkcs11.util.ec import encode_ec_public_key  # noqa: PLC0415

                loaded = serialization.load_der_public_key(bytes(encode_ec_public_key(public_obj)))
                if not isinstance(loaded, ec.EllipticCurvePublicKey):
                    raise KeyStoreError(f"key {label!r} is not an EC key")
                public = loaded
            else:
                modulus = int.from_bytes(public_obj[p.Attribute.MODULUS], "big")
                exponent = int.from_bytes(public_obj[p.Attribute.PUBLIC_EXPONENT], "big")
                public = rsa.RSAPublicNumbers(exponent, modulus).public_key()
        signer = Pkcs11Signer(p, private, public, algorithm, self._lock)
        self._cache[label] = signer
        return signer

    def signer(self, label: str) -> Pkcs11Signer:
        cached = self._cache.get(label)
        if cached is not None:
            return cached
        p = self._pkcs11
        try:
            with self._lock:
                private = self._session.get_key(object_class=p.ObjectClass.PRIVATE_KEY, label=label)
        except p.exceptions.NoSuchKey:
            raise KeyNotFoundError(f"no key labelled {label!r} on the token") from None
        if private.key_type == p.KeyType.EC:
            from pkcs11.util.ec import encode_named_curve_parameters  # noqa: PLC0415

            params = bytes(private[p.Attribute.EC_PARAMS])
            algorithm = next((a for a, name in _CURVES.items()
                              if bytes(encode_named_curve_parameters(name)) == params), None)
            if algorithm is None:
                raise KeyStoreError(f"key {label!r} is on a curve citizenid does not use")
        else:
            bits = int.from_bytes(private[p.Attribute.MODULUS], "big").bit_length()
            algorithm = KeyAlgorithm(f"rsa-{bits}")
        return self._signer_for(label, private, algorithm)

    def labels(self) -> list[str]:
        p = self._pkcs11
        with self._lock:
            found = self._session.get_objects({p.Attribute.CLASS: p.ObjectClass.PRIVATE_KEY})
            return sorted(str(obj.label) for obj in found)

    def delete(self, label: str) -> None:
        p = self._pkcs11
        with self._lock:
            for obj in list(self._session.get_objects({p.Attribute.LABEL: label})):
                obj.destroy()
        self._cache.pop(label, None)
