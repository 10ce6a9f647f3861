"""Date text -> UTC timestamps; each format is one polars expression over the column (no
loop over rows).

Times with an offset (``+01:00``, ``+0100``, ``Z``) are converted directly; times without
one are read in the batch's zone and converted to UTC. ``date_order`` decides ambiguous
``03/04/2025`` and ``03-04-2025`` (``dd.mm.yyyy`` is always day first). A parsed year outside
1900-2100 is treated as unparsable: chrono reads ``01/03/25`` with ``%Y`` as year 25.
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from aml_screen.schema import UTC_TIMESTAMP

_ISO_AWARE = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M%#z",
              "%Y-%m-%d %H:%M%#z")
_ISO_NAIVE = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M",
              "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")
_TIMES = (" %H:%M:%S", " %H:%M", "")
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
"""Years 1900 to 2100, as instants (comparing instants is cheaper than taking years)."""


def builtin_formats(date_order: str) -> tuple[str, ...]:
    """The formats tried when the mapping declares none, most specific first."""
    day_first = [
        ("%m{s}%d{s}%Y" if date_order == "mdy" and sep != "." else "%d{s}%m{s}%Y").format(s=sep)
        + time
        for sep in ("/", "-", ".")
        for time in _TIMES
    ]
    return (*_ISO_AWARE, *_ISO_NAIVE, *day_first)


def _is_aware(fmt: str) -> bool:
    return any(z in fmt for z in ("%z", "%:z", "%#z", "%::z"))


def _attempt(text: pl.Expr, fmt: str, zone: str) -> pl.Expr:
    parsed = text.str.to_datetime(fmt, time_unit="us", strict=False)
    if not _is_aware(fmt):
        parsed = parsed.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    utc = parsed.dt.convert_time_zone("UTC").cast(UTC_TIMESTAMP)
    return pl.when(utc.is_between(_EARLIEST, _LATEST)).then(utc)


def parse(values: pl.Series, formats: tuple[str, ...], zone: str, *, rank: bool) -> pl.Series:
    """``Datetime("us", "UTC")`` values, null where no format matches.

    Each format is tried only on the values still unparsed, so a batch pays for one full
    pass when its first tried format fits. With ``rank`` (only for the built-in formats,
    which never both match one string) formats are tried in order of hits on a sample.
    """
    frame = pl.DataFrame({"text": values.cast(pl.String).str.strip_chars()}).with_row_index()
    pending = frame.filter(pl.col("text").is_not_null() & (pl.col("text") != ""))
    if rank:
        sample = pending.head(1000)
        hits = sample.select(
            _attempt(pl.col("text"), f, zone).is_not_null().sum().alias(str(i))
            for i, f in enumerate(formats)
        ).row(0)
        formats = tuple(f for _, f in sorted(zip(hits, formats, strict=True),
                                             key=lambda pair: -pair[0]))
    result = pl.repeat(None, frame.height, dtype=UTC_TIMESTAMP, eager=True).alias("at")
    for fmt in formats:
        if pending.height == 0:
            break
        step = pending.with_columns(at=_attempt(pl.col("text"), fmt, zone))
        done = step.filter(pl.col("at").is_not_null())
        if done.height:
            result = result.scatter(done["index"], done["at"])
        pending = step.filter(pl.col("at").is_null()).drop("at")
    return result


def formats_for(declared: tuple[str, ...], date_order: str) -> tuple[str, ...]:
    """The mapping's formats followed by unambiguous ISO 8601 (which typed Parquet
    timestamps are written as); the built-in list when the mapping declares none."""
    if not declared:
        return builtin_formats(date_order)
    return (*declared, *(f for f in (*_ISO_AWARE, *_ISO_NAIVE) if f not in declared))
