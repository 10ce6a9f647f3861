"""Alembic environment: runs on the connection ``aml_screen.store.database`` hands over."""

from __future__ import annotations

from alembic import context

from aml_screen.store import models  # noqa: F401 (registers every table)
from aml_screen.store.base import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
