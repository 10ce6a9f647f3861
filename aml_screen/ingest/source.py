"""What a batch reader hands to ``read_batch``: a table of text rows, and how to read it.

Every format ends up as the same thing: header names, a row count and row chunks as the
all-text frame the CSV reader gives (``TextBatch``), which validation turns into canonical
transactions and quarantine. A CSV file, a Parquet file and an Excel sheet give their own
headers (recognised by ``headers.resolve_columns``); a message file (goAML, ISO 20022,
SWIFT MT) gives canonical names already (``columns``) and its amounts in XML's decimal
notation (``decimal_separator``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

from aml_screen.ingest.csv_reader import LINE_COLUMN, TextBatch


class Table(Protocol):
    """Rows read lazily: ``chunk`` gives rows ``first`` to ``first + rows`` (only
    ``columns`` when given) with ``LINE_COLUMN`` saying where each row is in the file."""

    @property
    def headers(self) -> list[str]: ...

    @property
    def height(self) -> int: ...

    def chunk(self, first: int, rows: int, columns: Sequence[str] | None = None
              ) -> TextBatch: ...


@dataclass(frozen=True)
class BatchSource:
    table: Table
    encoding: str
    """How the text was read: ``utf-8``, ``cp1252``... for CSV, else the format's name."""
    delimiter: str = ","
    """What joins a quarantined row's fields into its ``raw`` text."""
    columns: Mapping[str, str] | None = None
    """Canonical column -> header when the format fixes them; None: recognised."""
    decimal_separator: str | None = None
    """The format's own (XML's ``.``); None: the mapping's, or voted by the amounts."""
    unmapped: Counter[str] = field(default_factory=Counter)
    """Elements (or fields) of the file no column was read from, by path."""


class FrameTable:
    """A table already in memory: text columns (the headers) and ``LINE_COLUMN``."""

    def __init__(self, frame: pl.DataFrame, delimiter: str = ",") -> None:
        self.headers = [c for c in frame.columns if c != LINE_COLUMN]
        self.frame = frame
        self.delimiter = delimiter

    @property
    def height(self) -> int:
        return self.frame.height

    def chunk(self, first: int, rows: int, columns: Sequence[str] | None = None) -> TextBatch:
        names = self.headers if columns is None else list(columns)
        part = self.frame.slice(first, rows).select(
            pl.col(names).cast(pl.String).str.strip_chars().replace("", None), LINE_COLUMN)
        return TextBatch(part, (), self.delimiter)
