"""Subjects across batches: each party of each stored transaction resolved to a subject,
with the summary the next batch is resolved against and the links that say why.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aml_screen.store.base import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_ID = sa.String(length=20)


def upgrade() -> None:
    op.create_table(
        "subjects",
        sa.Column("id", _ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("first_batch_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
    )
    op.create_table(
        "party_subjects",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.String(length=120), nullable=False),
        sa.Column("party_role", sa.String(length=12), nullable=False),
        sa.Column("subject_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], ondelete="CASCADE",
                                name=op.f("fk_party_subjects_batch_id_batches")),
        sa.PrimaryKeyConstraint("batch_id", "transaction_id", "party_role",
                                name=op.f("pk_party_subjects")),
    )
    op.create_index("ix_party_subjects_subject", "party_subjects", ["subject_id", "batch_id"])
    op.create_table(
        "subject_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", _ID, nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("birth_date", sa.String(length=10), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("nationality", sa.String(length=2), nullable=True),
        sa.Column("id_number", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], ondelete="CASCADE",
                                name=op.f("fk_subject_profiles_batch_id_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_profiles")),
    )
    for column in ("batch_id", "subject_id", "name_key", "birth_date"):
        op.create_index(op.f(f"ix_subject_profiles_{column}"), "subject_profiles", [column])
    op.create_table(
        "subject_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("value", sa.String(length=120), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], ondelete="CASCADE",
                                name=op.f("fk_subject_identifiers_batch_id_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_identifiers")),
    )
    for column in ("batch_id", "subject_id", "value"):
        op.create_index(op.f(f"ix_subject_identifiers_{column}"), "subject_identifiers",
                        [column])
    op.create_table(
        "subject_counterparties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", _ID, nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("counterparty", sa.String(length=120), nullable=False),
        sa.Column("account", sa.String(length=120), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], ondelete="CASCADE",
                                name=op.f("fk_subject_counterparties_batch_id_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_counterparties")),
    )
    for column in ("batch_id", "subject_id", "counterparty"):
        op.create_index(op.f(f"ix_subject_counterparties_{column}"), "subject_counterparties",
                        [column])
    op.create_table(
        "alert_subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], ondelete="CASCADE",
                                name=op.f("fk_alert_subjects_alert_id_alerts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_subjects")),
    )
    for column in ("alert_id", "subject_id"):
        op.create_index(op.f(f"ix_alert_subjects_{column}"), "alert_subjects", [column])
    op.create_table(
        "subject_hubs",
        sa.Column("space", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=120), nullable=False),
        sa.Column("names", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("space", "value", name=op.f("pk_subject_hubs")),
    )
    op.create_table(
        "subject_tokens",
        sa.Column("skeleton", sa.Text(), nullable=False),
        sa.Column("df", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("skeleton", name=op.f("pk_subject_tokens")),
    )
    op.create_table(
        "subject_name_tokens",
        sa.Column("skeleton", sa.Text(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("skeleton", "name_key", name=op.f("pk_subject_name_tokens")),
    )
    # Search finds a transaction or a report by its reference alone.
    op.create_index("ix_transactions_transaction_id", "transactions", ["transaction_id"])
    op.create_index("ix_transactions_report_id", "transactions", ["report_id"])
    op.create_table(
        "subject_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", _ID, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("left", sa.Text(), nullable=False),
        sa.Column("right", sa.Text(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("params", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], ondelete="CASCADE",
                                name=op.f("fk_subject_links_batch_id_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_links")),
    )
    for column in ("subject_id", "batch_id"):
        op.create_index(op.f(f"ix_subject_links_{column}"), "subject_links", [column])
    op.create_table(
        "subject_merges",
        sa.Column("subject_id", _ID, nullable=False),
        sa.Column("into", _ID, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("merged_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], ondelete="SET NULL",
                                name=op.f("fk_subject_merges_batch_id_batches")),
        sa.PrimaryKeyConstraint("subject_id", name=op.f("pk_subject_merges")),
    )
    op.create_index(op.f("ix_subject_merges_into"), "subject_merges", ["into"])
    op.create_table(
        "subject_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("key_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_state")),
    )


def downgrade() -> None:
    op.drop_index("ix_transactions_report_id", table_name="transactions")
    op.drop_index("ix_transactions_transaction_id", table_name="transactions")
    for table in ("subject_state", "subject_merges", "subject_links", "subject_name_tokens",
                  "subject_tokens", "subject_hubs", "alert_subjects", "subject_counterparties",
                  "subject_identifiers", "subject_profiles", "party_subjects", "subjects"):
        op.drop_table(table)
