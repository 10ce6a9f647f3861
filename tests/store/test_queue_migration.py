"""Migration 0006 gives alerts stored before it their country labels, read from their
transactions (either side), so the country filter keeps finding them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import MetaData, select

from aml_screen.store import Database
from aml_screen.store.database import _alembic_config
from aml_screen.store.models import Alert, AlertLabel
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
            with database.engine.begin() as connection:
                # the tables as they stood at 0005 (the models have columns added since)
                tables = MetaData()
                tables.reflect(connection, only=("batches", "transactions", "alerts"))
                batch_id = connection.execute(tables.tables["batches"].insert().values(
                    file_name="b.csv", sha256="a" * 64, size_bytes=1, status="done",
                    uploaded_at=AT, progress_done=0)).inserted_primary_key[0]
                connection.execute(tables.tables["transactions"].insert(), [
                    {"batch_id": batch_id, "transaction_id": txn,
                     "originator_country": origin, "beneficiary_country": target}
                    for txn, (origin, target) in SIDES.items()])
                connection.execute(tables.tables["alerts"].insert(), [
                    {"alert_key": key, "batch_id": batch_id, "subject_type": "party",
                     "subject_id": key, "subject_name": key, "risk_score": 90, "hit_count": 0,
                     "rule_ids": [], "list_ids": [], "typologies": [], "transaction_ids": ids,
                     "reasons": [], "status": "new", "created_at": AT, "updated_at": AT,
                     "version": 1}
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
