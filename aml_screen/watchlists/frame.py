"""Building blocks shared by the list parsers: the parsed-list record and the frame builder."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from aml_screen.schema import LIST_ENTRY_SCHEMA, conform


@dataclass(frozen=True)
class ParsedList:
    """A parsed list file: one row per name, and the list's own publication date if it
    states one (ISO date or timestamp text)."""

    entries: pl.DataFrame
    version_date: str | None = None


def entries_frame(rows: pl.DataFrame | Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """A frame or rows (dicts keyed by ``LIST_ENTRY_SCHEMA`` names) to a conformed list-entry
    frame. Parsers that already hold a frame pass it as is: building from dicts is row by row.

    Names are stripped, empty names dropped (an alias slot left blank in the source is not a
    name), and exact duplicate (entry, name, kind) rows collapsed.
    """
    frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(
        list(rows), schema=LIST_ENTRY_SCHEMA
    )
    return (
        conform(frame, LIST_ENTRY_SCHEMA)
        .with_columns(pl.col("name").str.strip_chars())
        .filter(pl.col("name").is_not_null() & (pl.col("name") != ""))
        .unique(subset=["list_id", "entry_id", "name", "name_kind"], keep="first",
                maintain_order=True)
    )
