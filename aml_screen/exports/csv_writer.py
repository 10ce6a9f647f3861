"""CSV: UTF-8 with a byte-order mark (so Excel shows accents and Arabic right), produced
as text chunks that a web response or a file takes as they come."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TextIO

from aml_screen.exports.cells import headers, safe_text
from aml_screen.exports.rows import Row

BOM = "\ufeff"
ROWS_PER_CHUNK = 500


def csv_chunks(rows: Iterable[Row], columns: tuple[str, ...], lang: str,
               rows_per_chunk: int = ROWS_PER_CHUNK) -> Iterator[str]:
    """The file as text chunks: the header first (before any row is read), then every
    ``rows_per_chunk`` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers(columns, lang))
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for row in rows:
        writer.writerow([safe_text(row[column]) for column in columns])
        pending += 1
        if pending == rows_per_chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def write_csv(rows: Iterable[Row], stream: TextIO, columns: tuple[str, ...],
              lang: str) -> None:
    """Write the CSV to a text stream opened with ``newline=""``."""
    for chunk in csv_chunks(rows, columns, lang):
        stream.write(chunk)
