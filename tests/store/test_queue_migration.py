"""Migration 0006 gives alerts stored before it their country labels, read from their
transactions (either side), so the country filter keeps finding them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import select

from aml_screen.store import Database
from aml_screen.store.database import _alembic_config
from aml_screen.store.models import Alert, AlertLabel, Batch, Transaction
from tests.store.isolation import isolated_url

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SIDES = {"TX-1": ("ML", "NE"), "TX-2": ("ML", None), "TX-3": ("SN", "")}


def test_upgrading_labels_existing_alerts_with_their_countries(tmp_path: Path) -> None:
    with isolated_url(tmp_path) as url:
        database = Database(url)
        try:
            with database.engine.begin() as connection:
                config = _alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, "0005")
            with database.transaction() as session:
                batch = Batch(file_name="b.csv", sha256="a" * 64, size_bytes=1, status="done")
                session.add(batch)
                session.flush()
                session.add_all(Transaction(batch_id=batch.id, transaction_id=txn,
                                            originator_country=origin,
                                            beneficiary_country=target)
                                for txn, (origin, target) in SIDES.items())
                session.add_all(Alert(alert_key=key, batch_id=batch.id, subject_type="party",
                                      subject_id=key, subject_name=key, risk_score=90,
                                      transaction_ids=ids, created_at=AT, updated_at=AT)
                                for key, ids in (("a", ["TX-1", "TX-2"]), ("b", ["TX-3"]),
                                                 ("c", [])))
            database.upgrade()
            with database.transaction() as session:
                found = session.execute(
                    select(Alert.alert_key, AlertLabel.value)
                    .join(AlertLabel, AlertLabel.alert_id == Alert.id)
                    .where(AlertLabel.kind == "country")
                    .order_by(Alert.alert_key, AlertLabel.value)).all()
        finally:
            database.dispose()
    assert [tuple(row) for row in found] == [("a", "ML"), ("a", "NE"), ("b", "SN")]
