"""The alert queue at volume: each alert's transaction countries become labels (backfilled
here from the stored transactions), labels are indexed whole (the filter menus skip along
that index), every queue sort has an index (alone and after a status), and the alert page's
look-ups of a subject's activity (names, accounts, earlier alerts and hits) are indexed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ORDERS: dict[str, list[str | sa.TextClause]] = {
    "risk": [sa.text("risk_score DESC"), "id"],
    "created": ["created_at", "id"],
    "subject": ["subject_name", "id"],
}
_LOOKUPS = (
    ("ix_transactions_originator_name", "transactions", ["originator_name"]),
    ("ix_transactions_beneficiary_name", "transactions", ["beneficiary_name"]),
    ("ix_transactions_originator_account", "transactions", ["originator_account"]),
    ("ix_transactions_beneficiary_account", "transactions", ["beneficiary_account"]),
    ("ix_alerts_subject_id", "alerts", ["subject_id"]),
    ("ix_hits_party_name", "hits", ["party_name"]),
)
_ELEMENTS = {
    "sqlite": "json_each(a.transaction_ids) AS j",
    "postgresql": "json_array_elements_text(a.transaction_ids) AS j(value)",
}
_BACKFILL = """
INSERT INTO alert_labels (alert_id, kind, value)
SELECT a.id, 'country', t.originator_country
FROM alerts a CROSS JOIN {elements}
JOIN transactions t ON t.batch_id = a.batch_id AND t.transaction_id = j.value
WHERE t.originator_country IS NOT NULL AND t.originator_country <> ''
UNION
SELECT a.id, 'country', t.beneficiary_country
FROM alerts a CROSS JOIN {elements}
JOIN transactions t ON t.batch_id = a.batch_id AND t.transaction_id = j.value
WHERE t.beneficiary_country IS NOT NULL AND t.beneficiary_country <> ''
"""


_KIND_VALUE_STATISTICS = (
    "CREATE STATISTICS IF NOT EXISTS st_alert_labels_kind_value (mcv) "
    "ON kind, value FROM alert_labels")
"""PostgreSQL's own estimate of a label's alerts multiplies the shares of its kind and its
value as if independent (a quarter of the real count for "sanctions"): joint statistics
let it choose between walking a sort index and reading a label's alerts."""


def upgrade() -> None:
    for old in ("ix_alerts_risk_score", "ix_alerts_status", "ix_alerts_created_at"):
        op.drop_index(old, table_name="alerts")
    for name, columns in _ORDERS.items():
        op.create_index(f"ix_alerts_{name}_order", "alerts", columns)
        op.create_index(f"ix_alerts_status_{name}_order", "alerts", ["status", *columns])
    op.drop_index("ix_alert_labels_kind_value", table_name="alert_labels")
    op.create_index("ix_alert_labels_kind_value", "alert_labels", ["kind", "value", "alert_id"])
    for name, table, looked_up in _LOOKUPS:
        op.create_index(name, table, looked_up)
    op.execute(_BACKFILL.format(elements=_ELEMENTS[op.get_bind().dialect.name]))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_KIND_VALUE_STATISTICS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_alert_labels_kind_value")
    op.execute("DELETE FROM alert_labels WHERE kind = 'country'")
    for name, table, _columns in reversed(_LOOKUPS):
        op.drop_index(name, table_name=table)
    op.drop_index("ix_alert_labels_kind_value", table_name="alert_labels")
    op.create_index("ix_alert_labels_kind_value", "alert_labels", ["kind", "value"])
    for name in reversed(_ORDERS):
        op.drop_index(f"ix_alerts_status_{name}_order", table_name="alerts")
        op.drop_index(f"ix_alerts_{name}_order", table_name="alerts")
    op.create_index("ix_alerts_created_at", "alerts", ["created_at"])
    op.create_index("ix_alerts_status", "alerts", ["status"])
    op.create_index("ix_alerts_risk_score", "alerts", ["risk_score"])
