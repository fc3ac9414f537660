"""The exchange platform's use cases for partners: administration, tokens, verify, consent and fetch,
card-based authentication, aliases.  Commits here (and in :mod:`events`, :mod:`portal`) only.

Every access to a person's data is recorded in the access log in the same transaction as the access,
with the partner's service (``details.service``) and purpose, so the citizen's data tracker shows it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from citizenid.audit.service import AccessRecord, AuditService
from citizenid.db.base import utcnow
from citizenid.db.uow import UnitOfWork
from citizenid.errors import CitizenIdError
from citizenid.exchange import repository as repo
from citizenid.exchange.admin import PartnerAdministration
from citizenid.exchange.commit import LoopCommitter, PendingWrite, write_batch
from citizenid.exchange.domain import (
    DOCUMENT_ATTRIBUTE_PREFIX,
    Attribute,
    ClientStatus,
    ConsentReceipt,
    ConsentStatus,
    EnumerationDetector,
    Operation,
    PartnerPrincipal,
    RateLimiter,
    RateState,
    alias_for,
    code_hash,
    is_alias,
    is_number,
    match_attributes,
    name_exact,
)
from citizenid.exchange.errors import (
    AssertionReplayed,
    CardRejected,
    ConsentCodeWrong,
    ConsentRefused,
    ExchangeInvalid,
    ExchangeNotFound,
    InvalidClient,
    OutsideGrant,
    PartnerNotAuthenticated,
    ProofReplayed,
)
from citizenid.exchange.models import (
    AccessTokenRow,
    AliasSecretRow,
    CardChallengeRow,
    ClientRow,
    ConsentRow,
    ServiceRow,
)
from citizenid.exchange.notify import Notification, NotificationChannel
from citizenid.exchange.tokens import (
    ASSERTION_TYPE,
    DPOP_MAX_AGE,
    MAX_ASSERTION_LIFETIME,
    DpopProof,
    verify_client_assertion,
    verify_dpop,
)

__all__ = ["ExchangeService", "IssuedToken", "VerifyAnswer", "VerifyQuery"]

ISSUER = "citizenid-exchange"
CODE_ATTEMPTS = 5
_CACHE_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int
    token_type: str = "DPoP"  # noqa: S105 - the RFC 9449 token type, not a secret


@dataclass(frozen=True, slots=True)
class VerifyQuery:
    identifier: str
    attributes: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class VerifyAnswer:
    identifier: str
    match: bool
    attributes: dict[str, bool]
    name_exact: bool | None = None


@dataclass(frozen=True, slots=True)
class CardIdentity:
    identifier: str
    attributes: dict[str, Any]
    checks: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class VerifyFlight:
    principal: PartnerPrincipal
    answers: list[VerifyAnswer]
    numbers: list[str | None]
    write: PendingWrite
    request_id: str | None


@dataclass
class _CachedToken:
    principal: PartnerPrincipal
    jkt: str
    expires_at: float
    until: float


@dataclass
class CardSubmission:
    challenge_id: str
    files: dict[int, bytes]
    active_signature: bytes
    access: str = "PACE"
    chip_authenticated: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class ExchangeService(PartnerAdministration):
    """Partners' operations; the administration of partners is inherited (:mod:`citizenid.exchange.admin`)."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        *,
        read_session: Callable[[], Session],
        audit: AuditService,
        person_in: Callable[[Session, str], Any],
        alias_master: Any,
        channel: NotificationChannel,
        is_revoked: Callable[[str], bool],
        card_verifier: Callable[[Any], Any] | None = None,
        card_otp: Callable[[str, str, str, str], object] | None = None,
        documents_in: Callable[[Session, str, frozenset[str]], dict[str, Any]] | None = None,
        token_ttl_seconds: int = 300,
        consent_approval_seconds: int = 600,
        clock: Callable[[], dt.datetime] = utcnow,
        limiter: RateLimiter | None = None,
        detector: EnumerationDetector | None = None,
    ) -> None:
        self._uow = uow_factory
        self._read = read_session
        self.committer = LoopCommitter(uow_factory)
        self._audit = audit
        self._person_in = person_in
        self._alias_master = alias_master
        self._channel = channel
        self._is_revoked = is_revoked
        self._card_verifier = card_verifier
        self._card_otp = card_otp
        self._documents_in = documents_in
        self._ttl = token_ttl_seconds
        self._approval = dt.timedelta(seconds=consent_approval_seconds)
        self._clock = clock
        self.limiter = limiter or RateLimiter()
        self.detector = detector or EnumerationDetector()
        self._tokens: dict[str, _CachedToken] = {}
        self._alias_keys: dict[str, bytes] = {}

    # -- tokens -----------------------------------------------------------------------------------------

    def issue_token(self, form: Mapping[str, str], dpop: str | None, *, token_url: str) -> IssuedToken:
        """OAuth 2.0 client credentials with private_key_jwt (RFC 7523) and a DPoP-bound token (RFC 9449)."""
        if form.get("grant_type") != "client_credentials":
            raise ExchangeInvalid("grant_type must be client_credentials", error="unsupported_grant_type")
        if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
            raise InvalidClient(f"authenticate with client_assertion_type {ASSERTION_TYPE} and a client_assertion",
                                error="invalid_client")
        if not dpop:
            raise PartnerNotAuthenticated("send a DPoP proof in the DPoP header: tokens are sender-constrained",
                                          error="invalid_dpop_proof")
        proof = verify_dpop(dpop, method="POST", url=token_url)
        assertion = form["client_assertion"]
        client_id = _unverified_issuer(assertion)
        if form.get("client_id") not in (None, "", client_id):
            raise InvalidClient("client_id differs from the assertion's issuer", error="invalid_client")
        now = self._clock()
        with self._uow() as uow:
            session = uow.session
            client = session.get(ClientRow, client_id)
            if client is None or client.status != ClientStatus.ACTIVE:
                raise InvalidClient("unknown or suspended client", error="invalid_client")
            claims = verify_client_assertion(assertion, repo.active_keys(session, client_id), client_id=client_id,
                                             audiences={token_url, ISSUER})
            keep = now + dt.timedelta(seconds=MAX_ASSERTION_LIFETIME + 60)
            if not repo.remember_jti(session, client_id, str(claims["jti"]), "assertion", keep):
                raise AssertionReplayed("this client assertion was used before", error="invalid_client")
            self._spend_proof(session, client_id, proof)
            token = secrets.token_urlsafe(32)
            session.add(AccessTokenRow(token_hash=_hash(token), client_id=client_id, jkt=proof.jkt, issued_at=now,
                                       expires_at=now + dt.timedelta(seconds=self._ttl)))
            repo.forget_expired_jtis(session, now)
            uow.commit()
        return IssuedToken(token, self._ttl)

    def authenticate(self, token: str, proof: str | None, *, method: str,
                     url: str) -> tuple[PartnerPrincipal, DpopProof]:
        """The partner behind a DPoP-bound access token.  Suspension is checked again in each operation's
        own transaction (:meth:`_admit`), so it acts on the very next request."""
        if not proof:
            raise PartnerNotAuthenticated("send the DPoP proof for this request in the DPoP header")
        key = _hash(token)
        cached = self._tokens.get(key)
        now = time.time()
        if cached is None or cached.until < time.monotonic():
            cached = self._load_token(key)
        if cached.expires_at <= now:
            raise PartnerNotAuthenticated("the access token has expired; get a new one")
        dpop = verify_dpop(proof, method=method, url=url, access_token=token, expected_jkt=cached.jkt, now=now)
        return cached.principal, dpop

    def _load_token(self, key: str) -> _CachedToken:
        with self._uow() as uow:
            row = uow.session.get(AccessTokenRow, key)
            principal = repo.principal_for(uow.session, row.client_id) if row is not None else None
            if row is None or principal is None:
                raise PartnerNotAuthenticated("unknown access token, or its client is suspended")
            jkt, expires_at = row.jkt, row.expires_at.timestamp()
        if len(self._tokens) > 50_000:
            self._tokens.clear()
        cached = _CachedToken(principal, jkt, expires_at, time.monotonic() + _CACHE_SECONDS)
        self._tokens[key] = cached
        return cached

    def spend(self, principal: PartnerPrincipal, cost: int = 1) -> RateState:
        self.detector.check(principal.client_id)
        return self.limiter.take(principal.client_id, principal.limits, cost)

    def _admit(self, session: Session, principal: PartnerPrincipal, proof: DpopProof) -> None:
        if repo.client_status(session, principal.client_id) != ClientStatus.ACTIVE:
            self._tokens.clear()
            raise PartnerNotAuthenticated("this client is suspended")
        self._spend_proof(session, principal.client_id, proof)

    def _spend_proof(self, session: Session, client_id: str, proof: DpopProof) -> None:
        keep = dt.datetime.fromtimestamp(proof.iat + DPOP_MAX_AGE + 60, dt.UTC)
        if not repo.remember_jti(session, client_id, proof.jti, "dpop", keep):
            raise ProofReplayed("this DPoP proof was used before; make a new one for each request")

    # -- identifiers and aliases -----------------------------------------------------------------------

    def _alias_key(self, session: Session, service_code: str) -> bytes:
        key = self._alias_keys.get(service_code)
        if key is None:
            row = session.get(AliasSecretRow, service_code)
            if row is None:
                raise ExchangeNotFound(f"service {service_code} has no alias secret")
            key = hashlib.blake2b(row.salt, key=self._alias_master.value(), digest_size=32).digest()
            self._alias_keys[service_code] = key
        return key

    def _number_of(self, session: Session, principal: PartnerPrincipal, identifier: str) -> str | None:
        if is_number(identifier):
            return identifier
        if is_alias(identifier):
            return repo.number_for_alias(session, principal.service_code, identifier)
        raise ExchangeInvalid("identify the person by a 12-digit personal number or this service's alias")

    def _identifier_for(self, session: Session, principal: PartnerPrincipal, number: str) -> str:
        """What this service is told about a person: the number, or its alias for pseudonymous services."""
        if not principal.pseudonymous:
            return number
        alias = alias_for(self._alias_key(session, principal.service_code), number)
        repo.keep_alias(session, principal.service_code, alias, number)
        return alias

    def alias(self, principal: PartnerPrincipal, proof: DpopProof, identifier: str) -> str:
        """This service's alias for a person (any service may ask; the alias is useless elsewhere)."""
        if not principal.grants:
            raise OutsideGrant(f"service {principal.service_code} is granted nothing, so it needs no alias")
        with self._uow() as uow:
            self._admit(uow.session, principal, proof)
            number = self._number_of(uow.session, principal, identifier)
            if number is None or self._person_in(uow.session, number) is None:
                self.detector.observe(principal.client_id, identifier, False)
                raise ExchangeNotFound("no such person")
            alias = alias_for(self._alias_key(uow.session, principal.service_code), number)
            repo.keep_alias(uow.session, principal.service_code, alias, number)
            self._audit.record_in(uow.session, [_access(principal, "exchange:alias:issue", number, "ok")])
            uow.commit()
            return alias

    # -- verify ------------------------------------------------------------------------------------------

    def verify(self, principal: PartnerPrincipal, proof: DpopProof, queries: list[VerifyQuery], *,
               request_id: str | None = None) -> list[VerifyAnswer]:
        """Match / no match per attribute for each query; never the register's values."""
        flight = self.start_verify(principal, proof, queries, request_id=request_id)
        return self.finish_verify(flight, write_batch(self._uow, [flight.write])[0])

    def start_verify(self, principal: PartnerPrincipal, proof: DpopProof, queries: list[VerifyQuery], *,
                     request_id: str | None = None) -> VerifyFlight:
        """The answers, read without the write lock, and the writes they need (the proof id, the access-log
        entries).  Nothing may be answered before those are committed: :meth:`verify` writes them at once,
        the HTTP route through the group committer (:mod:`citizenid.exchange.commit`)."""
        principal.require(Operation.VERIFY, {name for q in queries for name in q.attributes})
        answers: list[VerifyAnswer] = []
        numbers: list[str | None] = []
        records = []
        with self._read() as session:
            if repo.client_status(session, principal.client_id) != ClientStatus.ACTIVE:
                self._tokens.clear()
                raise PartnerNotAuthenticated("this client is suspended")
            for query in queries:
                number = self._number_of(session, principal, query.identifier)
                person = self._person_in(session, number) if number is not None else None
                held = attributes_of(person) if person is not None else None
                result = match_attributes(held, query.attributes)
                matched = person is not None and all(result.values())
                exact = name_exact(held, query.attributes.get(Attribute.FULL_NAME)) if matched else None
                answers.append(VerifyAnswer(query.identifier, matched, result, exact))
                numbers.append(number)
                records.append(_access(principal, "exchange:person:verify", number if person is not None else None,
                                       "match" if matched else "no_match", request_id,
                                       {"attributes": sorted(query.attributes)}))
        keep = dt.datetime.fromtimestamp(proof.iat + DPOP_MAX_AGE + 60, dt.UTC)
        write = PendingWrite(principal.client_id, proof.jti, keep, records)
        return VerifyFlight(principal, answers, numbers, write, request_id)

    def finish_verify(self, flight: VerifyFlight, accepted: bool) -> list[VerifyAnswer]:
        if not accepted:
            raise ProofReplayed("this DPoP proof was used before; make a new one for each request")
        principal = flight.principal
        for number, answer in zip(flight.numbers, flight.answers, strict=True):
            if self.detector.observe(principal.client_id, number or answer.identifier, answer.match):
                self._audit.record(_access(principal, "exchange:abuse:enumeration", None, "blocked",
                                           flight.request_id))
        return flight.answers

    # -- consent and fetch --------------------------------------------------------------------------------

    def request_consent(self, principal: PartnerPrincipal, proof: DpopProof, identifier: str,
                        attributes: list[str], purpose: str, *, valid_for: dt.timedelta) -> ConsentReceipt:
        principal.require(Operation.FETCH, attributes)
        if not purpose.strip():
            raise ExchangeInvalid("state the purpose the citizen is asked to agree to")
        now = self._clock()
        code = f"{secrets.randbelow(10**6):06d}"
        consent_id = str(uuid.uuid4())
        with self._uow() as uow:
            session = uow.session
            self._admit(session, principal, proof)
            number = self._number_of(session, principal, identifier)
            if number is None or self._person_in(session, number) is None:
                self.detector.observe(principal.client_id, identifier, False)
                raise ConsentRefused("no consent can be asked of this person")
            row = ConsentRow(personal_number=number, consent_id=consent_id, service_code=principal.service_code,
                             client_id=principal.client_id, attributes=sorted(set(attributes)), purpose=purpose,
                             status=ConsentStatus.PENDING.value, method="otp", code_hash=code_hash(consent_id, code),
                             attempts=0, requested_at=now, expires_at=now + valid_for)
            session.add(row)
            self._audit.record_in(session, [_access(principal, "exchange:consent:request", number, "pending",
                                                    details={"consent": consent_id, "attributes": row.attributes})])
            uow.commit()
            receipt = self._receipt(session, row)
        self._channel.send(Notification(
            number, "consent",
            f"{principal.service_name} xin xem {', '.join(receipt.attributes)} để {purpose}. "
            f"Mã xác nhận: {code} (hiệu lực {int(self._approval.total_seconds() // 60)} phút). "
            "Không cung cấp mã này nếu bạn không đồng ý.", code))
        return receipt

    def approve_consent(self, principal: PartnerPrincipal, proof: DpopProof, consent_id: str, identifier: str,
                        *, code: str | None = None, card: CardSubmission | None = None,
                        card_otp: tuple[str, str] | None = None) -> ConsentReceipt:
        """The citizen's approval, relayed by the partner: the one-time code they received, their card, or a
        code from their card's OTP application (``card_otp`` = credential id, code)."""
        now = self._clock()
        card_number = self._card_holder(principal, card) if card is not None else None
        card_otp_ok = self._check_card_otp(principal, consent_id, identifier, card_otp) if card_otp else None
        with self._uow() as uow:
            session = uow.session
            self._admit(session, principal, proof)
            row = self._consent(session, principal, consent_id, identifier)
            if row.status != ConsentStatus.PENDING or now > row.requested_at + self._approval:
                raise ConsentRefused(f"consent {consent_id} is {row.status}, or its approval window has passed")
            if card is not None:
                if card_number != row.personal_number:
                    raise ConsentRefused("the card presented is not this person's")
                row.method = "card"
            elif card_otp_ok:
                row.method = "card_otp"
            elif card_otp_ok is False or code is None or row.attempts >= CODE_ATTEMPTS or not secrets.compare_digest(
                    row.code_hash or "", code_hash(consent_id, code)):
                row.attempts += 1
                if row.attempts >= CODE_ATTEMPTS:
                    row.status = ConsentStatus.REFUSED.value
                self._audit.record_in(session, [_access(principal, "exchange:consent:approve", row.personal_number,
                                                        "wrong_code", details={"consent": consent_id})])
                uow.commit()
                raise ConsentCodeWrong("the code does not match" + (
                    "; too many tries, ask again" if row.attempts >= CODE_ATTEMPTS else ""))
            row.status, row.granted_at, row.code_hash = ConsentStatus.GRANTED.value, now, None
            self._audit.record_in(session, [_access(principal, "exchange:consent:grant", row.personal_number,
                                                    "granted", details={"consent": consent_id, "method": row.method})])
            uow.commit()
            return self._receipt(session, row)

    def _check_card_otp(self, principal: PartnerPrincipal, consent_id: str, identifier: str,
                        card_otp: tuple[str, str]) -> bool:
        """A code from the card's OTP application, checked (once) by the OTP area for the consent's person."""
        if self._card_otp is None:
            raise ExchangeInvalid("the card's OTP application is not connected to this platform")
        with self._uow() as uow:
            number = self._consent(uow.session, principal, consent_id, identifier).personal_number
        credential_id, code = card_otp
        try:
            self._card_otp(number, credential_id, code, principal.actor)
        except CitizenIdError:
            return False
        return True

    def fetch(self, principal: PartnerPrincipal, proof: DpopProof, consent_id: str, identifier: str, *,
              request_id: str | None = None) -> tuple[str, dict[str, Any], ConsentReceipt]:
        """The attributes the consent and the current grant both allow, once per consent."""
        now = self._clock()
        scope = principal.require(Operation.FETCH)
        with self._uow() as uow:
            session = uow.session
            self._admit(session, principal, proof)
            row = self._consent(session, principal, consent_id, identifier)
            used = session.execute(
                update(ConsentRow)
                .where(ConsentRow.personal_number == row.personal_number, ConsentRow.consent_id == consent_id,
                       ConsentRow.status == ConsentStatus.GRANTED.value, ConsentRow.expires_at > now)
                .values(status=ConsentStatus.USED.value, used_at=now)
            )
            if not getattr(used, "rowcount", 0):
                self._audit.record_in(session, [_access(principal, "exchange:person:fetch", row.personal_number,
                                                        "refused", request_id, {"consent": consent_id,
                                                                                "status": row.status})])
                uow.commit()
                raise ConsentRefused(f"consent {consent_id} is {row.status} or expired: it allows no fetch now")
            person = self._person_in(session, row.personal_number)
            allowed = sorted(set(row.attributes) & scope)
            held: dict[str, Any] = attributes_of(person) if person is not None else {}
            held |= self._documents(session, row.personal_number, allowed)
            values = {name: held.get(name) for name in allowed}
            subject = self._identifier_for(session, principal, row.personal_number)
            self._audit.record_in(session, [AccessRecord(
                actor=principal.actor, action="exchange:person:fetch", purpose=row.purpose,
                subject=row.personal_number, outcome="ok", request_id=request_id,
                details={"service": principal.service_code, "consent": consent_id, "attributes": allowed})])
            uow.commit()
            session.refresh(row)
            return subject, values, self._receipt(session, row)

    def consent_receipt(self, principal: PartnerPrincipal, proof: DpopProof, consent_id: str,
                        identifier: str) -> ConsentReceipt:
        with self._uow() as uow:
            self._admit(uow.session, principal, proof)
            receipt = self._receipt(uow.session, self._consent(uow.session, principal, consent_id, identifier))
            uow.commit()
            return receipt

    def _consent(self, session: Session, principal: PartnerPrincipal, consent_id: str, identifier: str) -> ConsentRow:
        number = self._number_of(session, principal, identifier)
        row = session.get(ConsentRow, (number, consent_id)) if number else None
        if row is None or row.client_id != principal.client_id:
            raise ExchangeNotFound(f"no consent {consent_id} for this person and client")
        return row

    def _receipt(self, session: Session, row: ConsentRow) -> ConsentReceipt:
        service = session.get(ServiceRow, row.service_code)
        return receipt_of(row, service)

    # -- card-based authentication ----------------------------------------------------------------------

    def card_challenge(self, principal: PartnerPrincipal, proof: DpopProof) -> tuple[str, bytes]:
        principal.require(Operation.CARD_AUTH)
        challenge_id, nonce = str(uuid.uuid4()), secrets.token_bytes(8)
        with self._uow() as uow:
            self._admit(uow.session, principal, proof)
            uow.session.add(CardChallengeRow(challenge_id=challenge_id, client_id=principal.client_id, nonce=nonce,
                                             expires_at=self._clock() + dt.timedelta(minutes=5)))
            uow.commit()
        return challenge_id, nonce

    def card_authenticate(self, principal: PartnerPrincipal, proof: DpopProof, card: CardSubmission, *,
                          request_id: str | None = None) -> CardIdentity:
        scope = principal.require(Operation.CARD_AUTH)
        number = self._card_holder(principal, card)
        checks = card.extra.get("checks", [])
        with self._uow() as uow:
            session = uow.session
            self._admit(session, principal, proof)
            person = self._person_in(session, number)
            if person is None:
                raise CardRejected("the card's holder is not in the register")
            held: dict[str, Any] = attributes_of(person) | self._documents(session, number, scope)
            identifier = self._identifier_for(session, principal, number)
            self._audit.record_in(session, [_access(principal, "exchange:person:card_auth", number, "ok", request_id,
                                                    {"attributes": sorted(scope)})])
            uow.commit()
        return CardIdentity(identifier, {name: held.get(name) for name in sorted(scope)}, checks)

    def _documents(self, session: Session, number: str, names: Iterable[str]) -> dict[str, Any]:
        """``document:<type>`` attributes: the holder's documents of those types valid today, as the type
        allows them to be shared (integrated documents, decision 0071)."""
        types = frozenset(n.removeprefix(DOCUMENT_ATTRIBUTE_PREFIX) for n in names
                          if n.startswith(DOCUMENT_ATTRIBUTE_PREFIX))
        if not types or self._documents_in is None:
            return {}
        found = self._documents_in(session, number, types)
        return {DOCUMENT_ATTRIBUTE_PREFIX + t: found.get(t, []) for t in types}

    def _card_holder(self, principal: PartnerPrincipal, card: CardSubmission) -> str:
        """Check a card read against a challenge this client was issued; the holder's personal number."""
        if self._card_verifier is None:
            raise CardRejected("card-based authentication is not configured on this platform")
        now = self._clock()
        with self._uow() as uow:
            row = uow.session.get(CardChallengeRow, card.challenge_id)
            if row is None or row.client_id != principal.client_id:
                raise CardRejected("unknown challenge: ask for one first")
            if row.used_at is not None or row.expires_at < now:
                raise CardRejected("this challenge was used or has expired")
            row.used_at = now
            nonce = row.nonce
            uow.commit()
        result = self._card_verifier(_card_read(card, nonce))
        card.extra["checks"] = [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in result.checks]
        active = next((c for c in result.checks if c.name == "active_authentication"), None)
        failures = "; ".join(f"{c.name}: {c.detail}" for c in result.failures)
        if not result.valid or active is None or active.passed is not True:
            self._audit.record(AccessRecord(actor=principal.actor, action="exchange:card:reject",
                                            purpose=principal.purpose, outcome="rejected",
                                            details={"service": principal.service_code,
                                                     "reason": failures or "no active authentication"}))
            raise CardRejected(f"the card does not verify: {failures or 'active authentication not performed'}")
        holder = result.holder.personal_number if result.holder is not None else None
        number = holder or (result.mrz.vietnamese_personal_number if result.mrz is not None else None)
        document = result.mrz.document_number if result.mrz is not None else number
        # The exact card (personal number + issue date, as the signed list names it), so a lost card's
        # replacement is not taken for it; the MRZ's document number only when DG13 said nothing.
        issued = getattr(result.holder, "issue_date", None)
        exact = f"{holder}{issued:%Y%m%d}" if holder and issued is not None else None
        if not number or self._is_revoked(exact or document or number):
            self._audit.record(AccessRecord(actor=principal.actor, action="exchange:card:reject",
                                            purpose=principal.purpose, subject=number, outcome="revoked",
                                            details={"service": principal.service_code}))
            raise CardRejected("this card is revoked")
        return str(number)

    # -- refusals -----------------------------------------------------------------------------------------

    # -- operations other areas carry out for partners (integrated documents, a case's outcome) ------------

    def admit_operation(self, principal: PartnerPrincipal, proof: DpopProof, operation: Operation,
                        wanted: Iterable[str], identifier: str) -> str:
        """Check the grant, the client's standing and the proof's freshness, and resolve the person: what
        every partner operation needs before another area does the work.  Returns the personal number."""
        principal.require(operation, wanted)
        with self._uow() as uow:
            self._admit(uow.session, principal, proof)
            number = self._number_of(uow.session, principal, identifier)
            uow.commit()
        if number is None:
            self.detector.observe(principal.client_id, identifier, False)
            raise ExchangeNotFound("no person with this identifier for this service")
        return number

    def record_refusal(self, actor: str, action: str, code: str, detail: str, request_id: str | None) -> None:
        """Every refused partner request leaves an entry: who (as far as known), what, and why."""
        self._audit.record(AccessRecord(actor=actor, action=action, purpose="refused request", outcome=code,
                                        request_id=request_id, details={"detail": detail[:300]}))

