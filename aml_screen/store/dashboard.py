"""Figures for the supervisors' dashboard: alerts per week by typology, decisions per week by
disposition, the false-positive rate per rule and per list, and the mean time to close.

Each query fetches compact rows (times, labels, dispositions — no names) for the date range
and polars does the grouping, so nothing loops over alerts in Python. Weeks start on
Monday (ISO weeks, UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import polars as pl
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from aml_screen.store.models import DISPOSITIONS, Alert, AlertLabel

DEFAULT_WEEKS = 26
NO_TYPOLOGY = "-"
"""Stands for an alert without typology in the weekly counts."""


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def default_range(today: date) -> tuple[date, date]:
    """The last ``DEFAULT_WEEKS`` weeks, this one included."""
    return monday(today) - timedelta(weeks=DEFAULT_WEEKS - 1), today


@dataclass(frozen=True)
class Rate:
    label: str
    closed: int
    false_positives: int

    @property
    def percent(self) -> float:
        return 100.0 * self.false_positives / self.closed if self.closed else 0.0


@dataclass(frozen=True)
class Dashboard:
    start: date
    end: date
    weeks: list[date]
    """The Monday of each week in the range, oldest first."""
    created: dict[str, list[int]]
    """Primary typology (the alert's first) → alerts created per week."""
    closed: dict[str, list[int]]
    """Disposition → alerts closed per week."""
    mean_days_to_close: list[float | None]
    """Per week of closing: mean of ``closed_at - created_at`` in days (None: none closed)."""
    fp_by_rule: list[Rate]
    fp_by_list: list[Rate]

    @property
    def created_total(self) -> int:
        return sum(sum(counts) for counts in self.created.values())

    @property
    def closed_total(self) -> int:
        return sum(sum(counts) for counts in self.closed.values())


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time(), UTC),
            datetime.combine(end + timedelta(days=1), time(), UTC))


def _per_week(frame: pl.DataFrame, when: str, by: str, weeks: list[date],
              keys: list[str]) -> dict[str, list[int]]:
    """``by`` value → row count per week of ``when``, zero-filled, for every key present
    (and every one of ``keys``)."""
    counted = (frame.with_columns(week=pl.col(when).dt.date().dt.truncate("1w"))
               .group_by(by, "week").len())
    table = {(k, w): n for k, w, n in counted.iter_rows()}
    present = sorted(set(counted.get_column(by).to_list()) - set(keys))
    return {key: [table.get((key, week), 0) for week in weeks] for key in [*keys, *present]
            if any(table.get((key, week), 0) for week in weeks) or key in keys}


def dashboard(session: Session, start: date, end: date) -> Dashboard:
    low, high = _bounds(start, end)
    weeks = [monday(start) + timedelta(weeks=i)
             for i in range((monday(end) - monday(start)).days // 7 + 1)]
    created_rows = session.execute(select(Alert.created_at, Alert.typologies).where(
        Alert.created_at >= low, Alert.created_at < high)).all()
    created = pl.DataFrame(
        [(at, (kinds or [NO_TYPOLOGY])[0]) for at, kinds in created_rows],
        schema={"created_at": pl.Datetime("us", "UTC"), "typology": pl.String()},
        orient="row")
    closed_in_range = and_(Alert.status == "closed", Alert.closed_at >= low,
                           Alert.closed_at < high)
    closed = pl.DataFrame(
        session.execute(select(Alert.id, Alert.created_at, Alert.closed_at, Alert.disposition)
                        .where(closed_in_range)).all(),
        schema={"id": pl.Int64(), "created_at": pl.Datetime("us", "UTC"),
                "closed_at": pl.Datetime("us", "UTC"), "disposition": pl.String()},
        orient="row")
    labels = pl.DataFrame(
        session.execute(select(AlertLabel.kind, AlertLabel.value, Alert.disposition)
                        .join(Alert, Alert.id == AlertLabel.alert_id)
                        .where(closed_in_range, AlertLabel.kind.in_(("rule", "list")))).all(),
        schema={"kind": pl.String(), "value": pl.String(), "disposition": pl.String()},
        orient="row")
    return Dashboard(
        start=start, end=end, weeks=weeks,
        created=_per_week(created, "created_at", "typology", weeks, []),
        closed=_per_week(closed, "closed_at", "disposition", weeks, list(DISPOSITIONS)),
        mean_days_to_close=_mean_days(closed, weeks),
        fp_by_rule=_rates(labels, "rule"), fp_by_list=_rates(labels, "list"),
    )


def _mean_days(closed: pl.DataFrame, weeks: list[date]) -> list[float | None]:
    means = (closed.with_columns(
        week=pl.col("closed_at").dt.date().dt.truncate("1w"),
        days=(pl.col("closed_at") - pl.col("created_at")).dt.total_seconds() / 86400)
        .group_by("week").agg(pl.col("days").mean()))
    found = dict(means.iter_rows())
    return [found.get(week) for week in weeks]


def _rates(labels: pl.DataFrame, kind: str) -> list[Rate]:
    """False positives among the closed alerts carrying each label, most decided first."""
    rows = (labels.filter(pl.col("kind") == kind).group_by("value")
            .agg(closed=pl.len(),
                 fp=(pl.col("disposition") == "false_positive").sum())
            .sort(["closed", "value"], descending=[True, False]))
    return [Rate(value, closed, fp) for value, closed, fp in rows.iter_rows()]
