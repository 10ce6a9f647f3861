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
import mmap
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv

from aml_screen.errors import IngestError
from aml_screen.ingest.limits import DEFAULT_LIMITS, InputLimits

LINE_COLUMN = "__line__"
DELIMITERS = (",", ";", "\t", "|")
_QUOTE, _NEWLINE = ord('"'), ord("\n")
_QUOTED = re.compile(r'"[^"]*"')

Positions = npt.NDArray[np.int64]
Bytes = bytes | mmap.mmap


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
    taken: set[str] = set()
    for i, field in enumerate(fields, start=1):
        base = field.strip() or f"column_{i}"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        names.append(name)
        taken.add(name)
    return names


def _split_fields(text: str, delimiter: str) -> list[str]:
    return next(csv.reader(io.StringIO(text), delimiter=delimiter), [])


def read_csv_text(text: str, delimiter: str, source: str) -> TextBatch:
    """Parse decoded CSV text; ``delimiter`` is one of ``DELIMITERS`` or ``"auto"``."""
    layout = csv_layout(text.encode("utf-8"), delimiter, source, DEFAULT_LIMITS)
    chunks = list(layout.chunks(max(layout.height, 1)))
    if not chunks:
        return empty_text(layout.names, layout.delimiter)
    return chunks[0]


def empty_text(names: Sequence[str], delimiter: str) -> TextBatch:
    """A batch of no rows with these columns."""
    frame = pl.DataFrame(schema={**dict.fromkeys(names, pl.String()), LINE_COLUMN: pl.Int64})
    return TextBatch(frame, (), delimiter)


@dataclass(frozen=True)
class CsvLayout:
    """A CSV file's UTF-8 bytes (``\n`` line ends) cut into records: the header's names and
    where every body record starts and ends, with its physical line number. Records are
    parsed in chunks (``chunks``) so that a large file never exists twice in memory."""

    data: Bytes
    names: list[str]
    delimiter: str
    starts: Positions
    ends: Positions
    lines: Positions
    quotes: Positions
    source: str

    @property
    def headers(self) -> list[str]:
        return self.names

    @property
    def height(self) -> int:
        """Body records (blank ones included)."""
        return int(self.starts.size)

    def chunks(self, rows: int, columns: Sequence[str] | None = None) -> Iterator[TextBatch]:
        """The body, ``rows`` records at a time: see ``chunk``."""
        for first in range(0, self.height, rows):
            yield self.chunk(first, rows, columns)

    def chunk(self, first: int, rows: int, columns: Sequence[str] | None = None) -> TextBatch:
        """Records ``first`` to ``first + rows`` (blank ones left out); only ``columns`` when
        given (every row is still checked for its field count, so the same rows come out
        either way)."""
        stop = min(first + rows, self.height)
        begin, end = int(self.starts[first]), int(self.ends[stop - 1])
        table, invalid = _parse(self.data[begin:end], self.names, self.delimiter, self.source,
                                columns)
        _release(self.data, begin, end)
        starts, ends, lines = (a[first:stop] for a in (self.starts, self.ends, self.lines))
        bad = np.zeros(stop - first, dtype=bool)
        if invalid:
            window = np.frombuffer(self.data, dtype=np.uint8, count=end - begin, offset=begin)
            inside = self.quotes[(self.quotes >= begin) & (self.quotes < end)] - begin
            counts = _field_counts(window, inside, self.delimiter, starts - begin, ends - begin)
            bad = counts != len(self.names)
        if table.num_rows != bad.size - invalid or int(bad.sum()) != invalid:
            last = self.quotes[np.searchsorted(self.quotes, end) - 1] if self.quotes.size else 0
            record = max(int(np.searchsorted(self.starts, last, side="right")) - 1, first)
            raise IngestError("ingest.bad_quoting", path=self.source,
                              line=int(self.lines[record]))
        broken = tuple(
            _broken(self.data[int(s) : int(e)].decode("utf-8"), int(line), self.delimiter)
            for s, e, line in zip(starts[bad], ends[bad], lines[bad], strict=True)
        )
        frame = pl.DataFrame(table).with_columns(
            pl.Series(LINE_COLUMN, lines[~bad], dtype=pl.Int64))
        # A row whose fields are all empty (Excel writes blank rows as ";;;;") is a blank line.
        if columns is None:
            frame = frame.filter(~pl.all_horizontal(pl.col(self.names).is_null()))
        else:
            blank = self._blank_lines(starts[~bad], ends[~bad], lines[~bad])
            frame = frame.filter(~pl.col(LINE_COLUMN).is_in(pl.Series(blank, dtype=pl.Int64)
                                                            .implode()))
        return TextBatch(frame, broken, self.delimiter)

    def _blank_lines(self, starts: Positions, ends: Positions, lines: Positions) -> list[int]:
        """Lines of records whose fields are all empty: only records short enough to be
        nothing but delimiters and quotes are looked at."""
        short = np.flatnonzero(ends - starts <= 3 * len(self.names))
        return [
            int(lines[i]) for i in short
            if not any(_split_fields(self.data[starts[i] : ends[i]].decode("utf-8"),
                                     self.delimiter))
        ]


