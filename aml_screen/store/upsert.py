"""``INSERT … ON CONFLICT`` in the store's own dialect (SQLite and PostgreSQL both have it):
the one way a row that parallel requests may all create is written without a unique-key
error for the losers."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_insert(session: Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An ``INSERT`` into ``table`` (a model or table) offering ``on_conflict_do_*``."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
