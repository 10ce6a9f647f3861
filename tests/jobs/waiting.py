"""Waiting, in a test, for a background job to finish its batch or re-screen."""

from __future__ import annotations

import time
from typing import TypeVar

from aml_screen.store import Database
from aml_screen.store.models import Batch, Rescreen

Job = TypeVar("Job", Batch, Rescreen)


def wait_finished(database: Database, model: type[Job], object_id: int,
                  seconds: float = 60) -> Job:
    """The row once its status is ``done`` or ``failed`` (detached, its columns loaded)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with database.transaction() as session:
            found = session.get_one(model, object_id)
            if found.status in ("done", "failed"):
                session.expunge(found)
                return found
        time.sleep(0.1)
    raise AssertionError(f"{model.__tablename__} {object_id} not finished after {seconds}s")
