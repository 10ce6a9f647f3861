"""The subject's transactions across batches and its counterparties, on the sample batch
plus a second batch in which one listed subject trades with a dozen counterparties over
several weeks (``write_activity_batch``, also used by the web and browser tests)."""

from __future__ import annotations

import csv
import hashlib
import random
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from aml_screen.pipeline import run_screening
from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.store import Database
from aml_screen.store.loading import hit_entries, load_run, register_batch
from aml_screen.store.models import Alert
from aml_screen.store.subject_activity import subject_activity
from aml_screen.watchlists.loader import load_watchlists
from tests.store.samples import SAMPLE, load_sample, repo_settings

SUBJECT = "Iyad Ag Ghaly"
COUNTERPARTIES = [
    ("Awa Sangaré", "+22676605549", "BF"), ("SAHEL NEGOCE SARL", "SN0389944343790202811450", "SN"),
    ("Moussa Traoré", "+22677544159", "BF"), ("Orpaillage Kéniéba SARL", "+22670068061", "BF"),
    ("Halima Abakar", "NE8268767132914820592875", "NE"),
    ("Coopérative Agro-Pastorale du Liptako", "SN0454908248693415025231", "SN"),
    ("Ets Bétail du Gourma", "MR4407414220709705132539", "MR"),
    ("Ousmane Sidibé", "ML4999343338300044609013", "ML"),
    ("Amadou Kouffa", "+22370011223", "ML"),  # himself on the sample UN list
    ("Aïssata Maïga", "CI9546111393095597297926", "CI"),
    ("Youssouf Dicko", "ML1005559442769550931098", "ML"),
    ("Ramatou Abdou", "AE7132211844120548573806", "AE"),
]
HEADER = ["transaction_id", "booked_at", "amount", "currency", "originator_name",
          "originator_account", "originator_country", "beneficiary_name",
          "beneficiary_account", "beneficiary_country", "channel", "purpose"]
ACTIVITY_ROWS = 48
OWN_ACCOUNT = "+22171138538"


def write_activity_batch(path: Path, rows: int = ACTIVITY_ROWS) -> Path:
    """A batch where ``SUBJECT`` pays and is paid by ``COUNTERPARTIES`` over eleven weeks
    (fixed seed: the same file every time), amounts from 15 000 to 9 000 000 XOF."""
    rng = random.Random(20250301)
    start = datetime(2025, 1, 6, 8, 0)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index in range(rows):
            name, account, country = COUNTERPARTIES[min(int(rng.expovariate(0.35)),
                                                        len(COUNTERPARTIES) - 1)]
            booked = start + timedelta(days=rng.randint(0, 76), minutes=rng.randint(0, 600))
            amount = Decimal(rng.choice([15, 25, 50, 75, 150, 250, 480, 1000, 2500, 9000])
                             ) * 1000
            me = (SUBJECT, OWN_ACCOUNT, "SN")
            them = (name, account, country)
            orig, bene = (me, them) if rng.random() < 0.6 else (them, me)
            writer.writerow([f"TX-2025-A{index:04d}", booked.strftime("%Y-%m-%d %H:%M:%S"),
                             amount, "XOF", *orig, *bene,
                             rng.choice(["mobile_money", "wire", "cash_deposit"]),
                             rng.choice(["achat bétail", "paiement marchandises", "loyer"])])
    return path


def load_batch(database: Database, path: Path) -> int:
    """Screen ``path`` against the bundled lists and load it; returns the batch id."""
    settings = repo_settings()
    lists = load_watchlists(list(settings.default_watchlists), settings)
    run = run_screening([path], lists, threshold=settings.match_threshold,
                        timezone=settings.timezone, date_order=settings.date_order,
                        rules_dir=configured_rules(settings),
                        rule_parameters=parameters_override(settings))
    with database.transaction() as session:
        batch, _ = register_batch(session, path.name,
                                  hashlib.sha256(path.read_bytes()).hexdigest(),
                                  path.stat().st_size, None)
        load_run(session, batch, run, hit_entries(lists, run.hits))
        return batch.id


@pytest.fixture
def two_batches(database: Database, tmp_path: Path) -> Database:
    load_sample(database)
    load_batch(database, write_activity_batch(tmp_path / "activity.csv"))
    return database


def _sample_alert(database: Database, subject_id: str) -> Alert:
    with database.transaction() as session:
        return session.scalars(select(Alert).where(Alert.subject_id == subject_id)
                               .order_by(Alert.id)).first() or pytest.fail("no alert")


def _expected_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle)
                if SUBJECT in (row["originator_name"], row["beneficiary_name"])]


