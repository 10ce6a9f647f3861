"""Date text -> UTC timestamps; each format is one polars expression over the column (no
loop over rows).

Times with an offset (``+01:00``, ``+0100``, ``Z``) are converted directly; times without
one are read in the batch's zone and converted to UTC. ``date_order`` decides ambiguous
``03/04/2025`` and ``03-04-2025`` (``dd.mm.yyyy`` is always day first).

A format only reads a value within the plausible range (``plausible_range``: by default
1900 to the end of next year), so that the next format gets its chance: chrono reads
``01/03/25`` with ``%Y`` as year 25. A value no format reads in range but one reads outside
it, with a four-digit year (``9999-12-31``, ``01/01/0001``), is a real date that cannot be
a booking date: ``implausible`` tells those apart from text in no known format.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import polars as pl

from aml_screen.schema import UTC_TIMESTAMP

_ISO_AWARE = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M%#z",
              "%Y-%m-%d %H:%M%#z")
_ISO_NAIVE = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M",
              "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")
_TIMES = (" %H:%M:%S", " %H:%M", "")
EARLIEST = date(1900, 1, 1)
"""The default first plausible booking date (``Settings.plausible_from``)."""
_YEAR = r"\d{4}"


def plausible_range(earliest: date = EARLIEST, latest: date | None = None,
                    today: date | None = None) -> tuple[datetime, datetime]:
    """The first and last plausible instants (UTC) of a booking date: ``earliest`` to the
    end of ``latest``, by default the end of next year (comparing instants is cheaper than
    taking years)."""
    last = latest or date((today or date.today()).year + 1, 12, 31)
    return (datetime.combine(earliest, time(), tzinfo=UTC),
            datetime.combine(last, time.max, tzinfo=UTC))


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


def _read(text: pl.Expr, fmt: str, zone: str) -> pl.Expr:
    parsed = text.str.to_datetime(fmt, time_unit="us", strict=False)
    if not _is_aware(fmt):
        parsed = parsed.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    return parsed.dt.convert_time_zone("UTC").cast(UTC_TIMESTAMP)


def _attempt(text: pl.Expr, fmt: str, zone: str, window: tuple[datetime, datetime]
             ) -> pl.Expr:
    utc = _read(text, fmt, zone)
    return pl.when(utc.is_between(*window)).then(utc)


def parse(values: pl.Series, formats: tuple[str, ...], zone: str, *, rank: bool,
          window: tuple[datetime, datetime] | None = None) -> pl.Series:
    """``Datetime("us", "UTC")`` values, null where no format matches.

    Each format is tried only on the values still unparsed, so a batch pays for one full
    pass when its first tried format fits. With ``rank`` (only for the built-in formats,
    which never both match one string) formats are tried in order of hits on a sample.
    ``window`` is the plausible range (``plausible_range()`` when None).
    """
    window = window or plausible_range()
    frame = pl.DataFrame({"text": values.cast(pl.String).str.strip_chars()}).with_row_index()
    pending = frame.filter(pl.col("text").is_not_null() & (pl.col("text") != ""))
    if rank:
        sample = pending.head(1000)
        hits = sample.select(
            _attempt(pl.col("text"), f, zone, window).is_not_null().sum().alias(str(i))
            for i, f in enumerate(formats)
        ).row(0)
        formats = tuple(f for _, f in sorted(zip(hits, formats, strict=True),
                                             key=lambda pair: -pair[0]))
    result = pl.repeat(None, frame.height, dtype=UTC_TIMESTAMP, eager=True).alias("at")
    for fmt in formats:
        if pending.height == 0:
            break
        step = pending.with_columns(at=_attempt(pl.col("text"), fmt, zone, window))
        done = step.filter(pl.col("at").is_not_null())
        if done.height:
            result = result.scatter(done["index"], done["at"])
        pending = step.filter(pl.col("at").is_null()).drop("at")
    return result


def implausible(values: pl.Series, parsed: pl.Series, formats: tuple[str, ...], zone: str
                ) -> pl.Series:
    """True where ``parse`` found nothing but a format reads a four-digit-year date outside
    the plausible range; only the unparsed values are tried again."""
    frame = pl.DataFrame({"text": values.cast(pl.String).str.strip_chars(), "at": parsed})
    frame = frame.with_row_index()
    pending = frame.filter(pl.col("at").is_null() & pl.col("text").str.contains(_YEAR))
    hits = pending.filter(pl.any_horizontal(_read(pl.col("text"), f, zone).is_not_null()
                                            for f in formats)).get_column("index")
    return frame.get_column("index").is_in(hits.implode()).alias("implausible")


def formats_for(declared: tuple[str, ...], date_order: str) -> tuple[str, ...]:
    """The mapping's formats followed by unambiguous ISO 8601 (which typed Parquet
    timestamps are written as); the built-in list when the mapping declares none."""
    if not declared:
        return builtin_formats(date_order)
    return (*declared, *(f for f in (*_ISO_AWARE, *_ISO_NAIVE) if f not in declared))
