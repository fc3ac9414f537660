"""Symmetric keys kept as files: 32 random bytes, mode 0600, created on first use (never at start-up).

The embedded deployment's stand-in for a secret an HSM would wrap: the OTP master key, the keys that seal
card captures, biometric templates and the exchange's aliases, and the pages' key.  One implementation,
so every such file is made, protected and checked the same way.

    CitizenIdError
    └── KeyFileDamaged (KEY-001)   the file exists but does not hold a 32-byte key
"""

from __future__ import annotations

import secrets
import threading
from pathlib import Path
from typing import Protocol

from citizenid.errors import CitizenIdError

KEY_BYTES = 32


class KeyFileDamaged(CitizenIdError):
    code = "KEY-001"
    status = 500
    title = "Key file damaged"


class SecretKey(Protocol):
    def value(self) -> bytes: ...


class MemoryKey:
    """A key held only in memory (tests, benchmarks)."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(KEY_BYTES)

    def value(self) -> bytes:
        return self._key


class FileKey:
    """A key in a file of mode 0600 (its folder 0700), written atomically the first time it is asked for."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._key: bytes | None = None
        self._lock = threading.Lock()

    def value(self) -> bytes:
        with self._lock:
            if self._key is None:
                if not self._path.exists():
                    self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                    tmp = self._path.with_suffix(f".{secrets.token_hex(4)}.tmp")
                    tmp.write_bytes(secrets.token_bytes(KEY_BYTES))
                    tmp.chmod(0o600)
                    tmp.replace(self._path)
                key = self._path.read_bytes()
                if len(key) != KEY_BYTES:
                    raise KeyFileDamaged(f"the key file {self._path} is damaged: not a {KEY_BYTES}-byte key")
                self._key = key
            return self._key
