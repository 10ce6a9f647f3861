"""Helpers shared by the CSV-family list parsers (OFAC legacy CSV, UK OFSI, EU FSF, national
lists): reading and decoding the files, birth-date phrases, multi-value fields, country texts,
and the final assembly of name rows and entry attributes into a ``ParsedList``.

Every helper works on whole polars columns; the only Python loops run over *distinct* country
texts (a few hundred at most), never over the rows of a list.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import polars as pl

from aml_screen.countries import normalise_country, to_alpha2
from aml_screen.errors import IngestError, WatchlistError
from aml_screen.ingest.encoding import decode
from aml_screen.schema import NAME_KINDS
from aml_screen.watchlists.frame import ParsedList, entries_frame

_MONTHS = {
    "jan": "01", "feb": "02", "mar": "03", "apr": "04", "may": "05", "jun": "06",
    "jul": "07", "aug": "08", "sep": "09", "oct": "10", "nov": "11", "dec": "12",
}
_APPROXIMATE = r"(?i)^(?:circa|approximately|approx\.?|about|ca\.|c\.|vers)\s*"
_MAX_RANGE_YEARS = 10
"""A range such as "1960 to 1962" becomes every year in it; wider ranges keep only their ends."""

_KIND_RANK = {kind: rank for rank, kind in enumerate(NAME_KINDS)}


def read_list_text(path: Path) -> str:
    """The decoded text of ``path`` (encoding detected as for batches: BOM, UTF-8, else
    cp1252), without the DOS end-of-file character OFAC appends (``\\x1a``, sometimes
    mid-file where two exports were concatenated). A missing, unreadable, binary or empty
    file is a WatchlistError."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise WatchlistError("watchlists.csv.unreadable", path=str(path),
                             detail=err.strerror or str(err)) from err
    try:
        text, _encoding = decode(data, "auto", str(path))
    except IngestError as err:
        raise WatchlistError("watchlists.csv.unreadable", path=str(path), detail=str(err)) from err
    text = text.replace("\x1a", "")
    if not text.strip():
        raise WatchlistError("watchlists.csv.empty", path=str(path))
    return text


def read_csv_text(text: str, path: Path, *, separator: str = ",",
                  columns: list[str] | None = None,
                  null_values: list[str] | None = None) -> pl.DataFrame:
    """``text`` as an all-string frame. With ``columns`` the text has no header row and the
    columns get those names (a file with another number of columns is an error)."""
    try:
        frame = pl.read_csv(text.encode("utf-8"), separator=separator,
                            has_header=columns is None, infer_schema=False,
                            null_values=null_values)
    except pl.exceptions.PolarsError as err:
        detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise WatchlistError("watchlists.csv.malformed", path=str(path), detail=detail) from err
    if columns is None:
        return frame.rename(lambda name: name.strip())
    if frame.width != len(columns):
        raise WatchlistError("watchlists.csv.column_count", path=str(path),
                             expected=len(columns), found=frame.width)
    return frame.rename(dict(zip(frame.columns, columns, strict=True)))


def column(frame: pl.DataFrame, name: str) -> pl.Expr:
    """Column ``name`` stripped, empty text as null; a null literal when the file lacks it
    (list layouts differ between years, optional columns come and go)."""
    if name not in frame.columns:  # as long as the frame: a literal does not broadcast everywhere
        return pl.repeat(None, pl.len(), dtype=pl.String)
    stripped = pl.col(name).str.strip_chars()
    return pl.when(stripped != "").then(stripped)


def require_columns(frame: pl.DataFrame, path: Path, required: list[str],
                    list_name: str) -> None:
    missing = [name for name in required if name not in frame.columns]
    if missing:
        raise WatchlistError("watchlists.csv.missing_columns", path=str(path),
                             columns=", ".join(missing), list_name=list_name)


