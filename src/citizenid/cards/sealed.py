"""Personal data at rest: photos, fingerprints and chip images are stored only as AES-256-GCM ciphertext.

The data key is HKDF(master key, "citizenid cards at rest"); the master key is 32 random bytes in the
key directory (in production an HSM-wrapped secret), like the OTP master key.  Each value is bound to
its row by the associated data (kind and owner), so a ciphertext moved to another row does not open.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from citizenid.cards.errors import CardInvalid

_VERSION = b"\x01"
_NONCE = 12


class MasterKey(Protocol):
    def value(self) -> bytes: ...


class Sealer:
    def __init__(self, master: MasterKey) -> None:
        self._master = master
        self._aead: AESGCM | None = None

    def _cipher(self) -> AESGCM:
        if self._aead is None:
            key = HKDF(hashes.SHA256(), 32, salt=None, info=b"citizenid cards at rest").derive(self._master.value())
            self._aead = AESGCM(key)
        return self._aead

    def seal(self, data: bytes, context: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return _VERSION + nonce + self._cipher().encrypt(nonce, data, context.encode())

    def open(self, sealed: bytes, context: str) -> bytes:
        if not sealed.startswith(_VERSION) or len(sealed) < 1 + _NONCE + 16:
            raise CardInvalid("stored personal data is not in the sealed format")
        try:
            return self._cipher().decrypt(sealed[1 : 1 + _NONCE], sealed[1 + _NONCE :], context.encode())
        except InvalidTag:
            raise CardInvalid("stored personal data does not open with this deployment's key") from None


def pack_fingerprints(fingerprints: Mapping[int, bytes]) -> bytes:
    return json.dumps({str(k): base64.b64encode(v).decode() for k, v in sorted(fingerprints.items())}).encode()


def unpack_fingerprints(data: bytes) -> dict[int, bytes]:
    return {int(k): base64.b64decode(v) for k, v in json.loads(data).items()}