def csv_layout(data: Bytes, delimiter: str, source: str, limits: InputLimits) -> CsvLayout:
    """Find the records of UTF-8 CSV ``data``; ``delimiter`` is one of ``DELIMITERS`` or
    ``"auto"``. A file without a non-blank line, or past ``limits`` (a record too long, too
    many columns or rows), raises ``IngestError`` before any field is parsed. ``data`` may
    be a memory map of the file: pages are then let go once scanned or parsed, so a large
    file is never resident as a whole."""
    if data.find(b"\r") != -1:
        data = bytes(data).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    arr = np.frombuffer(data, dtype=np.uint8)
    newlines, quotes, neighbours = _scan(data, arr)
    quoted = (np.searchsorted(quotes, newlines) & 1) == 1 if quotes.size else None
    ends = newlines[~quoted] if quoted is not None and quoted.any() else newlines
    if ends.size == 0 or ends[-1] != len(data) - 1:
        ends = np.append(ends, len(data))
    starts = np.concatenate(([0], ends[:-1] + 1))
    too_long = np.flatnonzero(ends - starts > limits.line_bytes)
    if too_long.size:
        record = int(too_long[0])
        raise IngestError("ingest.limit.line", path=source, limit=limits.line_bytes,
                          line=int(np.searchsorted(newlines, starts[record])) + 1,
                          size=int(ends[record] - starts[record]))
    filled = np.flatnonzero(ends > starts)
    if filled.size == 0:
        raise IngestError("ingest.empty", path=source)
    head = filled[0]
    header = data[starts[head] : ends[head]].decode("utf-8")
    if not header.strip() and bytes(data).isspace():
        raise IngestError("ingest.empty", path=source)
    if delimiter == "auto":
        delimiter = detect_delimiter(header)
    stray = _stray_quote(len(data), quotes, neighbours, delimiter)
    if stray is not None:
        raise IngestError("ingest.bad_quoting", path=source,
                          line=int(np.searchsorted(newlines, stray)) + 1)
    fields = _split_fields(header, delimiter)
    limits.check_columns(len(fields), source)
    names = header_names(fields)
    body = filled[1:]
    limits.check_rows(int(body.size), source)
    if quoted is None or not quoted.any():  # no newline inside quotes: record k is line k+1
        lines = body.astype(np.int64) + 1
    else:
        lines = np.searchsorted(newlines, starts[body]).astype(np.int64) + 1
    return CsvLayout(data, names, delimiter, starts[body].astype(np.int64),
                     ends[body].astype(np.int64), lines, quotes, source)


def _scan(data: Bytes, arr: npt.NDArray[np.uint8], block: int = 1 << 26
          ) -> tuple[Positions, Positions, npt.NDArray[np.uint8]]:
    """Offsets of newlines and of quotes, and the bytes before and after each quote (a
    newline at either end of the file), found block by block: no array-sized temporary,
    and a memory-mapped file's pages are let go after the scan."""
    def scan(start: int) -> tuple[Positions, Positions]:
        window = arr[start : start + block]
        found = (np.flatnonzero(window == _NEWLINE) + start,
                 np.flatnonzero(window == _QUOTE) + start)
        _release(data, start, min(start + block, arr.size))
        return found

    with ThreadPoolExecutor(max_workers=2) as pool:  # numpy lets go of the GIL
        blocks = list(pool.map(scan, range(0, arr.size, block)))
    newlines = [b[0] for b in blocks]
    quotes = [b[1] for b in blocks]
    empty = np.zeros(0, dtype=np.int64)
    found = np.concatenate(quotes) if quotes else empty
    last = max(arr.size - 1, 0)
    before = np.where(found > 0, arr[np.maximum(found - 1, 0)], _NEWLINE)
    after = np.where(found < last, arr[np.minimum(found + 1, last)], _NEWLINE)
    return (np.concatenate(newlines) if newlines else empty, found,
            np.stack([before, after]).astype(np.uint8))


def _release(data: Bytes, begin: int, end: int) -> None:
    """Let the kernel drop the pages of ``data[begin:end]`` when it maps a file."""
    if isinstance(data, mmap.mmap) and end > begin:
        first = begin - begin % mmap.PAGESIZE
        data.madvise(mmap.MADV_DONTNEED, first, end - first)


def _parse(
    data: bytes, names: list[str], delimiter: str, source: str,
    columns: Sequence[str] | None = None,
) -> tuple[pa.Table, int]:
    invalid: list[str] = []

    def skip(row: pa_csv.InvalidRow) -> str:
        invalid.append(row.text)
        return "skip"

    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=skip
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
                include_columns=list(columns) if columns is not None else None,
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


def _stray_quote(size: int, quotes: Positions, neighbours: npt.NDArray[np.uint8],
                 delimiter: str) -> int | None:
    """Offset of a quote that cannot be RFC 4180 quoting: one in the middle of a field
    (neither beside a delimiter, a line end nor another quote), or the last of an odd
    number (a quoted field never closed, which would swallow the rows after it).
    ``neighbours`` holds the byte before and the byte after each quote."""
    if quotes.size == 0 or size == 0:
        return None
    edge = np.array([ord(delimiter), _NEWLINE, _QUOTE])
    inside = ~np.isin(neighbours[0], edge) & ~np.isin(neighbours[1], edge)
    if inside.any():
        return int(quotes[np.argmax(inside)])
    return int(quotes[-1]) if quotes.size % 2 else None


def _broken(raw: str, line: int, delimiter: str) -> BrokenRow:
    return BrokenRow(line, tuple(_split_fields(raw, delimiter)), raw)
