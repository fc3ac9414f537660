"""integrated documents: other papers a person holds, pushed by their agencies, with every version

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citizenid.db.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("doc_type", sa.String(length=32), nullable=False),
        sa.Column("doc_number", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("personal_number", "doc_type", "doc_number", name=op.f("pk_documents")),
    )
    op.create_table(
        "document_numbers",
        sa.Column("doc_type", sa.String(length=32), nullable=False),
        sa.Column("doc_number", sa.String(length=32), nullable=False),
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("doc_type", "doc_number", name=op.f("pk_document_numbers")),
    )
    op.create_table(
        "document_versions",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("doc_type", sa.String(length=32), nullable=False),
        sa.Column("doc_number", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("recorded_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("personal_number", "doc_type", "doc_number", "version",
                                name=op.f("pk_document_versions")),
    )


def downgrade() -> None:
    op.drop_table("document_versions")
    op.drop_table("document_numbers")
    op.drop_table("documents")
