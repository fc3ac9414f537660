"""The exchange platform's tables.

Partner-side tables (members, services, grants, clients, keys, tokens, subscriptions) are small reference
tables.  Person-side tables (consents, outbox, deliveries, aliases, OTP challenges) carry the person's
number in every primary key: the Citus distribution column, as the register's own tables do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from citizenid.db.base import Base, UtcDateTime


class MemberRow(Base):
    """An organisation connected to the platform: a ministry, a province, a bank, a telecom operator."""

    __tablename__ = "exchange_members"

    member_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class SubsystemRow(Base):
    """One of a member's information systems (X-Road's subsystem)."""

    __tablename__ = "exchange_subsystems"

    subsystem_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ServiceRow(Base):
    """A public service run by a subsystem, with the law that allows it and what it uses the data for."""

    __tablename__ = "exchange_services"

    service_code: Mapped[str] = mapped_column(String(80), primary_key=True)
    subsystem_id: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(300))
    legal_basis: Mapped[str] = mapped_column(String(500))
    purpose: Mapped[str] = mapped_column(String(500))
    pseudonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class GrantRow(Base):
    """What a service may do: one operation with its scope (attributes, or event topics)."""

    __tablename__ = "exchange_grants"

    service_code: Mapped[str] = mapped_column(String(80), primary_key=True)
    operation: Mapped[str] = mapped_column(String(20), primary_key=True)
    scope: Mapped[list[str]] = mapped_column(JSON)
    granted_by: Mapped[str] = mapped_column(String(120))
    granted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ClientRow(Base):
    """A partner's OAuth client, acting for one service; suspension takes effect on the next request."""

    __tablename__ = "exchange_clients"

    client_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12))
    rate_per_second: Mapped[float] = mapped_column(Float)
    burst: Mapped[int] = mapped_column(Integer)
    daily_quota: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    suspended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    suspension_reason: Mapped[str | None] = mapped_column(String(500))


class ClientKeyRow(Base):
    """A client's public key (JWK).  Several may be active at once: that is how keys are rotated."""

    __tablename__ = "exchange_client_keys"

    client_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kid: Mapped[str] = mapped_column(String(100), primary_key=True)
    jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    thumbprint: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean)
    added_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    retired_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class AccessTokenRow(Base):
    """An access token the token endpoint issued (its SHA-256, never the token), bound to a DPoP key."""

    __tablename__ = "exchange_access_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(80), index=True)
    jkt: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class UsedJtiRow(Base):
    """Assertion and DPoP proof ids seen, until they could no longer be accepted anyway (replay defence)."""

    __tablename__ = "exchange_used_jtis"

    client_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    jti: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


class ConsentRow(Base):
    __tablename__ = "exchange_consents"

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    consent_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(80))
    client_id: Mapped[str] = mapped_column(String(80))
    attributes: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12))
    method: Mapped[str] = mapped_column(String(12))
    code_hash: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer)
    requested_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    granted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class CardChallengeRow(Base):
    """A nonce the server issued for a card's active authentication; used once."""

    __tablename__ = "exchange_card_challenges"

    challenge_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(80))
    nonce: Mapped[bytes] = mapped_column(LargeBinary(8))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class SubscriptionRow(Base):
    __tablename__ = "exchange_subscriptions"

    subscription_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(80), index=True)
    service_code: Mapped[str] = mapped_column(String(80))
    topics: Mapped[list[str]] = mapped_column(JSON)
    url: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class OutboxRow(Base):
    """A life event for partners, written in the register's transaction; ``version`` orders one person's."""

    __tablename__ = "exchange_outbox"

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36))
    topic: Mapped[str] = mapped_column(String(32))
    effective_date: Mapped[str] = mapped_column(String(10))
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class DeliveryRow(Base):
    """One event for one subscription: pending, delivered or dead (the dead-letter list)."""

    __tablename__ = "exchange_deliveries"
    __table_args__ = (Index("ix_exchange_deliveries_due", "status", "next_attempt_at"),)

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class AliasSecretRow(Base):
    """A service's alias salt; the alias key is HMAC(master key, salt), so the table alone links nothing."""

    __tablename__ = "exchange_alias_secrets"

    service_code: Mapped[str] = mapped_column(String(80), primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class AliasRow(Base):
    """Which person an alias stands for, per service (aliases are accepted wherever a number is)."""

    __tablename__ = "exchange_aliases"

    service_code: Mapped[str] = mapped_column(String(80), primary_key=True)
    alias: Mapped[str] = mapped_column(String(32), primary_key=True)
    personal_number: Mapped[str] = mapped_column(String(12))


class CitizenChallengeRow(Base):
    """A one-time code sent to a citizen to log in to the portal."""

    __tablename__ = "exchange_citizen_challenges"

    personal_number: Mapped[str] = mapped_column(String(12), primary_key=True)
    challenge_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class CitizenSessionRow(Base):
    __tablename__ = "exchange_citizen_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    personal_number: Mapped[str] = mapped_column(String(12))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
