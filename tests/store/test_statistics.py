"""Planner statistics are refreshed by the store: after a migration and after a load (the
queue ran past 380 s on SQLite until someone ran ANALYZE by hand)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, text

from aml_screen.store import Database
from aml_screen.store.models import Alert
from aml_screen.store.statistics import refresh_statistics
from tests.store.isolation import isolated_url, on_postgresql
from tests.store.samples import load_sample


def _estimated_alerts(database: Database) -> int | None:
    """The planner's idea of how many alerts there are (None: never analysed)."""
    with database.engine.connect() as connection:
        if on_postgresql():
            found = connection.scalar(text(
                "SELECT reltuples FROM pg_class WHERE oid = to_regclass('alerts')"))
            return None if found is None or found < 0 else int(found)
        if not connection.scalar(text(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")):
            return None
        stat = connection.scalar(text(
            "SELECT stat FROM sqlite_stat1 WHERE tbl = 'alerts' AND idx IS NOT NULL"))
        return None if stat is None else int(stat.split()[0])


def test_a_migration_leaves_the_tables_analysed(tmp_path: Path) -> None:
    with isolated_url(tmp_path, migrated=False) as url:
        fresh = Database(url)
        try:
            fresh.upgrade()
            with fresh.engine.connect() as connection:
                if on_postgresql():
                    assert connection.scalar(text(
                        "SELECT reltuples FROM pg_class WHERE oid = to_regclass('alerts')"
                    )) == 0  # -1 until analysed
                else:
                    assert connection.scalar(text(
                        "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"))
        finally:
            fresh.dispose()


def test_refreshing_after_a_load_gives_the_planner_the_row_counts(database: Database) -> None:
    load_sample(database)
    with database.transaction() as session:
        stored = session.scalar(select(func.count(Alert.id)))
    assert stored
    assert _estimated_alerts(database) != stored
    refresh_statistics(database.engine)
    assert _estimated_alerts(database) == stored
