"""Audit events that retention can redact: ``chain_version`` (1 for every existing event),
``payload_sha256`` (digest of before/after, hashed instead of them from version 2 on) and
``redacted_at``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("chain_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("payload_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("redacted_at")
        batch_op.drop_column("payload_sha256")
        batch_op.drop_column("chain_version")