def test_timeline_covers_every_batch_and_marks_the_alerts_own(two_batches: Database,
                                                             tmp_path: Path) -> None:
    alert = _sample_alert(two_batches, "iyad ag ghaly")
    with two_batches.transaction() as session:
        activity = subject_activity(session, session.get_one(Alert, alert.id))
    frame = activity.transactions
    expected = _expected_rows(tmp_path / "activity.csv")
    assert frame.height == len(expected) + 1  # the sample batch's TX-2025-00047 too
    assert not activity.capped
    assert frame.filter("in_alert").get_column("transaction_id").to_list() == [
        "TX-2025-00047"]
    outgoing = sum(row["originator_name"] == SUBJECT for row in expected) + 1
    assert frame.filter(frame["direction"] == "out").height == outgoing
    times = frame.get_column("booked_at").to_list()
    assert times == sorted(times, reverse=True)


def test_counterparties_add_up_per_currency_and_flag_listed_ones(two_batches: Database,
                                                                 tmp_path: Path) -> None:
    alert = _sample_alert(two_batches, "iyad ag ghaly")
    with two_batches.transaction() as session:
        parties = subject_activity(session, session.get_one(Alert, alert.id)).counterparties
    expected = _expected_rows(tmp_path / "activity.csv")
    by_name = {p.name: p for p in parties}
    for name, _, _ in COUNTERPARTIES:
        rows = [r for r in expected if name in (r["originator_name"], r["beneficiary_name"])]
        if name == "Awa Sangaré":
            rows.append({"amount": "1000000", "originator_name": SUBJECT})  # sample batch
        if not rows:
            assert name not in by_name
            continue
        party = by_name[name]
        assert party.count == len(rows)
        assert party.totals == {"XOF": sum((Decimal(r["amount"]) for r in rows), Decimal(0))}
        assert party.received.get("XOF", Decimal(0)) == sum(
            (Decimal(r["amount"]) for r in rows if r["originator_name"] == SUBJECT),
            Decimal(0))
    with two_batches.transaction() as session:
        alerted = set(session.scalars(select(Alert.subject_id)))
    expected_flagged = {name for name, account, _ in COUNTERPARTIES
                        if name in by_name and (account in alerted or by_name[name].key in alerted)}
    assert {"Amadou Kouffa", "Awa Sangaré"} <= expected_flagged  # listed; cycle rule
    assert {p.name for p in parties if p.flagged} == expected_flagged
    counts = [p.count for p in parties]
    assert counts == sorted(counts, reverse=True)
    assert all(isinstance(v, Decimal) for p in parties for v in p.totals.values())


def test_reading_is_capped_at_the_newest(two_batches: Database) -> None:
    alert = _sample_alert(two_batches, "iyad ag ghaly")
    with two_batches.transaction() as session:
        full = subject_activity(session, session.get_one(Alert, alert.id))
        capped = subject_activity(session, session.get_one(Alert, alert.id), limit=10)
    assert capped.capped
    assert capped.transactions.height == 10
    assert capped.transactions.get_column("transaction_id").to_list() == (
        full.transactions.get_column("transaction_id").to_list()[:10])


def test_a_subject_seen_once_has_one_counterparty(two_batches: Database) -> None:
    alert = _sample_alert(two_batches, "ansar dine")
    with two_batches.transaction() as session:
        activity = subject_activity(session, session.get_one(Alert, alert.id))
    assert activity.transactions.get_column("transaction_id").to_list() == ["TX-2025-00050"]
    assert [(p.name, p.count, p.sent) for p in activity.counterparties] == [
        ("Souleymane Ouédraogo", 1, {})]
    assert SAMPLE.exists()


def test_only_the_busiest_counterparties_are_summed_up(two_batches: Database) -> None:
    """A merchant's thousands of customers: the alert page sums up the busiest few and says
    how many there are in all."""
    alert = _sample_alert(two_batches, "iyad ag ghaly")
    with two_batches.transaction() as session:
        every = subject_activity(session, session.get_one(Alert, alert.id))
        busiest = subject_activity(session, session.get_one(Alert, alert.id),
                                   counterparty_limit=3)
    assert every.counterparty_count == len(every.counterparties) > 3
    assert busiest.counterparty_count == every.counterparty_count
    assert busiest.counterparties == every.counterparties[:3]
    counts = [party.count for party in every.counterparties]
    assert counts == sorted(counts, reverse=True)


def test_a_capped_read_keeps_the_alerts_own_transactions(two_batches: Database) -> None:
    """An alert whose transactions are older than the subject's newest keeps them on its
    page (ringed), after the newest."""
    alert = _sample_alert(two_batches, "iyad ag ghaly")
    with two_batches.transaction() as session:
        full = subject_activity(session, session.get_one(Alert, alert.id))
        ids = full.transactions.get_column("transaction_id").to_list()
        newer = ids.index("TX-2025-00047")
        assert newer >= 3  # the activity batch has later transactions
        capped = subject_activity(session, session.get_one(Alert, alert.id), limit=3)
    assert capped.capped
    assert capped.transactions.get_column("transaction_id").to_list() == [
        *ids[:3], "TX-2025-00047"]
    assert capped.transactions.filter("in_alert").height == 1
