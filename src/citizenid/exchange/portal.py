"""The citizen's side: log in to the portal with the personal number and a one-time code, see who accessed
one's data (the audit log's tracker, with inclusion proofs), see and revoke one's consents (decision 0031).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citizenid.audit.service import AccessRecord, AuditService, Tracker
from citizenid.db.base import utcnow
from citizenid.db.uow import UnitOfWork
from citizenid.exchange.domain import ConsentReceipt, ConsentStatus, code_hash, is_number
from citizenid.exchange.errors import CitizenNotAuthenticated, ExchangeInvalid, ExchangeNotFound, RateLimited
from citizenid.exchange.models import CitizenChallengeRow, CitizenSessionRow, ConsentRow, ServiceRow
from citizenid.exchange.notify import Notification, NotificationChannel
from citizenid.exchange.service import receipt_of

CODE_ATTEMPTS = 5
CHALLENGES_PER_WINDOW = 5
CHALLENGE_WINDOW = 900.0


@dataclass(frozen=True, slots=True)
class CitizenSession:
    token: str
    expires_at: dt.datetime


class CitizenPortal:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], *, audit: AuditService,
                 person_in: Callable[[Session, str], Any], channel: NotificationChannel,
                 session_ttl: dt.timedelta = dt.timedelta(minutes=30),
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._uow = uow_factory
        self._audit = audit
        self._person_in = person_in
        self._channel = channel
        self._ttl = session_ttl
        self._clock = clock
        self._recent: dict[str, deque[float]] = {}

    def start_login(self, personal_number: str) -> str:
        """A challenge id; the code goes to the person's registered channel.  The answer is the same whether
        or not the number is registered, so the portal is no oracle for numbers."""
        if not is_number(personal_number):
            raise ExchangeInvalid("a personal number has 12 digits")
        self._throttle(personal_number)
        challenge_id, code = str(uuid.uuid4()), f"{secrets.randbelow(10**6):06d}"
        now = self._clock()
        with self._uow() as uow:
            known = self._person_in(uow.session, personal_number) is not None
            uow.session.add(CitizenChallengeRow(personal_number=personal_number, challenge_id=challenge_id,
                                                code_hash=code_hash(challenge_id, code) if known else "-",
                                                attempts=0, expires_at=now + dt.timedelta(minutes=5)))
            uow.commit()
        if known:
            self._channel.send(Notification(personal_number, "portal-login",
                                            f"Mã đăng nhập cổng công dân: {code} (hiệu lực 5 phút).", code))
        return challenge_id

    def _throttle(self, personal_number: str) -> None:
        """At most five codes per number per 15 minutes (in this process): each costs the citizen a message,
        and each is five guesses at a six-digit code."""
        now = time.monotonic()
        recent = self._recent.setdefault(personal_number, deque())
        while recent and recent[0] < now - CHALLENGE_WINDOW:
            recent.popleft()
        if len(recent) >= CHALLENGES_PER_WINDOW:
            raise RateLimited("too many login codes for this number; try again later",
                              retry_after=int(recent[0] + CHALLENGE_WINDOW - now) + 1, limit=CHALLENGES_PER_WINDOW)
        recent.append(now)
        if len(self._recent) > 100_000:
            self._recent.clear()

    def finish_login(self, personal_number: str, challenge_id: str, code: str) -> CitizenSession:
        now = self._clock()
        with self._uow() as uow:
            row = uow.session.get(CitizenChallengeRow, (personal_number, challenge_id))
            if row is None or row.used_at is not None or row.expires_at < now or row.attempts >= CODE_ATTEMPTS:
                raise CitizenNotAuthenticated("no valid login challenge: ask for a new code")
            if not secrets.compare_digest(row.code_hash, code_hash(challenge_id, code)):
                row.attempts += 1
                uow.commit()
                raise CitizenNotAuthenticated("wrong code")
            row.used_at = now
            token = secrets.token_urlsafe(32)
            uow.session.add(CitizenSessionRow(token_hash=_hash(token), personal_number=personal_number,
                                              expires_at=now + self._ttl))
            self._audit.record_in(uow.session, [AccessRecord(
                actor=f"citizen:{personal_number}", action="exchange:citizen:login", purpose="citizen portal",
                subject=personal_number)])
            uow.commit()
        return CitizenSession(token, now + self._ttl)

    def citizen(self, token: str) -> str:
        with self._uow() as uow:
            row = uow.session.get(CitizenSessionRow, _hash(token))
            if row is None or row.expires_at <= self._clock():
                raise CitizenNotAuthenticated("log in with your personal number and a one-time code")
            return row.personal_number

    def tracker(self, personal_number: str, *, limit: int = 100) -> Tracker:
        viewer = AccessRecord(actor=f"citizen:{personal_number}", action="audit:tracker:read",
                              purpose="citizen data tracker")
        return self._audit.tracker(personal_number, viewer=viewer, limit=limit)

    def consents(self, personal_number: str) -> list[ConsentReceipt]:
        with self._uow() as uow:
            rows = uow.session.scalars(select(ConsentRow).where(ConsentRow.personal_number == personal_number)
                                       .order_by(ConsentRow.requested_at.desc()).limit(200))
            return [receipt_of(r, uow.session.get(ServiceRow, r.service_code)) for r in rows]

    def revoke(self, personal_number: str, consent_id: str) -> ConsentReceipt:
        with self._uow() as uow:
            row = uow.session.get(ConsentRow, (personal_number, consent_id))
            if row is None:
                raise ExchangeNotFound(f"no consent {consent_id}")
            if row.status in (ConsentStatus.PENDING, ConsentStatus.GRANTED):
                row.status, row.revoked_at = ConsentStatus.REVOKED.value, self._clock()
                self._audit.record_in(uow.session, [AccessRecord(
                    actor=f"citizen:{personal_number}", action="exchange:consent:revoke", purpose="citizen portal",
                    subject=personal_number, details={"consent": consent_id, "service": row.service_code})])
            uow.commit()
            return receipt_of(row, uow.session.get(ServiceRow, row.service_code))

    def record(self, personal_number: str) -> Any:
        """My record as the register holds it (a citizen reading their own data is an access like any)."""
        with self._uow() as uow:
            person = self._person_in(uow.session, personal_number)
            self._audit.record_in(uow.session, [AccessRecord(
                actor=f"citizen:{personal_number}", action="registry:person:read", purpose="citizen portal",
                subject=personal_number)])
            uow.commit()
            return person

    def logout(self, token: str) -> None:
        with self._uow() as uow:
            row = uow.session.get(CitizenSessionRow, _hash(token))
            if row is not None:
                uow.session.delete(row)
            uow.commit()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
