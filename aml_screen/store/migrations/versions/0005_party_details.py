"""Transactions keep the party details a batch gave (birth date, nationality, ID document
number, phone of each party) and the notes on values that could not be read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_PARTY_COLUMNS = (("birth_date", 10), ("nationality", 2), ("id_number", 80), ("phone", 32))


def upgrade() -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        for role in ("originator", "beneficiary"):
            for name, length in _PARTY_COLUMNS:
                batch_op.add_column(
                    sa.Column(f"{role}_{name}", sa.String(length=length), nullable=True)
                )
        batch_op.add_column(sa.Column("ingest_notes", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_column("ingest_notes")
        for role in ("beneficiary", "originator"):
            for name, _length in reversed(_PARTY_COLUMNS):
                batch_op.drop_column(f"{role}_{name}")
