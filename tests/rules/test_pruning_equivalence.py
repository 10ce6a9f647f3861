"""The optimised engine (pruned keys and accounts, plans shared by the rules of a key and
window) gives exactly the hits of the straightforward evaluation (``straightforward``), on a
generated Sahel batch with planted patterns, Zipf-busy accounts and hand-made busy accounts
whose quiet stretches fire or not depending on the busy days around them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from aml_screen.ingest import read_batch
from aml_screen.rules import RuleSet, evaluate_rules, load_rules
from aml_screen.rules.engine import prepare
from aml_screen.rules.eval_funnel import hopeful
from aml_screen.rules.examples import transactions_frame
from benchmarks.generate_batch import BATCH_COLUMNS, generate_batch
from benchmarks.plant_patterns import plant_patterns
from tests.rules.straightforward import aggregate_hits, funnel_hits

REPO = Path(__file__).resolve().parents[2]
ROWS, PER_PATTERN = 50_000, 10
START = datetime(2025, 3, 1, 6, tzinfo=UTC)
TIMEZONE = "Africa/Niamey"
ORDER = ["rule_id", "subject_type", "subject_id", "window_start"]


def _payment(tx: str, at: datetime, amount: int, src: str, dst: str,
             channel: str = "Orange Money") -> dict[str, Any]:
    return {"transaction_id": tx, "booked_at": at.isoformat(), "amount": str(amount),
            "currency": "XOF", "originator_name": f"Client {src}", "originator_account": src,
            "originator_country": "NE", "beneficiary_name": f"Client {dst}",
            "beneficiary_account": dst, "beneficiary_country": "NE", "channel": channel,
            "purpose": "transfert"}


def busy_rows() -> list[dict[str, Any]]:
    """Hand-made busy accounts around which pruning must not change a thing.

    ``BUSY-SHOP``: hundreds of payments of very different amounts every day (every day
    fails "similar amounts") and as many payments out to many suppliers.
    ``BUSY-THEN-FAN``: three busy days, then, twelve days later, nine similar payments
    from nine people (a fan-in after the busy stretch: it fires).
    ``SQUEEZED-FAN``: the same nine payments between two busy days six days apart (every
    seven-day window holding them holds a busy day: it does not fire).
    ``BUSY-FUNNEL``: an account paying ten parties a day for two days, then a funnel
    (twelve senders, then one transfer on of 90 %): its window holds many destinations, but
    only one after its first inflow, so it fires."""
    rows: list[dict[str, Any]] = []
    for day in range(28):
        for k in range(40):
            at = START + timedelta(days=day, minutes=17 * k)
            rows.append(_payment(f"SHOP-IN-{day}-{k}", at, 1_000 + 997 * k * (day + 1),
                                 f"CUST-{(day * 40 + k) % 333}", "BUSY-SHOP"))
            rows.append(_payment(f"SHOP-OUT-{day}-{k}", at + timedelta(minutes=5),
                                 2_000 + 113 * k, "BUSY-SHOP", f"SUPPLIER-{k % 29}"))

    def busy_day(account: str, day: int) -> None:
        for k in range(30):
            rows.append(_payment(f"{account}-B{day}-{k}",
                                 START + timedelta(days=day, minutes=20 * k),
                                 500 + 5_000 * k, f"WALK-IN-{k}", account))

    def fan(account: str, day: int) -> None:
        for k in range(9):
            rows.append(_payment(f"{account}-F{k}", START + timedelta(days=day, hours=9 * k),
                                 200_000 + 1_000 * k, f"FAMILY-{account}-{k}", account))

    for day in (0, 1, 2):
        busy_day("BUSY-THEN-FAN", day)
    fan("BUSY-THEN-FAN", 14)
    busy_day("SQUEEZED-FAN", 5)
    fan("SQUEEZED-FAN", 7)
    busy_day("SQUEEZED-FAN", 11)
    for k in range(12):
        rows.append(_payment(f"FUNNEL-IN-{k}", START + timedelta(days=2, hours=7 * k),
                             300_000, f"SENDER-{k}", "BUSY-FUNNEL"))
    rows.append(_payment("FUNNEL-OUT", START + timedelta(days=6), 3_240_000, "BUSY-FUNNEL",
                         "ORGANISER"))
    for day in (0, 1):
        for k in range(10):
            rows.append(_payment(f"FUNNEL-PAY-{day}-{k}", START + timedelta(days=day, hours=k),
                                 50_000 + 7_000 * k, "BUSY-FUNNEL", f"SHOPKEEPER-{k}"))
    return rows


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    return load_rules(REPO / "rules")


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    planted, _ = plant_patterns(generate_batch(ROWS, seed=13), PER_PATTERN, seed=17)
    extra = pl.DataFrame(busy_rows(), schema=dict.fromkeys(BATCH_COLUMNS, pl.String))
    raw = tmp_path_factory.mktemp("busy") / "batch.parquet"
    pl.concat([planted, extra.select(BATCH_COLUMNS)]).write_parquet(raw)
    ingested = read_batch(raw, None, timezone=TIMEZONE)
    assert ingested.quarantine.is_empty()
    return ingested.frame


@pytest.fixture(scope="module")
def optimised(shipped: RuleSet, batch: pl.DataFrame) -> pl.DataFrame:
    return evaluate_rules(shipped, batch, timezone=TIMEZONE)


def _same(found: pl.DataFrame, expected: pl.DataFrame) -> None:
    assert found.sort(ORDER).to_dicts() == expected.sort(ORDER).to_dicts()


def test_aggregate_rules_fire_exactly_as_without_pruning(
        shipped: RuleSet, batch: pl.DataFrame, optimised: pl.DataFrame) -> None:
    frame = prepare(shipped, batch, TIMEZONE)
    rules = shipped.of_kind("aggregate")
    expected = pl.concat([aggregate_hits(frame, rule, shipped.parameters) for rule in rules])
    found = optimised.filter(pl.col("rule_id").is_in([r.id for r in rules]))
    _same(found, expected)
    fired = set(expected["rule_id"])
    assert {"GEN-STRUCT-01", "GEN-FANIN-01", "GEN-FANOUT-01", "GEN-VELOCITY-01"} <= fired
    fan_in = expected.filter(pl.col("rule_id") == "GEN-FANIN-01")["subject_id"].to_list()
    assert "BUSY-THEN-FAN" in fan_in
    assert "SQUEEZED-FAN" not in fan_in
    assert "BUSY-SHOP" not in fan_in


def test_the_funnel_fires_exactly_as_without_pruning(
        shipped: RuleSet, batch: pl.DataFrame, optimised: pl.DataFrame) -> None:
    frame = prepare(shipped, batch, TIMEZONE)
    [rule] = [r for r in shipped.rules if r.id == "MS-FUNNEL-01"]
    expected = funnel_hits(frame, rule)
    _same(optimised.filter(pl.col("rule_id") == rule.id), expected)
    assert expected.height >= PER_PATTERN
    assert "BUSY-FUNNEL" in expected["subject_id"].to_list()


def test_the_funnel_pruning_keeps_few_accounts_of_a_busy_batch(
        shipped: RuleSet, batch: pl.DataFrame) -> None:
    """What the pruning is for: of the accounts with ten distinct senders that also send,
    only a few (the planted funnels among them) are windowed."""
    [rule] = [r for r in shipped.rules if r.id == "MS-FUNNEL-01"]
    assert rule.network is not None
    assert rule.window is not None
    edges = batch.filter(pl.col("originator_account").is_not_null()
                         & pl.col("beneficiary_account").is_not_null())
    events = pl.concat([
        edges.select(account="beneficiary_account", party="originator_account",
                     at="booked_at", inbound=pl.lit(value=True)),
        edges.select(account="originator_account", party="beneficiary_account",
                     at="booked_at", inbound=pl.lit(value=False)),
    ])
    senders = events.filter("inbound").group_by("account").agg(n=pl.col("party").n_unique())
    candidates = senders.filter(pl.col("n") >= rule.network.min_senders).join(
        events.filter(~pl.col("inbound")).select("account").unique(), on="account",
        how="semi")
    kept = hopeful(events.join(candidates, on="account", how="semi"), rule.network,
                   rule.window.length)["account"].to_list()
    assert "BUSY-SHOP" in candidates["account"].to_list()
    assert "BUSY-SHOP" not in kept
    assert "BUSY-FUNNEL" in kept
    assert len(kept) < candidates.height / 2


def test_a_funnel_paying_three_parties_after_its_inflows_is_pruned_and_does_not_fire(
        shipped: RuleSet) -> None:
    rows = [_payment(f"I{k}", START + timedelta(hours=k), 100_000, f"S{k}", "F")
            for k in range(12)]
    rows += [_payment(f"O{k}", START + timedelta(hours=20 + k), 390_000, "F", f"D{k}")
             for k in range(3)]
    [rule] = [r for r in shipped.rules if r.id == "MS-FUNNEL-01"]
    alone = RuleSet((rule,), shipped.parameters, ())
    assert evaluate_rules(alone, transactions_frame("f", rows)).is_empty()
    two = [*rows[:-1], _payment("O2", START + timedelta(hours=22), 390000, "F", "D0")]
    assert evaluate_rules(alone, transactions_frame("f", two))["subject_id"].to_list() == ["F"]


def partial_view_rows() -> list[dict[str, Any]]:
    """Ten collectors ``H0``..``H9`` (ten senders each, 90 % passed on to ``A``) and ``A``,
    which is no funnel: right after its first inflows it pays four shops, then sends most
    of the money back to ``H0``. Pruning keeps the transfers touching an account that may
    fire, so ``A`` is seen there with its inflows from the funnels and its transfer to
    ``H0`` only: a funnel, if it were evaluated on that partial view."""
    rows = []
    for h in range(10):
        rows += [_payment(f"H{h}-IN-{k}", START + timedelta(hours=5 * h, minutes=15 * k),
                          100_000, f"MIGRANT-{h}-{k}", f"H{h}") for k in range(10)]
        rows.append(_payment(f"H{h}-OUT", START + timedelta(hours=100 + h), 900_000,
                             f"H{h}", "A"))
    rows += [_payment(f"A-SHOP-{k}", START + timedelta(hours=100 + k, minutes=30), 50_000,
                      "A", f"SHOP-{k}") for k in range(4)]
    rows.append(_payment("A-BACK", START + timedelta(hours=115), 8_500_000, "A", "H0"))
    return rows


def test_an_account_seen_only_through_funnels_it_trades_with_is_not_evaluated(
        shipped: RuleSet) -> None:
    """Regression: the pruned evaluation fired on ``A`` (its view limited to transfers with
    accounts that may fire), the unpruned one does not."""
    [rule] = [r for r in shipped.rules if r.id == "MS-FUNNEL-01"]
    alone = RuleSet((rule,), shipped.parameters, ())
    batch = transactions_frame("f", partial_view_rows())
    expected = funnel_hits(prepare(alone, batch, TIMEZONE), rule)
    # H0 is no funnel either: A's transfer back outweighs what H0 passed on
    assert sorted(expected["subject_id"]) == [f"H{h}" for h in range(1, 10)]
    _same(evaluate_rules(alone, batch, timezone=TIMEZONE), expected)
