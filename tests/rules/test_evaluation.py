"""Evaluating rule sets: subjects, evidence, windows, pruning, sequence and list rules."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from aml_screen.rules import RuleSet, evaluate_rules, load_rules
from aml_screen.rules import eval_aggregate as agg
from aml_screen.rules.examples import transactions_frame
from aml_screen.rules.grammar import parse
from aml_screen.schema import HIT_SCHEMA, RULE_HIT_SCHEMA, TRANSACTION_SCHEMA

REPO = Path(__file__).resolve().parents[2]
START = datetime(2025, 3, 3, 8, tzinfo=UTC)


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    return load_rules(REPO / "rules")


def only(rule_set: RuleSet, *ids: str) -> RuleSet:
    return RuleSet(tuple(r for r in rule_set.rules if r.id in ids), rule_set.parameters, ())


def deposits(account: str, hours: list[int], amount: int = 4_800_000,
             channel: str = "Versement espèces") -> list[dict[str, Any]]:
    return [{"transaction_id": f"{account}-{h}", "amount": amount, "channel": channel,
             "beneficiary_account": account, "beneficiary_name": f"Owner {account}",
             "booked_at": (START + timedelta(hours=h)).isoformat()} for h in hours]


def test_structuring_fires_per_account_with_its_transactions_and_evidence(
        shipped: RuleSet) -> None:
    rows = [*deposits("ML01", [0, 30, 70]), *deposits("ML02", [0, 200, 400]),
            *deposits("ML03", [0, 5, 10], amount=2_000_000)]
    hits = evaluate_rules(only(shipped, "GEN-STRUCT-01"), transactions_frame("t", rows))
    assert hits.schema == pl.Schema(RULE_HIT_SCHEMA)
    [hit] = hits.to_dicts()
    assert (hit["subject_type"], hit["subject_id"], hit["subject_name"]) == (
        "account", "ML01", "Owner ML01")
    assert hit["transaction_ids"] == ["ML01-0", "ML01-30", "ML01-70"]
    evidence = json.loads(hit["evidence"])
    assert evidence["values"] == {"deposits": 3, "total_xof": "14400000"}
    assert evidence["having"] == "deposits >= param.structuring_min_count"
    assert evidence["parameters"]["param.structuring_min_count"] == "3"
    assert evidence["window"] == "7d"
    assert hit["window_start"] <= START < START + timedelta(hours=70) < hit["window_end"]


def test_overlapping_firing_windows_merge_into_one_hit(shipped: RuleSet) -> None:
    rows = deposits("ML01", [0, 24, 48, 72, 96, 120, 144])
    hits = evaluate_rules(only(shipped, "GEN-STRUCT-01"), transactions_frame("t", rows))
    assert hits.height == 1
    assert len(hits["transaction_ids"][0]) == 7


def test_a_depositor_without_account_is_the_party(shipped: RuleSet) -> None:
    rows = [{**r, "beneficiary_account": None} for r in deposits("X", [0, 1, 2])]
    rows += [{**r, "beneficiary_account": None, "beneficiary_name": "Mme  Awa  TRAORÉ"}
             for r in deposits("Y", [0, 1, 2])]
    hits = evaluate_rules(only(shipped, "GEN-STRUCT-01"), transactions_frame("t", rows))
    assert sorted(hits["subject_type"]) == ["party", "party"]
    assert "awa traore" in hits["subject_id"].to_list()


@pytest.mark.parametrize(
    ("having", "monotone"),
    [
        ("n >= 3", True),
        ("n >= 3 and total > param.x", True),
        ("n >= 3 or senders > 4", True),
        ("share >= 0.5", False),
        ("n <= 3", False),
        ("n >= 3 and share > 0.5", False),
        ("not n < 3", False),
        ("n >= senders", False),
    ],
)
def test_only_threshold_rules_on_monotone_aggregates_are_pruned(having: str,
                                                                monotone: bool) -> None:
    kinds = {"n": True, "total": True, "senders": True, "share": False}
    assert agg.is_monotone(parse(having), kinds) is monotone


@pytest.mark.parametrize(
    ("having", "part"),
    [
        ("n >= 3 and share > 0.5", "n >= 3"),
        ("share > 0.5 and (n >= 3 and total > 5)", "n >= 3 and total > 5"),
        ("share > 0.5 and n < 3", None),
        ("n >= 3 or share > 0.5", None),
    ],
)
def test_the_monotone_part_of_a_having_prunes(having: str, part: str | None) -> None:
    kinds = {"n": True, "total": True, "share": False}
    found = agg.monotone_part(parse(having), kinds)
    without_positions = re.compile(r"pos=\d+")
    assert (without_positions.sub("", repr(found)) if found else None) == (
        without_positions.sub("", repr(parse(part))) if part else None)


def test_pruning_changes_nothing_but_the_work(shipped: RuleSet) -> None:
    """The same hits with pruning (monotone having) and without (a non-monotone twin)."""
    rows = [*deposits("ML01", [0, 30, 70]), *deposits("ML02", [0, 300]),
            *deposits("ML04", [0, 1, 2, 3], amount=100)]
    frame = transactions_frame("t", rows)
    rule = next(r for r in shipped.rules if r.id == "GEN-STRUCT-01")
    twin_node = parse("deposits >= param.structuring_min_count or not deposits > 1000")
    twin = replace(rule, having_node=twin_node)
    assert agg.prune_condition(rule, shipped.parameters) is not None
    assert agg.prune_condition(twin, shipped.parameters) is None
    pruned = evaluate_rules(RuleSet((rule,), shipped.parameters, ()), frame)
    unpruned = evaluate_rules(RuleSet((twin,), shipped.parameters, ()), frame)
    assert pruned.drop("evidence").equals(unpruned.drop("evidence"))
    assert pruned.height == 1


def test_fan_in_counts_distinct_senders_not_transfers(shipped: RuleSet) -> None:
    base = {"beneficiary_account": "B", "channel": "Orange Money", "amount": 200_000}
    many = [{**base, "originator_name": f"Sender {i}", "transaction_id": f"m{i}",
             "booked_at": (START + timedelta(hours=i)).isoformat()} for i in range(8)]
    repeat = [{**base, "beneficiary_account": "C", "originator_name": "Same",
               "transaction_id": f"r{i}"} for i in range(20)]
    hits = evaluate_rules(only(shipped, "GEN-FANIN-01"), transactions_frame("t", many + repeat))
    assert hits["subject_id"].to_list() == ["B"]
    assert json.loads(hits["evidence"][0])["values"]["senders"] == 8


def test_pass_through_pairs_in_and_out_of_one_account(shipped: RuleSet) -> None:
    rows = [
        {"transaction_id": "in", "amount": 5_000_000, "beneficiary_account": "M",
         "originator_country": "CI", "booked_at": START.isoformat()},
        {"transaction_id": "out", "amount": 4_700_000, "originator_account": "M",
         "beneficiary_country": "LY", "booked_at": (START + timedelta(hours=20)).isoformat()},
        {"transaction_id": "other", "amount": 4_700_000, "originator_account": "N",
         "booked_at": (START + timedelta(hours=20)).isoformat()},
    ]
    hits = evaluate_rules(only(shipped, "GEN-PASSTHRU-01"), transactions_frame("t", rows))
    [hit] = hits.to_dicts()
    assert (hit["subject_id"], hit["transaction_ids"]) == ("M", ["in", "out"])
    assert json.loads(hit["evidence"])["first_pairs"][0]["out_xof"] == "4700000"


def test_transaction_rules_group_per_subject(shipped: RuleSet) -> None:
    rows = [{"transaction_id": f"c{i}", "amount": 16_000_000, "channel": "cash",
             "beneficiary_account": "ACC" if i < 2 else "OTHER"} for i in range(3)]
    hits = evaluate_rules(only(shipped, "GEN-CASH-01"), transactions_frame("t", rows))
    assert dict(zip(hits["subject_id"], hits["transaction_ids"].list.len(), strict=True)) == {
        "ACC": 2, "OTHER": 1}


def test_list_rules_combine_hit_score_programme_and_condition(shipped: RuleSet) -> None:
    list_rules = shipped.of_kind("list")
    assert list_rules, "the shipped library has list rules"
    rule = list_rules[0]
    fired = next(e for e in rule.examples if e.fires)
    quiet = next(e for e in rule.examples if not e.fires)
    alone = RuleSet((rule,), shipped.parameters, ())
    hits = evaluate_rules(alone, fired.transactions, fired.hits)
    assert not hits.is_empty()
    assert set(hits["subject_type"]) == {"party"}
    assert set(hits["subject_id"]) <= set(fired.hits["party_name_normalised"])
    assert evaluate_rules(alone, quiet.transactions, quiet.hits).is_empty()


def test_empty_batch_gives_an_empty_frame(shipped: RuleSet) -> None:
    empty = pl.DataFrame(schema=TRANSACTION_SCHEMA)
    hits = evaluate_rules(shipped, empty,
                          pl.DataFrame(schema=HIT_SCHEMA))
    assert hits.is_empty()
    assert hits.schema == pl.Schema(RULE_HIT_SCHEMA)


@pytest.mark.parametrize(
    ("having", "part"),
    [
        ("senders >= 8 and spread <= 3", "spread <= 3"),
        ("senders >= 8 and low >= 1000", "low >= 1000"),
        ("spread > 3", None),
        ("spread <= 3 or senders >= 8", None),
        ("share <= 0.5", None),
        ("spread <= senders", None),
    ],
)
def test_the_anti_monotone_part_of_a_having_prunes_per_bucket(having: str,
                                                              part: str | None) -> None:
    growths = {"senders": 1, "spread": 1, "low": -1, "share": 0}
    found = agg.anti_monotone_part(parse(having), growths)
    without_positions = re.compile(r"pos=\d+")
    assert (without_positions.sub("", repr(found)) if found else None) == (
        without_positions.sub("", repr(parse(part))) if part else None)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [("count()", 1), ("n_unique(originator_id)", 1), ("min(amount_xof)", -1),
     ("max(amount_xof) / min(amount_xof)", 1), ("min(amount_xof) / max(amount_xof)", 0),
     ("mean(amount_xof)", 0), ("share(is_cash)", 0)],
)
def test_aggregate_growth(expression: str, expected: int) -> None:
    assert agg.growth(parse(expression)) == expected


def test_bucket_pruning_keeps_every_fan_in(shipped: RuleSet) -> None:
    """A busy shop (different amounts every day) is pruned; a collector paid similar amounts
    and a shop quiet on one day of similar payments keep their hits, as without pruning."""
    def pay(account: str, day: int, hour: int, sender: str, amount: int) -> dict[str, Any]:
        return {"transaction_id": f"{account}-{day}-{hour}-{sender}", "amount": amount,
                "channel": "Orange Money", "beneficiary_account": account,
                "originator_name": sender,
                "booked_at": (START + timedelta(days=day, hours=hour)).isoformat()}
    rows = [pay("SHOP", d, h, f"c{d}{h}", 5_000 * (1 + (h * 7) % 40))
            for d in range(6) for h in range(10)]
    rows += [pay("COLL", d % 5, 1 + d, f"s{d}", 300_000 + d * 1000) for d in range(8)]
    rows += [pay("MIX", 0, h, f"m{h}", 5_000 * (1 + h * 9)) for h in range(5)]
    rows += [pay("MIX", 1 + d, 2, f"n{d}", 200_000 + d) for d in range(6)]
    rows += [pay("MIX", 3, 5, f"k{d}", 200_000 + d) for d in range(3)]
    frame = transactions_frame("t", rows)
    rule = next(r for r in shipped.rules if r.id == "GEN-FANIN-01")
    assert agg.poison_condition(rule, shipped.parameters) is not None
    twin = replace(rule, having_node=parse("spread <= 3 or senders >= 1000000"))
    assert agg.poison_condition(twin, shipped.parameters) is None
    assert agg.prune_condition(twin, shipped.parameters) is None
    pruned = evaluate_rules(RuleSet((rule,), shipped.parameters, ()), frame)
    unpruned = evaluate_rules(RuleSet((twin,), shipped.parameters, ()), frame)
    assert pruned.drop("evidence").equals(unpruned.drop("evidence"))
    assert set(pruned["subject_id"]) == {"COLL", "MIX"}


def test_a_rules_hits_do_not_depend_on_the_other_rules_of_its_plan(shipped: RuleSet) -> None:
    """Windows exist for every grid position holding the key's rows, so the fan-in below
    (eight similar payments, then large different ones on the eighth day) fires alone and
    planned together with structuring, whose cash deposit on day 0 adds an earlier row."""
    def pay(day: int, sender: str, amount: int, channel: str = "Virement") -> dict[str, Any]:
        return {"transaction_id": f"{sender}-{day}", "amount": amount, "channel": channel,
                "beneficiary_account": "K", "originator_name": sender,
                "booked_at": (START + timedelta(days=day)).isoformat()}
    rows = [pay(0, "depositor", 4_500_000, "Versement espèces")]
    rows += [pay(1 + i % 6, f"s{i}", 400_000 + 1_000 * i) for i in range(8)]
    rows += [pay(7, f"big{i}", 9_000_000 * (i + 1)) for i in range(3)]
    frame = transactions_frame("t", rows)
    alone = evaluate_rules(only(shipped, "GEN-FANIN-01"), frame)
    together = evaluate_rules(only(shipped, "GEN-FANIN-01", "GEN-STRUCT-01"), frame)
    assert alone.height == 1
    assert alone.drop("evidence").equals(together.drop("evidence"))


@pytest.mark.parametrize(("later", "pairs"), [
    (timedelta(hours=2), 1),          # across midnight, into the next window-long period
    (timedelta(days=2), 1),           # the window's last instant
    (timedelta(days=2, minutes=1), 0),
])
def test_pass_through_pairs_across_periods(shipped: RuleSet, later: timedelta,
                                           pairs: int) -> None:
    """Inflows are paired with the outflows of their own window-long period of time and the
    next: an outflow just after a period's end, or a whole window after the inflow, still
    pairs."""
    inflow = datetime(2025, 3, 4, 23, tzinfo=UTC)  # two-day periods start on 3 March
    rows = [
        {"transaction_id": "in", "amount": 5_000_000, "beneficiary_account": "M",
         "booked_at": inflow.isoformat()},
        {"transaction_id": "out", "amount": 4_900_000, "originator_account": "M",
         "booked_at": (inflow + later).isoformat()},
    ]
    hits = evaluate_rules(only(shipped, "GEN-PASSTHRU-01"), transactions_frame("t", rows))
    assert hits.height == pairs
