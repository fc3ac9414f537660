"""cleansing staging: batches, staged records, issues, linkage runs, scored pairs, merges

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import citizenid.db.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cleansing_batches",
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("ingested_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ingested_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_cleansing_batches")),
    )
    op.create_table(
        "cleansing_records",
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.String(length=120), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("original", sa.JSON(), nullable=False),
        sa.Column("canonical", sa.JSON(), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=False),
        sa.Column("province", sa.String(length=2), nullable=True),
        sa.Column("personal_number", sa.String(length=12), nullable=True),
        sa.PrimaryKeyConstraint("source", "record_id", name=op.f("pk_cleansing_records")),
    )
    with op.batch_alter_table("cleansing_records", schema=None) as batch_op:
        batch_op.create_index("ix_cleansing_records_batch_id", ["batch_id"], unique=False)
        batch_op.create_index("ix_cleansing_records_personal_number", ["personal_number"], unique=False)
    op.create_table(
        "cleansing_issues",
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.String(length=120), nullable=False),
        sa.Column("rule_id", sa.String(length=10), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("source", "record_id", "rule_id", "field", name=op.f("pk_cleansing_issues")),
    )
    op.create_table(
        "cleansing_runs",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column("engine", sa.String(length=10), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("model", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("started_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.String(length=120), nullable=False),
        sa.Column("finished_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_cleansing_runs")),
    )
    op.create_table(
        "cleansing_pairs",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("pair_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("left_id", sa.String(length=200), nullable=False),
        sa.Column("right_id", sa.String(length=200), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("guards", sa.String(length=200), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("review_status", sa.String(length=10), nullable=True),
        sa.Column("reviewed_by", sa.String(length=120), nullable=True),
        sa.Column("reviewed_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", "pair_no", name=op.f("pk_cleansing_pairs")),
    )
    with op.batch_alter_table("cleansing_pairs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cleansing_pairs_decision_review", ["run_id", "decision", "review_status"], unique=False
        )
    op.create_table(
        "cleansing_merges",
        sa.Column("merge_id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("personal_number", sa.String(length=12), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("created_person", sa.Boolean(), nullable=False),
        sa.Column("survivorship", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("merged_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("merged_by", sa.String(length=120), nullable=False),
        sa.Column("undone_at", citizenid.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("merge_id", name=op.f("pk_cleansing_merges")),
    )
    with op.batch_alter_table("cleansing_merges", schema=None) as batch_op:
        batch_op.create_index("ix_cleansing_merges_run_id", ["run_id"], unique=False)
        batch_op.create_index("ix_cleansing_merges_personal_number", ["personal_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cleansing_merges", schema=None) as batch_op:
        batch_op.drop_index("ix_cleansing_merges_personal_number")
        batch_op.drop_index("ix_cleansing_merges_run_id")
    op.drop_table("cleansing_merges")
    with op.batch_alter_table("cleansing_pairs", schema=None) as batch_op:
        batch_op.drop_index("ix_cleansing_pairs_decision_review")
    op.drop_table("cleansing_pairs")
    op.drop_table("cleansing_runs")
    op.drop_table("cleansing_issues")
    with op.batch_alter_table("cleansing_records", schema=None) as batch_op:
        batch_op.drop_index("ix_cleansing_records_personal_number")
        batch_op.drop_index("ix_cleansing_records_batch_id")
    op.drop_table("cleansing_records")
    op.drop_table("cleansing_batches")
