"""The OTP service on SQLite and PostgreSQL: counters persist, a code is accepted once, even concurrently."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from citizenid.bootstrap import Container
from citizenid.otp.errors import OtpCredentialNotFound, OtpLocked, OtpRejected, OtpReplayed
from citizenid.otp.service import (
    FileMasterKey,
    HashAlgorithm,
    MemoryMasterKey,
    OtpKind,
    OtpParameters,
    OtpService,
    ValidationPolicy,
    hotp,
    totp,
)

PERSON = "001093047064"
NOW = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def service(container: Container, clock: Clock | None = None, **kwargs: object) -> OtpService:
    return OtpService(container.uow, MemoryMasterKey(b"k" * 32), clock=clock or Clock(), **kwargs)  # type: ignore[arg-type]


def test_totp_code_is_accepted_once_across_requests(any_container: Container) -> None:
    clock = Clock()
    otp = service(any_container, clock)
    enrolment = otp.enrol(PERSON, "card-1", OtpParameters(OtpKind.TOTP, HashAlgorithm.SHA256, 8))
    assert len(enrolment.secret) == 32
    code = totp(enrolment.secret, int(NOW), digits=8, algorithm=HashAlgorithm.SHA256)
    step = otp.validate(PERSON, "card-1", code)
    assert step == int(NOW) // 30
    with pytest.raises(OtpReplayed):
        service(any_container, clock).validate(PERSON, "card-1", code)  # a fresh service: the state is stored
    clock.now += 30
    assert otp.validate(PERSON, "card-1", totp(enrolment.secret, int(clock.now), digits=8,
                                               algorithm=HashAlgorithm.SHA256)) == step + 1


def test_hotp_counter_and_resynchronisation_persist(any_container: Container) -> None:
    otp = service(any_container)
    secret = otp.enrol(PERSON, "card-2", OtpParameters(OtpKind.HOTP)).secret
    assert otp.validate(PERSON, "card-2", hotp(secret, 0)) == 0
    with pytest.raises(OtpRejected):
        otp.validate(PERSON, "card-2", hotp(secret, 40))
    assert otp.resynchronise(PERSON, "card-2", hotp(secret, 40), hotp(secret, 41)) == 41
    assert otp.state(PERSON, "card-2").counter == 42
    with pytest.raises(OtpReplayed):
        otp.validate(PERSON, "card-2", hotp(secret, 41))


def test_concurrent_use_of_one_code_is_accepted_exactly_once(any_container: Container) -> None:
    otp = service(any_container)
    secret = otp.enrol(PERSON, "card-3", OtpParameters(OtpKind.HOTP)).secret
    code = hotp(secret, 0)

    def attempt(_: int) -> bool:
        try:
            otp.validate(PERSON, "card-3", code)
        except OtpRejected:
            return False
        return True

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(attempt, range(8)))
    assert results.count(True) == 1


def test_lockout_and_unlock(any_container: Container) -> None:
    otp = service(any_container, policy=ValidationPolicy(max_failures=2))
    secret = otp.enrol(PERSON, "card-4", OtpParameters(OtpKind.HOTP)).secret
    for _ in range(2):
        with pytest.raises(OtpRejected):
            otp.validate(PERSON, "card-4", "000000")
    with pytest.raises(OtpLocked):
        otp.validate(PERSON, "card-4", hotp(secret, 0))
    otp.unlock(PERSON, "card-4")
    assert otp.validate(PERSON, "card-4", hotp(secret, 0)) == 0


def test_unknown_credential_and_seed_not_in_the_database(any_container: Container, tmp_path: Path) -> None:
    master = FileMasterKey(tmp_path / "keys" / "otp-master.key")
    otp = OtpService(any_container.uow, master)
    with pytest.raises(OtpCredentialNotFound):
        otp.validate(PERSON, "nope", "123456")
    secret = otp.enrol(PERSON, "card-5").secret
    assert (tmp_path / "keys" / "otp-master.key").stat().st_mode & 0o777 == 0o600
    # The same master key derives the same seed: a restarted server validates the card's codes.
    again = OtpService(any_container.uow, FileMasterKey(tmp_path / "keys" / "otp-master.key"))
    assert again.validate(PERSON, "card-5", totp(secret, int(__import__("time").time()))) >= 0
    with any_container.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT * FROM otp_credentials").fetchall()
    assert all(secret.hex() not in repr(row) for row in rows)
