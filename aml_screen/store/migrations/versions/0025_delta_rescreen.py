"""Delta re-screening: the distinct party names of the stored transactions (filled from
those already stored), the delta re-screens of list sources, the re-screens they made per
batch, and retired hits (their entry removed from the list; kept as evidence).

Revision ID: 0025
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aml_screen.store.base import UTCDateTime

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "party_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_names")),
        sa.UniqueConstraint("name", name=op.f("uq_party_names_name")),
    )
    # In the order the names were first stored, as loading adds them: a delta re-screen
    # reads them in that order, each chunk a fair sample of the store (not sorted by name).
    op.execute(
        "INSERT INTO party_names (name) SELECT name FROM ("
        " SELECT originator_name AS name, 2 * id AS seen FROM transactions"
        " UNION ALL SELECT beneficiary_name, 2 * id + 1 FROM transactions) AS stored"
        " WHERE name IS NOT NULL AND trim(name) <> '' GROUP BY name ORDER BY min(seen)")
    op.create_table(
        "list_deltas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("old_sha256", sa.String(length=64), nullable=False),
        sa.Column("new_sha256", sa.String(length=64), nullable=False),
        sa.Column("new_version_date", sa.String(length=40), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("entries_added", sa.Integer(), nullable=True),
        sa.Column("entries_changed", sa.Integer(), nullable=True),
        sa.Column("entries_removed", sa.Integer(), nullable=True),
        sa.Column("index_names", sa.Integer(), nullable=True),
        sa.Column("names_read", sa.Integer(), nullable=True),
        sa.Column("new_hits", sa.Integer(), nullable=True),
        sa.Column("new_alerts", sa.Integer(), nullable=True),
        sa.Column("retired_hits", sa.Integer(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("error_key", sa.String(length=120), nullable=True),
        sa.Column("error_params", sa.JSON(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("queued_at", UTCDateTime(), nullable=True),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"],
                                name=op.f("fk_list_deltas_requested_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_list_deltas")),
    )
    op.create_index(op.f("ix_list_deltas_source"), "list_deltas", ["source"])
    with op.batch_alter_table("rescreens") as batch_op:
        batch_op.add_column(sa.Column("delta_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_rescreens_delta_id"), ["delta_id"])
        batch_op.create_foreign_key(batch_op.f("fk_rescreens_delta_id_list_deltas"),
                                    "list_deltas", ["delta_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("hits") as batch_op:
        batch_op.add_column(sa.Column("retired_on", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("retired_delta_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_hits_retired_delta_id_list_deltas"),
                                    "list_deltas", ["retired_delta_id"], ["id"],
                                    ondelete="SET NULL")
        batch_op.create_index("ix_hits_list_entry", ["list_id", "entry_id"])


def downgrade() -> None:
    with op.batch_alter_table("hits") as batch_op:
        batch_op.drop_index("ix_hits_list_entry")
        batch_op.drop_constraint(batch_op.f("fk_hits_retired_delta_id_list_deltas"),
                                 type_="foreignkey")
        batch_op.drop_column("retired_delta_id")
        batch_op.drop_column("retired_on")
    with op.batch_alter_table("rescreens") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_rescreens_delta_id_list_deltas"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_rescreens_delta_id"))
        batch_op.drop_column("delta_id")
    op.drop_index(op.f("ix_list_deltas_source"), table_name="list_deltas")
    op.drop_table("list_deltas")
    op.drop_table("party_names")
