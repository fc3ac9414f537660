"""otp credentials: the server's side of each card's one-time-password application

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citizenid.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "otp_credentials",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("algorithm", sa.String(length=8), nullable=False),
        sa.Column("digits", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("counter", sa.BigInteger(), nullable=False),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.Column("drift", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("created_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("personal_number", "credential_id", name=op.f("pk_otp_credentials")),
    )


def downgrade() -> None:
    op.drop_table("otp_credentials")
