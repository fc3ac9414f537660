"""cards: applications, their history and idempotency keys, cards, batches, the card-number sequence,
campaign targets

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 09:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citizenid.db.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_application_history",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("application_id", sa.String(length=20), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("personal_number", "application_id", "seq", name=op.f("pk_card_application_history")),
    )
    op.create_index(
        "ix_card_application_history_to_state", "card_application_history", ["to_state", "at"], unique=False
    )
    op.create_table(
        "card_application_ids",
        sa.Column("application_id", sa.String(length=20), nullable=False),
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_card_application_ids")),
    )
    op.create_table(
        "card_applications",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("application_id", sa.String(length=20), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("site", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("state_since", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("declared", sa.JSON(), nullable=False),
        sa.Column("mismatches", sa.JSON(), nullable=False),
        sa.Column("appointment", sa.Date(), nullable=False),
        sa.Column("photo", sa.LargeBinary(), nullable=True),
        sa.Column("fingerprints", sa.LargeBinary(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("received_by", sa.String(length=120), nullable=False),
        sa.Column("received_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("card_number", sa.String(length=12), nullable=True),
        sa.PrimaryKeyConstraint("personal_number", "application_id", name=op.f("pk_card_applications")),
    )
    op.create_index(
        "ix_card_applications_province_state", "card_applications", ["province", "state", "state_since"], unique=False
    )
    op.create_index("ix_card_applications_site_state", "card_applications", ["site", "state"], unique=False)
    op.create_index("ix_card_applications_state", "card_applications", ["state", "state_since"], unique=False)
    op.create_table(
        "card_batch_items",
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("application_id", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("card_number", sa.String(length=12), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("batch_id", "position", name=op.f("pk_card_batch_items")),
        sa.UniqueConstraint("batch_id", "application_id", name="uq_card_batch_items_batch_id_application"),
    )
    op.create_index("ix_card_batch_items_status", "card_batch_items", ["batch_id", "status", "position"], unique=False)
    op.create_table(
        "card_batches",
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=True),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_card_batches")),
    )
    op.create_table(
        "card_campaign_targets",
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=True),
        sa.Column("milestone", sa.String(length=20), nullable=False),
        sa.Column("target_count", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("created_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("target_id", name=op.f("pk_card_campaign_targets")),
    )
    op.create_table(
        "card_chip_versions",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("card_number", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("chip_image", sa.LargeBinary(), nullable=False),
        sa.Column("replaced_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("personal_number", "card_number", "version", name=op.f("pk_card_chip_versions")),
    )
    op.create_table(
        "card_history",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("card_number", sa.String(length=12), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("event", sa.String(length=30), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("personal_number", "card_number", "seq", name=op.f("pk_card_history")),
    )
    op.create_table(
        "card_idempotency_keys",
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("operation", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("result_ref", sa.String(length=60), nullable=False),
        sa.Column("created_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("actor", "key", name=op.f("pk_card_idempotency_keys")),
    )
    op.create_table(
        "card_numbers",
        sa.Column("card_number", sa.String(length=12), nullable=False),
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("card_number", name=op.f("pk_card_numbers")),
    )
    op.create_table(
        "card_open_applications",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("application_id", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("personal_number", name=op.f("pk_card_open_applications")),
    )
    op.create_table(
        "card_sequences",
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_card_sequences")),
    )
    op.create_table(
        "cards",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("card_number", sa.String(length=12), nullable=False),
        sa.Column("application_id", sa.String(length=20), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("revocation_key", sa.String(length=20), nullable=False),
        sa.Column("revoked_reason", sa.String(length=20), nullable=True),
        sa.Column("revoked_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("activated_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("chip_version", sa.Integer(), nullable=False),
        sa.Column("chip_image", sa.LargeBinary(), nullable=False),
        sa.Column("qc_detail", sa.Text(), nullable=True),
        sa.Column("created_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("personal_number", "card_number", name=op.f("pk_cards")),
        sa.UniqueConstraint("personal_number", "application_id", name="uq_cards_personal_number_application"),
    )
    op.create_index("ix_cards_state_expiry", "cards", ["state", "expiry_date"], unique=False)

    sequences = sa.table("card_sequences", sa.column("name", sa.String), sa.column("last_value", sa.BigInteger))
    op.bulk_insert(sequences, [{"name": "card", "last_value": 0}])


def downgrade() -> None:
    op.drop_index("ix_cards_state_expiry", table_name="cards")
    op.drop_table("cards")
    op.drop_table("card_sequences")
    op.drop_table("card_open_applications")
    op.drop_table("card_numbers")
    op.drop_table("card_idempotency_keys")
    op.drop_table("card_history")
    op.drop_table("card_chip_versions")
    op.drop_table("card_campaign_targets")
    op.drop_table("card_batches")
    op.drop_index("ix_card_batch_items_status", table_name="card_batch_items")
    op.drop_table("card_batch_items")
    op.drop_index("ix_card_applications_state", table_name="card_applications")
    op.drop_index("ix_card_applications_site_state", table_name="card_applications")
    op.drop_index("ix_card_applications_province_state", table_name="card_applications")
    op.drop_table("card_applications")
    op.drop_table("card_application_ids")
    op.drop_index("ix_card_application_history_to_state", table_name="card_application_history")
    op.drop_table("card_application_history")
