"""The service's side of the exchange API: its key, its DPoP-bound token, and the calls it makes."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

# (method, url, headers, body) -> (status, body): how the client reaches the platform.  urllib by default;
# tests hand in the platform's ASGI test client, which speaks HTTP semantics without a socket.
Send = Callable[[str, str, dict[str, str], bytes | None], tuple[int, bytes]]


class PlatformError(Exception):
    """The platform refused a call; ``problem`` is its RFC 9457 answer."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(problem.get("detail") or f"HTTP {status}")
        self.status = status
        self.problem = problem


def urllib_send(method: str, url: str, headers: dict[str, str], body: bytes | None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 - configured URL
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return int(answer.status), answer.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass
class PlatformClient:
    base_url: str
    client_id: str
    key: ec.EllipticCurvePrivateKey
    send: Send = urllib_send
    _token: str | None = None
    _expires: float = 0.0

    def __post_init__(self) -> None:
        # The DPoP key is the client key's sibling: a fresh one per process, so a stolen token is useless.
        self._dpop_key = ec.generate_private_key(ec.SECP256R1())
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self._dpop_key.public_key()))
        self._dpop_jwk = {k: public[k] for k in ("kty", "crv", "x", "y")}
        self.kid = _thumbprint(self.key)[:16]

    # -- calls the service makes ---------------------------------------------------------------------------

    def ask_consent(self, number: str, attributes: list[str], purpose: str) -> dict[str, Any]:
        return self.call("POST", "/api/v1/exchange/consents",
                         {"identifier": number, "attributes": attributes, "purpose": purpose,
                          "valid_for_seconds": 3600})

    def approve(self, number: str, consent_id: str, code: str) -> dict[str, Any]:
        return self.call("POST", f"/api/v1/exchange/consents/{consent_id}/approve",
                         {"identifier": number, "code": code})

    def fetch(self, number: str, consent_id: str) -> dict[str, Any]:
        return self.call("POST", "/api/v1/exchange/fetch", {"identifier": number, "consent_id": consent_id})

    def record_change_of_residence(self, number: str, *, commune: str, detail: str, effective: str, case: str,
                                   version: int | None = None) -> dict[str, Any]:
        return self.call("POST", "/api/v1/exchange/life-events", {
            "identifier": number, "kind": "change_of_residence", "effective_date": effective,
            "reason": f"đăng ký thường trú trực tuyến, hồ sơ {case}", "legal_basis": "Luật Cư trú 2020, Điều 22",
            "data": {"residence_commune": commune, "residence_detail": detail}, "expected_version": version})

    # -- the protocol ---------------------------------------------------------------------------------------

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        token = self._access_token()
        url = self.base_url + path
        headers = {"Authorization": f"DPoP {token}", "DPoP": self._proof(method, url, token),
                   "Content-Type": "application/json"}
        status, raw = self.send(method, url, headers, json.dumps(body).encode() if body is not None else None)
        answer = json.loads(raw or b"{}")
        if status >= 400:
            raise PlatformError(status, answer if isinstance(answer, dict) else {})
        return answer if isinstance(answer, dict) else {"items": answer}

    def _access_token(self) -> str:
        if self._token is not None and time.monotonic() < self._expires - 30:
            return self._token
        url = self.base_url + "/api/v1/exchange/oauth/token"
        now = int(time.time())
        assertion = jwt.encode({"iss": self.client_id, "sub": self.client_id, "aud": url, "iat": now,
                                "exp": now + 120, "jti": str(uuid.uuid4())}, self.key, algorithm="ES256",
                               headers={"kid": self.kid})
        form = (f"grant_type=client_credentials&client_assertion_type="
                f"urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={assertion}")
        headers = {"Content-Type": "application/x-www-form-urlencoded", "DPoP": self._proof("POST", url)}
        status, raw = self.send("POST", url, headers, form.encode())
        answer = json.loads(raw or b"{}")
        if status != 200:
            raise PlatformError(status, answer)
        self._token = str(answer["access_token"])
        self._expires = time.monotonic() + int(answer["expires_in"])
        return self._token

    def _proof(self, method: str, url: str, token: str | None = None) -> str:
        claims: dict[str, Any] = {"htm": method, "htu": url, "iat": int(time.time()), "jti": secrets.token_urlsafe(16)}
        if token is not None:
            claims["ath"] = _b64url(hashlib.sha256(token.encode()).digest())
        return jwt.encode(claims, self._dpop_key, algorithm="ES256", headers={"typ": "dpop+jwt", "jwk": self._dpop_jwk})



def _thumbprint(key: ec.EllipticCurvePrivateKey) -> str:
    """RFC 7638 thumbprint of the client key, as the platform names registered keys (``kid``)."""
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    canonical = json.dumps({k: public[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    return _b64url(hashlib.sha256(canonical.encode()).digest())
