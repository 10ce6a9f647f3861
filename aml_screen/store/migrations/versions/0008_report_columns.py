"""Transactions keep the report they came in (goAML report reference, reporting entity,
report code) and the banks of both sides of a payment message (BIC).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_COLUMNS = ("report_id", "reporting_entity", "report_code", "originator_bic", "beneficiary_bic")
"""Text: they hold what the file gave, whatever its length."""


def upgrade() -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        for name in _COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)
