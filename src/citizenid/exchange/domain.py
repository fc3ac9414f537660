"""The exchange platform's rules: operations, attributes, grants, the partner principal, matching, aliases,
rate limits and enumeration detection, consent receipts.  Pure: no SQLAlchemy, no FastAPI.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import hmac
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from citizenid.documents.catalogue import CATALOGUE as DOCUMENT_TYPES
from citizenid.exchange.errors import EnumerationSuspected, ExchangeInvalid, OutsideGrant, RateLimited
from citizenid.vntext import fold, nfc, tone_key

ACTOR_PREFIX = "partner"
_NUMBER = re.compile(r"^\d{12}$")
_ALIAS = re.compile(r"^A[A-Z2-7]{25}$")


class Operation(enum.StrEnum):
    VERIFY = "verify"
    FETCH = "fetch"
    CARD_AUTH = "card_auth"
    EVENTS = "events"
    # Integrated documents (decision 0071): an issuing agency pushes the types it issues; a service asks
    # yes/no about the types it is granted.  Scope: document type codes.
    DOCUMENTS_PUSH = "documents_push"
    DOCUMENTS_VERIFY = "documents_verify"
    # A service that decides a case records its outcome in the register as a life event.  Scope: event kinds.
    RECORD_EVENTS = "record_events"


# Fetch and card authentication may also carry a person's valid integrated documents, one attribute per type.
DOCUMENT_ATTRIBUTE_PREFIX = "document:"


class Attribute(enum.StrEnum):
    """What a partner may send to verify or receive with consent; never more than the grant says."""

    FULL_NAME = "full_name"
    BIRTH_DATE = "birth_date"
    SEX = "sex"
    NATIONALITY = "nationality"
    ETHNICITY = "ethnicity"
    RELIGION = "religion"
    RESIDENCE_COMMUNE = "residence_commune"
    RESIDENCE_DETAIL = "residence_detail"
    ORIGIN_COMMUNE = "origin_commune"
    STATUS = "status"


class EventTopic(enum.StrEnum):
    DEATH = "death"
    CHANGE_OF_RESIDENCE = "change_of_residence"
    CHANGE_OF_NAME = "change_of_name"


class MemberKind(enum.StrEnum):
    MINISTRY = "ministry"
    PROVINCE = "province"
    BANK = "bank"
    TELECOM = "telecom"
    AGENCY = "agency"


class ClientStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class ConsentStatus(enum.StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    USED = "used"
    REVOKED = "revoked"
    REFUSED = "refused"


def scope_values(operation: Operation, values: Iterable[str]) -> frozenset[str]:
    """Validate a grant's scope: attributes for verify, attributes and documents for fetch/card_auth, event
    topics for events and record_events, document types for the document operations."""
    document_types = set(DOCUMENT_TYPES)
    allowed, kind = {
        Operation.EVENTS: ({m.value for m in EventTopic}, "event topic"),
        Operation.RECORD_EVENTS: ({EventTopic.CHANGE_OF_RESIDENCE.value}, "event kind"),
        Operation.DOCUMENTS_PUSH: (document_types, "document type"),
        Operation.DOCUMENTS_VERIFY: (document_types, "document type"),
        Operation.VERIFY: ({m.value for m in Attribute}, "attribute"),
    }.get(operation, ({m.value for m in Attribute} | {DOCUMENT_ATTRIBUTE_PREFIX + t for t in document_types},
                      "attribute"))
    found = frozenset(values)
    unknown = sorted(found - allowed)
    if unknown:
        raise ExchangeInvalid(f"not a {kind} for {operation.value}: {', '.join(unknown)}; "
                              f"one of {', '.join(sorted(allowed))}")
    return found


@dataclass(frozen=True, slots=True)
class Limits:
    """A client's budget: a token bucket (``rate`` per second, ``burst``) and a daily quota."""

    rate: float = 50.0
    burst: int = 100
    daily_quota: int = 1_000_000


