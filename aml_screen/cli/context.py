"""What every command receives from the main group."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import click
from sqlalchemy.orm import Session

from aml_screen.settings import Settings
from aml_screen.store import open_database

T = TypeVar("T")


@dataclass
class Context:
    settings: Settings

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction on the configured store, the database closed afterwards."""
        database = open_database(self.settings.database_url)
        try:
            with database.transaction() as session:
                yield session
        finally:
            database.dispose()

    def in_session(self, work: Callable[[Session], T]) -> T:
        """``work`` done in one transaction on the configured store."""
        with self.session() as session:
            return work(session)


pass_context = click.make_pass_decorator(Context)
