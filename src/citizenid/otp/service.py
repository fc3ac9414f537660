"""The OTP area's use cases: enrol a card's OTP application, validate codes once, resynchronise, unlock.

Secrets are never stored: each credential's seed is HKDF(master key, credential) (decision 0020), so the
server recomputes it and the card receives it once, at personalisation.  Concurrent validations of the
same code race on a compare-and-set UPDATE: exactly one of them moves the state and is accepted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol, cast

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from citizenid.audit.service import AccessRecord, AuditService
from citizenid.chip.service import CardApplications, ChipImage, OtpApplet
from citizenid.db.base import utcnow
from citizenid.db.uow import UnitOfWork
from citizenid.keyfiles import FileKey, MemoryKey
from citizenid.otp.domain import (
    HashAlgorithm,
    OtpKind,
    OtpParameters,
    OtpState,
    Outcome,
    ValidationPolicy,
    hotp,
    resynchronise,
    totp,
    validate,
)
from citizenid.otp.errors import InvalidOtpParameters, OtpCredentialNotFound, OtpReplayed
from citizenid.otp.models import OtpCredentialRow

__all__ = [
    "FileMasterKey",
    "HashAlgorithm",
    "MasterKey",
    "MemoryMasterKey",
    "OtpEnrolment",
    "OtpKind",
    "OtpParameters",
    "OtpService",
    "ValidationPolicy",
    "hotp",
    "totp",
]


class MasterKey(Protocol):
    """The key every OTP seed is derived from; in production an HSM-wrapped secret."""

    def value(self) -> bytes: ...


# The OTP master key is a key file like the others (decision 0020): one implementation for all of them.
MemoryMasterKey = MemoryKey
FileMasterKey = FileKey


@dataclass(frozen=True, slots=True)
class OtpEnrolment:
    """What personalisation writes into the card's OTP application.  Shown once, never stored."""

    personal_number: str
    credential_id: str
    parameters: OtpParameters
    secret: bytes


DEFAULT_PURPOSE = "confirm that the card holder is present"


def derive_secret(master: bytes, personal_number: str, credential_id: str, length: int) -> bytes:
    info = f"citizenid-otp/1|{personal_number}|{credential_id}".encode()
    return HKDF(hashes.SHA256(), length, salt=None, info=info).derive(master)


