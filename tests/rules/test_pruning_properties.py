"""Optimisations never change results: on random batches (Hypothesis), every aggregate rule
and the funnel rule give, with the engine's pruning and shared plans, exactly the hits of the
straightforward evaluation (``straightforward``).

Batches are drawn small and dense, over a few accounts and days, with amounts around the
rules' thresholds and parameters lowered (funnels of three senders), so that rules fire and
pruning decisions are close calls: busy accounts, quiet stretches, counterparties of funnels.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from aml_screen.rules import RuleSet, evaluate_rules, load_rules
from aml_screen.rules.engine import prepare
from aml_screen.rules.examples import transactions_frame
from tests.rules.straightforward import aggregate_hits, funnel_hits

REPO = Path(__file__).resolve().parents[2]
START = datetime(2025, 3, 1, tzinfo=UTC)
TIMEZONE = "Africa/Niamey"
ORDER = ["rule_id", "subject_type", "subject_id", "window_start"]
ACCOUNTS = [f"ML-{k:02d}" for k in range(10)]
CHANNELS = ("Orange Money", "Virement", "Versement espèces", "Transfert hawala")
AMOUNTS = (150_000, 290_000, 480_000, 900_000, 1_500_000, 4_100_000, 4_900_000, 16_000_000)
LOWERED = """\
params:
  funnel_min_senders: 3
  funnel_max_destinations: 1
  fan_in_min_senders: 3
  fan_out_min_beneficiaries: 3
  velocity_min_count: 5
  velocity_min_total_xof: 3000000
  structuring_min_count: 2
"""


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    override = tmp_path_factory.mktemp("params") / "parameters.yaml"
    override.write_text(LOWERED, encoding="utf-8")
    loaded = load_rules(REPO / "rules", override)
    kept = tuple(r for r in loaded.rules if r.kind == "aggregate"
                 or (r.kind == "network" and r.network is not None
                     and r.network.pattern == "funnel"))
    return RuleSet(kept, loaded.parameters, ())


transfer = st.tuples(
    st.integers(0, 10 * 24 * 6),  # ten-minute slot in ten days
    st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS), st.sampled_from(AMOUNTS),
    st.sampled_from(CHANNELS))


def _rows(drawn: list[tuple[int, str, str, int, str]]) -> list[dict[str, Any]]:
    return [{"transaction_id": f"T{i:04d}",
             "booked_at": (START + timedelta(minutes=10 * slot)).isoformat(),
             "amount": str(amount), "currency": "XOF",
             "originator_name": f"Client {src}",
             "originator_account": src if "espèces" not in channel else None,
             "originator_country": "ML", "beneficiary_name": f"Client {dst}",
             "beneficiary_account": dst,
             "beneficiary_country": "NE", "channel": channel, "purpose": "transfert"}
            for i, (slot, src, dst, amount, channel) in enumerate(drawn)]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(transfer, min_size=40, max_size=160))
def test_pruned_rules_fire_exactly_as_straightforward_ones(
        rules: RuleSet, drawn: list[tuple[int, str, str, int, str]]) -> None:
    batch = transactions_frame("random", _rows(drawn))
    frame = prepare(rules, batch, TIMEZONE)
    expected = pl.concat([
        aggregate_hits(frame, rule, rules.parameters) if rule.kind == "aggregate"
        else funnel_hits(frame, rule)
        for rule in rules.rules
    ])
    found = evaluate_rules(rules, batch, timezone=TIMEZONE)
    for rule_id in sorted(set(expected["rule_id"])):
        event(f"fired {rule_id}")
    assert found.sort(ORDER).to_dicts() == expected.sort(ORDER).to_dicts()