@dataclass(frozen=True, slots=True)
class PartnerPrincipal:
    """A partner's client acting for one service, with that service's grants.  Not an officer."""

    client_id: str
    service_code: str
    member_id: str
    grants: Mapping[Operation, frozenset[str]]
    pseudonymous: bool = False
    limits: Limits = field(default_factory=Limits)
    service_name: str = ""
    purpose: str = ""
    kind: str = ACTOR_PREFIX

    @property
    def actor(self) -> str:
        return f"{ACTOR_PREFIX}:{self.client_id}"

    def require(self, operation: Operation, wanted: Iterable[str] = ()) -> frozenset[str]:
        """The granted scope of ``operation``; refuses when it is not granted or ``wanted`` exceeds it."""
        scope = self.grants.get(operation)
        if scope is None:
            raise OutsideGrant(f"service {self.service_code} is not granted '{operation.value}'")
        outside = sorted(set(wanted) - scope)
        if outside:
            raise OutsideGrant(f"service {self.service_code} may not use {', '.join(outside)} "
                               f"for {operation.value}", outside=outside)
        return scope


# --- verify -----------------------------------------------------------------------------------------


def _same_text(held: str, claimed: str) -> bool:
    return fold(held) == fold(claimed)


def match_attributes(register: Mapping[str, str | None] | None,
                     claims: Mapping[str, str]) -> dict[str, bool]:
    """Match / no match for each claimed attribute; ``register`` None (unknown person) matches nothing.

    Names and free text are compared on the folded key (diacritics and tone placement ignored, as the
    register's search does); codes and dates exactly."""
    result: dict[str, bool] = {}
    for name, claimed in claims.items():
        held = None if register is None else register.get(name)
        if held is None:
            result[name] = False
        elif name in (Attribute.FULL_NAME, Attribute.RESIDENCE_DETAIL):
            result[name] = _same_text(held, claimed)
        elif name == Attribute.SEX:
            result[name] = held.upper() == claimed.strip().upper()
        else:
            result[name] = held.strip().lower() == claimed.strip().lower()
    return result


def name_exact(register: Mapping[str, str | None] | None, claimed: str | None) -> bool | None:
    """Whether a matching name is written exactly (diacritics included, tone placement aside)."""
    if register is None or claimed is None or register.get(Attribute.FULL_NAME) is None:
        return None
    held = str(register[Attribute.FULL_NAME])
    if held == claimed or held == nfc(claimed):
        return True
    return tone_key(held) == tone_key(claimed)


# --- aliases ----------------------------------------------------------------------------------------


def alias_for(key: bytes, personal_number: str) -> str:
    """The service's stable pseudonym for a person: HMAC-SHA256 under the service's key, base32, 26 chars.

    Without the service's key nobody can link two services' aliases or recover the number."""
    digest = hmac.new(key, personal_number.encode(), hashlib.sha256).digest()
    return "A" + base64.b32encode(digest).decode()[:25]


def is_alias(identifier: str) -> bool:
    return bool(_ALIAS.match(identifier))


def is_number(identifier: str) -> bool:
    return bool(_NUMBER.match(identifier))


# --- rate limits ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RateState:
    limit: int
    remaining: int
    reset_seconds: int


