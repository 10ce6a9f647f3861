from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from aml_screen.store import Database
from aml_screen.store.alert_queue import (
    AlertFilter,
    alert_detail,
    filter_choices,
    list_alerts,
    status_counts,
)
from aml_screen.store.base import utcnow
from aml_screen.store.models import Alert, User
from aml_screen.store.triage import change_status, take_next
from tests.store.samples import add_user, load_sample, sample_run


@pytest.fixture
def loaded(database: Database) -> Database:
    add_user(database, "fatou", "investigator")
    load_sample(database)
    with database.transaction() as session:
        fatou = session.scalars(select(User).where(User.username == "fatou")).one()
        taken = take_next(session, fatou)
        assert taken is not None
        lowest = session.scalars(select(Alert).order_by(Alert.risk_score, Alert.id)).first()
        assert lowest is not None
        change_status(session, lowest.id, fatou, "closed", lowest.version,
                      disposition="false_positive", reason="homonym")
    return database


def _ids(database: Database, flt: AlertFilter) -> list[str]:
    with database.transaction() as session:
        return [a.subject_id for a, _ in list_alerts(session, flt).items]


def _expected(predicate: str) -> list[str]:
    """Subjects of the sample's alerts for a polars filter, highest risk first."""
    import polars as pl

    alerts = sample_run().run.alerts.sort(["risk_score", "subject_id"],
                                          descending=[True, False])
    return alerts.filter(pl.sql_expr(predicate)).get_column("subject_id").to_list()


@pytest.mark.parametrize(("flt", "predicate"), [
    (AlertFilter(status=None), "true"),
    (AlertFilter(status=None, min_risk=97), "risk_score >= 97"),
    (AlertFilter(status=None, max_risk=97.5), "risk_score <= 97.5"),
    (AlertFilter(status=None, list_id="sample_un"), "array_contains(list_ids, 'sample_un')"),
    (AlertFilter(status=None, typology="sanctions"), "array_contains(typologies, 'sanctions')"),
    (AlertFilter(status=None, typology="structuring"), "false"),
    (AlertFilter(status=None, created_from=date.today() - timedelta(days=1)), "true"),
    (AlertFilter(status=None, created_to=date.today() - timedelta(days=1)), "false"),
])
def test_filters(loaded: Database, flt: AlertFilter, predicate: str) -> None:
    assert _ids(loaded, flt) == _expected(predicate)


def test_rule_filter(loaded: Database) -> None:
    fired = sample_run().run.rule_hits.get_column("rule_id").unique().sort().to_list()
    if not fired:
        pytest.skip("no rule fires on the sample batch")
    for rule_id in fired:
        assert _ids(loaded, AlertFilter(status=None, rule_id=rule_id)) == _expected(
            f"array_contains(rule_ids, '{rule_id}')")


def test_sorting_and_paging(loaded: Database) -> None:
    everything = _ids(loaded, AlertFilter(status=None, sort="risk", per_page=100))
    pages = [_ids(loaded, AlertFilter(status=None, sort="risk", per_page=3, page=p))
             for p in (1, 2, 3)]
    assert [s for page in pages for s in page] == everything
    assert sorted(everything) == sorted(_expected("true"))
    with loaded.transaction() as session:
        scores = [a.risk_score for a, _ in list_alerts(
            session, AlertFilter(status=None, sort="risk", per_page=100)).items]
    assert scores == sorted(scores)
    with loaded.transaction() as session:
        page = list_alerts(session, AlertFilter(status=None, per_page=3, page=99))
    assert (page.page, page.pages, page.total) == (3, 3, len(everything))


def test_status_and_assignee_filters_with_counts(loaded: Database) -> None:
    with loaded.transaction() as session:
        fatou_id = session.scalars(select(User.id)).one()
        open_page = list_alerts(session, AlertFilter())
        mine = list_alerts(session, AlertFilter(assignee="me", viewer_id=fatou_id))
        by_name = list_alerts(session, AlertFilter(assignee="fatou"))
        unassigned = list_alerts(session, AlertFilter(assignee="none", status="new"))
        counts = status_counts(session, AlertFilter(status="closed"))
    total = sample_run().run.alerts.height
    assert counts == {"new": total - 2, "in_review": 1, "escalated": 0, "closed": 1}
    assert open_page.total == total - 1
    assert [a.id for a, _ in mine.items] == [a.id for a, _ in by_name.items]
    assert [name for _, name in mine.items] == ["fatou"]
    assert unassigned.total == total - 2


def test_filter_choices_offer_what_is_stored(loaded: Database) -> None:
    with loaded.transaction() as session:
        choices = filter_choices(session)
    assert choices["list"] == sorted(
        set(sample_run().run.alerts.get_column("list_ids").explode().drop_nulls()))
    alerts = sample_run().run.alerts
    assert choices["typology"] == sorted(set(alerts.get_column("typologies").explode()))
    assert choices["rule"] == sorted(set(alerts.get_column("rule_ids").explode().drop_nulls()))
    assert choices["assignee"] == ["fatou"]


