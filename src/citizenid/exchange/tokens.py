"""OAuth 2.0 client authentication with ``private_key_jwt`` (RFC 7523) and DPoP proofs (RFC 9449).

Server side: :func:`verify_client_assertion`, :func:`verify_dpop`, :func:`jwk_thumbprint` (RFC 7638).
Partner side (tests, benchmarks, the demo): :class:`PartnerKey` makes assertions and proofs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from citizenid.exchange.errors import ExchangeInvalid, InvalidClient, PartnerNotAuthenticated

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = frozenset({"ES256", "ES384", "PS256", "RS256", "EdDSA"})
_ALG_KTY = {"ES256": "EC", "ES384": "EC", "PS256": "RSA", "RS256": "RSA", "EdDSA": "OKP"}
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_THUMBPRINT_MEMBERS = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}
MAX_ASSERTION_LIFETIME = 300
DPOP_MAX_AGE = 60
_KEY_CACHE_LIMIT = 10_000


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638: SHA-256 over the required members in lexical order, base64url."""
    kty = jwk.get("kty")
    members = _THUMBPRINT_MEMBERS.get(str(kty))
    if members is None or any(not isinstance(jwk.get(m), str) for m in members):
        raise ExchangeInvalid("a JWK needs kty EC (crv, x, y), RSA (n, e) or OKP (crv, x)")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


def check_public_jwk(jwk: Mapping[str, Any]) -> dict[str, Any]:
    """A partner's public key as registered: no private members, a key type and size we accept."""
    if not isinstance(jwk, Mapping):
        raise ExchangeInvalid("the key must be a JWK object")
    if _PRIVATE_MEMBERS & set(jwk):
        raise ExchangeInvalid("that JWK holds a private key: register the public key only")
    clean = {k: v for k, v in jwk.items() if k in ("kty", "crv", "x", "y", "n", "e", "kid", "alg", "use")}
    jwk_thumbprint(clean)
    try:
        key = jwt.PyJWK(clean).key
    except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError) as exc:
        raise ExchangeInvalid(f"not a usable public JWK: {exc}") from None
    if clean["kty"] == "EC" and clean.get("crv") not in ("P-256", "P-384"):
        raise ExchangeInvalid("EC keys must be on P-256 or P-384")
    if clean["kty"] == "RSA" and getattr(key, "key_size", 0) < 2048:
        raise ExchangeInvalid("RSA keys must have at least 2048 bits")
    if clean["kty"] == "OKP" and clean.get("crv") != "Ed25519":
        raise ExchangeInvalid("OKP keys must be Ed25519")
    return clean


_keys: dict[str, Any] = {}


def _key_of(jwk: Mapping[str, Any], thumbprint: str) -> Any:
    key = _keys.get(thumbprint)
    if key is None:
        key = jwt.PyJWK(dict(jwk)).key
        if len(_keys) >= _KEY_CACHE_LIMIT:
            _keys.clear()
        _keys[thumbprint] = key
    return key


def _header(token: str, error: type[PartnerNotAuthenticated]) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise error("not a compact JWS") from None
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise error(f"algorithm {alg!r} is not accepted; use one of {', '.join(sorted(ALGORITHMS))}")
    return header


def verify_client_assertion(assertion: str, keys: Mapping[str, Mapping[str, Any]], *, client_id: str,
                            audiences: set[str]) -> dict[str, Any]:
    """Check a ``private_key_jwt`` client assertion against the client's active keys (by ``kid``)."""
    header = _header(assertion, InvalidClient)
    kid = header.get("kid")
    jwk = keys.get(str(kid)) if kid is not None else (next(iter(keys.values())) if len(keys) == 1 else None)
    if jwk is None:
        raise InvalidClient("the assertion's kid names no active key of this client")
    if _ALG_KTY[header["alg"]] != jwk.get("kty"):
        raise InvalidClient("the assertion's algorithm does not fit the key")
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion, key=_key_of(jwk, jwk_thumbprint(jwk)), algorithms=[header["alg"]],
            audience=sorted(audiences), issuer=client_id, leeway=30,
            options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidClient(f"client assertion refused: {exc}") from None
    if claims.get("sub") != client_id:
        raise InvalidClient("the assertion's sub must be the client id")
    lifetime = float(claims["exp"]) - float(claims["iat"])
    if lifetime > MAX_ASSERTION_LIFETIME:
        raise InvalidClient(f"assertions may live {MAX_ASSERTION_LIFETIME} s at most")
    if not isinstance(claims.get("jti"), str) or not 8 <= len(claims["jti"]) <= 200:
        raise InvalidClient("the assertion needs a jti of 8-200 characters")
    return claims


@dataclass(frozen=True, slots=True)
class DpopProof:
    jkt: str
    jti: str
    iat: float


