"""Cases and their notes, seizure evidence packages, exemptions (remembered false
positives), re-screens of stored batches; alerts get ``closed_at`` (filled from
``updated_at`` for alerts already closed) and ``rescreen_id``; batches get ``purged_at``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=255), nullable=False),
        sa.Column("subject_name", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("disposition", sa.String(length=30), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_cases_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_cases_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_status"), ["status"], unique=False)

    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_case_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_notes_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_notes_case_id"), ["case_id"], unique=False)

    op.create_table(
        "evidence_packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("case_version", sa.Integer(), nullable=False),
        sa.Column("prepared_by_id", sa.Integer(), nullable=False),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_sha256", sa.String(length=64), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_evidence_packages_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_evidence_packages_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["prepared_by_id"], ["users.id"], name=op.f("fk_evidence_packages_prepared_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_packages")),
    )
    with op.batch_alter_table("evidence_packages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_packages_case_id"), ["case_id"], unique=False)

    op.create_table(
        "rescreens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("list_versions", sa.JSON(), nullable=True),
        sa.Column("new_hits", sa.Integer(), nullable=True),
        sa.Column("new_alerts", sa.Integer(), nullable=True),
        sa.Column("error_key", sa.String(length=120), nullable=True),
        sa.Column("error_params", sa.JSON(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
            name=op.f("fk_rescreens_batch_id_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_rescreens_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rescreens")),
    )
    with op.batch_alter_table("rescreens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rescreens_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "case_alerts",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_case_alerts_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_case_alerts_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_alerts_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", "alert_id", name=op.f("pk_case_alerts")),
    )
    with op.batch_alter_table("case_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_alerts_alert_id"), ["alert_id"], unique=False)

    op.create_table(
        "exemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.String(length=80), nullable=False),
        sa.Column("entry_id", sa.String(length=120), nullable=False),
        sa.Column("entry_digest", sa.String(length=64), nullable=False),
        sa.Column("party_key", sa.String(length=64), nullable=False),
        sa.Column("party_name", sa.Text(), nullable=False),
        sa.Column("party_details", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("source_alert_id", sa.Integer(), nullable=True),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_exemptions_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_exemptions_proposed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["source_alert_id"],
            ["alerts.id"],
            name=op.f("fk_exemptions_source_alert_id_alerts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exemptions")),
    )
    with op.batch_alter_table("exemptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exemptions_pair", ["list_id", "entry_id", "party_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exemptions_status"), ["status"], unique=False)

    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("rescreen_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_alerts_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_rescreen_id"), ["rescreen_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_alerts_rescreen_id_rescreens"),
            "rescreens",
            ["rescreen_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))

    alerts = sa.table(
        "alerts",
        sa.column("status", sa.String()),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("closed_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        alerts.update().where(alerts.c.status == "closed").values(closed_at=alerts.c.updated_at)
    )


def downgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_column("purged_at")

    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_alerts_rescreen_id_rescreens"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_alerts_rescreen_id"))
        batch_op.drop_index(batch_op.f("ix_alerts_closed_at"))
        batch_op.drop_column("rescreen_id")
        batch_op.drop_column("closed_at")

    with op.batch_alter_table("exemptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exemptions_status"))
        batch_op.drop_index("ix_exemptions_pair")

    op.drop_table("exemptions")
    with op.batch_alter_table("case_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_alerts_alert_id"))

    op.drop_table("case_alerts")
    with op.batch_alter_table("rescreens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rescreens_batch_id"))

    op.drop_table("rescreens")
    with op.batch_alter_table("evidence_packages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_packages_case_id"))

    op.drop_table("evidence_packages")
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_notes_case_id"))

    op.drop_table("case_notes")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_status"))
        batch_op.drop_index(batch_op.f("ix_cases_closed_at"))
        batch_op.drop_index(batch_op.f("ix_cases_assignee_id"))

    op.drop_table("cases")
