"""private_key_jwt assertions and DPoP proofs: known answers (RFC 7638), every refusal, and hypothesis on
malformed input (never an exception other than the platform's own)."""

from __future__ import annotations

import time

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citizenid.exchange.errors import ExchangeInvalid, InvalidClient, PartnerNotAuthenticated
from citizenid.exchange.tokens import PartnerKey, check_public_jwk, jwk_thumbprint, verify_client_assertion, verify_dpop

URL = "https://exchange.example/api/v1/exchange/verify"
TOKEN_URL = "https://exchange.example/api/v1/exchange/oauth/token"

# RFC 7638 section 3.1: the example RSA key and its thumbprint.
RFC7638_JWK = {
    "kty": "RSA",
    "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV"
        "4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7"
        "d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF4"
        "4-csFCur-kEgU8awapJzKnqDKgw"
    ),
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}


def test_thumbprint_known_answer() -> None:
    assert jwk_thumbprint(RFC7638_JWK) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_private_keys_are_not_registered() -> None:
    key = PartnerKey()
    with pytest.raises(ExchangeInvalid, match="private"):
        check_public_jwk({**key.public_jwk, "d": "AAAA"})
    with pytest.raises(ExchangeInvalid):
        check_public_jwk({"kty": "oct", "k": "c2VjcmV0"})
    assert check_public_jwk(key.public_jwk)["kty"] == "EC"


def test_a_client_assertion_is_checked_against_the_clients_keys() -> None:
    key, other = PartnerKey(), PartnerKey()
    keys = {key.kid: key.public_jwk}
    claims = verify_client_assertion(key.client_assertion("bank", TOKEN_URL), keys, client_id="bank",
                                     audiences={TOKEN_URL})
    assert claims["iss"] == "bank"
    for bad in (other.client_assertion("bank", TOKEN_URL),              # unknown key
                key.client_assertion("other-bank", TOKEN_URL),          # wrong issuer
                key.client_assertion("bank", "https://elsewhere/token"),  # wrong audience
                key.client_assertion("bank", TOKEN_URL, lifetime=3600),  # lives too long
                key.client_assertion("bank", TOKEN_URL, lifetime=-120),  # expired
                "not.a.jwt"):
        with pytest.raises(InvalidClient):
            verify_client_assertion(bad, keys, client_id="bank", audiences={TOKEN_URL})


def test_unsigned_and_symmetric_assertions_are_refused() -> None:
    key = PartnerKey()
    now = int(time.time())
    claims = {"iss": "bank", "sub": "bank", "aud": TOKEN_URL, "iat": now, "exp": now + 60, "jti": "x" * 16}
    for token in (jwt.encode(claims, None, algorithm="none"), jwt.encode(claims, "secret" * 8, algorithm="HS256")):
        with pytest.raises(InvalidClient):
            verify_client_assertion(token, {key.kid: key.public_jwk}, client_id="bank", audiences={TOKEN_URL})


def test_a_dpop_proof_binds_method_url_time_and_token() -> None:
    key = PartnerKey()
    proof = verify_dpop(key.dpop("POST", URL, "tok"), method="POST", url=URL, access_token="tok",
                        expected_jkt=key.thumbprint)
    assert proof.jkt == key.thumbprint
    assert len(proof.jti) >= 8
    # the query string is not part of htu
    verify_dpop(key.dpop("POST", URL), method="POST", url=URL + "?x=1")
    common = {"method": "POST", "url": URL, "access_token": "tok"}
    refusals = [
        {**common, "proof": key.dpop("GET", URL, "tok")},
        {**common, "proof": key.dpop("POST", URL + "/other", "tok")},
        {**common, "proof": key.dpop("POST", URL, "tok", iat=time.time() - 600)},
        {**common, "proof": key.dpop("POST", URL, "other")},
        {**common, "proof": key.dpop("POST", URL, "tok"), "expected_jkt": "x"},
        {"proof": key.client_assertion("bank", URL), "method": "POST", "url": URL},
    ]
    for kwargs in refusals:
        with pytest.raises(PartnerNotAuthenticated):
            verify_dpop(**kwargs)  # type: ignore[arg-type]


def test_a_proof_signed_by_another_key_than_its_header_says_is_refused() -> None:
    key, other = PartnerKey(), PartnerKey()
    proof = key.dpop("POST", URL)
    header, payload, _ = proof.split(".")
    forged = ".".join((header, payload, other.dpop("POST", URL).split(".")[2]))
    with pytest.raises(PartnerNotAuthenticated):
        verify_dpop(forged, method="POST", url=URL)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_garbage_proofs_are_refused_cleanly(garbage: str) -> None:
    with pytest.raises(PartnerNotAuthenticated):
        verify_dpop(garbage, method="POST", url=URL)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_garbage_assertions_are_refused_cleanly(garbage: str) -> None:
    key = PartnerKey()
    with pytest.raises(InvalidClient):
        verify_client_assertion(garbage, {key.kid: key.public_jwk}, client_id="bank", audiences={TOKEN_URL})
