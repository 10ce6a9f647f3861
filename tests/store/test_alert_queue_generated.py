"""The queue on a generated batch of about a hundred alerts spread over statuses and
assignees: every filter, sort, page, count and menu agrees with a plain Python computation
over the alerts and the batch's transactions, and no queue query reads the transactions
table (the join that made the queue take 43 s per view at volume)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select

from aml_screen.store import Database, alert_keyset, alert_queue, triage
from aml_screen.store.alert_keyset import alerts_after
from aml_screen.store.alert_queue import (
    AlertFilter,
    alert_detail,
    filter_choices,
    list_alerts,
    queue_view,
    status_counts,
)
from aml_screen.store.models import ALERT_STATUSES, Alert, ListedEntry, User
from aml_screen.store.triage import take_next
from tests.store.generated import generated_run, load_generated
from tests.store.samples import SampleRun, add_user

USERS = ["fatou", "moussa"]


@dataclass(frozen=True)
class Row:
    id: int
    status: str
    assignee: str | None
    risk: float
    created: datetime
    subject: str
    labels: dict[str, set[str]]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> SampleRun:
    return generated_run(tmp_path_factory.mktemp("generated"))


@pytest.fixture
def store(database: Database, generated: SampleRun) -> Database:
    for name in USERS:
        add_user(database, name, "investigator")
    load_generated(database, generated, USERS)
    return database


def _rows(database: Database, sample: SampleRun) -> list[Row]:
    """Every stored alert with its labels computed in Python: lists, rules and typologies
    from its JSON columns, countries from the batch's transactions (either side)."""
    sides = {t["transaction_id"]: {t["originator_country"], t["beneficiary_country"]}
             for t in sample.run.transactions.iter_rows(named=True)}
    with database.transaction() as session:
        names = dict(session.execute(select(User.id, User.username)).all())
        alerts = session.scalars(select(Alert)).all()
        return [Row(a.id, a.status, names.get(a.assignee_id) if a.assignee_id else None,
                    a.risk_score, a.created_at, a.subject_name, {
                        "list": set(a.list_ids), "rule": set(a.rule_ids),
                        "typology": set(a.typologies),
                        "country": {c for t in a.transaction_ids for c in sides[t] if c}})
                for a in alerts]


def _selects(row: Row, flt: AlertFilter, viewer: str | None = None) -> bool:
    wanted_status = {"open": row.status != "closed", None: True}.get(
        flt.status, row.status == flt.status)
    assignee = {None: True, "none": row.assignee is None, "me": row.assignee == viewer}.get(
        flt.assignee, row.assignee == flt.assignee)
    labels = all(value in row.labels[kind] for kind, value in (
        ("list", flt.list_id), ("rule", flt.rule_id), ("typology", flt.typology),
        ("country", flt.country)) if value)
    risk = ((flt.min_risk is None or row.risk >= flt.min_risk)
            and (flt.max_risk is None or row.risk <= flt.max_risk))
    return wanted_status and assignee and labels and risk


SORT_KEYS: dict[str, Any] = {
    "-risk": lambda r: (-r.risk, r.id), "risk": lambda r: (r.risk, -r.id),
    "-created": lambda r: (r.created, r.id), "created": lambda r: (r.created, r.id),
    "subject": lambda r: (r.subject, r.id),
}


def _expected(rows: list[Row], flt: AlertFilter, viewer: str | None = None) -> list[int]:
    ordered = sorted((r for r in rows if _selects(r, flt, viewer)), key=SORT_KEYS[flt.sort],
                     reverse=flt.sort == "-created")
    return [r.id for r in ordered]


def _filters(rows: list[Row]) -> Iterator[AlertFilter]:
    """Every label value of every kind, alone and with each status choice, plus a few
    combinations with assignees and risk bounds."""
    for kind, field in (("list", "list_id"), ("rule", "rule_id"), ("typology", "typology"),
                        ("country", "country")):
        for value in sorted({v for r in rows for v in r.labels[kind]}):
            for status in (None, "open", *ALERT_STATUSES):
                yield AlertFilter(status=status, **{field: value})
    countries = sorted({v for r in rows for v in r.labels["country"]})
    yield AlertFilter(status=None, typology="sanctions", country=countries[0])
    yield AlertFilter(status="open", assignee="none", min_risk=90)
    yield AlertFilter(status=None, assignee="moussa", max_risk=95, country=countries[-1])
    yield AlertFilter(status="in_review", assignee="fatou")


