"""A private database per test: an SQLite file in the test's folder, or — when the settings
point at PostgreSQL (``AML_SCREEN_DATABASE_URL``) — a fresh schema dropped afterwards, so
runs never see each other's rows and leave nothing behind."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from aml_screen.settings import load_settings
from aml_screen.store import Database, open_database


def configured_url() -> str:
    return load_settings().database_url


def on_postgresql() -> bool:
    return configured_url().startswith("postgresql")


@contextmanager
def isolated_url(folder: Path) -> Iterator[str]:
    base = configured_url()
    if not base.startswith("postgresql"):
        yield f"sqlite:///{folder / 'store.db'}"
        return
    schema = f"aml_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
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