def normalise_htu(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"


def access_token_hash(token: str) -> str:
    return b64url(hashlib.sha256(token.encode()).digest())


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _es256_claims(proof: str, key: Any) -> dict[str, Any]:
    """Verify a compact ES256 JWS with ``cryptography`` directly and return its claims: a third of what the
    general JWT library costs, on the one check every partner request makes."""
    header, payload, signature = proof.split(".")
    raw = _b64decode(signature)
    if len(raw) != 64 or not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("not an ES256 signature")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(der, f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(_b64decode(payload))
    if not isinstance(claims, dict):
        raise ValueError("claims are not an object")
    return claims


def _dpop_header(proof: str) -> dict[str, Any]:
    try:
        header = json.loads(_b64decode(proof.split(".", 1)[0]))
    except (ValueError, UnicodeDecodeError):
        raise PartnerNotAuthenticated("the DPoP proof is not a compact JWS") from None
    if not isinstance(header, dict) or proof.count(".") != 2:
        raise PartnerNotAuthenticated("the DPoP proof is not a compact JWS")
    if header.get("alg") not in ALGORITHMS:
        raise PartnerNotAuthenticated(f"DPoP algorithm {header.get('alg')!r} is not accepted")
    return header


def verify_dpop(proof: str, *, method: str, url: str, now: float | None = None, access_token: str | None = None,
                expected_jkt: str | None = None, max_age: float = DPOP_MAX_AGE) -> DpopProof:
    """Check a DPoP proof for this request: key, signature, method, URL, freshness and token binding."""
    header = _dpop_header(proof)
    if header.get("typ") != "dpop+jwt":
        raise PartnerNotAuthenticated("a DPoP proof has typ 'dpop+jwt'")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or _PRIVATE_MEMBERS & set(jwk) or _ALG_KTY[header["alg"]] != jwk.get("kty"):
        raise PartnerNotAuthenticated("the DPoP proof needs the public key that fits its algorithm in 'jwk'")
    try:
        jkt = jwk_thumbprint(jwk)
    except ExchangeInvalid as exc:
        raise PartnerNotAuthenticated(exc.detail) from None
    if expected_jkt is not None and jkt != expected_jkt:
        raise PartnerNotAuthenticated("the DPoP key is not the one this token is bound to")
    try:
        key = _key_of(jwk, jkt)
        if header["alg"] == "ES256":
            claims = _es256_claims(proof, key)
        else:
            claims = jwt.decode(proof, key=key, algorithms=[header["alg"]],
                                options={"verify_aud": False, "verify_iat": False, "verify_exp": False})
    except (jwt.PyJWTError, jwt.PyJWKError, InvalidSignature, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise PartnerNotAuthenticated(f"DPoP proof refused: {exc or 'bad signature'}") from None
    moment = time.time() if now is None else now
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool) or abs(moment - float(iat)) > max_age:
        raise PartnerNotAuthenticated(f"the DPoP proof must be made within {max_age:g} s of its use")
    if claims.get("htm") != method.upper():
        raise PartnerNotAuthenticated("the DPoP proof is for another HTTP method")
    if not isinstance(claims.get("htu"), str) or normalise_htu(claims["htu"]) != normalise_htu(url):
        raise PartnerNotAuthenticated("the DPoP proof is for another URL")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 8 <= len(jti) <= 200:
        raise PartnerNotAuthenticated("the DPoP proof needs a jti of 8-200 characters")
    if access_token is not None and claims.get("ath") != access_token_hash(access_token):
        raise PartnerNotAuthenticated("the DPoP proof's ath does not match the access token")
    return DpopProof(jkt, jti, float(iat))


class PartnerKey:
    """A partner's EC P-256 key pair, as a partner's software holds it (tests, benchmarks, the demo)."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey | None = None, kid: str | None = None) -> None:
        self._key = private_key or ec.generate_private_key(ec.SECP256R1())
        self.public_jwk: dict[str, Any] = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self._key.public_key()))
        self.kid = kid or jwk_thumbprint(self.public_jwk)[:16]
        self.public_jwk["kid"] = self.kid

    @property
    def thumbprint(self) -> str:
        return jwk_thumbprint(self.public_jwk)

    def client_assertion(self, client_id: str, audience: str, *, lifetime: int = 120, jti: str | None = None) -> str:
        now = int(time.time())
        claims = {"iss": client_id, "sub": client_id, "aud": audience, "iat": now, "exp": now + lifetime,
                  "jti": jti or str(uuid.uuid4())}
        return jwt.encode(claims, self._key, algorithm="ES256", headers={"kid": self.kid})

    def dpop(self, method: str, url: str, access_token: str | None = None, *, iat: float | None = None) -> str:
        claims: dict[str, Any] = {"htm": method.upper(), "htu": url, "iat": int(time.time() if iat is None else iat),
                                  "jti": secrets.token_urlsafe(16)}
        if access_token is not None:
            claims["ath"] = access_token_hash(access_token)
        jwk = {k: v for k, v in self.public_jwk.items() if k in ("kty", "crv", "x", "y")}
        return jwt.encode(claims, self._key, algorithm="ES256", headers={"typ": "dpop+jwt", "jwk": jwk})