def test_the_generated_batch_is_varied_enough(store: Database,
                                              generated: SampleRun) -> None:
    rows = _rows(store, generated)
    assert len(rows) >= 60
    assert {r.status for r in rows} == set(ALERT_STATUSES)
    for kind, at_least in (("list", 2), ("rule", 2), ("typology", 2), ("country", 5)):
        assert len({v for r in rows for v in r.labels[kind]}) >= at_least, kind


def test_every_filter_lists_and_counts_what_python_finds(store: Database,
                                                         generated: SampleRun) -> None:
    rows = _rows(store, generated)
    checked = 0
    with store.transaction() as session:
        for flt in _filters(rows):
            page = list_alerts(session, replace(flt, per_page=500))
            assert [a.id for a, _ in page.items] == _expected(rows, flt), flt
            assert page.total == len(page.items)
            assert not page.more
            counts = status_counts(session, flt)
            assert counts == {s: len(_expected(rows, replace(flt, status=s)))
                              for s in ALERT_STATUSES}, flt
            assert list_alerts(session, replace(flt, per_page=500), counts) == page
            checked += bool(page.items)
    assert checked >= 40


@pytest.mark.parametrize("sort", list(SORT_KEYS))
def test_every_sort_pages_through_what_python_sorts(store: Database, generated: SampleRun,
                                                    sort: str) -> None:
    rows = _rows(store, generated)
    flt = AlertFilter(status=None, sort=sort, per_page=7)
    expected = _expected(rows, flt)
    with store.transaction() as session:
        first = list_alerts(session, flt)
        pages = [first, *(list_alerts(session, replace(flt, page=p))
                          for p in range(2, first.pages + 1))]
    assert first.pages == -(-len(expected) // 7)
    assert [a.id for page in pages for a, _ in page.items] == expected


def test_counts_stop_at_the_cap_and_so_does_the_pager(store: Database, generated: SampleRun,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows(store, generated)
    monkeypatch.setattr(alert_queue, "COUNT_CAP", 20)
    flt = AlertFilter(status=None, per_page=7)
    with store.transaction() as session:
        first = list_alerts(session, flt)
        last = list_alerts(session, replace(flt, page=99))
        counts = status_counts(session, flt)
        assert list_alerts(session, flt, counts) == first
        narrow = replace(flt, status="escalated")
        assert list_alerts(session, narrow, status_counts(session, narrow)) == list_alerts(
            session, narrow)
    assert (first.total, first.more, first.pages) == (20, True, 3)
    assert last.page == 3
    assert [a.id for a, _ in last.items] == _expected(rows, flt)[14:21]
    assert counts == {s: min(21, sum(r.status == s for r in rows)) for s in ALERT_STATUSES}


def test_label_filters_past_the_cap_count_each_status_from_the_labels_alone(
        store: Database, generated: SampleRun, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the cap, each status tab under label filters is counted on the labels' index
    alone (labels carry their alert's status): the same numbers as Python finds, and no
    count statement reads the alerts table."""
    rows = _rows(store, generated)
    monkeypatch.setattr(alert_queue, "COUNT_CAP", 3)
    countries = sorted({v for r in rows for v in r.labels["country"]},
                       key=lambda c: -sum(c in r.labels["country"] for r in rows))
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    checked = 0
    for flt in (AlertFilter(country=countries[0]),
                AlertFilter(country=countries[0], typology="sanctions"),
                AlertFilter(country=countries[1], list_id=sorted(
                    {v for r in rows for v in r.labels["list"]})[0])):
        expected = {s: min(4, len(_expected(rows, replace(flt, status=s))))
                    for s in ALERT_STATUSES}
        event.listen(store.engine, "before_cursor_execute", seen)
        try:
            with store.transaction() as session:
                counts = status_counts(session, flt)
                totals = {s: list_alerts(session, replace(flt, status=s)).total
                          for s in ALERT_STATUSES}
        finally:
            event.remove(store.engine, "before_cursor_execute", seen)
        assert counts == expected, flt
        assert totals == {s: min(3, n) for s, n in expected.items()}, flt
        checked += sum(n > 3 for n in expected.values())
    per_status = [s for s in statements if s.count("count(") >= len(ALERT_STATUSES)]
    assert per_status
    assert not [s for s in per_status if re.search(r"\bFROM alerts\b", s)]
    assert checked >= 2


@pytest.mark.parametrize("few", [5, 100_000])
def test_the_queue_view_reads_few_labelled_alerts_once_with_the_same_result(
        store: Database, generated: SampleRun, monkeypatch: pytest.MonkeyPatch,
        few: int) -> None:
    """Under a filter of labels alone selecting at most ``FEW`` alerts, the queue is read
    from one pass over the labels: the same counts and page as counting and listing."""
    rows = _rows(store, generated)
    monkeypatch.setattr(alert_queue, "FEW", few)
    monkeypatch.setattr(alert_queue, "COUNT_CAP", 8)
    checked = 0
    with store.transaction() as session:
        for flt in _filters(rows):
            for sort, page in (("-risk", 1), ("created", 2), ("subject", 1)):
                shown = replace(flt, sort=sort, page=page, per_page=4)
                counts = status_counts(session, shown)
                assert queue_view(session, shown) == (counts,
                                                      list_alerts(session, shown, counts))
                checked += 1
    assert checked >= 100


def test_menus_offer_every_label_value_stored(store: Database, generated: SampleRun) -> None:
    rows = _rows(store, generated)
    with store.transaction() as session:
        choices = filter_choices(session)
    for kind in ("list", "rule", "typology", "country"):
        assert choices[kind] == sorted({v for r in rows for v in r.labels[kind]}), kind
    assert choices["assignee"] == USERS


def test_take_next_takes_the_highest_risk_new_alert_the_filter_selects(
        store: Database, generated: SampleRun) -> None:
    rows = _rows(store, generated)
    free = AlertFilter(status="new", assignee="none")
    top = _expected(rows, free)[0]
    country = next(c for c in sorted({v for r in rows for v in r.labels["country"]})
                   if c not in next(r for r in rows if r.id == top).labels["country"]
                   and _expected(rows, replace(free, country=c)))
    wanted = _expected(rows, replace(free, country=country))
    with store.transaction() as session:
        fatou = session.scalars(select(User).where(User.username == "fatou")).one()
        taken = take_next(session, fatou, AlertFilter(country=country, status="closed",
                                                      assignee="moussa"))
        assert taken is not None
        assert (taken.id, taken.status, taken.assignee_id) == (wanted[0], "in_review",
                                                                fatou.id)
        for _ in wanted[1:]:
            assert take_next(session, fatou, AlertFilter(country=country)) is not None
        assert take_next(session, fatou, AlertFilter(country=country)) is None
        assert take_next(session, fatou) is not None  # other new alerts remain


def test_no_queue_query_reads_the_transactions_table(store: Database,
                                                     generated: SampleRun) -> None:
    rows = _rows(store, generated)
    country = sorted({v for r in rows for v in r.labels["country"]})[0]
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        with store.transaction() as session:
            fatou = session.scalars(select(User).where(User.username == "fatou")).one()
            for flt in (AlertFilter(), AlertFilter(country=country, typology="sanctions",
                                                   sort="created")):
                list_alerts(session, flt)
                status_counts(session, flt)
            filter_choices(session)
            take_next(session, fatou, AlertFilter(country=country))
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    assert len(statements) >= 10
    assert not [s for s in statements if re.search(r"\btransactions\b", s)]


def test_the_detail_reads_only_the_listed_entries_its_hits_refer_to(
        store: Database, generated: SampleRun) -> None:
    with store.transaction() as session:
        stored = session.scalar(select(func.count(ListedEntry.id)))
        alert = session.scalars(select(Alert).where(Alert.hit_count > 0)
                                .order_by(Alert.id)).first()
        assert alert is not None
    asked: list[set[Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if re.search(r"FROM listed_entries\b", statement):
            values = parameters.values() if isinstance(parameters, dict) else parameters
            asked.append(set(values))

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        with store.transaction() as session:
            detail = alert_detail(session, alert.id)
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    keys = {(v.hit.list_version, v.hit.list_id, v.hit.entry_id) for v in detail.hits}
    assert all(v.entry is not None and (v.entry.list_version, v.entry.list_id,
                                        v.entry.entry_id) == (v.hit.list_version,
                                                              v.hit.list_id, v.hit.entry_id)
               for v in detail.hits)
    assert stored is not None
    assert stored > len(keys)
    assert len(asked) == 1
    assert {entry_id for _version, _list, entry_id in keys} <= asked[0]


def test_take_next_moves_on_when_a_whole_batch_was_taken_meanwhile(
        store: Database, generated: SampleRun, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty investigators pressing "next" together can take every candidate one of them
    read before it claims any: it then reads the next ones, instead of saying none is left."""
    rows = _rows(store, generated)
    free = _expected(rows, AlertFilter(status="new", assignee="none"))
    claim = triage._claim
    lost: list[int] = []

    def raced(session: Any, actor: Any, alert_id: int, version: int) -> Any:
        if len(lost) < 2:
            lost.append(alert_id)
            return None
        return claim(session, actor, alert_id, version)

    monkeypatch.setattr(triage, "TAKE_BATCH", 2)
    monkeypatch.setattr(triage, "_claim", raced)
    with store.transaction() as session:
        fatou = session.scalars(select(User).where(User.username == "fatou")).one()
        taken = take_next(session, fatou)
    assert lost == free[:2]
    assert taken is not None
    assert taken.id == free[2]


@pytest.mark.parametrize(("window", "few"), [(3, 100_000), (3, 2), (100_000, 100_000)])
def test_keyset_pages_under_label_filters_follow_what_python_sorts(
        store: Database, generated: SampleRun, monkeypatch: pytest.MonkeyPatch, window: int,
        few: int) -> None:
    """Page after page by key under every filter, whichever way a page under labels is
    found: among the next few alerts of the walk (``WINDOW``), from the label indexes'
    ids (a filter of labels alone, up to ``FEW``), or by the walk alone."""
    rows = _rows(store, generated)
    monkeypatch.setattr(alert_keyset, "WINDOW", window)
    monkeypatch.setattr(alert_keyset, "FEW", few)
    monkeypatch.setattr(alert_keyset, "LABELLED_IDS", few)
    checked = 0
    with store.transaction() as session:
        for flt in _filters(rows):
            for sort in ("-risk", "created", "subject"):
                shown = replace(flt, sort=sort)
                found: list[int] = []
                after = None
                while True:
                    page = alerts_after(session, shown, after, 4)
                    found += [alert.id for alert, _ in page.items]
                    if page.next_key is None:
                        break
                    after = page.next_key
                assert found == _expected(rows, shown), shown
                checked += len(found) > 4
    assert checked >= 40


@pytest.mark.parametrize("window", [3, 100_000])
def test_queue_pages_under_label_filters_follow_what_python_sorts(
        store: Database, generated: SampleRun, monkeypatch: pytest.MonkeyPatch,
        window: int) -> None:
    """Every page of the queue under every filter, whether the page is found among the
    first ``WINDOW`` alerts of the walk or by walking on, last pages included."""
    rows = _rows(store, generated)
    monkeypatch.setattr(alert_keyset, "WINDOW", window)
    checked = 0
    with store.transaction() as session:
        for flt in _filters(rows):
            for sort in ("-risk", "-created", "subject"):
                shown = replace(flt, sort=sort, per_page=4)
                first = list_alerts(session, shown)
                found = [a.id for a, _ in first.items]
                for page in range(2, first.pages + 1):
                    found += [a.id for a, _ in list_alerts(session,
                                                           replace(shown, page=page)).items]
                assert found == _expected(rows, shown), shown
                checked += first.pages > 1
    assert checked >= 40
