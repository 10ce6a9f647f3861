"""A private database per test: an SQLite file in the test's folder, or — when the settings
point at PostgreSQL (``AML_SCREEN_DATABASE_URL``) — a fresh schema dropped afterwards, so
runs never see each other's rows and leave nothing behind.

A store is handed out at the newest schema unless asked for empty (the migration tests). The
migrations run once per test process, into a template: each SQLite store is a copy of the
template's file, each PostgreSQL schema replays the template's DDL as ``pg_dump`` wrote it.
Running the 25 migrations for each of thousands of tests was most of the suite's time.

On PostgreSQL replaying that DDL still cost a quarter of a second per test (and dropping the
schema more), about ten minutes of CI: a schema whose test left its structure as it found it
is emptied instead (its rows deleted, its sequences restarted, its statistics refreshed:
40-60 ms) and handed, renamed, to the next test of the process."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from aml_screen.settings import load_settings
from aml_screen.store import Database, head_revision, open_database
from aml_screen.store.statistics import refresh_statistics


def configured_url() -> str:
    return load_settings().database_url


def on_postgresql() -> bool:
    return configured_url().startswith("postgresql")


@contextmanager
def isolated_url(folder: Path, *, migrated: bool = True) -> Iterator[str]:
    """The URL of a private store, at the newest schema or (``migrated=False``) empty."""
    base = configured_url()
    if not base.startswith("postgresql"):
        path = folder / "store.db"
        if migrated and not path.exists():  # a test's ``database`` and ``url`` share it
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(_sqlite_template(), path)
        yield f"sqlite:///{path}"
        return
    schema = f"aml_test_{uuid.uuid4().hex[:12]}"
    admin = _admin(base)
    with admin.begin() as connection:
        if migrated and _spare:
            connection.execute(text(f'ALTER SCHEMA "{_spare.pop()}" RENAME TO "{schema}"'))
        elif migrated:
            connection.exec_driver_sql(_postgresql_template(base).replace(_TEMPLATE, schema))
            connection.execute(text(f'SET LOCAL search_path TO "{schema}"'))
            refresh_statistics(connection)  # as the migrations leave a new store
        else:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _in_schema(base, schema)
    finally:
        if migrated and _emptied(admin, base, schema):
            _spare.append(schema)
        else:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@contextmanager
def isolated_database(folder: Path) -> Iterator[Database]:
    with isolated_url(folder) as url:
        database = open_database(url)
        try:
            yield database
        finally:
            database.dispose()


def _in_schema(base: str, schema: str) -> str:
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@cache
def _admin(base: str) -> Engine:
    """The process's connection for making, emptying and dropping test schemas (a new
    connection per test was a third of what a reused schema costs)."""
    return create_engine(base, pool_size=1)


@cache
def _sqlite_template() -> Path:
    """A store file at the newest schema, made once per test process."""
    path = Path(tempfile.mkdtemp(prefix="aml-template-")) / "store.db"
    database = open_database(f"sqlite:///{path}")
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # all in the file
    database.dispose()
    return path


_TEMPLATE = f"aml_template_{uuid.uuid4().hex[:12]}"
"""The template schema's name, unique enough to be replaced in its DDL text."""


@cache
def _postgresql_template(base: str) -> str:
    """The DDL (and migration stamp) of a schema at the newest revision, naming it
    ``_TEMPLATE``: migrated once per test process, dumped with ``pg_dump`` (PostgreSQL's
    client, installed beside the server), dropped."""
    admin = create_engine(base)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{_TEMPLATE}"'))
        open_database(_in_schema(base, _TEMPLATE)).dispose()
        return _dump(base) + (
            f"\nINSERT INTO {_TEMPLATE}.alembic_version VALUES ('{head_revision()}');\n")
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{_TEMPLATE}" CASCADE'))
        admin.dispose()


_spare: list[str] = []
"""Emptied schemas at the newest revision, ready for this process's next test."""

_SHAPE = """SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = n.oid),
  (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
   WHERE c.relnamespace = n.oid AND a.attnum > 0 AND NOT a.attisdropped),
  (SELECT count(*) FROM pg_constraint WHERE connamespace = n.oid),
  (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
   WHERE c.relnamespace = n.oid),
  (SELECT count(*) FROM pg_proc WHERE pronamespace = n.oid)
FROM pg_namespace n WHERE n.nspname = :schema"""
"""Counts of the schema's relations, columns, constraints, triggers and functions: a test
that changed any of them (or the migration stamp) leaves its schema to be dropped."""


@cache
def _template_shape(base: str) -> tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...]]:
    """The shape (``_SHAPE``), the tables but ``alembic_version`` and the sequences of a
    schema made from the template."""
    schema = f"aml_shape_{uuid.uuid4().hex[:12]}"
    with _admin(base).begin() as connection:
        connection.exec_driver_sql(_postgresql_template(base).replace(_TEMPLATE, schema))
        shape = tuple(connection.execute(text(_SHAPE), {"schema": schema}).one())
        tables = connection.scalars(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = :schema"
            " AND tablename <> 'alembic_version' ORDER BY tablename"), {"schema": schema})
        sequences = connection.scalars(text(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = :schema"
            " ORDER BY sequencename"), {"schema": schema})
        found = shape, tuple(tables), tuple(sequences)
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    return found


def _emptied(admin: Engine, base: str, schema: str) -> bool:
    """Whether ``schema`` kept the template's shape and stamp and was emptied: every row
    deleted (foreign keys and triggers set aside, as a superuser may), every sequence
    restarted, the statistics refreshed. False when not (or when a lock held elsewhere
    made it wait)."""
    shape, tables, sequences = _template_shape(base)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            stamp = f'SELECT version_num FROM "{schema}".alembic_version'  # noqa: S608
            if (tuple(connection.execute(text(_SHAPE), {"schema": schema}).one()) != shape
                    or connection.scalar(text(stamp)) != head_revision()):
                return False
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            # Names from the catalogue and this module, not from any input.
            deletes = "".join(f'DELETE FROM "{schema}"."{t}";' for t in tables)  # noqa: S608
            restarts = ", ".join(f"""setval('"{schema}"."{s}"', 1, false)""" for s in sequences)
            connection.exec_driver_sql(f"{deletes} SELECT {restarts}")
            connection.execute(text(f'SET LOCAL search_path TO "{schema}"'))
            refresh_statistics(connection)  # the planner sees an empty store, as when new
        return True
    except DBAPIError:
        return False


@atexit.register
def _drop_spares() -> None:
    if not _spare:
        return
    admin = _admin(configured_url())
    with admin.begin() as connection:
        for schema in _spare:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _dump(base: str) -> str:
    url = make_url(base)
    found = shutil.which("pg_dump")
    if found is None:
        raise RuntimeError("pg_dump is needed to copy the test store's schema")
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    dumped = subprocess.run(
        [found, "--schema-only", "--no-owner", "--no-privileges", f"--schema={_TEMPLATE}",
         "--host", url.host or "127.0.0.1", "--port", str(url.port or 5432),
         "--username", url.username or "postgres", url.database or "postgres"],
        env=env, check=True, capture_output=True, text=True).stdout
    # psql's own commands (\restrict …) are not SQL; settings would outlive the statement.
    return "\n".join(line for line in dumped.splitlines()
                     if not re.match(r"\\|SET |SELECT pg_catalog\.set_config", line))
