"""exchange platform: members, subsystems, services, grants, partner clients and keys, tokens, replay ids,
consents, card challenges, subscriptions, event outbox and deliveries, per-service aliases, citizen portal login

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 10:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citizenid.db.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_access_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("jkt", sa.String(length=64), nullable=False),
        sa.Column("issued_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_exchange_access_tokens")),
    )
    with op.batch_alter_table("exchange_access_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_access_tokens_client_id"), ["client_id"], unique=False)

    op.create_table(
        "exchange_alias_secrets",
        sa.Column("service_code", sa.String(length=80), nullable=False),
        sa.Column("salt", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("service_code", name=op.f("pk_exchange_alias_secrets")),
    )
    op.create_table(
        "exchange_aliases",
        sa.Column("service_code", sa.String(length=80), nullable=False),
        sa.Column("alias", sa.String(length=32), nullable=False),
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("service_code", "alias", name=op.f("pk_exchange_aliases")),
    )
    op.create_table(
        "exchange_card_challenges",
        sa.Column("challenge_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("nonce", sa.LargeBinary(length=8), nullable=False),
        sa.Column("expires_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("challenge_id", name=op.f("pk_exchange_card_challenges")),
    )
    op.create_table(
        "exchange_citizen_challenges",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("challenge_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("personal_number", "challenge_id", name=op.f("pk_exchange_citizen_challenges")),
    )
    op.create_table(
        "exchange_citizen_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("expires_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_exchange_citizen_sessions")),
    )
    op.create_table(
        "exchange_client_keys",
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("kid", sa.String(length=100), nullable=False),
        sa.Column("jwk", sa.JSON(), nullable=False),
        sa.Column("thumbprint", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("client_id", "kid", name=op.f("pk_exchange_client_keys")),
    )
    op.create_table(
        "exchange_clients",
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("service_code", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("rate_per_second", sa.Float(), nullable=False),
        sa.Column("burst", sa.Integer(), nullable=False),
        sa.Column("daily_quota", sa.BigInteger(), nullable=False),
        sa.Column("created_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("suspended_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("suspension_reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_exchange_clients")),
    )
    with op.batch_alter_table("exchange_clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_clients_service_code"), ["service_code"], unique=False)

    op.create_table(
        "exchange_consents",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("consent_id", sa.String(length=36), nullable=False),
        sa.Column("service_code", sa.String(length=80), nullable=False),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("requested_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("granted_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("used_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("personal_number", "consent_id", name=op.f("pk_exchange_consents")),
    )
    op.create_table(
        "exchange_deliveries",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("personal_number", "version", "subscription_id", name=op.f("pk_exchange_deliveries")),
    )
    with op.batch_alter_table("exchange_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_deliveries_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "exchange_grants",
        sa.Column("service_code", sa.String(length=80), nullable=False),
        sa.Column("operation", sa.String(length=20), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("granted_by", sa.String(length=120), nullable=False),
        sa.Column("granted_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("service_code", "operation", name=op.f("pk_exchange_grants")),
    )
    op.create_table(
        "exchange_members",
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_exchange_members")),
    )
    op.create_table(
        "exchange_outbox",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("effective_date", sa.String(length=10), nullable=False),
        sa.Column("occurred_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("personal_number", "version", name=op.f("pk_exchange_outbox")),
    )
    op.create_table(
        "exchange_services",
        sa.Column("service_code", sa.String(length=80), nullable=False),
        sa.Column("subsystem_id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("legal_basis", sa.String(length=500), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("pseudonymous", sa.Boolean(), nullable=False),
        sa.Column("created_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("service_code", name=op.f("pk_exchange_services")),
    )
    with op.batch_alter_table("exchange_services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_services_subsystem_id"), ["subsystem_id"], unique=False)

    op.create_table(
        "exchange_subscriptions",
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("service_code", sa.String(length=80), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subscription_id", name=op.f("pk_exchange_subscriptions")),
    )
    with op.batch_alter_table("exchange_subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_subscriptions_client_id"), ["client_id"], unique=False)

    op.create_table(
        "exchange_subsystems",
        sa.Column("subsystem_id", sa.String(length=80), nullable=False),
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("created_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subsystem_id", name=op.f("pk_exchange_subsystems")),
    )
    with op.batch_alter_table("exchange_subsystems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_subsystems_member_id"), ["member_id"], unique=False)

    op.create_table(
        "exchange_used_jtis",
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("jti", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("expires_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "jti", name=op.f("pk_exchange_used_jtis")),
    )
    with op.batch_alter_table("exchange_used_jtis", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_used_jtis_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("exchange_used_jtis", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_used_jtis_expires_at"))

    op.drop_table("exchange_used_jtis")
    with op.batch_alter_table("exchange_subsystems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_subsystems_member_id"))

    op.drop_table("exchange_subsystems")
    with op.batch_alter_table("exchange_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_subscriptions_client_id"))

    op.drop_table("exchange_subscriptions")
    with op.batch_alter_table("exchange_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_services_subsystem_id"))

    op.drop_table("exchange_services")
    op.drop_table("exchange_outbox")
    op.drop_table("exchange_members")
    op.drop_table("exchange_grants")
    with op.batch_alter_table("exchange_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_deliveries_due")

    op.drop_table("exchange_deliveries")
    op.drop_table("exchange_consents")
    with op.batch_alter_table("exchange_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_clients_service_code"))

    op.drop_table("exchange_clients")
    op.drop_table("exchange_client_keys")
    op.drop_table("exchange_citizen_sessions")
    op.drop_table("exchange_citizen_challenges")
    op.drop_table("exchange_card_challenges")
    op.drop_table("exchange_aliases")
    op.drop_table("exchange_alias_secrets")
    with op.batch_alter_table("exchange_access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_access_tokens_client_id"))

    op.drop_table("exchange_access_tokens")
