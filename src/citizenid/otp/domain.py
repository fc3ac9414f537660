"""HOTP (RFC 4226) and TOTP (RFC 6238), and the server's rules for accepting a code.  Pure: no I/O.

A credential's :class:`OtpState` is the moving factor the server has seen so far.  Validation and
resynchronisation are functions from (state, code, time) to an :class:`Outcome`: the next state and,
when the code is refused, the error.  The service persists the next state either way — a refused code
still counts as a failure — and raises the error after committing.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from citizenid.otp.errors import (
    InvalidOtpParameters,
    OtpError,
    OtpLocked,
    OtpRejected,
    OtpReplayed,
    OtpResyncFailed,
)

MIN_SECRET_BYTES = 16  # RFC 4226 section 4, R6: at least 128 bits


class HashAlgorithm(StrEnum):
    SHA1 = "sha1"
    SHA256 = "sha256"
    SHA512 = "sha512"

    @property
    def digest_size(self) -> int:
        return {"sha1": 20, "sha256": 32, "sha512": 64}[self.value]


class OtpKind(StrEnum):
    HOTP = "hotp"
    TOTP = "totp"


def hotp(secret: bytes, counter: int, *, digits: int = 6, algorithm: HashAlgorithm = HashAlgorithm.SHA1) -> str:
    """RFC 4226 section 5.3: HMAC, dynamic truncation, modulo 10^digits, left-padded with zeros."""
    if not 0 <= counter < 1 << 64:
        raise InvalidOtpParameters("the counter must fit in eight unsigned bytes")
    mac = hmac.digest(secret, counter.to_bytes(8, "big"), algorithm.value)
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def time_step(unix_time: int, *, period: int = 30, t0: int = 0) -> int:
    """RFC 6238 section 4.2: T = floor((time - T0) / X)."""
    return (unix_time - t0) // period


def totp(secret: bytes, unix_time: int, *, period: int = 30, t0: int = 0, digits: int = 6,
         algorithm: HashAlgorithm = HashAlgorithm.SHA1) -> str:
    return hotp(secret, time_step(unix_time, period=period, t0=t0), digits=digits, algorithm=algorithm)


@dataclass(frozen=True, slots=True)
class OtpParameters:
    kind: OtpKind = OtpKind.TOTP
    algorithm: HashAlgorithm = HashAlgorithm.SHA1
    digits: int = 6
    period: int = 30

    def __post_init__(self) -> None:
        if not 6 <= self.digits <= 8:
            raise InvalidOtpParameters("codes have 6 to 8 digits (RFC 4226 section 5.3)")
        if not 1 <= self.period <= 300:
            raise InvalidOtpParameters("the time step must be 1 to 300 seconds")

    @property
    def secret_length(self) -> int:
        """RFC 6238 appendix A keys each hash with a seed of its own output length."""
        return max(MIN_SECRET_BYTES, self.algorithm.digest_size)

    def check_secret(self, secret: bytes) -> bytes:
        if len(secret) < MIN_SECRET_BYTES:
            raise InvalidOtpParameters(f"an OTP secret needs at least {MIN_SECRET_BYTES} bytes")
        return secret

    def code(self, secret: bytes, moving_factor: int) -> str:
        """The code for a counter value (HOTP) or a time step (TOTP)."""
        return hotp(secret, moving_factor, digits=self.digits, algorithm=self.algorithm)

    def step_at(self, unix_time: int) -> int:
        return time_step(unix_time, period=self.period)


@dataclass(frozen=True, slots=True)
class ValidationPolicy:
    """How far the server looks for a matching code, and when it stops listening."""

    hotp_look_ahead: int = 10  # RFC 4226 section 7.4: the look-ahead window s
    totp_window: int = 1  # RFC 6238 section 5.2: one step either side of now
    hotp_resync_window: int = 100
    totp_resync_window: int = 40  # 20 minutes either side at 30 s steps
    max_failures: int = 10  # RFC 4226 section 7.3: throttle, then lock


@dataclass(frozen=True, slots=True)
class OtpState:
    """HOTP: the next counter expected.  TOTP: the last step accepted (-1: none yet) and the learned drift."""

    counter: int = 0
    last_step: int = -1
    drift: int = 0
    failures: int = 0


@dataclass(frozen=True, slots=True)
class Outcome:
    state: OtpState
    error: OtpError | None = None
    matched: int | None = None

    @property
    def accepted(self) -> bool:
        return self.error is None


def _matches(params: OtpParameters, secret: bytes, code: str, candidates: Iterable[int]) -> int | None:
    for candidate in candidates:
        if candidate >= 0 and hmac.compare_digest(params.code(secret, candidate), code):
            return candidate
    return None


def _nearest_first(centre: int, radius: int) -> list[int]:
    """centre, centre+1, centre-1, ...: the likeliest steps first."""
    order = [centre]
    for distance in range(1, radius + 1):
        order += [centre + distance, centre - distance]
    return order


def _well_formed(params: OtpParameters, code: str) -> bool:
    return len(code) == params.digits and code.isascii() and code.isdigit()


def _failed(state: OtpState, error: OtpError) -> Outcome:
    return Outcome(replace(state, failures=state.failures + 1), error)


def validate(params: OtpParameters, secret: bytes, state: OtpState, code: str, *, now: int,
             policy: ValidationPolicy | None = None) -> Outcome:
    """Accept ``code`` once: the state moves past it so the same code is refused afterwards."""
    policy = policy or ValidationPolicy()
    if state.failures >= policy.max_failures:
        return Outcome(state, OtpLocked("too many wrong codes: the credential is locked until it is reset"))
    if not _well_formed(params, code):
        return _failed(state, OtpRejected(f"a code is {params.digits} digits"))
    if params.kind is OtpKind.HOTP:
        found = _matches(params, secret, code, range(state.counter, state.counter + policy.hotp_look_ahead + 1))
        if found is not None:
            return Outcome(OtpState(counter=found + 1), matched=found)
        behind = range(max(0, state.counter - policy.hotp_look_ahead), state.counter)
        if _matches(params, secret, code, behind) is not None:
            return _failed(state, OtpReplayed("this code was already used"))
        return _failed(state, OtpRejected("the code does not match"))
    expected = params.step_at(now) + state.drift
    found = _matches(params, secret, code, _nearest_first(expected, policy.totp_window))
    if found is None:
        return _failed(state, OtpRejected("the code does not match or has expired"))
    if found <= state.last_step:
        return _failed(state, OtpReplayed("this code was already used"))
    # Remember how far the token's clock is from ours, so the window follows a drifting token.
    return Outcome(OtpState(last_step=found, drift=found - params.step_at(now)), matched=found)


def resynchronise(params: OtpParameters, secret: bytes, state: OtpState, first: str, second: str, *, now: int,
                  policy: ValidationPolicy | None = None) -> Outcome:
    """RFC 4226 appendix E.4 / RFC 6238 section 6: two consecutive codes found in a wide window."""
    policy = policy or ValidationPolicy()
    if state.failures >= policy.max_failures:
        return Outcome(state, OtpLocked("too many wrong codes: the credential is locked until it is reset"))
    if not (_well_formed(params, first) and _well_formed(params, second)):
        return _failed(state, OtpResyncFailed(f"a code is {params.digits} digits"))
    if params.kind is OtpKind.HOTP:
        candidates: Iterable[int] = range(state.counter, state.counter + policy.hotp_resync_window + 1)
    else:
        candidates = _nearest_first(params.step_at(now) + state.drift, policy.totp_resync_window)
    for candidate in candidates:
        if candidate < 0 or not hmac.compare_digest(params.code(secret, candidate), first):
            continue
        if not hmac.compare_digest(params.code(secret, candidate + 1), second):
            continue
        if params.kind is OtpKind.HOTP:
            return Outcome(OtpState(counter=candidate + 2), matched=candidate + 1)
        if candidate <= state.last_step:
            return _failed(state, OtpReplayed("these codes were already used"))
        return Outcome(OtpState(last_step=candidate + 1, drift=candidate + 1 - params.step_at(now)),
                       matched=candidate + 1)
    return _failed(state, OtpResyncFailed("the two codes are not consecutive codes of this credential"))
