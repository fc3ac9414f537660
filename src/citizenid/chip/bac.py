"""Basic access control (ICAO 9303 part 11 section 4.3): both sides of the mutual authentication."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from citizenid.chip import _crypto
from citizenid.chip.errors import AccessDeniedError
from citizenid.chip.sm import SecureMessaging


@dataclass(frozen=True, slots=True)
class BacKeys:
    k_enc: bytes
    k_mac: bytes

    @classmethod
    def from_mrz(cls, mrz_information: str) -> BacKeys:
        k_enc, k_mac = _crypto.bac_keys(mrz_information)
        return cls(k_enc, k_mac)


def _session(k_ifd: bytes, k_ic: bytes, rnd_ic: bytes, rnd_ifd: bytes) -> SecureMessaging:
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
    return SecureMessaging.from_secret(seed, aes=False, ssc=int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big"))


def _cryptogram(keys: BacKeys, plain: bytes) -> bytes:
    encrypted = _crypto.tdes_encrypt(keys.k_enc, plain)
    return encrypted + _crypto.retail_mac(keys.k_mac, _crypto.pad(encrypted))


def _open(keys: BacKeys, data: bytes) -> bytes | None:
    if len(data) != 40:
        return None
    encrypted, mac = data[:32], data[32:]
    if not hmac.compare_digest(_crypto.retail_mac(keys.k_mac, _crypto.pad(encrypted)), mac):
        return None
    return _crypto.tdes_decrypt(keys.k_enc, encrypted)


class BacTerminal:
    """The reader's side: build EXTERNAL AUTHENTICATE data from the chip's challenge, then open the answer."""

    def __init__(self, keys: BacKeys, rnd_ifd: bytes | None = None, k_ifd: bytes | None = None) -> None:
        self._keys = keys
        self._rnd_ifd = rnd_ifd or secrets.token_bytes(8)
        self._k_ifd = k_ifd or secrets.token_bytes(16)
        self._rnd_ic = b""

    def authenticate_data(self, rnd_ic: bytes) -> bytes:
        self._rnd_ic = rnd_ic
        return _cryptogram(self._keys, self._rnd_ifd + rnd_ic + self._k_ifd)

    def complete(self, response: bytes) -> SecureMessaging:
        plain = _open(self._keys, response)
        if plain is None or plain[:8] != self._rnd_ic or plain[8:16] != self._rnd_ifd:
            raise AccessDeniedError("the chip's BAC answer does not verify: wrong card or wrong MRZ", 0x6300)
        return _session(self._k_ifd, plain[16:], self._rnd_ic, self._rnd_ifd)


def chip_answer(
    keys: BacKeys, rnd_ic: bytes, data: bytes, k_ic: bytes | None = None
) -> tuple[bytes, SecureMessaging] | None:
    """The chip's side: verify the terminal's cryptogram; return the answer and the session, or None."""
    plain = _open(keys, data)
    if plain is None or not hmac.compare_digest(plain[8:16], rnd_ic):
        return None
    rnd_ifd, k_ifd = plain[:8], plain[16:]
    k_ic = k_ic or secrets.token_bytes(16)
    answer = _cryptogram(keys, rnd_ic + rnd_ifd + k_ic)
    return answer, _session(k_ifd, k_ic, rnd_ic, rnd_ifd)
