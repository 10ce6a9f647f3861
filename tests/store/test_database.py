from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from aml_screen.store import Database, StoreError, head_revision, open_database
from aml_screen.store.base import Base
from tests.store.isolation import isolated_url


def test_new_database_is_created_at_the_newest_migration(tmp_path: Path) -> None:
    with isolated_url(tmp_path, migrated=False) as url:
        fresh = Database(url)
        try:
            assert fresh.revision() is None
            fresh.upgrade()
            assert fresh.revision() == head_revision()
            tables = set(inspect(fresh.engine).get_table_names())
            assert set(Base.metadata.tables) <= tables
            fresh.upgrade()  # a second upgrade is a no-op, not an error
            assert fresh.revision() == head_revision()
        finally:
            fresh.dispose()


def test_a_store_at_the_newest_migration_opens_without_alembic(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command and worker opens the store: one revision read, no migration scripts
    loaded (Alembic would read all of them to find nothing to do)."""
    def refused(*_: object, **__: object) -> None:
        raise AssertionError("alembic ran on a store already at the newest migration")

    monkeypatch.setattr("aml_screen.store.database.command.upgrade", refused)
    again = open_database(database.url)
    try:
        assert again.revision() == head_revision()
    finally:
        again.dispose()


def test_migrations_match_the_models(database: Database) -> None:
    """A model changed without a migration would make autogenerate find differences."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


@pytest.mark.parametrize("url", [
    "sqlite:///{tmp}/file/sub/store.db",  # a file stands where the folder should be
    "postgresql+psycopg://postgres@127.0.0.1:1/test",  # nothing listens on port 1
])
def test_unreachable_database_is_one_clear_error(tmp_path: Path, url: str) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StoreError) as info:
        open_database(url.format(tmp=tmp_path))
    assert info.value.key == "store.unreachable"
    assert "store.unreachable" not in str(info.value)  # rendered as a sentence
