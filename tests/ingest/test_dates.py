"""Dates: formats, zones (to UTC), day/month order, mapping formats."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from aml_screen.ingest.dates import builtin_formats, formats_for, parse


def _one(text: str, zone: str = "UTC", order: str = "dmy") -> datetime | None:
    return parse(pl.Series([text]), builtin_formats(order), zone, rank=True)[0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2025-03-01 10:00", "Africa/Niamey", datetime(2025, 3, 1, 9, 0, tzinfo=UTC)),
        ("01/03/2025 10:00", "Africa/Niamey", datetime(2025, 3, 1, 9, 0, tzinfo=UTC)),
        ("2025-03-01T10:00:00Z", "Africa/Niamey", datetime(2025, 3, 1, 10, 0, tzinfo=UTC)),
        ("2025-03-01T10:00:00+01:00", "UTC", datetime(2025, 3, 1, 9, 0, tzinfo=UTC)),
        ("2025-03-01T10:00:00-0300", "UTC", datetime(2025, 3, 1, 13, 0, tzinfo=UTC)),
        ("2025-03-01T10:00:00.250+00:00", "UTC",
         datetime(2025, 3, 1, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2025-03-01 10:00:05", "UTC", datetime(2025, 3, 1, 10, 0, 5, tzinfo=UTC)),
        ("01-03-2025 10:00:05", "UTC", datetime(2025, 3, 1, 10, 0, 5, tzinfo=UTC)),
        ("01.03.2025", "UTC", datetime(2025, 3, 1, tzinfo=UTC)),
        ("2022/09/01 00:08", "UTC", datetime(2022, 9, 1, 0, 8, tzinfo=UTC)),
        ("13/01/2025", "Africa/Ndjamena", datetime(2025, 1, 12, 23, 0, tzinfo=UTC)),
        ("01/03/2025", "Africa/Nouakchott", datetime(2025, 3, 1, tzinfo=UTC)),
        (" 01/03/2025 ", "UTC", datetime(2025, 3, 1, tzinfo=UTC)),
    ],
)
def test_formats_and_zones(text: str, zone: str, expected: datetime) -> None:
    assert _one(text, zone) == expected


@pytest.mark.parametrize("text", ["31/02/2025", "01/03/25", "hier", "2025-13-01", "45000"])
def test_unparsable_dates_are_null(text: str) -> None:
    assert _one(text) is None


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("03/04/2025", "dmy", datetime(2025, 4, 3, tzinfo=UTC)),
        ("03/04/2025", "mdy", datetime(2025, 3, 4, tzinfo=UTC)),
        ("03-04-2025", "mdy", datetime(2025, 3, 4, tzinfo=UTC)),
        ("03.04.2025", "mdy", datetime(2025, 4, 3, tzinfo=UTC)),
        ("13/04/2025", "mdy", None),
    ],
)
def test_date_order_switches_ambiguous_dates(
    text: str, order: str, expected: datetime | None
) -> None:
    assert _one(text, order=order) == expected


def test_daylight_saving_gap_is_unparsable_and_overlap_takes_the_earliest() -> None:
    values = pl.Series(["2025-03-30 02:30", "2025-10-26 02:30"])
    parsed = parse(values, builtin_formats("dmy"), "Europe/Paris", rank=True).to_list()
    assert parsed == [None, datetime(2025, 10, 26, 0, 30, tzinfo=UTC)]


def test_mapping_formats_come_first_then_iso() -> None:
    formats = formats_for(("%d%m%Y %Hh%M",), "dmy")
    values = pl.Series(["01032025 10h30", "2025-03-01T10:30:00Z", "01/03/2025"])
    assert parse(values, formats, "Africa/Niamey", rank=False).to_list() == [
        datetime(2025, 3, 1, 9, 30, tzinfo=UTC), datetime(2025, 3, 1, 10, 30, tzinfo=UTC), None]


def test_builtin_formats_never_both_match_one_string() -> None:
    """Ranking may reorder the built-in list only because of this."""
    samples = ["2025-03-01T10:00:00Z", "2025-03-01 10:00", "2025-03-01", "01/03/2025 10:00:00",
               "01-03-2025", "01.03.2025 10:00", "2025/03/01 10:00", "2025-03-01T10:00",
               "2025-03-01 10:00:00.5", "2025-03-01T10:00+01:00"]
    for order in ("dmy", "mdy"):
        for fmt_order in (builtin_formats(order), tuple(reversed(builtin_formats(order)))):
            frame = pl.DataFrame({"t": samples}).select(
                pl.sum_horizontal(
                    pl.col("t").str.to_datetime(f, strict=False).is_not_null() for f in fmt_order
                )
            )
            assert frame.to_series().to_list() == [1] * len(samples)
