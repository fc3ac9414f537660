"""Life events for partners: an outbox written in the register's own transaction, and at-least-once
delivery by signed webhook, in order per person, with retries, backoff and a dead-letter list.

Signatures are HTTP Message Signatures (RFC 9421) over ``@method``, ``@target-uri``, ``content-digest``
(RFC 9530, SHA-256 of the body) and ``content-type``, with Ed25519 (``alg="ed25519"``); the public key is
served as a JWK (docs/decisions/0037).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from citizenid.audit.service import AccessRecord, AuditService
from citizenid.db.base import utcnow
from citizenid.db.uow import UnitOfWork
from citizenid.exchange import repository as repo
from citizenid.exchange.domain import EventTopic, Operation, PartnerPrincipal, alias_for
from citizenid.exchange.errors import ExchangeInvalid, ExchangeNotFound
from citizenid.exchange.models import AliasSecretRow, DeliveryRow, OutboxRow, SubscriptionRow

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
WEBHOOK_KEY_ID = "citizenid-exchange-webhook-1"
Sender = Callable[[str, bytes, dict[str, str]], int]


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    delivered: int
    retried: int
    dead: int


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sign_request(key: Ed25519PrivateKey, url: str, body: bytes, *, created: int, key_id: str = WEBHOOK_KEY_ID,
                 content_type: str = "application/json") -> dict[str, str]:
    """The headers of an RFC 9421 signature over method, target URI, content digest and content type."""
    digest = f"sha-256=:{_b64(hashlib.sha256(body).digest())}:"
    components = '("@method" "@target-uri" "content-digest" "content-type")'
    params = f'{components};created={created};keyid="{key_id}";alg="ed25519"'
    base = (f'"@method": POST\n"@target-uri": {url}\n"content-digest": {digest}\n'
            f'"content-type": {content_type}\n"@signature-params": {params}')
    signature = key.sign(base.encode())
    return {"Content-Type": content_type, "Content-Digest": digest, "Signature-Input": f"sig1={params}",
            "Signature": f"sig1=:{_b64(signature)}:"}


def signature_base(url: str, headers: dict[str, str]) -> bytes:
    """What a receiver rebuilds to check a signature made by :func:`sign_request`."""
    params = headers["Signature-Input"].split("=", 1)[1]
    return (f'"@method": POST\n"@target-uri": {url}\n"content-digest": {headers["Content-Digest"]}\n'
            f'"content-type": {headers["Content-Type"]}\n"@signature-params": {params}').encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # noqa: ARG002 - never follow
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def http_sender(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST the event; the status code, or 0 when nothing answered.  Redirects are not followed."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - checked URL
    try:
        with _OPENER.open(request, timeout=5.0) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError):
        return 0


def check_webhook_url(url: str) -> str:
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ExchangeInvalid("webhooks must use https (plain http only to this machine, for testing)")
    if not parts.hostname or len(url) > 500:
        raise ExchangeInvalid("not a usable webhook URL")
    return url


@dataclass(frozen=True, slots=True)
class _Planned:
    delivery: tuple[str, int, str]
    sequence_key: tuple[str, str]
    url: str
    body: bytes
    principal: PartnerPrincipal
    topic: str
    event_id: str


class EventService:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], *, audit: AuditService, signing_seed: Any,
                 alias_master: Any, sender: Sender = http_sender, max_attempts: int = 8,
                 backoff_base: float = 2.0, backoff_max: float = 3600.0,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._uow = uow_factory
        self._audit = audit
        self._seed = signing_seed
        self._alias_master = alias_master
        self._sender = sender
        self._max_attempts = max_attempts
        self._base = backoff_base
        self._backoff_max = backoff_max
        self._clock = clock

    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"webhook" + self._seed.value()).digest())

    def public_jwk(self) -> dict[str, str]:
        raw = self._key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
                "kid": WEBHOOK_KEY_ID, "alg": "EdDSA", "use": "sig"}

    # -- the register's hook ---------------------------------------------------------------------------

    def on_life_event(self, session: Session, personal_number: str, kind: str, effective_date: str,
                      version: int, event_id: str) -> None:
        """Called inside the register's transaction: the event and its deliveries commit with the change."""
        if kind not in {t.value for t in EventTopic}:
            return
        now = self._clock()
        session.add(OutboxRow(personal_number=personal_number, version=version, event_id=event_id, topic=kind,
                              effective_date=effective_date, occurred_at=now, payload={}))
        for sub in session.scalars(select(SubscriptionRow).where(SubscriptionRow.active.is_(True))):
            if kind in sub.topics:
                session.add(DeliveryRow(personal_number=personal_number, version=version,
                                        subscription_id=sub.subscription_id, status=PENDING, attempts=0,
                                        next_attempt_at=now))

    # -- subscriptions -------------------------------------------------------------------------------

    def subscribe(self, principal: PartnerPrincipal, topics: list[str], url: str) -> str:
        principal.require(Operation.EVENTS, topics)
        if not topics:
            raise ExchangeInvalid("name at least one topic")
        check_webhook_url(url)
        subscription_id = str(uuid.uuid4())
        with self._uow() as uow:
            uow.session.add(SubscriptionRow(subscription_id=subscription_id, client_id=principal.client_id,
                                            service_code=principal.service_code, topics=sorted(set(topics)), url=url,
                                            active=True, created_at=self._clock()))
            self._audit.record_in(uow.session, [AccessRecord(
                actor=principal.actor, action="exchange:subscription:create", purpose=principal.purpose,
                details={"service": principal.service_code, "topics": sorted(set(topics))})])
            uow.commit()
        return subscription_id

    def subscriptions(self, principal: PartnerPrincipal) -> list[dict[str, Any]]:
        with self._uow() as uow:
            rows = uow.session.scalars(select(SubscriptionRow).where(SubscriptionRow.client_id == principal.client_id))
            return [{"subscription_id": r.subscription_id, "topics": r.topics, "url": r.url, "active": r.active}
                    for r in rows]

    def unsubscribe(self, principal: PartnerPrincipal, subscription_id: str) -> None:
        with self._uow() as uow:
            row = uow.session.get(SubscriptionRow, subscription_id)
            if row is None or row.client_id != principal.client_id:
                raise ExchangeNotFound(f"no subscription {subscription_id}")
            row.active = False
            uow.commit()

    def dead_letters(self, principal: PartnerPrincipal | None = None) -> list[dict[str, Any]]:
        with self._uow() as uow:
            query = (select(DeliveryRow, SubscriptionRow)
                     .join(SubscriptionRow, SubscriptionRow.subscription_id == DeliveryRow.subscription_id)
                     .where(DeliveryRow.status == DEAD))
            if principal is not None:
                query = query.where(SubscriptionRow.client_id == principal.client_id)
            return [{"subscription_id": d.subscription_id, "version": d.version, "attempts": d.attempts,
                     "last_error": d.last_error, "client_id": s.client_id}
                    for d, s in uow.session.execute(query)]

    # -- delivery ---------------------------------------------------------------------------------------

    def deliver_due(self, *, limit: int = 500, now: dt.datetime | None = None) -> DeliveryReport:
        """One pass: every due delivery whose earlier events (same subscription, same person) are done.

        Three steps, so that no database transaction is open while a partner's server answers (on SQLite an
        open write would hold up every other writer): plan in one short transaction, send without one,
        record the outcomes in another.  Run one delivery worker per register."""
        now = now or self._clock()
        plan, dead = self._plan(now, limit)
        sent: list[tuple[_Planned, int]] = []
        failed: set[tuple[str, str]] = set()
        for item in plan:
            if item.sequence_key in failed:
                continue  # an earlier event of this person failed in this pass: keep the order
            headers = sign_request(self._key(), item.url, item.body, created=int(now.timestamp()))
            status = self._sender(item.url, item.body, headers)
            sent.append((item, status))
            if not 200 <= status < 300:
                failed.add(item.sequence_key)
        delivered, retried, died = self._record(sent, now)
        return DeliveryReport(delivered, retried, dead + died)

    def _plan(self, now: dt.datetime, limit: int) -> tuple[list[_Planned], int]:
        plan: list[_Planned] = []
        dead = 0
        with self._uow() as uow:
            due = list(uow.session.execute(
                select(DeliveryRow, OutboxRow, SubscriptionRow)
                .join(OutboxRow, and_(OutboxRow.personal_number == DeliveryRow.personal_number,
                                      OutboxRow.version == DeliveryRow.version))
                .join(SubscriptionRow, SubscriptionRow.subscription_id == DeliveryRow.subscription_id)
                .where(DeliveryRow.status == PENDING)
                .order_by(DeliveryRow.subscription_id, DeliveryRow.personal_number, DeliveryRow.version)
                .limit(limit)
            ))
            blocked: set[tuple[str, str]] = set()
            for delivery, event, sub in due:
                key = (sub.subscription_id, delivery.personal_number)
                if key in blocked:
                    continue
                if delivery.next_attempt_at > now:
                    blocked.add(key)  # an earlier event waits for its retry: later ones wait behind it
                    continue
                principal = repo.principal_for(uow.session, sub.client_id)
                topics = principal.grants.get(Operation.EVENTS, frozenset()) if principal else frozenset()
                if principal is None or event.topic not in topics or not sub.active:
                    delivery.status, delivery.last_error = DEAD, "client suspended or grant withdrawn"
                    dead += 1
                    continue
                plan.append(_Planned(
                    (delivery.personal_number, delivery.version, delivery.subscription_id), key, sub.url,
                    self._body(uow.session, principal, event), principal, event.topic, event.event_id))
            uow.commit()
        return plan, dead

    def _record(self, sent: list[tuple[_Planned, int]], now: dt.datetime) -> tuple[int, int, int]:
        delivered = retried = dead = 0
        with self._uow() as uow:
            for item, status in sent:
                delivery = uow.session.get(DeliveryRow, item.delivery)
                if delivery is None or delivery.status != PENDING:
                    continue
                delivery.attempts += 1
                if 200 <= status < 300:
                    delivery.status, delivery.delivered_at, delivery.last_error = DELIVERED, now, None
                    delivered += 1
                    principal = item.principal
                    self._audit.record_in(uow.session, [AccessRecord(
                        actor=principal.actor, action=f"exchange:event:{item.topic}", purpose=principal.purpose,
                        subject=delivery.personal_number, details={"service": principal.service_code,
                                                                   "event": item.event_id})])
                    continue
                delivery.last_error = f"HTTP {status}" if status else "no answer"
                if delivery.attempts >= self._max_attempts:
                    delivery.status = DEAD
                    dead += 1
                else:
                    wait = min(self._backoff_max, self._base * 2 ** (delivery.attempts - 1))
                    delivery.next_attempt_at = now + dt.timedelta(seconds=wait)
                    retried += 1
            uow.commit()
        return delivered, retried, dead

    def _body(self, session: Session, principal: PartnerPrincipal, event: OutboxRow) -> bytes:
        subject = event.personal_number
        if principal.pseudonymous:
            row = session.get(AliasSecretRow, principal.service_code)
            if row is not None:
                key = hashlib.blake2b(row.salt, key=self._alias_master.value(), digest_size=32).digest()
                subject = alias_for(key, event.personal_number)
                repo.keep_alias(session, principal.service_code, subject, event.personal_number)
        return json.dumps({
            "event_id": event.event_id, "topic": event.topic, "subject": subject, "sequence": event.version,
            "effective_date": event.effective_date, "occurred_at": event.occurred_at.isoformat(),
        }, ensure_ascii=False, separators=(",", ":")).encode()
