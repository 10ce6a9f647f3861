"""A store stopped at an earlier migration, for tests of what a later migration does to the
rows stored before it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import Connection, MetaData

from aml_screen.store import Database
from aml_screen.store.database import _alembic_config

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def upgrade_to(database: Database, revision: str) -> None:
    """The schema as it stood at ``revision``."""
    with database.engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def tables_then(connection: Connection, *names: str) -> dict[str, Any]:
    """The tables ``names`` as the database holds them now (the models have columns added
    since), by name."""
    tables = MetaData()
    tables.reflect(connection, only=names)
    return dict(tables.tables)


def add_batch(connection: Connection, batches: Any) -> int:
    """A finished batch; its id."""
    inserted = connection.execute(batches.insert().values(
        file_name="b.csv", sha256="a" * 64, size_bytes=1, status="done", uploaded_at=AT,
        progress_done=0)).inserted_primary_key
    assert inserted is not None
    return int(inserted[0])


def alert_row(key: str, batch_id: int, **changes: Any) -> dict[str, Any]:
    """A new party alert of ``batch_id`` keyed ``key``, with ``changes`` to its columns."""
    return {"alert_key": key, "batch_id": batch_id, "subject_type": "party",
            "subject_id": key, "subject_name": key, "risk_score": 90, "hit_count": 0,
            "rule_ids": [], "list_ids": [], "typologies": [], "transaction_ids": [],
            "reasons": [], "status": "new", "created_at": AT, "updated_at": AT, "version": 1,
            **changes}
