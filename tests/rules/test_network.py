"""Network rules: cycles and funnel accounts over the transfer graph, their validation and
their evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from aml_screen.rules import evaluate_rules, load_rules
from aml_screen.rules.eval_cycle import prune_edges
from aml_screen.rules.examples import transactions_frame
from tests.rules.test_loader import PARAMETERS, problems_of, rule, write

CYCLE = {"kind": "network", "pattern": "cycle", "window": "30d", "condition": None,
         "filter": "amount_xof >= 100000", "max_hops": 4, "amount_tolerance": 0.1}
FUNNEL = {"kind": "network", "pattern": "funnel", "window": "30d", "condition": None,
          "min_senders": 5, "max_destinations": 2, "min_outflow_share": 0.8}


def transfer(tx: str, day: int, amount: int, src: str, dst: str) -> dict[str, Any]:
    return {"transaction_id": tx, "booked_at": f"2025-03-{day:02d}T10:00:00Z",
            "amount": amount, "currency": "XOF", "channel": "Virement",
            "originator_account": src, "beneficiary_account": dst,
            "originator_name": f"Ets {src}", "beneficiary_name": f"Ets {dst}"}


def hits_of(tmp_path: Path, fields: dict[str, Any], rows: list[dict[str, Any]],
            parameters: dict[str, Any] | None = None) -> pl.DataFrame:
    rule_set = load_rules(write(tmp_path, {"net.yaml": [rule(**fields)]}, parameters))
    return evaluate_rules(rule_set, transactions_frame("n", rows))


@pytest.mark.parametrize(("fields", "field", "key"), [
    ({**CYCLE, "pattern": "clique"}, "pattern", "rules.bad_choice"),
    ({**CYCLE, "max_hops": 7}, "max_hops", "rules.bad_integer_range"),
    ({**CYCLE, "min_hops": 1}, "min_hops", "rules.bad_integer_range"),
    ({**CYCLE, "min_hops": 4, "max_hops": 3}, "max_hops", "rules.hops_order"),
    ({**CYCLE, "amount_tolerance": 1.5}, "amount_tolerance", "rules.bad_number_range"),
    ({**CYCLE, "max_hops": "param.nowhere"}, "max_hops", "rules.unknown_param_field"),
    ({**CYCLE, "max_hops": "param.threshold"}, "max_hops", "rules.param_not_scalar"),
    ({**CYCLE, "min_senders": 5}, "min_senders", "rules.field_not_for_pattern"),
    ({**CYCLE, "window": "30 days"}, "window", "rules.bad_window"),
    ({**CYCLE, "filter": "amount_xof >= 'x'"}, "filter", "rules.expr.type_mismatch"),
    ({**FUNNEL, "min_outflow_share": 0}, "min_outflow_share", "rules.bad_number_range"),
    ({**FUNNEL, "min_senders": 2.5}, "min_senders", "rules.bad_integer_range"),
    ({**FUNNEL, "subject": "beneficiary_account"}, "subject", "rules.unknown_field_kind"),
])
def test_bad_network_fields_are_reported(tmp_path: Path, fields: dict[str, Any], field: str,
                                         key: str) -> None:
    assert ("net.yaml", "R-1", field, key) in problems_of(
        write(tmp_path, {"net.yaml": [rule(**fields)]}))


def test_numbers_can_be_named_parameters(tmp_path: Path) -> None:
    parameters = {**PARAMETERS, "params": {**PARAMETERS["params"], "hops": 3}}
    folder = write(tmp_path, {"net.yaml": [rule(**{**CYCLE, "max_hops": "param.hops"})]},
                   parameters)
    [loaded] = load_rules(folder).rules
    assert loaded.network is not None
    assert loaded.network.max_hops == 3


# A three-hop cycle A>B>C>A among ordinary payments: D pays A (no cycle), C pays E.
CYCLE_ROWS = [
    transfer("T1", 3, 3_000_000, "A", "B"), transfer("T2", 5, 2_900_000, "B", "C"),
    transfer("T3", 12, 2_850_000, "C", "A"), transfer("T4", 4, 3_000_000, "D", "A"),
    transfer("T5", 6, 1_000_000, "C", "E"), transfer("T6", 20, 2_850_000, "A", "F"),
]


def test_a_cycle_alerts_every_account_on_it_with_the_path(tmp_path: Path) -> None:
    hits = hits_of(tmp_path, CYCLE, CYCLE_ROWS)
    assert sorted(hits["subject_id"]) == ["A", "B", "C"]
    assert set(hits["subject_type"]) == {"account"}
    for row in hits.iter_rows(named=True):
        assert row["transaction_ids"] == ["T1", "T2", "T3"]
        assert row["subject_name"] == f"Ets {row['subject_id']}"
        evidence = json.loads(row["evidence"])
        assert (evidence["kind"], evidence["pattern"], evidence["cycles"]) == (
            "network", "cycle", 1)
        [cycle] = evidence["first_cycles"]
        assert cycle["transaction_ids"] == ["T1", "T2", "T3"]
        assert cycle["accounts"] == ["A", "B", "C", "A"]
        assert cycle["amounts_xof"] == ["3000000", "2900000", "2850000"]
        assert cycle["times"][0].startswith("2025-03-03T10:00")


@pytest.mark.parametrize(("change", "fires"), [
    ({"max_hops": 2}, False),                         # three hops needed
    ({"amount_tolerance": 0.01}, False),              # 3 M -> 2.9 M is a 3.3 % change
    ({"window": "7d"}, False),                        # back after nine days
    ({"filter": "amount_xof >= 2900000"}, False),     # the last hop is left out
    ({"min_hops": 3, "max_hops": 3}, True),
])
def test_cycle_limits(tmp_path: Path, change: dict[str, Any], fires: bool) -> None:
    assert (not hits_of(tmp_path, {**CYCLE, **change}, CYCLE_ROWS).is_empty()) is fires


def test_same_day_round_trip_is_one_cycle(tmp_path: Path) -> None:
    rows = [transfer("T1", 3, 500_000, "A", "B"), transfer("T2", 3, 500_000, "B", "A")]
    hits = hits_of(tmp_path, CYCLE, rows)
    assert sorted(hits["subject_id"]) == ["A", "B"]
    assert {json.loads(e)["cycles"] for e in hits["evidence"]} == {1}


def test_pruning_drops_accounts_that_cannot_be_on_a_cycle() -> None:
    edges = pl.DataFrame({"src": ["D", "A", "B", "C", "C", "E"],
                          "dst": ["A", "B", "C", "A", "E", "F"]}).with_columns(
        src_code=pl.col("src").cast(pl.Categorical).to_physical(),
        dst_code=pl.col("dst").cast(pl.Categorical).to_physical())
    kept = prune_edges(edges)
    # D never receives; F never sends, so E (whose only way out is F) is stranded next.
    assert sorted(zip(kept["src"], kept["dst"], strict=True)) == [
        ("A", "B"), ("B", "C"), ("C", "A")]


def funnel_rows(senders: int, out: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    rows = [transfer(f"I{i}", 3 + i % 8, 200_000, f"S{i}", "F") for i in range(senders)]
    return rows + [transfer(f"O{j}", day, amount, "F", dst)
                   for j, (day, amount, dst) in enumerate(out)]


def test_a_funnel_reports_senders_destinations_and_share(tmp_path: Path) -> None:
    hits = hits_of(tmp_path, FUNNEL, funnel_rows(6, [(12, 1_000_000, "ORG"),
                                                     (13, 150_000, "ORG2")]))
    [row] = hits.iter_rows(named=True)
    assert row["subject_id"] == "F"
    evidence = json.loads(row["evidence"])
    assert (evidence["senders"], evidence["destinations"]) == (6, 2)
    assert (evidence["in_xof"], evidence["out_xof"]) == ("1200000", "1150000")
    assert evidence["share"] == pytest.approx(1_150_000 / 1_200_000, abs=1e-4)
    assert sorted(row["transaction_ids"]) == sorted([f"I{i}" for i in range(6)] + ["O0", "O1"])


@pytest.mark.parametrize(("senders", "out", "fires"), [
    (6, [(12, 1_000_000, "ORG")], True),
    (4, [(12, 800_000, "ORG")], False),                                 # too few senders
    (6, [(12, 400_000, "D1"), (12, 400_000, "D2"), (12, 400_000, "D3")], False),  # 3 dests
    (6, [(12, 600_000, "ORG")], False),                                 # half sent on
    (6, [(2, 1_200_000, "ORG")], False),                                # sent before it came
])
def test_funnel_thresholds(tmp_path: Path, senders: int, out: list[tuple[int, int, str]],
                           fires: bool) -> None:
    assert (not hits_of(tmp_path, FUNNEL, funnel_rows(senders, out)).is_empty()) is fires


def test_busy_accounts_are_left_out_of_cycles(tmp_path: Path) -> None:
    # B also pays 30 suppliers: with max_account_transfers 10 it is no node of the graph.
    busy = [transfer(f"P{i}", 4, 150_000, "B", f"S{i}") for i in range(30)]
    fields = {**CYCLE, "max_account_transfers": 10}
    assert hits_of(tmp_path, fields, CYCLE_ROWS + busy).is_empty()
    assert sorted(hits_of(tmp_path, fields, CYCLE_ROWS)["subject_id"]) == ["A", "B", "C"]


def test_a_five_hop_cycle_is_found_by_joining_two_paths(tmp_path: Path) -> None:
    ring = ["A", "B", "C", "D", "E", "A"]
    rows = [transfer(f"T{k}", 3 + k, 1_000_000, ring[k], ring[k + 1]) for k in range(5)]
    assert hits_of(tmp_path, {**CYCLE, "max_hops": 4}, rows).is_empty()
    hits = hits_of(tmp_path, {**CYCLE, "max_hops": 5}, rows)
    assert sorted(hits["subject_id"]) == ["A", "B", "C", "D", "E"]
    [cycle] = json.loads(hits["evidence"][0])["first_cycles"]
    assert cycle["accounts"] == ring
    assert cycle["transaction_ids"] == ["T0", "T1", "T2", "T3", "T4"]


def test_busy_accounts_are_left_out_of_funnels(tmp_path: Path) -> None:
    rows = funnel_rows(6, [(12, 1_000_000, "ORG")])  # F has 7 transfers
    assert not hits_of(tmp_path, {**FUNNEL, "max_account_transfers": 7}, rows).is_empty()
    assert hits_of(tmp_path, {**FUNNEL, "max_account_transfers": 6}, rows).is_empty()