class RateLimiter:
    """Token buckets and daily quotas per client, in this process (docs/decisions/0035)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 day: Callable[[], dt.date] = lambda: dt.datetime.now(dt.UTC).date()) -> None:
        self._clock = clock
        self._day = day
        self._buckets: dict[str, tuple[float, float]] = {}
        self._used: dict[str, tuple[dt.date, int]] = {}

    def take(self, client_id: str, limits: Limits, cost: int = 1) -> RateState:
        """Spend ``cost`` requests; raises :class:`RateLimited` (with the wait) when the budget is spent."""
        now = self._clock()
        tokens, last = self._buckets.get(client_id, (float(limits.burst), now))
        tokens = min(float(limits.burst), tokens + (now - last) * limits.rate)
        today = self._day()
        day, used = self._used.get(client_id, (today, 0))
        if day != today:
            used = 0
        if used + cost > limits.daily_quota:
            raise RateLimited(f"daily quota of {limits.daily_quota} used", retry_after=_seconds_to_midnight(),
                              limit=limits.burst, remaining=0)
        if cost > limits.burst:
            raise ExchangeInvalid(f"a batch of {cost} exceeds this client's burst of {limits.burst}")
        if tokens < cost:
            wait = math.ceil((cost - tokens) / limits.rate)
            self._buckets[client_id] = (tokens, now)
            raise RateLimited(f"rate limit of {limits.rate:g}/s (burst {limits.burst}) reached",
                              retry_after=wait, limit=limits.burst, remaining=0)
        tokens -= cost
        self._buckets[client_id] = (tokens, now)
        self._used[client_id] = (today, used + cost)
        reset = math.ceil((limits.burst - tokens) / limits.rate) if limits.rate else 0
        return RateState(limits.burst, int(tokens), reset)


def _seconds_to_midnight() -> int:
    now = dt.datetime.now(dt.UTC)
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), dt.UTC)
    return max(1, int((midnight - now).total_seconds()))


class EnumerationDetector:
    """Flags a client that sends many *different* numbers that are unknown or do not match.

    A bank verifying its customers sends different numbers that match; someone walking the number space
    sends numbers that do not.  Over a sliding ``window`` (seconds), more than ``threshold`` distinct
    failing numbers blocks the client for ``block_seconds``."""

    def __init__(self, *, threshold: int = 100, window: float = 600.0, block_seconds: int = 900,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._threshold = threshold
        self._window = window
        self._block = block_seconds
        self._clock = clock
        self._misses: dict[str, OrderedDict[str, float]] = {}
        self._blocked: dict[str, float] = {}

    def check(self, client_id: str) -> None:
        until = self._blocked.get(client_id)
        if until is not None:
            left = until - self._clock()
            if left > 0:
                raise EnumerationSuspected("too many different numbers that do not match: blocked for now",
                                           retry_after=math.ceil(left))
            del self._blocked[client_id]

    def observe(self, client_id: str, number: str, matched: bool) -> bool:
        """Record one answer; True when this one tipped the client into a block."""
        if matched:
            return False
        now = self._clock()
        misses = self._misses.setdefault(client_id, OrderedDict())
        misses[number] = now
        misses.move_to_end(number)
        while misses and next(iter(misses.values())) < now - self._window:
            misses.popitem(last=False)
        if len(misses) > self._threshold:
            self._blocked[client_id] = now + self._block
            misses.clear()
            return True
        return False


# --- consent ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsentReceipt:
    """A machine-readable record of what a citizen agreed to (after the Kantara consent receipt)."""

    consent_id: str
    personal_number: str
    service_code: str
    service_name: str
    client_id: str
    attributes: tuple[str, ...]
    purpose: str
    legal_basis: str
    status: ConsentStatus
    method: str
    requested_at: dt.datetime
    expires_at: dt.datetime
    granted_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    used_at: dt.datetime | None = None

    def as_dict(self, *, subject: str | None = None) -> dict[str, Any]:
        def at(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "version": "citizenid-consent-receipt/1",
            "consent_id": self.consent_id,
            "subject": subject if subject is not None else self.personal_number,
            "controller": {"service": self.service_code, "name": self.service_name, "client": self.client_id},
            "scope": {"attributes": list(self.attributes), "operation": Operation.FETCH.value},
            "purpose": self.purpose,
            "legal_basis": self.legal_basis,
            "status": self.status.value,
            "method": self.method,
            "requested_at": at(self.requested_at),
            "expires_at": at(self.expires_at),
            "granted_at": at(self.granted_at),
            "revoked_at": at(self.revoked_at),
            "used_at": at(self.used_at),
            "single_use": True,
            "revocable": True,
        }


def code_hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()
