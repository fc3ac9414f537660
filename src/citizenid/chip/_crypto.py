"""The symmetric primitives of ICAO 9303 part 11, private to the chip area.

Two-key 3DES-CBC with a zero IV and the ISO/IEC 9797-1 MAC algorithm 3 ("retail MAC") for BAC;
AES-CBC and AES-CMAC for PACE and chip authentication; the key derivation function of 9.7.1.
Nothing outside :mod:`citizenid.chip` imports this module.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

ENC = 1
MAC = 2
PACE_PASSWORD = 3


def pad(data: bytes, block: int = 8) -> bytes:
    """ISO/IEC 9797-1 padding method 2: 0x80 then zeros to a whole block."""
    return data + b"\x80" + bytes((block - (len(data) + 1) % block) % block)


def unpad(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80:
        raise ValueError("bad ISO/IEC 9797-1 method 2 padding")
    return stripped[:-1]


_ODD_PARITY = bytes((b & 0xFE) | ((bin(b >> 1).count("1") + 1) & 1) for b in range(256))


def adjust_parity(key: bytes) -> bytes:
    """Set each byte's lowest bit so that the byte has odd parity (DES keys)."""
    return key.translate(_ODD_PARITY)


def kdf(secret: bytes, counter: int, *, aes: bool) -> bytes:
    """ICAO 9303-11 9.7.1: SHA-1(secret ‖ counter)[:16], DES parity for 3DES keys."""
    digest = hashlib.sha1(secret + counter.to_bytes(4, "big")).digest()[:16]  # noqa: S324 - mandated by the standard
    return digest if aes else adjust_parity(digest)


def _tdes(key: bytes) -> TripleDES:
    if len(key) != 16:
        raise ValueError("3DES keys here are two-key, 16 bytes")
    return TripleDES(key + key[:8])


def tdes_encrypt(key: bytes, data: bytes, iv: bytes = bytes(8)) -> bytes:
    encryptor = Cipher(_tdes(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def tdes_decrypt(key: bytes, data: bytes, iv: bytes = bytes(8)) -> bytes:
    decryptor = Cipher(_tdes(key), modes.CBC(iv)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 with DES over ``data`` already padded to 8-byte blocks."""
    if len(data) % 8 or not data:
        raise ValueError("retail MAC input must be whole blocks")
    k1 = key[:8]
    head, last = data[:-8], data[-8:]
    chain = bytes(8)
    if head:
        # Single DES CBC under K1 over every block but the last (3DES with K1 ‖ K1 ‖ K1 is single DES).
        encryptor = Cipher(TripleDES(k1 * 3), modes.CBC(bytes(8))).encryptor()
        chain = (encryptor.update(head) + encryptor.finalize())[-8:]
    # The last block: E(K1) then D(K2) then E(K1), which is 3DES-EDE with the chained IV.
    return tdes_encrypt(key, last, chain)


def aes_encrypt(key: bytes, data: bytes, iv: bytes = bytes(16)) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def aes_decrypt(key: bytes, data: bytes, iv: bytes = bytes(16)) -> bytes:
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """AES-CMAC truncated to 8 bytes, as secure messaging and PACE tokens use it."""
    mac = CMAC(algorithms.AES(key))
    mac.update(data)
    return mac.finalize()[:8]


class AesCbc:
    """AES-CBC under one key with a per-message IV, and AES on single blocks (the SM IV)."""

    __slots__ = ("_algorithm", "_ecb")

    def __init__(self, key: bytes) -> None:
        self._algorithm = algorithms.AES(key)
        self._ecb = Cipher(self._algorithm, modes.ECB())  # noqa: S305 - one block: E(KS_enc, SSC)

    def block(self, data: bytes) -> bytes:
        encryptor = self._ecb.encryptor()
        return encryptor.update(data) + encryptor.finalize()

    def encrypt(self, data: bytes, iv: bytes) -> bytes:
        encryptor = Cipher(self._algorithm, modes.CBC(iv)).encryptor()
        return encryptor.update(data) + encryptor.finalize()

    def decrypt(self, data: bytes, iv: bytes) -> bytes:
        decryptor = Cipher(self._algorithm, modes.CBC(iv)).decryptor()
        return decryptor.update(data) + decryptor.finalize()


class AesCmac:
    """AES-CMAC under one key, keyed once (secure messaging MACs every APDU with the same key)."""

    __slots__ = ("_keyed",)

    def __init__(self, key: bytes) -> None:
        self._keyed = CMAC(algorithms.AES(key))

    def __call__(self, data: bytes) -> bytes:
        mac = self._keyed.copy()
        mac.update(data)
        return mac.finalize()[:8]


def bac_keys(mrz_information: str) -> tuple[bytes, bytes]:
    """K_enc and K_mac of BAC from the MRZ information (document number, birth and expiry with check digits)."""
    seed = hashlib.sha1(mrz_information.encode("ascii")).digest()[:16]  # noqa: S324 - mandated by the standard
    return kdf(seed, ENC, aes=False), kdf(seed, MAC, aes=False)


def pace_password_key(mrz_information: str) -> bytes:
    """K_pi of PACE with the MRZ as password (AES-128)."""
    secret = hashlib.sha1(mrz_information.encode("ascii")).digest()  # noqa: S324 - mandated by the standard
    return kdf(secret, PACE_PASSWORD, aes=True)


class RetailMac:
    """ISO/IEC 9797-1 MAC algorithm 3 under one key, with its cipher objects built once."""

    __slots__ = ("_chain", "_final")

    def __init__(self, key: bytes) -> None:
        self._chain = Cipher(TripleDES(key[:8] * 3), modes.CBC(bytes(8)))
        self._final = Cipher(_tdes(key), modes.ECB())  # noqa: S305 - one block, the MAC's final transformation

    def __call__(self, data: bytes) -> bytes:
        if len(data) % 8 or not data:
            raise ValueError("retail MAC input must be whole blocks")
        chain = bytes(8)
        if len(data) > 8:
            encryptor = self._chain.encryptor()
            chain = (encryptor.update(data[:-8]) + encryptor.finalize())[-8:]
        block = (int.from_bytes(data[-8:], "big") ^ int.from_bytes(chain, "big")).to_bytes(8, "big")
        encryptor = self._final.encryptor()
        return encryptor.update(block) + encryptor.finalize()


class TdesCbc:
    """Two-key 3DES-CBC with a zero IV under one key, its cipher built once."""

    __slots__ = ("_cipher",)

    def __init__(self, key: bytes) -> None:
        self._cipher = Cipher(_tdes(key), modes.CBC(bytes(8)))

    def encrypt(self, data: bytes) -> bytes:
        encryptor = self._cipher.encryptor()
        return encryptor.update(data) + encryptor.finalize()

    def decrypt(self, data: bytes) -> bytes:
        decryptor = self._cipher.decryptor()
        return decryptor.update(data) + decryptor.finalize()
