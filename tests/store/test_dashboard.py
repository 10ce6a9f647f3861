"""Dashboard figures on the sample batch, its alerts created and closed at known times over
three weeks (the times are set after the real triage steps, as if weeks had passed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from aml_screen.store import Database
from aml_screen.store.dashboard import Rate, dashboard, default_range, monday
from aml_screen.store.models import Alert, User
from aml_screen.store.triage import change_status
from tests.store.samples import add_user, load_sample

MONDAY = date(2025, 3, 3)
CREATED_DAY = [0, 0, 8, 8, 8, 16, 16, 16]
"""Days after ``MONDAY`` each alert (by id) was created, at 09:00 UTC."""
CLOSED = {0: ("false_positive", 2.0), 1: ("not_suspicious", 9.0),
          2: ("false_positive", 0.5), 5: ("suspicious_reported", 4.0)}
"""Alert index → disposition and days it took to close."""


def _at(days: float) -> datetime:
    return datetime(MONDAY.year, MONDAY.month, MONDAY.day, 9, tzinfo=UTC) + timedelta(days=days)


@pytest.fixture
def history(database: Database) -> list[Alert]:
    add_user(database, "fatou", "investigator")
    load_sample(database)
    with database.transaction() as session:
        fatou = session.scalars(select(User)).one()
        alerts = list(session.scalars(select(Alert).order_by(Alert.id)))
        assert len(alerts) == len(CREATED_DAY)
        for index, (disposition, _) in CLOSED.items():
            change_status(session, alerts[index].id, fatou, "closed", alerts[index].version,
                          disposition=disposition, reason="triage")
        for index, alert in enumerate(alerts):
            closed = CLOSED.get(index)
            session.execute(update(Alert).where(Alert.id == alert.id).values(
                created_at=_at(CREATED_DAY[index]),
                closed_at=_at(CREATED_DAY[index] + closed[1]) if closed else None,
            ).execution_options(synchronize_session=False))
    with database.transaction() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def test_weekly_counts_rates_and_time_to_close(database: Database,
                                               history: list[Alert]) -> None:
    with database.transaction() as session:
        board = dashboard(session, MONDAY, MONDAY + timedelta(days=20))
    weeks = [MONDAY, MONDAY + timedelta(weeks=1), MONDAY + timedelta(weeks=2)]
    assert board.weeks == weeks
    primary: dict[str, list[int]] = {}
    for index, alert in enumerate(history):
        primary.setdefault(alert.typologies[0], [0, 0, 0])[CREATED_DAY[index] // 7] += 1
    assert board.created == primary
    assert board.created_total == 8
    assert board.closed == {"false_positive": [1, 1, 0], "not_suspicious": [0, 1, 0],
                            "suspicious_reported": [0, 0, 1]}
    assert board.closed_total == 4
    assert board.mean_days_to_close == [pytest.approx(2.0), pytest.approx(4.75),
                                        pytest.approx(4.0)]
    expected: dict[str, list[int]] = {}
    for index, (disposition, _) in CLOSED.items():
        for list_id in history[index].list_ids:
            counts = expected.setdefault(list_id, [0, 0])
            counts[0] += 1
            counts[1] += disposition == "false_positive"
    assert {r.label: [r.closed, r.false_positives] for r in board.fp_by_list} == expected
    rules = {r.label: r for r in board.fp_by_rule}
    assert rules["TF-LIST-01"].closed == 4
    assert rules["TF-LIST-01"].percent == 50.0
    closed_counts = [r.closed for r in board.fp_by_list]
    assert closed_counts == sorted(closed_counts, reverse=True)


def test_the_range_limits_every_figure(database: Database, history: list[Alert]) -> None:
    """The second week only: the alerts created in the first and third weeks are out, and
    so are the alerts closed in those weeks."""
    with database.transaction() as session:
        board = dashboard(session, MONDAY + timedelta(days=7), MONDAY + timedelta(days=13))
    assert board.weeks == [MONDAY + timedelta(weeks=1)]
    assert board.created_total == 3
    assert board.closed == {"false_positive": [1], "not_suspicious": [1],
                            "suspicious_reported": [0]}
    assert board.mean_days_to_close == [pytest.approx(4.75)]
    assert sum(r.closed for r in board.fp_by_rule if r.label == "TF-LIST-01") == 2
    with database.transaction() as session:
        empty = dashboard(session, date(2024, 1, 1), date(2024, 1, 31))
    assert (empty.created_total, empty.closed_total, empty.fp_by_list) == (0, 0, [])
    assert empty.mean_days_to_close == [None] * len(empty.weeks)
    assert history


def test_default_range_is_the_last_26_weeks() -> None:
    start, end = default_range(date(2025, 6, 18))
    assert end == date(2025, 6, 18)
    assert start == monday(start)
    assert (monday(end) - start).days == 25 * 7


def test_rate_of_nothing_closed_is_zero() -> None:
    assert Rate("sample_un", 0, 0).percent == 0.0
    assert Rate("sample_un", 3, 1).percent == pytest.approx(33.333, rel=1e-3)
