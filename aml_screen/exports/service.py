"""Running an export end to end: rows from the store into a file or a stream, then one
audit event (``export.hits`` / ``export.alerts``) with the filters, the row count and the
file's SHA-256.

The CLI and the XLSX/PDF downloads build the whole file first (in a temporary file: XLSX
needs to finish its zip, PDF is capped) and record it before it is handed over. A CSV
download streams as it is read; its event is recorded when the stream ends, including a
stream the client broke off (``complete`` false), so no export escapes the trail."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from aml_screen.exports.csv_writer import csv_chunks, write_csv
from aml_screen.exports.info import ExportInfo
from aml_screen.exports.pdf_writer import PDF_MAX_ROWS, write_pdf
from aml_screen.exports.rows import CHUNK, COLUMNS, count_rows, iter_rows
from aml_screen.exports.xlsx_writer import write_xlsx
from aml_screen.progress import NoProgress, Progress
from aml_screen.store import Database
from aml_screen.store.audit import record
from aml_screen.store.errors import NotFoundError
from aml_screen.store.models import User
from aml_screen.watchlists.registry import sha256_file

READ_CHUNK = 1 << 16


@dataclass(frozen=True)
class ExportResult:
    rows: int
    total: int
    """Rows matching the filters (more than ``rows`` only for a capped PDF)."""
    sha256: str


def find_user(database: Database, username: str) -> int:
    """The id of the account an export is attributed to (``aml-screen export --as``)."""
    with database.transaction() as session:
        found = session.scalar(select(User.id).where(User.username == username))
    if found is None:
        raise NotFoundError("exports.unknown_user", name=username)
    return found


def audit_export(database: Database, actor_id: int | None, info: ExportInfo, fmt: str,
                 rows: int, sha256: str | None, complete: bool = True) -> None:
    after: dict[str, Any] = {"format": fmt, "filters": info.filters.as_dict(), "rows": rows,
                             "sha256": sha256, "file_name": info.file_name(fmt)}
    if not complete:
        after["complete"] = False
    with database.transaction() as session:
        actor = session.get(User, actor_id) if actor_id is not None else None
        record(session, actor, f"export.{info.kind}", "export", fmt, after=after)


def build_file(database: Database, fmt: str, info: ExportInfo, path: Path,
               progress: Progress | None = None) -> ExportResult:
    """Write the export to ``path`` (through a temporary name, so no half file is left),
    reporting the rows read to ``progress``."""
    kind, flt = info.kind, info.filters
    columns = COLUMNS[kind]
    tmp = path.with_name(path.name + ".part")
    try:
        with database.transaction() as session:
            total = count_rows(session, kind, flt)
            limit = PDF_MAX_ROWS if fmt == "pdf" else None
            on_chunk = (progress or NoProgress()).stage(
                "exports.progress", min(total, limit) if limit is not None else total,
                kind=info.title())
            with closing(iter_rows(session, kind, flt, limit=limit, on_chunk=on_chunk)) as rows:
                if fmt == "pdf":
                    content, count = write_pdf(rows, info, total)
                    tmp.write_bytes(content)
                elif fmt == "xlsx":
                    count = write_xlsx(rows, tmp, columns, info)
                else:
                    counted = _Counted(rows)
                    with tmp.open("w", encoding="utf-8", newline="") as stream:
                        write_csv(counted, stream, columns, info.lang)
                    count = counted.count
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return ExportResult(count, total, sha256_file(path))


def export_file(database: Database, fmt: str, info: ExportInfo, path: Path,
                actor_id: int | None, progress: Progress | None = None) -> ExportResult:
    """Build the file at ``path`` and record the export."""
    result = build_file(database, fmt, info, path, progress)
    audit_export(database, actor_id, info, fmt, result.rows, result.sha256)
    return result


def temporary_export(database: Database, fmt: str, info: ExportInfo,
                     actor_id: int | None) -> tuple[Path, ExportResult]:
    """The export built and recorded in a temporary file the caller streams and removes."""
    handle, name = tempfile.mkstemp(prefix="aml-screen-export-", suffix=f".{fmt}")
    os.close(handle)
    path = Path(name)
    try:
        return path, export_file(database, fmt, info, path, actor_id)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def stream_file(path: Path) -> Iterator[bytes]:
    """The file's bytes in blocks, removed once sent (or once the client went away)."""
    try:
        with path.open("rb") as handle:
            while block := handle.read(READ_CHUNK):
                yield block
    finally:
        path.unlink(missing_ok=True)


class _Counted(Iterator[dict[str, Any]]):
    """Passes rows through, counting them."""

    def __init__(self, rows: Iterator[dict[str, Any]]) -> None:
        self._rows = rows
        self.count = 0

    def __next__(self) -> dict[str, Any]:
        row = next(self._rows)
        self.count += 1
        return row


def stream_csv(database: Database, info: ExportInfo, actor_id: int | None,
               chunk: int = CHUNK) -> Iterator[bytes]:
    """The CSV as UTF-8 blocks, read from the store as they are sent; recorded at the end."""
    digest = hashlib.sha256()
    counted: _Counted | None = None
    complete = False
    try:
        with database.transaction() as session, \
                closing(iter_rows(session, info.kind, info.filters, chunk=chunk)) as rows:
            counted = _Counted(rows)
            for text in csv_chunks(counted, COLUMNS[info.kind], info.lang):
                block = text.encode("utf-8")
                digest.update(block)
                yield block
        complete = True
    finally:
        audit_export(database, actor_id, info, "csv", counted.count if counted else 0,
                     digest.hexdigest() if complete else None, complete=complete)

