"""Receiving a batch file: kept under ``data_dir/uploads`` by content hash, registered in the
store and queued for screening — unless the same content was received before, in which case
the existing batch is returned and nothing is screened again (unless its screening failed,
e.g. before the watchlists were fixed, or is stuck with a dead worker: then it is queued
once more)."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO

from aml_screen.errors import ConfigError, InputError
from aml_screen.ingest import load_mapping
from aml_screen.ingest.formats import ACCEPTED_SUFFIXES
from aml_screen.jobs.queue import JobQueue
from aml_screen.jobs.screening import mapping_path, stored_path, upload_dir
from aml_screen.settings import Settings
from aml_screen.store import Database
from aml_screen.store.batches import retry_on_upload
from aml_screen.store.loading import register_batch
from aml_screen.store.models import User


def _keep_mapping(settings: Settings, sha256: str, mapping: bytes, partial: Path,
                  name: str) -> None:
    """The mapping checked (a ``ConfigError`` naming the sender's mapping file and what is
    wrong in it; the received batch is dropped) and kept under the batch's hash."""
    target = mapping_path(settings, sha256)
    draft = target.with_suffix(".part")
    draft.write_bytes(mapping)
    try:
        load_mapping(draft)
    except ConfigError as exc:
        draft.unlink()
        partial.unlink(missing_ok=True)
        raise ConfigError(exc.key, **{**exc.params, "path": name}) from None
    os.replace(draft, target)


@dataclass(frozen=True)
class Submission:
    batch_id: int
    created: bool
    """False when a batch with the same SHA-256 already existed."""
    queued: bool
    """True when a screening job was queued (new batch, or a failed or stuck one retried)."""


CHUNK_BYTES = 1 << 20


def _receive(settings: Settings, data: bytes | IO[bytes]) -> tuple[Path, str, int]:
    """``data`` written to a temporary file under the upload folder while hashing it, in
    chunks (an upload is never held whole in memory); returns (file, SHA-256, size)."""
    folder = upload_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    stream: IO[bytes] = io.BytesIO(data) if isinstance(data, bytes) else data
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False)  # noqa: SIM115
    try:
        with handle:
            while chunk := stream.read(CHUNK_BYTES):
                digest.update(chunk)
                handle.write(chunk)
                size += len(chunk)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return Path(handle.name), digest.hexdigest(), size


def submit_batch(queue: JobQueue, database: Database, file_name: str,
                 data: bytes | IO[bytes], uploader_id: int | None,
                 label: str | None = None, mapping: bytes | None = None,
                 mapping_name: str = "mapping.yaml") -> Submission:
    """Keep and register a received batch; ``data`` is its content or a binary stream of
    it (e.g. an upload's), read in chunks; ``label`` is kept on a new batch; ``mapping`` (a
    YAML column mapping, checked before anything is kept) is kept beside the batch and read
    by its job — sent again with a batch that failed, it replaces the earlier one."""
    name = Path(file_name).name
    if Path(name).suffix.lower() not in ACCEPTED_SUFFIXES:
        raise InputError("upload.bad_type", name=name, accepted=", ".join(ACCEPTED_SUFFIXES))
    partial, sha256, size = _receive(queue.settings, data)
    if not size:
        partial.unlink()
        raise InputError("upload.empty", name=name)
    if mapping:
        _keep_mapping(queue.settings, sha256, mapping, partial, Path(mapping_name).name)
    target = stored_path(queue.settings, sha256, name)
    if target.exists():
        partial.unlink()
    else:
        os.replace(partial, target)
    with database.transaction() as session:
        uploader = session.get(User, uploader_id) if uploader_id is not None else None
        batch, created = register_batch(session, name, sha256, size, uploader, label)
        stale_after = timedelta(seconds=queue.settings.job_stale_seconds)
        retry = not created and retry_on_upload(session, batch, uploader, stale_after)
        batch_id = batch.id
    if created or retry:
        queue.enqueue_screening(batch_id)
    return Submission(batch_id, created, created or retry)
