"""A quarantined row keeps the values its reason names (JSON), so the reason is told in the
reader's language wherever it is shown, not only in the language of the upload.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quarantine_rows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_params", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quarantine_rows", schema=None) as batch_op:
        batch_op.drop_column("reason_params")
