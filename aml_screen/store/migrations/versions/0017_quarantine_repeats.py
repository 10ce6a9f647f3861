"""Identical copies of a quarantined row are kept once, with how many rows of the file the
row stands for (``repeats``): a file of millions of copies of one bad row no longer writes
millions of quarantine rows.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quarantine_rows") as batch_op:
        batch_op.add_column(sa.Column("repeats", sa.Integer(), nullable=False,
                                      server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("quarantine_rows") as batch_op:
        batch_op.drop_column("repeats")
