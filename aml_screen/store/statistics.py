"""Planner statistics of the tables a load grows.

Both databases choose between the queue's indexes from their statistics: with none, SQLite
took the 500,000-row transactions table for a small one and a queue view ran past 380 s
(0.43 s after a manual ANALYZE). Neither refreshes them on its own soon enough after a bulk
load (SQLite never; PostgreSQL's autovacuum only after a threshold and a delay), so the store
refreshes them itself after loading a batch and after migrating the schema.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

LOADED_TABLES = ("alerts", "alert_labels", "hits", "rule_hits", "listed_entries",
                 "transactions", "quarantine_rows")
"""Every table a batch load or a re-screen inserts into."""
SUBJECT_TABLES = ("party_subjects", "subjects", "subject_profiles", "subject_identifiers",
                  "subject_counterparties", "subject_links")
"""The tables subject resolution grows with every batch."""
SQLITE_ANALYSIS_LIMIT = 1000
"""Rows SQLite reads per index when analysing (what ``PRAGMA optimize`` uses): seconds
saved on a million-row table, estimates still good enough to choose an index."""


def _statements(dialect: str, tables: tuple[str, ...]) -> list[str]:
    if dialect == "sqlite":
        return [f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}",
                *(f"ANALYZE {table}" for table in tables)]
    return [f"ANALYZE {', '.join(tables)}"]


def refresh_statistics(bind: Engine | Connection,
                       tables: tuple[str, ...] = LOADED_TABLES) -> None:
    """ANALYZE ``tables`` (committed on its own when given an engine).

    Run after the load's transaction committed, not inside it: PostgreSQL keeps the lock
    ANALYZE takes until the transaction ends, which would make concurrent loads wait on
    each other."""
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            refresh_statistics(connection, tables)
        return
    for statement in _statements(bind.dialect.name, tables):
        bind.execute(text(statement))
