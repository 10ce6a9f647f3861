"""A redacted audit event names the retention purge that redacted it (``redacted_by``: the
``seq`` of that ``retention.purged`` event), so ``audit verify`` can tell a redaction by
retention from before/after erased by hand. Events redacted before this version are given
the first purge recorded after them.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redacted_by", sa.Integer(), nullable=True))
    op.execute(sa.text(
        "UPDATE audit_events SET redacted_by = (SELECT MIN(p.seq) FROM audit_events p "
        "WHERE p.action = 'retention.purged' AND p.seq > audit_events.seq) "
        "WHERE redacted_at IS NOT NULL"))


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("redacted_by")
