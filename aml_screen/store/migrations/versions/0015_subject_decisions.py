"""Investigators' decisions on subjects: two subjects merged, or records split off a subject,
with the reason; later batches respect them. A link an investigator made belongs to no batch.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aml_screen.store.base import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subject_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("left", sa.String(length=20), nullable=False),
        sa.Column("right", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"],
                                name=op.f("fk_subject_decisions_decided_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_decisions")),
    )
    for column in ("left", "right"):
        op.create_index(op.f(f"ix_subject_decisions_{column}"), "subject_decisions", [column])
    with op.batch_alter_table("subject_links", schema=None) as batch_op:
        batch_op.alter_column("batch_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("subject_links", schema=None) as batch_op:
        batch_op.alter_column("batch_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("subject_decisions")
