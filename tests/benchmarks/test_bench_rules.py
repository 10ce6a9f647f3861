"""The rule benchmark: a small planted batch, cached once, evaluated step by step with
every step profiled, the hits the same as ``evaluate_rules``'s."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from aml_screen.rules import evaluate_rules, load_rules
from benchmarks import bench_rules


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bench_rules.cached_batch(4_000, seed=5, per_pattern=3,
                                    cache=tmp_path_factory.mktemp("cache"))


def test_the_planted_batch_is_cached_with_its_truth(batch: Path) -> None:
    again = bench_rules.cached_batch(4_000, seed=5, per_pattern=3, cache=batch.parent)
    assert again == batch
    truth = pl.read_parquet(batch.with_suffix(".truth.parquet"))
    assert set(truth["pattern"]) == {"structuring", "fan_in", "pass_through", "cycle",
                                     "funnel"}


def test_every_step_is_profiled_and_the_hits_are_the_engines(batch: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "hits.parquet"
    figures = bench_rules.evaluate(batch, bench_rules.RULES, out)
    steps = figures["steps"]
    assert isinstance(steps, list)
    names = [s["step"] for s in steps]
    assert names[0].startswith("prepare")
    assert "aggregate beneficiary_account 7d every 1d" in " ".join(names)
    assert "network (MS-FUNNEL-01)" in names
    assert all(float(s["cpu_seconds"]) >= 0 for s in steps)
    expected = evaluate_rules(load_rules(bench_rules.RULES), pl.scan_parquet(batch),
                              timezone=bench_rules.TIMEZONE)
    assert pl.read_parquet(out).equals(expected)
    scored = bench_rules.score(batch, pl.read_parquet(out))
    assert scored["recall_funnel"] == "3/3"
    table = bench_rules.profile_table(steps).splitlines()
    assert len(table) == len(steps)
