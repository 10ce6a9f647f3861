"""A private database per test: an SQLite file in the test's folder, or — when the settings
point at PostgreSQL (``AML_SCREEN_DATABASE_URL``) — a fresh schema dropped afterwards, so
runs never see each other's rows and leave nothing behind.

A store is handed out at the newest schema unless asked for empty (the migration tests). The
migrations run once per test process, into a template: each SQLite store is a copy of the
template's file, each PostgreSQL schema replays the template's DDL as ``pg_dump`` wrote it.
Running the 25 migrations for each of thousands of tests was most of the suite's time."""

from __future__ import annotations

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

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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
    admin = create_engine(base)
    with admin.begin() as connection:
        if migrated:
            connection.exec_driver_sql(_postgresql_template(base).replace(_TEMPLATE, schema))
            connection.execute(text(f'SET LOCAL search_path TO "{schema}"'))
            refresh_statistics(connection)  # as the migrations leave a new store
        else:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _in_schema(base, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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
