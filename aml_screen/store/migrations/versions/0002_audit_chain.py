"""Hash-chain the audit trail: seq, prev_hash and hash on every event; existing events are
chained in the order they were written (by id).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aml_screen.store.audit import GENESIS_HASH, event_hash
from aml_screen.store.base import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()), sa.column("seq", sa.Integer()),
    sa.column("at", UTCDateTime()), sa.column("actor_id", sa.Integer()),
    sa.column("actor_name", sa.String()), sa.column("action", sa.String()),
    sa.column("object_type", sa.String()), sa.column("object_id", sa.String()),
    sa.column("before", sa.JSON()), sa.column("after", sa.JSON()),
    sa.column("prev_hash", sa.String()), sa.column("hash", sa.String()),
)


def _chain_existing_events() -> None:
    connection = op.get_bind()
    prev_hash = GENESIS_HASH
    rows = connection.execute(sa.select(_events).order_by(_events.c.id)).all()
    for seq, row in enumerate(rows, start=1):
        digest = event_hash(at=row.at, actor_id=row.actor_id, actor_name=row.actor_name,
                            action=row.action, object_type=row.object_type,
                            object_id=row.object_id, before=row.before, after=row.after,
                            prev_hash=prev_hash)
        connection.execute(_events.update().where(_events.c.id == row.id)
                           .values(seq=seq, prev_hash=prev_hash, hash=digest))
        prev_hash = digest


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _chain_existing_events()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_seq"), ["seq"])


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_events_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
