"""Receiving a batch file: kept under ``data_dir/uploads`` by content hash, registered in the
store and queued for screening — unless the same content was received before, in which case
the existing batch is returned and nothing is screened again (unless its screening failed:
then it is queued once more, e.g. after the watchlists were fixed)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from aml_screen.errors import InputError
from aml_screen.jobs.queue import JobQueue
from aml_screen.jobs.screening import stored_path
from aml_screen.store import Database
from aml_screen.store.audit import record
from aml_screen.store.loading import register_batch
from aml_screen.store.models import User

ACCEPTED_SUFFIXES = (".csv", ".txt", ".parquet")


@dataclass(frozen=True)
class Submission:
    batch_id: int
    created: bool
    """False when a batch with the same SHA-256 already existed."""
    queued: bool
    """True when a screening job was queued (new batch, or a failed one retried)."""


def submit_batch(queue: JobQueue, database: Database, file_name: str, data: bytes,
                 uploader_id: int | None) -> Submission:
    name = Path(file_name).name
    if Path(name).suffix.lower() not in ACCEPTED_SUFFIXES:
        raise InputError("upload.bad_type", name=name, accepted=", ".join(ACCEPTED_SUFFIXES))
    if not data:
        raise InputError("upload.empty", name=name)
    sha256 = hashlib.sha256(data).hexdigest()
    target = stored_path(queue.settings, sha256, name)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, target)
    with database.transaction() as session:
        uploader = session.get(User, uploader_id) if uploader_id is not None else None
        batch, created = register_batch(session, name, sha256, len(data), uploader)
        retry = not created and batch.status == "failed"
        if retry:
            batch.status, batch.error_key, batch.error_params = "queued", None, None
            record(session, uploader, "batch.retry", "batch", batch.id)
        batch_id = batch.id
    if created or retry:
        queue.enqueue_screening(batch_id)
    return Submission(batch_id, created, created or retry)
