"""biometrics: encrypted templates and samples keyed by person and application, 1:N screenings, the
adjudication queue

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 10:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citizenid.db.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "biometric_templates",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("modality", sa.String(length=10), nullable=False),
        sa.Column("algorithm", sa.String(length=40), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("template", sa.LargeBinary(), nullable=False),
        sa.Column("sample", sa.LargeBinary(), nullable=True),
        sa.Column("quality", sa.Float(), nullable=False),
        sa.Column("enrolled_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("personal_number", "application_id", "modality", name=op.f("pk_biometric_templates")),
    )
    with op.batch_alter_table("biometric_templates", schema=None) as batch_op:
        batch_op.create_index("ix_biometric_templates_application_id", ["application_id"], unique=False)
        batch_op.create_index("ix_biometric_templates_enrolled_at", ["enrolled_at"], unique=False)

    op.create_table(
        "biometric_screenings",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("screened_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("personal_number", "application_id", name=op.f("pk_biometric_screenings")),
    )
    with op.batch_alter_table("biometric_screenings", schema=None) as batch_op:
        batch_op.create_index("ix_biometric_screenings_application_id", ["application_id"], unique=False)

    op.create_table(
        "biometric_candidates",
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("candidate_personal_number", sa.String(length=12), nullable=False),
        sa.Column("candidate_application_id", sa.String(length=36), nullable=False),
        sa.Column("face_score", sa.Float(), nullable=False),
        sa.Column("finger_score", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("personal_number", "application_id", "candidate_personal_number",
                                name=op.f("pk_biometric_candidates")),
    )
    with op.batch_alter_table("biometric_candidates", schema=None) as batch_op:
        batch_op.create_index("ix_biometric_candidates_status", ["status"], unique=False)


def downgrade() -> None:
    op.drop_table("biometric_candidates")
    op.drop_table("biometric_screenings")
    op.drop_table("biometric_templates")
