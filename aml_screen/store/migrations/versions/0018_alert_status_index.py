"""The alerts of one status in id order (``ix_alerts_status_id``), so the queue's counts
per status under a label filter read indexes alone.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alerts_status_id", "alerts", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_alerts_status_id", table_name="alerts")