class OtpService:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], master_key: MasterKey, *,
                 policy: ValidationPolicy | None = None, clock: Callable[[], float] = time.time) -> None:
        self._uow = uow_factory
        self._master = master_key
        self._policy = policy or ValidationPolicy()
        self._clock = clock

    def _secret(self, row: OtpCredentialRow) -> bytes:
        params = _parameters(row)
        return derive_secret(self._master.value(), row.personal_number, row.credential_id, params.secret_length)

    def enrol(self, personal_number: str, credential_id: str, parameters: OtpParameters | None = None) -> OtpEnrolment:
        """Register a card's OTP application (replacing an earlier one of the same id) and return its seed."""
        parameters = parameters or OtpParameters()
        if not (personal_number.isdigit() and len(personal_number) == 12) or not 1 <= len(credential_id) <= 36:
            raise InvalidOtpParameters("a credential needs a 12-digit personal number and an id of 1-36 characters")
        with self._uow() as uow:
            row = uow.session.get(OtpCredentialRow, (personal_number, credential_id))
            if row is None:
                row = OtpCredentialRow(personal_number=personal_number, credential_id=credential_id)
                uow.session.add(row)
            row.kind, row.algorithm = parameters.kind.value, parameters.algorithm.value
            row.digits, row.period = parameters.digits, parameters.period
            row.counter, row.last_step, row.drift, row.failures = 0, -1, 0, 0
            row.created_at, row.last_used_at = utcnow(), None
            secret = self._secret(row)
            uow.commit()
        return OtpEnrolment(personal_number, credential_id, parameters, secret)

    def personalise_card(self, image: ChipImage, personal_number: str,
                         parameters: OtpParameters | None = None) -> OtpEnrolment:
        """Enrol the card (credential id: its document number) and write the seed into its OTP application."""
        enrolment = self.enrol(personal_number, image.document_number, parameters)
        params = enrolment.parameters
        applications = image.applications or CardApplications()
        applications.otp = OtpApplet(enrolment.secret, params.kind.value, params.algorithm.value, params.digits,
                                     params.period)
        image.applications = applications
        return enrolment

    def validate(self, personal_number: str, credential_id: str, code: str, *, actor: str = "system",
                 purpose: str = DEFAULT_PURPOSE) -> int:
        """Accept ``code`` once; returns the counter or time step it matched.  Raises an :class:`OtpError`."""
        return self._apply(personal_number, credential_id,
                           lambda p, s, st, now: validate(p, s, st, code, now=now, policy=self._policy),
                           AccessRecord(actor, "otp:code:validate", purpose, personal_number,
                                        details={"credential": credential_id}))

    def resynchronise(self, personal_number: str, credential_id: str, first: str, second: str, *,
                      actor: str = "system", purpose: str = DEFAULT_PURPOSE) -> int:
        return self._apply(personal_number, credential_id,
                           lambda p, s, st, now: resynchronise(p, s, st, first, second, now=now, policy=self._policy),
                           AccessRecord(actor, "otp:code:resynchronise", purpose, personal_number,
                                        details={"credential": credential_id}))

    def unlock(self, personal_number: str, credential_id: str) -> None:
        with self._uow() as uow:
            row = _row(uow.session, personal_number, credential_id)
            row.failures = 0
            uow.commit()

    def state(self, personal_number: str, credential_id: str) -> OtpState:
        with self._uow() as uow:
            return _state(_row(uow.session, personal_number, credential_id))

    def _apply(self, personal_number: str, credential_id: str,
               decide: Callable[[OtpParameters, bytes, OtpState, int], Outcome], access: AccessRecord) -> int:
        with self._uow() as uow:
            row = _row(uow.session, personal_number, credential_id)
            before = _state(row)
            outcome = decide(_parameters(row), self._secret(row), before, int(self._clock()))
            error = outcome.error
            if outcome.state != before:
                after = outcome.state
                moved = cast(CursorResult[Any], uow.session.execute(
                    update(OtpCredentialRow)
                    .where(OtpCredentialRow.personal_number == personal_number,
                           OtpCredentialRow.credential_id == credential_id,
                           OtpCredentialRow.counter == before.counter,
                           OtpCredentialRow.last_step == before.last_step,
                           OtpCredentialRow.failures == before.failures)
                    .values(counter=after.counter, last_step=after.last_step, drift=after.drift,
                            failures=after.failures, last_used_at=utcnow() if outcome.accepted else row.last_used_at)
                    .execution_options(synchronize_session=False)
                ))
                if moved.rowcount != 1 and outcome.accepted:
                    # Another request moved the state between our read and our write: it used this code.
                    error = OtpReplayed("this code was used by a concurrent request")
            # Who checked whose code, and what came of it, commits with the state it moved.
            AuditService.record_in(uow.session, [replace(access, outcome="ok" if error is None else error.code)])
            uow.commit()
        if error is not None:
            raise error
        assert outcome.matched is not None
        return outcome.matched


def _row(session: Session, personal_number: str, credential_id: str) -> OtpCredentialRow:
    row = session.scalars(
        select(OtpCredentialRow).where(OtpCredentialRow.personal_number == personal_number,
                                       OtpCredentialRow.credential_id == credential_id)
    ).one_or_none()
    if row is None:
        raise OtpCredentialNotFound(f"no OTP credential {credential_id!r} for this person")
    return row


def _parameters(row: OtpCredentialRow) -> OtpParameters:
    return OtpParameters(OtpKind(row.kind), HashAlgorithm(row.algorithm), row.digits, row.period)


def _state(row: OtpCredentialRow) -> OtpState:
    return OtpState(counter=row.counter, last_step=row.last_step, drift=row.drift, failures=row.failures)