def test_detail_has_transactions_hits_and_listed_entries(loaded: Database) -> None:
    with loaded.transaction() as session:
        alert = session.scalars(select(Alert).order_by(Alert.risk_score.desc(),
                                                      Alert.id)).first()
        assert alert is not None
        detail = alert_detail(session, alert.id)
    assert [t.transaction_id for t in detail.transactions] == sorted(alert.transaction_ids)
    assert detail.hits
    assert all(v.entry is not None for v in detail.hits)
    assert all(v.hit.party_name_normalised == alert.subject_id for v in detail.hits)
    assert detail.assignee == "fatou"
    assert detail.batch.status == "done"
    assert detail.alert.created_at <= utcnow()


def test_default_filter_is_open_work() -> None:
    assert replace(AlertFilter(), page=2).status == "open"


def _countries_expected() -> dict[str, list[str]]:
    """Country → subjects whose alerted transactions have it on either side (polars)."""
    import polars as pl

    run = sample_run().run
    sides = run.alerts.select("subject_id", "risk_score", "transaction_ids").explode(
        "transaction_ids").join(run.transactions, left_on="transaction_ids",
                                right_on="transaction_id")
    long = pl.concat([sides.select("subject_id", "risk_score", country=c)
                      for c in ("originator_country", "beneficiary_country")])
    found: dict[str, list[str]] = {}
    for (country,), group in long.drop_nulls("country").unique(["subject_id", "country"]
                                                               ).group_by("country"):
        found[str(country)] = group.sort(["risk_score", "subject_id"],
                                         descending=[True, False])["subject_id"].to_list()
    return found


def test_country_filter_looks_at_both_sides_of_the_alerts_transactions(
        loaded: Database) -> None:
    expected = _countries_expected()
    assert len(expected) >= 3
    with loaded.transaction() as session:
        assert filter_choices(session)["country"] == sorted(expected)
    for country, subjects in expected.items():
        assert _ids(loaded, AlertFilter(status=None, country=country)) == subjects
    assert _ids(loaded, AlertFilter(status=None, country="FR")) == []
    with loaded.transaction() as session:
        counts = status_counts(session, AlertFilter(country="NE"))
    assert sum(counts.values()) == len(expected["NE"])


def test_filter_menus_offer_the_labels_of_an_alert_added_after_they_were_read(
        loaded: Database) -> None:
    """The menus are kept between views, and read again once a new alert exists."""
    from aml_screen.store.models import AlertLabel

    with loaded.transaction() as session:
        assert "TD" not in filter_choices(session)["country"]
        first = session.scalars(select(Alert).order_by(Alert.id)).first()
        assert first is not None
        copied = {column.key: getattr(first, column.key) for column in Alert.__table__.columns
                  if column.key not in ("id", "alert_key")}
        added = Alert(**copied, alert_key="added-after-the-menus-were-read")
        session.add(added)
        session.flush()
        session.add(AlertLabel(alert_id=added.id, kind="country", value="TD"))
    with loaded.transaction() as session:
        assert "TD" in filter_choices(session)["country"]


def test_labels_follow_their_alerts_status_and_filter_each_tab(loaded: Database) -> None:
    """A label filter on one status reads the labels' copy of the status: every change of
    an alert's status (by the ORM or by a bulk UPDATE) reaches its labels."""
    from sqlalchemy import func, update

    from aml_screen.store.models import AlertLabel

    def unequal() -> int:
        with loaded.transaction() as session:
            return session.scalar(select(func.count()).select_from(AlertLabel).join(
                Alert, Alert.id == AlertLabel.alert_id).where(
                    AlertLabel.status != Alert.status)) or 0

    assert unequal() == 0  # the fixture took one alert into review and closed another
    with loaded.transaction() as session:
        fatou = session.scalars(select(User).where(User.username == "fatou")).one()
        target = session.scalars(select(Alert).where(Alert.status == "new")
                                 .order_by(Alert.id)).first()
        assert target is not None
        typology = target.typologies[0]
        change_status(session, target.id, fatou, "in_review", target.version)
        change_status(session, target.id, fatou, "escalated",
                      session.get_one(Alert, target.id).version)
        session.execute(update(Alert).where(Alert.status == "new").values(status="in_review"))
    assert unequal() == 0
    escalated = _ids(loaded, AlertFilter(status="escalated", typology=typology))
    assert target.subject_id in escalated
    assert _ids(loaded, AlertFilter(status="new", typology=typology)) == []
    with loaded.transaction() as session:
        counts = status_counts(session, AlertFilter(typology=typology))
        alerts = session.scalars(select(Alert)).all()
    expected = {status: sum(1 for a in alerts if a.status == status and typology in a.typologies)
                for status in counts}
    assert counts == expected
    assert counts["new"] == 0
    assert counts["escalated"] >= 1
