"""Decoded CSV text -> all-text frame with the physical line of every row, plus broken rows.

pyarrow parses the fields (quotes, embedded delimiters and newlines). Line numbers are not
something pyarrow reports, so record boundaries are found with numpy on the UTF-8 bytes:
a newline ends a record when an even number of quote characters precedes it (RFC 4180
quoting, which Excel writes). A file whose quotes do not follow that rule (a stray ``"``
inside an unquoted field, a quoted field never closed), or where the two views disagree,
is refused with the line of the quote rather than loaded with wrong line numbers.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv

from aml_screen.errors import IngestError

LINE_COLUMN = "__line__"
DELIMITERS = (",", ";", "\t", "|")
_QUOTE, _NEWLINE = ord('"'), ord("\n")
_QUOTED = re.compile(r'"[^"]*"')

Positions = npt.NDArray[np.int64]


@dataclass(frozen=True)
class BrokenRow:
    """A row whose field count differs from the header's."""

    line: int
    fields: tuple[str, ...]
    raw: str


@dataclass(frozen=True)
class TextBatch:
    """Every column as text (header names, deduplicated) plus ``LINE_COLUMN``."""

    frame: pl.DataFrame
    broken: tuple[BrokenRow, ...]
    delimiter: str


def detect_delimiter(header: str) -> str:
    """The candidate delimiter occurring most often in the header, outside quotes."""
    bare = _QUOTED.sub("", header)
    counts = [bare.count(d) for d in DELIMITERS]
    return DELIMITERS[counts.index(max(counts))]


def header_names(fields: list[str]) -> list[str]:
    """Stripped header names; blanks become ``column_N`` and repeats get ``_2``, ``_3``..."""
    names: list[str] = []
    for i, field in enumerate(fields, start=1):
        base = field.strip() or f"column_{i}"
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base}_{n}"
        names.append(name)
    return names


def _split_fields(text: str, delimiter: str) -> list[str]:
    return next(csv.reader(io.StringIO(text), delimiter=delimiter), [])


def read_csv_text(text: str, delimiter: str, source: str) -> TextBatch:
    """Parse decoded CSV text; ``delimiter`` is one of ``DELIMITERS`` or ``"auto"``."""
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    arr = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(arr == _NEWLINE)
    quotes = np.flatnonzero(arr == _QUOTE)
    ends = newlines[(np.searchsorted(quotes, newlines) & 1) == 0]
    if ends.size == 0 or ends[-1] != len(data) - 1:
        ends = np.append(ends, len(data))
    starts = np.concatenate(([0], ends[:-1] + 1))
    filled = np.flatnonzero(ends > starts)
    if filled.size == 0 or not text.strip():
        raise IngestError("ingest.empty", path=source)
    head = filled[0]
    header = data[starts[head] : ends[head]].decode("utf-8")
    if delimiter == "auto":
        delimiter = detect_delimiter(header)
    stray = _stray_quote(arr, quotes, delimiter)
    if stray is not None:
        raise IngestError("ingest.bad_quoting", path=source,
                          line=int(np.searchsorted(newlines, stray)) + 1)
    names = header_names(_split_fields(header, delimiter))
    body = filled[1:]
    lines = np.searchsorted(newlines, starts[body]).astype(np.int64) + 1
    if body.size == 0:
        frame = pl.DataFrame(schema={**dict.fromkeys(names, pl.String()), LINE_COLUMN: pl.Int64})
        return TextBatch(frame, (), delimiter)
    offset = int(starts[body[0]])
    table, invalid = _parse(data, offset, names, delimiter, source)
    bad = np.zeros(body.size, dtype=bool)
    if invalid:
        counts = _field_counts(arr, quotes, delimiter, starts[body], ends[body])
        bad = counts != len(names)
    if table.num_rows != body.size - invalid or int(bad.sum()) != invalid:
        raise IngestError("ingest.bad_quoting", path=source,
                          line=int(np.searchsorted(newlines, quotes[-1])) + 1)
    broken = tuple(
        _broken(data[starts[i] : ends[i]].decode("utf-8"), int(line), delimiter)
        for i, line in zip(body[bad], lines[bad], strict=True)
    )
    frame = pl.DataFrame(table).with_columns(pl.Series(LINE_COLUMN, lines[~bad], dtype=pl.Int64))
    # A row whose fields are all empty (Excel writes blank rows as ";;;;") is a blank line.
    return TextBatch(frame.filter(~pl.all_horizontal(pl.col(names).is_null())), broken, delimiter)


def _parse(
    data: bytes, offset: int, names: list[str], delimiter: str, source: str
) -> tuple[pa.Table, int]:
    invalid: list[str] = []

    def skip(row: pa_csv.InvalidRow) -> str:
        invalid.append(row.text)
        return "skip"

    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data).slice(offset)),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=skip
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
        raise IngestError("ingest.bad_csv", path=source, detail=str(exc).splitlines()[0]) from exc
    return table, len(invalid)


def _field_counts(
    arr: npt.NDArray[np.uint8], quotes: Positions, delimiter: str, starts: Positions,
    ends: Positions,
) -> npt.NDArray[np.int64]:
    """Fields per record: unquoted delimiters inside it, plus one."""
    delims = np.flatnonzero(arr == ord(delimiter))
    delims = delims[(np.searchsorted(quotes, delims) & 1) == 0]
    return (np.searchsorted(delims, ends) - np.searchsorted(delims, starts)).astype(np.int64) + 1


def _stray_quote(arr: npt.NDArray[np.uint8], quotes: Positions, delimiter: str) -> int | None:
    """Offset of a quote that cannot be RFC 4180 quoting: one in the middle of a field
    (neither beside a delimiter, a line end nor another quote), or the last of an odd
    number (a quoted field never closed, which would swallow the rows after it)."""
    if quotes.size == 0:
        return None
    edge = np.array([ord(delimiter), _NEWLINE, _QUOTE])
    before = np.where(quotes > 0, arr[np.maximum(quotes - 1, 0)], _NEWLINE)
    after = np.where(quotes < arr.size - 1, arr[np.minimum(quotes + 1, arr.size - 1)], _NEWLINE)
    inside = ~np.isin(before, edge) & ~np.isin(after, edge)
    if inside.any():
        return int(quotes[np.argmax(inside)])
    return int(quotes[-1]) if quotes.size % 2 else None


def _broken(raw: str, line: int, delimiter: str) -> BrokenRow:
    return BrokenRow(line, tuple(_split_fields(raw, delimiter)), raw)
