"""The label index ``(kind, value, alert_id)`` carries the status too (``(kind, value,
alert_id, status)``): a queue view under a filter of labels reads each matching alert's id
and status from two label index ranges merged in id order, stopping as soon as it has what
it needs, without a hash of the larger range or a probe of ``alerts``.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_alert_labels_kind_value", table_name="alert_labels")
    op.create_index("ix_alert_labels_kind_value", "alert_labels",
                    ["kind", "value", "alert_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_alert_labels_kind_value", table_name="alert_labels")
    op.create_index("ix_alert_labels_kind_value", "alert_labels", ["kind", "value", "alert_id"])
