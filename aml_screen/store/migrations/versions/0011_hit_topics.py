"""Hits keep the listed entry's topics (PEP, sanction, crime...) and the relation that links
it to another listed entry (daughter of, company owned by), from FollowTheMoney lists.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topics", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("relation", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("hits", schema=None) as batch_op:
        batch_op.drop_column("relation")
        batch_op.drop_column("topics")
