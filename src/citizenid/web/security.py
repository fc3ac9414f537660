"""Browser sessions for the pages: the session cookie, CSRF tokens and opaque references.

- The session cookie carries the same bearer token the API issues (``citizenid_session``), HttpOnly,
  SameSite=Strict, Secure whenever the page was served over HTTPS.
- Every form that changes something carries a CSRF token: an HMAC of the session token under the
  server's page key, so it needs no server-side state and dies with the session.  The login form,
  which has no session yet, uses a double-submit cookie.
- Personal numbers never appear in a URL.  A link to a person carries an opaque reference: the number
  sealed with AES-GCM under the page key, bound to the session, so a reference copied out of a log or a
  browser history opens nothing for anyone else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from citizenid.keyfiles import FileKey
from citizenid.web.errors import BadReference

SESSION_COOKIE = "citizenid_session"
LOGIN_CSRF_COOKIE = "citizenid_login_csrf"
LANGUAGE_COOKIE = "citizenid_lang"
_KEY_FILE = "web-pages.key"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PageKeys:
    """The page key: 32 random bytes in ``<data dir>/keys/web-pages.key`` (0600), shared by every worker
    process of one deployment, created on first use."""

    def __init__(self, keys_dir: Path) -> None:
        self._key = FileKey(keys_dir / _KEY_FILE)

    def _material(self) -> bytes:
        return self._key.value()

    def _derived(self, label: bytes) -> bytes:
        return hmac.new(self._material(), label, hashlib.sha256).digest()

    def csrf_token(self, session_token: str) -> str:
        return _b64(hmac.new(self._derived(b"csrf"), session_token.encode(), hashlib.sha256).digest())

    def csrf_valid(self, session_token: str, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(self.csrf_token(session_token), presented or "")

    def seal(self, session_token: str, value: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self._derived(b"ref")).encrypt(nonce, value.encode(), _binding(session_token))
        return _b64(nonce + sealed)

    def open(self, session_token: str, reference: str) -> str:
        try:
            raw = _unb64(reference)
            value = AESGCM(self._derived(b"ref")).decrypt(raw[:12], raw[12:], _binding(session_token))
            return value.decode()
        except (ValueError, InvalidTag, UnicodeDecodeError):
            raise BadReference("this link belongs to another session or has been altered; search again") from None


def _binding(session_token: str) -> bytes:
    return hashlib.sha256(session_token.encode()).digest()


def login_csrf() -> str:
    return secrets.token_urlsafe(24)
