"""HOTP and TOTP pinned to the RFC vectors (shared/reference/test-vectors.md) and cross-checked with pyotp."""

from __future__ import annotations

import base64

import pyotp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from citizenid.otp.domain import HashAlgorithm, OtpParameters, hotp, time_step, totp
from citizenid.otp.errors import InvalidOtpParameters

RFC4226_SECRET = b"12345678901234567890"
RFC4226 = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]

# RFC 6238 appendix B: each hash keyed with "1234567890" repeated to its own output length.
SEEDS = {
    HashAlgorithm.SHA1: b"12345678901234567890",
    HashAlgorithm.SHA256: b"12345678901234567890123456789012",
    HashAlgorithm.SHA512: b"1234567890" * 6 + b"1234",
}
RFC6238 = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("counter", "expected"), list(enumerate(RFC4226)))
def test_hotp_matches_rfc4226_appendix_d(counter: int, expected: str) -> None:
    assert hotp(RFC4226_SECRET, counter) == expected


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), RFC6238)
def test_totp_matches_rfc6238_appendix_b(at: int, sha1: str, sha256: str, sha512: str) -> None:
    for algorithm, expected in zip(SEEDS, (sha1, sha256, sha512), strict=True):
        assert totp(SEEDS[algorithm], at, digits=8, algorithm=algorithm) == expected, algorithm


def test_the_twenty_byte_seed_for_every_hash_is_the_classic_bug() -> None:
    assert totp(SEEDS[HashAlgorithm.SHA1], 59, digits=8, algorithm=HashAlgorithm.SHA256) != "46119246"
    assert SEEDS[HashAlgorithm.SHA512] == (b"1234567890" * 7)[:64]
    assert OtpParameters(algorithm=HashAlgorithm.SHA512).secret_length == 64


def test_time_step_is_floor_division_from_t0() -> None:
    assert time_step(59) == 1
    assert time_step(60) == 2
    assert time_step(1111111109) == 0x23523EC


@given(secret=st.binary(min_size=16, max_size=64), counter=st.integers(0, 2**40), digits=st.integers(6, 8),
       algorithm=st.sampled_from(list(HashAlgorithm)))
def test_hotp_agrees_with_pyotp(secret: bytes, counter: int, digits: int, algorithm: HashAlgorithm) -> None:
    reference = pyotp.HOTP(base64.b32encode(secret).decode(), digits=digits, digest=algorithm.value)
    assert hotp(secret, counter, digits=digits, algorithm=algorithm) == reference.at(counter)


@given(secret=st.binary(min_size=16, max_size=64), at=st.integers(0, 2**36), period=st.sampled_from([30, 60]),
       algorithm=st.sampled_from(list(HashAlgorithm)))
def test_totp_agrees_with_pyotp(secret: bytes, at: int, period: int, algorithm: HashAlgorithm) -> None:
    reference = pyotp.TOTP(base64.b32encode(secret).decode(), digits=8, digest=algorithm.value, interval=period)
    assert totp(secret, at, period=period, digits=8, algorithm=algorithm) == reference.at(at)


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(InvalidOtpParameters):
        OtpParameters(digits=5)
    with pytest.raises(InvalidOtpParameters):
        OtpParameters(period=0)
    with pytest.raises(InvalidOtpParameters):
        OtpParameters().check_secret(b"short")
    with pytest.raises(InvalidOtpParameters):
        hotp(RFC4226_SECRET, -1)
