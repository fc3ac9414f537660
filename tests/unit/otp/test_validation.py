"""The server's acceptance rules: window, drift, resynchronisation, replay refusal, lock-out."""

from __future__ import annotations

import pytest

from citizenid.otp.domain import (
    HashAlgorithm,
    OtpKind,
    OtpParameters,
    OtpState,
    ValidationPolicy,
    hotp,
    resynchronise,
    totp,
    validate,
)
from citizenid.otp.errors import OtpLocked, OtpRejected, OtpReplayed, OtpResyncFailed

SECRET = b"12345678901234567890"
HOTP = OtpParameters(OtpKind.HOTP)
TOTP = OtpParameters(OtpKind.TOTP, HashAlgorithm.SHA256, digits=8)
NOW = 1_800_000_000


def test_hotp_accepts_the_rfc_code_once_and_moves_the_counter() -> None:
    outcome = validate(HOTP, SECRET, OtpState(), "755224", now=NOW)
    assert outcome.accepted
    assert outcome.state.counter == 1
    again = validate(HOTP, SECRET, outcome.state, "755224", now=NOW)
    assert isinstance(again.error, OtpReplayed)
    assert again.state.failures == 1


def test_hotp_look_ahead_skips_codes_the_token_burnt() -> None:
    outcome = validate(HOTP, SECRET, OtpState(), "520489", now=NOW)  # counter 9
    assert outcome.accepted
    assert outcome.state.counter == 10
    assert not validate(HOTP, SECRET, outcome.state, "399871", now=NOW).accepted  # counter 8: behind


def test_hotp_beyond_the_window_needs_resynchronisation() -> None:
    far = hotp(SECRET, 50)
    assert isinstance(validate(HOTP, SECRET, OtpState(), far, now=NOW).error, OtpRejected)
    outcome = resynchronise(HOTP, SECRET, OtpState(), hotp(SECRET, 50), hotp(SECRET, 51), now=NOW)
    assert outcome.accepted
    assert outcome.state.counter == 52
    assert validate(HOTP, SECRET, outcome.state, hotp(SECRET, 52), now=NOW).accepted


def test_resynchronisation_refuses_codes_that_are_not_consecutive() -> None:
    outcome = resynchronise(HOTP, SECRET, OtpState(), hotp(SECRET, 50), hotp(SECRET, 53), now=NOW)
    assert isinstance(outcome.error, OtpResyncFailed)


def test_totp_window_is_one_step_either_side() -> None:
    step = TOTP.step_at(NOW)
    for offset in (-1, 0, 1):
        assert validate(TOTP, SECRET, OtpState(), TOTP.code(SECRET, step + offset), now=NOW).accepted, offset
    for offset in (-2, 2):
        assert not validate(TOTP, SECRET, OtpState(), TOTP.code(SECRET, step + offset), now=NOW).accepted, offset


def test_totp_code_is_accepted_once_and_earlier_steps_are_then_refused() -> None:
    code = totp(SECRET, NOW, digits=8, algorithm=HashAlgorithm.SHA256)
    outcome = validate(TOTP, SECRET, OtpState(), code, now=NOW)
    assert outcome.accepted
    assert isinstance(validate(TOTP, SECRET, outcome.state, code, now=NOW + 5).error, OtpReplayed)
    previous = TOTP.code(SECRET, TOTP.step_at(NOW) - 1)
    assert isinstance(validate(TOTP, SECRET, outcome.state, previous, now=NOW).error, OtpReplayed)


def test_totp_resynchronisation_learns_the_drift_and_keeps_it() -> None:
    token_step = TOTP.step_at(NOW) + 7  # the token's clock runs 3.5 minutes fast
    assert not validate(TOTP, SECRET, OtpState(), TOTP.code(SECRET, token_step), now=NOW).accepted
    synced = resynchronise(TOTP, SECRET, OtpState(), TOTP.code(SECRET, token_step),
                           TOTP.code(SECRET, token_step + 1), now=NOW)
    assert synced.accepted
    assert synced.state.drift == 8
    later = NOW + 600
    outcome = validate(TOTP, SECRET, synced.state, TOTP.code(SECRET, TOTP.step_at(later) + 7), now=later)
    assert outcome.accepted


def test_malformed_codes_are_refused_and_counted() -> None:
    for code in ("", "12345", "1234567", "75522a", "７５５２２４"):
        outcome = validate(HOTP, SECRET, OtpState(), code, now=NOW)
        assert isinstance(outcome.error, OtpRejected), code
        assert outcome.state.failures == 1


def test_too_many_failures_lock_the_credential() -> None:
    policy = ValidationPolicy(max_failures=3)
    state = OtpState()
    for _ in range(3):
        state = validate(HOTP, SECRET, state, "000000", now=NOW, policy=policy).state
    locked = validate(HOTP, SECRET, state, "755224", now=NOW, policy=policy)
    assert isinstance(locked.error, OtpLocked)
    assert locked.state == state


def test_success_resets_the_failure_count() -> None:
    state = validate(HOTP, SECRET, OtpState(), "000000", now=NOW).state
    assert state.failures == 1
    assert validate(HOTP, SECRET, state, "755224", now=NOW).state.failures == 0


@pytest.mark.parametrize("algorithm", list(HashAlgorithm))
def test_every_hash_validates(algorithm: HashAlgorithm) -> None:
    params = OtpParameters(OtpKind.TOTP, algorithm)
    secret = bytes(range(params.secret_length))
    assert validate(params, secret, OtpState(), totp(secret, NOW, algorithm=algorithm), now=NOW).accepted
