"""Migration 0006 gives alerts stored before it their country labels, read from their
transactions (either side), so the country filter keeps finding them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from aml_screen.store import Database
from aml_screen.store.models import Alert, AlertLabel
from tests.store.isolation import isolated_url
from tests.store.migrating import add_batch, alert_row, tables_then, upgrade_to

SIDES = {"TX-1": ("ML", "NE"), "TX-2": ("ML", None), "TX-3": ("SN", "")}


def test_upgrading_labels_existing_alerts_with_their_countries(tmp_path: Path) -> None:
    with isolated_url(tmp_path, migrated=False) as url:
        database = Database(url)
        try:
            upgrade_to(database, "0005")
            with database.engine.begin() as connection:
                tables = tables_then(connection, "batches", "transactions", "alerts")
                batch_id = add_batch(connection, tables["batches"])
                connection.execute(tables["transactions"].insert(), [
                    {"batch_id": batch_id, "transaction_id": txn,
                     "originator_country": origin, "beneficiary_country": target}
                    for txn, (origin, target) in SIDES.items()])
                connection.execute(tables["alerts"].insert(), [
                    alert_row(key, batch_id, transaction_ids=ids)
                    for key, ids in (("a", ["TX-1", "TX-2"]), ("b", ["TX-3"]), ("c", []))])
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
