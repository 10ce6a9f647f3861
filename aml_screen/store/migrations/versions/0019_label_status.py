"""Alert labels carry their alert's status (``alert_labels.status``, indexed with the label),
kept equal by a trigger on every status change, so the queue's counts per status under a
label filter read only that status's label entries.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

POSTGRESQL = (
    """CREATE FUNCTION aml_alert_labels_follow_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE alert_labels SET status = NEW.status WHERE alert_id = NEW.id;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER alert_labels_follow_status AFTER UPDATE OF status ON alerts FOR EACH ROW
WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION aml_alert_labels_follow_status()""",
)
SQLITE = (
    """CREATE TRIGGER alert_labels_follow_status AFTER UPDATE OF status ON alerts FOR EACH ROW
WHEN OLD.status IS NOT NEW.status
BEGIN
    UPDATE alert_labels SET status = NEW.status WHERE alert_id = NEW.id;
END""",
)


def upgrade() -> None:
    with op.batch_alter_table("alert_labels") as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(16), nullable=False,
                                      server_default="new"))
    op.execute("UPDATE alert_labels SET status = (SELECT alerts.status FROM alerts "
               "WHERE alerts.id = alert_labels.alert_id) "
               "WHERE alert_id IN (SELECT id FROM alerts WHERE status <> 'new')")
    op.create_index("ix_alert_labels_kind_value_status", "alert_labels",
                    ["kind", "value", "status", "alert_id"])
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL if dialect == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER alert_labels_follow_status ON alerts")
        op.execute("DROP FUNCTION aml_alert_labels_follow_status()")
    else:
        op.execute("DROP TRIGGER alert_labels_follow_status")
    op.drop_index("ix_alert_labels_kind_value_status", table_name="alert_labels")
    with op.batch_alter_table("alert_labels") as batch_op:
        batch_op.drop_column("status")
