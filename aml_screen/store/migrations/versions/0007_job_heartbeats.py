"""Batches and re-screens record when their job was queued, the running attempt's heartbeat
and claim token, and how many attempts were made, so a job whose worker died is found and
run again (``store/jobs.py``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TABLES = ("batches", "rescreens")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in ("queued_at", "heartbeat_at"):
                batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False,
                                          server_default="0"))
            batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("claim_token")
            batch_op.drop_column("attempts")
            batch_op.drop_column("heartbeat_at")
            batch_op.drop_column("queued_at")
