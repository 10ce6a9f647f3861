"""Connecting to the store and keeping its schema current.

Every entry point (CLI commands, the web app, the job worker) opens the store through
``open_database``, which upgrades the schema with the packaged Alembic migrations first: there
is never a separate set-up step to forget.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from aml_screen.store.errors import StoreError
from aml_screen.store.statistics import refresh_statistics

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")  # the web app and the job thread write together
    # Deleted or overwritten content is zeroed in the file, not left in free pages: what
    # retention purges must not be readable with a hex editor afterwards.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        options: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                try:
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError("store.unreachable", url=url,
                                     detail=exc.strerror or exc) from None
            options["connect_args"] = {"check_same_thread": False}
        else:
            options["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **options)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed at the end of the block, or rolled back."""
        with self.sessions.begin() as session:
            yield session

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (creating it on an empty database),
        then refresh the planner statistics if a migration ran (it may have added indexes
        or filled tables)."""
        try:
            with self.engine.begin() as connection:
                before = MigrationContext.configure(connection).get_current_revision()
                if before == head_revision():
                    # Every command, worker and app start opens the store: Alembic would
                    # load each migration script to find nothing to do (~0.1 s per open).
                    return
                config = _alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if before != head_revision():
                    refresh_statistics(connection)
        except OperationalError as exc:
            raise StoreError("store.unreachable", url=self.safe_url, detail=exc.orig) from None

    def revision(self) -> str | None:
        """The schema's current migration, None for an empty database."""
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def reclaim(self, tables: Sequence[str]) -> None:
        """Make removed data unreadable from the database's files, after a purge is
        committed: SQLite copies its write-ahead log into the database and empties it (old
        page versions live there until then; freed pages are already zeroed); PostgreSQL
        vacuums ``tables``, so the old row versions are gone from its pages. Another
        connection reading at that moment can hold part of the log back: the next
        checkpoint finishes it."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in tables:
                connection.exec_driver_sql(f'VACUUM "{table}"')

    def dispose(self) -> None:
        self.engine.dispose()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def head_revision() -> str:
    """The newest migration shipped with this version of aml-screen."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:
        raise AssertionError("no migrations packaged")
    return head


def open_database(url: str) -> Database:
    """The store at ``url`` with its schema upgraded to this version."""
    database = Database(url)
    database.upgrade()
    return database
