"""Migration 0019 gives the labels of alerts stored before it their alert's status, and
from then on every status change reaches them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from aml_screen.store import Database
from aml_screen.store.models import Alert, AlertLabel
from tests.store.isolation import isolated_url
from tests.store.migrating import add_batch, alert_row, tables_then, upgrade_to

STATUSES = {"a": "new", "b": "closed", "c": "escalated"}


def test_upgrading_gives_existing_labels_their_alerts_status(tmp_path: Path) -> None:
    with isolated_url(tmp_path, migrated=False) as url:
        database = Database(url)
        try:
            upgrade_to(database, "0018")
            with database.engine.begin() as connection:
                tables = tables_then(connection, "batches", "alerts", "alert_labels")
                batch_id = add_batch(connection, tables["batches"])
                connection.execute(tables["alerts"].insert(), [
                    alert_row(key, batch_id, typologies=["sanctions"], status=status)
                    for key, status in STATUSES.items()])
                ids = dict(connection.execute(select(tables["alerts"].c.alert_key,
                                                     tables["alerts"].c.id)).all())
                connection.execute(tables["alert_labels"].insert(), [
                    {"alert_id": ids[key], "kind": kind, "value": value}
                    for key in STATUSES for kind, value in (("typology", "sanctions"),
                                                            ("country", "ML"))])
            database.upgrade()

            def labelled() -> dict[str, set[str]]:
                with database.transaction() as session:
                    rows = session.execute(select(Alert.alert_key, AlertLabel.status).join(
                        AlertLabel, AlertLabel.alert_id == Alert.id)).all()
                found: dict[str, set[str]] = {}
                for key, status in rows:
                    found.setdefault(key, set()).add(status)
                return found

            upgraded = labelled()
            with database.transaction() as session:
                session.execute(update(Alert).where(Alert.alert_key == "a")
                                .values(status="in_review"))
            changed = labelled()
        finally:
            database.dispose()
    assert upgraded == {key: {status} for key, status in STATUSES.items()}
    assert changed == {**upgraded, "a": {"in_review"}}