def receipt_of(row: ConsentRow, service: ServiceRow | None) -> ConsentReceipt:
    return ConsentReceipt(
        consent_id=row.consent_id, personal_number=row.personal_number, service_code=row.service_code,
        service_name=service.name if service else row.service_code, client_id=row.client_id,
        attributes=tuple(row.attributes), purpose=row.purpose, legal_basis=service.legal_basis if service else "",
        status=ConsentStatus(row.status), method=row.method, requested_at=row.requested_at,
        expires_at=row.expires_at, granted_at=row.granted_at, revoked_at=row.revoked_at, used_at=row.used_at)


def attributes_of(person: Any) -> dict[str, str | None]:
    """The attribute view of a register ``Person`` (what verify matches and fetch returns)."""
    return {
        "full_name": person.full_name, "birth_date": person.birth_date.iso(), "sex": person.sex.value,
        "nationality": person.nationality, "ethnicity": person.ethnicity, "religion": person.religion,
        "residence_commune": person.residence_commune, "residence_detail": person.residence_detail,
        "origin_commune": person.origin_commune, "status": person.status.value,
    }


def _card_read(card: CardSubmission, nonce: bytes) -> Any:
    from citizenid.chip.lds import File  # noqa: PLC0415
    from citizenid.chip.service import CardRead  # noqa: PLC0415 - the chip stack loads only for card checks

    files = {}
    for key, content in card.files.items():
        try:
            files[File(key)] = content
        except ValueError:
            raise ExchangeInvalid(f"unknown card file {key:#06x}") from None
    return CardRead(files=files, access=card.access, chip_authenticated=card.chip_authenticated,
                    active_attempted=True, active_challenge=nonce, active_signature=card.active_signature)


def _unverified_issuer(assertion: str) -> str:
    try:
        payload = assertion.split(".")[1]
        import json  # noqa: PLC0415

        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        issuer = claims["iss"]
    except (IndexError, ValueError, KeyError, TypeError):
        raise InvalidClient("the client assertion is not a JWT with an issuer", error="invalid_client") from None
    if not isinstance(issuer, str) or not 1 <= len(issuer) <= 80:
        raise InvalidClient("the client assertion's issuer is not a client id", error="invalid_client")
    return issuer


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _access(principal: PartnerPrincipal, action: str, subject: str | None, outcome: str,
            request_id: str | None = None, details: dict[str, Any] | None = None) -> AccessRecord:
    return AccessRecord(actor=principal.actor, action=action, purpose=principal.purpose, subject=subject,
                        outcome=outcome, request_id=request_id,
                        details={"service": principal.service_code, **(details or {})})
