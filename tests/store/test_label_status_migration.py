"""Migration 0019 gives the labels of alerts stored before it their alert's status, and
from then on every status change reaches them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import MetaData, select, update

from aml_screen.store import Database
from aml_screen.store.database import _alembic_config
from aml_screen.store.models import Alert, AlertLabel
from tests.store.isolation import isolated_url

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
STATUSES = {"a": "new", "b": "closed", "c": "escalated"}


def test_upgrading_gives_existing_labels_their_alerts_status(tmp_path: Path) -> None:
    with isolated_url(tmp_path) as url:
        database = Database(url)
        try:
            with database.engine.begin() as connection:
                config = _alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, "0018")
            with database.engine.begin() as connection:
                # the tables as they stood at 0018 (the models have columns added since)
                tables = MetaData()
                tables.reflect(connection, only=("batches", "alerts", "alert_labels"))
                batch_id = connection.execute(tables.tables["batches"].insert().values(
                    file_name="b.csv", sha256="a" * 64, size_bytes=1, status="done",
                    uploaded_at=AT, progress_done=0)).inserted_primary_key[0]
                connection.execute(tables.tables["alerts"].insert(), [
                    {"alert_key": key, "batch_id": batch_id, "subject_type": "party",
                     "subject_id": key, "subject_name": key, "risk_score": 90, "hit_count": 0,
                     "rule_ids": [], "list_ids": [], "typologies": ["sanctions"],
                     "transaction_ids": [], "reasons": [], "status": status,
                     "created_at": AT, "updated_at": AT, "version": 1}
                    for key, status in STATUSES.items()])
                ids = dict(connection.execute(select(tables.tables["alerts"].c.alert_key,
                                                     tables.tables["alerts"].c.id)).all())
                connection.execute(tables.tables["alert_labels"].insert(), [
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