def day_text(text: str | None, formats: tuple[str, ...] = ("%d/%m/%Y", "%Y-%m-%d")) -> str | None:
    """A publication date written ``13/04/2018`` or ``2018-04-13`` as ISO text, else None."""
    if not text:
        return None
    for fmt in formats:
        try:
            return datetime.strptime(text.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return None


def parse_day(expr: pl.Expr) -> pl.Expr:
    """A listing date column (``2018-02-16``, ``16/02/2018`` or ``16.02.2018``) as pl.Date."""
    text = expr.str.strip_chars().str.replace_all(r"\.", "/")
    return pl.coalesce(text.str.to_date("%Y-%m-%d", strict=False),
                       text.str.to_date("%d/%m/%Y", strict=False))


def _assemble(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """Year, month and day texts (``00`` = unknown) to the most precise valid ISO prefix."""
    month = month.str.zfill(2)
    day = day.str.zfill(2)
    month_known = month.is_not_null() & month.is_between(pl.lit("01"), pl.lit("12"))
    full = pl.concat_str([year, month, day], separator="-")
    full_valid = (month_known & (day != "00")
                  & full.str.to_date("%Y-%m-%d", strict=False).is_not_null())
    return (
        pl.when(year.is_null()).then(pl.lit(None, dtype=pl.String))
        .when(full_valid).then(full)
        .when(month_known).then(pl.concat_str([year, month], separator="-"))
        .otherwise(year)
    )


def _single_date(text: pl.Expr) -> pl.Expr:
    """One date as written (``28 Jul 1963``, ``Jul 1963``, ``28/07/1963``, ``00/00/1980``,
    ``1963-07-28``, ``1963``) to an ISO (partial) date, null when unrecognised."""
    words = text.str.extract_groups(r"^(?:(\d{1,2})\s+)?([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{4})$")
    slash = text.str.extract_groups(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
    iso = text.str.extract_groups(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
    month = words.struct.field("2").str.to_lowercase().replace_strict(
        _MONTHS, default=None, return_dtype=pl.String)
    from_words = pl.when(month.is_not_null()).then(
        _assemble(words.struct.field("3"), month,
                  words.struct.field("1").fill_null("00")))
    return pl.coalesce(
        from_words,
        _assemble(slash.struct.field("3"), slash.struct.field("2"), slash.struct.field("1")),
        _assemble(iso.struct.field("1"), iso.struct.field("2").fill_null("00"),
                  iso.struct.field("3").fill_null("00")),
    )


def partial_dates(phrase: pl.Expr) -> pl.Expr:
    """One birth-date phrase as a list states it -> list of ISO (partial) dates.

    ``circa 1960`` -> ``["1960"]`` (closeness is the matcher's business); ``1960 to 1962``
    and ``01 Jan 1960 to 31 Dec 1962`` -> every year of the range (at most
    ``_MAX_RANGE_YEARS`` + 1, else the two ends); unrecognised text -> empty list.
    """
    text = phrase.str.strip_chars(" .").str.replace(_APPROXIMATE, "")
    ends = text.str.extract_groups(r"^(.+?)\s+(?:to|-|–|à)\s+(.+)$")
    start = _single_date(ends.struct.field("1"))
    end = _single_date(ends.struct.field("2"))
    start_year = start.str.slice(0, 4).cast(pl.Int32)
    end_year = end.str.slice(0, 4).cast(pl.Int32)
    span = end_year - start_year
    return (
        pl.when(span.is_between(0, _MAX_RANGE_YEARS))
        .then(pl.int_ranges(start_year, end_year + 1).cast(pl.List(pl.String)))
        .when(span.is_not_null())
        .then(pl.concat_list(start, end))
        .otherwise(pl.concat_list(_single_date(text)).list.drop_nulls())
    )


def split_values(expr: pl.Expr, separator: str, *, literal: bool = True) -> pl.Expr:
    """A multi-value text field -> list of its stripped, non-empty parts."""
    return (expr.str.split(separator, literal=literal)
            .list.eval(pl.element().str.strip_chars())
            .list.filter(pl.element() != ""))


def country_code(text: str) -> str | None:
    """Alpha-2 code for a country text, also for lists' inverted forms ("Korea, North",
    "Congo, Democratic Republic of the"), OFAC's "Region: Gaza" and the UK's
    "Afghanistan (since 2009)"; unresolved text is kept as written."""
    cleaned = text.strip().rstrip(".").strip()
    code = (to_alpha2(cleaned) or to_alpha2(cleaned.removeprefix("Region:"))
            or to_alpha2(re.sub(r"\(.*?\)", "", cleaned)))
    if code is None and ", " in cleaned:
        head, _, tail = cleaned.partition(", ")
        code = to_alpha2(f"{tail} {head}")
    return code or normalise_country(cleaned)


def map_countries(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """Replace the country texts in the list columns ``columns`` by alpha-2 codes (resolved
    once per distinct text), dropping repeats that resolved to the same code."""
    values = pl.concat([frame.get_column(name).explode() for name in columns])
    mapping = {value: country_code(value) for value in values.drop_nulls().unique()}
    return frame.with_columns(
        pl.col(name)
        .list.eval(pl.element().replace_strict(mapping, default=None, return_dtype=pl.String))
        .list.drop_nulls()
        .list.unique(maintain_order=True)
        for name in columns
    )


def merge_entries(rows: pl.DataFrame) -> pl.DataFrame:
    """Entry attributes stated on several rows (one per name, address, birth date... or an
    entry repeated in the file) to one row per ``entry_id``: list columns are merged without
    repeats, ``listed_on`` is the earliest date, other columns the first non-empty value."""
    aggregations = [
        pl.col(name).explode().drop_nulls().unique(maintain_order=True)
        if isinstance(dtype, pl.List)
        else pl.col(name).min() if name == "listed_on"
        else pl.col(name).drop_nulls().first()
        for name, dtype in rows.schema.items() if name != "entry_id"
    ]
    return rows.group_by("entry_id", maintain_order=True).agg(aggregations)


def assemble(names: pl.DataFrame, entries: pl.DataFrame, list_id: str,
             version_date: str | None) -> ParsedList:
    """Join name rows (``entry_id, name, name_kind`` in file order) with one row of entry
    attributes per entry, and build the list-entry frame.

    Names are whitespace-collapsed; a name stated twice for one entry (the UK file repeats
    rows per birth date, OFAC may list a name as primary and aka) is kept once under its
    strongest kind. Each entry's rows come together, primary name first, entries in file
    order. Names whose entry is absent from ``entries`` are dropped; ``entries`` is merged
    to one row per entry first (see ``merge_entries``).
    """
    entries = merge_entries(entries).with_columns(
        pl.col(name).fill_null([]) for name, dtype in entries.schema.items()
        if isinstance(dtype, pl.List)
    )
    rows = (
        names.select(
            pl.col("entry_id").str.strip_chars(),
            pl.col("name").str.replace_all(r"\s+", " ").str.strip_chars(),
            "name_kind",
        )
        .with_row_index("_order")
        .filter(pl.col("name").is_not_null() & (pl.col("name") != ""))
        .with_columns(
            _rank=pl.col("name_kind").replace_strict(_KIND_RANK, return_dtype=pl.Int32),
            _entry_order=pl.col("_order").min().over("entry_id"),
        )
        .sort(["_entry_order", "_rank", "_order"])
        .unique(["entry_id", "name"], keep="first", maintain_order=True)
        .join(entries, on="entry_id", how="inner", maintain_order="left")
        .with_columns(list_id=pl.lit(list_id))
        .drop("_order", "_rank", "_entry_order")
    )
    return ParsedList(entries_frame(rows), version_date)
