"""Planted laundering patterns in a generated Sahel batch are all found, each named by its
rule, while ordinary activity alerts on few accounts (``benchmarks/plant_patterns.py``)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from aml_screen.ingest import read_batch
from aml_screen.rules import evaluate_rules, load_rules
from benchmarks.generate_batch import generate_batch
from benchmarks.plant_patterns import PATTERN_RULES, plant_patterns

REPO = Path(__file__).resolve().parents[2]
ROWS, PER_PATTERN = 40_000, 20


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, pl.DataFrame,
                                                                 pl.DataFrame]:
    planted, truth = plant_patterns(generate_batch(ROWS, seed=3), PER_PATTERN, seed=5)
    raw = tmp_path_factory.mktemp("planted") / "batch.parquet"
    planted.write_parquet(raw)
    ingested = read_batch(raw, None, timezone="Africa/Niamey")
    assert ingested.quarantine.is_empty()
    hits = evaluate_rules(load_rules(REPO / "rules"), ingested.frame)
    return ingested.frame, truth, hits


@pytest.mark.parametrize("pattern", sorted(PATTERN_RULES))
def test_every_planted_pattern_is_found_by_its_rule(
        evaluated: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame], pattern: str) -> None:
    _, truth, hits = evaluated
    expected = truth.filter(pl.col("pattern") == pattern)
    # one account per instance; every account of a cycle (2-4 each)
    assert expected.height >= PER_PATTERN * (2 if pattern == "cycle" else 1)
    found = expected.join(hits, on=["rule_id", "subject_id"], how="semi")
    assert found.height == expected.height
    planted_hits = hits.filter(pl.col("subject_id").is_in(expected["subject_id"].to_list())
                               & (pl.col("rule_id") == PATTERN_RULES[pattern]))
    assert planted_hits["transaction_ids"].list.len().min() >= 2


def test_ordinary_activity_alerts_on_few_accounts(
        evaluated: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]) -> None:
    frame, _, hits = evaluated
    ordinary = frame.filter(~pl.col("transaction_id").str.starts_with("PLT-"))
    accounts = pl.concat([ordinary["originator_account"], ordinary["beneficiary_account"]])
    alerted = hits.filter(~pl.col("subject_id").str.starts_with("PLT-"))
    rate = alerted.select("subject_type", "subject_id").n_unique() / accounts.n_unique()
    print(f"\nordinary activity: {rate:.2%} of {accounts.n_unique()} accounts alerted, "
          f"{alerted.height} rule hits on {ordinary.height} transactions")
    assert rate < 0.015
