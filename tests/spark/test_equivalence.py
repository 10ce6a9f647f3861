"""The Spark engine gives the embedded engine's answers: the same hits (rows and scores),
quarantine reasons, rule hits and alerts, on the bundled sample and on a generated batch
with listed names planted in it. One ``local[2]`` session for the module."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from aml_screen.exemptions import (
    EXEMPTION_SCHEMA,
    listed_entries,
    party_details,
    with_pair_keys,
)
from aml_screen.pipeline import ScreeningRun, list_names, run_screening
from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.watchlists.loader import Watchlist, load_watchlists
from benchmarks.generate_batch import generate_batch
from benchmarks.plant_patterns import PATTERN_RULES, plant_patterns
from tests.store.samples import SAMPLE, repo_settings

pyspark = pytest.importorskip("pyspark")

from aml_screen.spark.runner import SparkRun, run_spark_screening  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lists() -> list[Watchlist]:
    settings = repo_settings()
    return load_watchlists(list(settings.default_watchlists), settings)


def both(spark: object, batch: Path, lists: list[Watchlist],
         exemptions: pl.DataFrame | None = None) -> tuple[ScreeningRun, SparkRun]:
    settings = repo_settings()
    arguments = {"threshold": settings.match_threshold, "timezone": settings.timezone,
                 "date_order": settings.date_order, "rules_dir": configured_rules(settings),
                 "rule_parameters": parameters_override(settings), "exemptions": exemptions}
    embedded = run_screening([batch], lists, **arguments)  # type: ignore[arg-type]
    on_spark = run_spark_screening(spark, [str(batch)], lists,  # type: ignore[arg-type]
                                   **arguments)
    return embedded, on_spark


def canonical(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in one order (the engines may order ties differently); list columns as text."""
    flat = frame.with_columns(pl.col(c).list.join("|") for c, t in frame.schema.items()
                              if isinstance(t, pl.List))
    return flat.sort(pl.all())


def alert_reasons(alerts: pl.DataFrame) -> dict[str, list[str]]:
    """Each alert's reasons, in an order independent of ties in contribution."""
    return {a: sorted(json.dumps(r, sort_keys=True) for r in json.loads(reasons))
            for a, reasons in alerts.select("alert_id", "reasons").iter_rows()}


def assert_same(embedded: ScreeningRun, on_spark: SparkRun) -> None:
    assert on_spark.hits.schema == embedded.hits.schema
    assert on_spark.hits.equals(embedded.hits)  # hits come sorted on both sides
    assert on_spark.quarantine.equals(embedded.quarantine)
    assert canonical(on_spark.rule_hits).equals(canonical(embedded.rule_hits))
    assert on_spark.alerts.schema == embedded.alerts.schema
    assert canonical(on_spark.alerts.drop("reasons")).equals(
        canonical(embedded.alerts.drop("reasons")))
    assert alert_reasons(on_spark.alerts) == alert_reasons(embedded.alerts)
    for key in ("rows_read", "rows_loaded", "rows_quarantined", "hits", "rule_hits",
                "alerts", "parties_screened", "distinct_names", "list_keys", "batch_key",
                "exempt_hits", "exemptions_used"):
        assert on_spark.summary[key] == embedded.summary[key], key


def test_sample_batch_gives_the_same_results(spark: object, lists: list[Watchlist]) -> None:
    embedded, on_spark = both(spark, SAMPLE, lists)
    assert_same(embedded, on_spark)
    assert on_spark.hits.height > 0
    assert on_spark.quarantine.height > 0
    assert on_spark.rule_hits.height > 0
    assert on_spark.alerts.height > 0
    assert on_spark.quarantine.get_column("reason_code").n_unique() > 1


def test_exemptions_remove_the_same_hits(spark: object, lists: list[Watchlist]) -> None:
    """An active exemption of the sample's first hit (party and listed entry as screened)
    removes it, and the hits of that pair in other transactions, on both engines."""
    plain = run_screening([SAMPLE], lists, threshold=repo_settings().match_threshold)
    first = plain.hits.head(1)
    keyed = with_pair_keys(first, party_details(plain.transactions),
                           listed_entries(list_names(lists), first))
    exemptions = keyed.select("list_id", "entry_id", "party_key", "entry_digest").with_columns(
        exemption_id=pl.lit(7, pl.Int64), status=pl.lit("active"),
        expires_on=pl.lit(date(2999, 1, 1))).select(list(EXEMPTION_SCHEMA))
    embedded, on_spark = both(spark, SAMPLE, lists, exemptions)
    assert_same(embedded, on_spark)
    assert on_spark.summary["exempt_hits"] >= 1
    assert on_spark.summary["exemptions_used"] == [7]


def test_generated_batch_with_planted_names_and_patterns_gives_the_same_results(
        spark: object, lists: list[Watchlist], tmp_path: Path) -> None:
    """20 000 generated rows (Parquet) with listed names and laundering patterns planted,
    and two rows the ingest must refuse."""
    listed = (lists[0].entries.filter(pl.col("name_kind") == "primary")
              .get_column("name").unique().sort().head(8).to_list())
    frame = generate_batch(20_000, seed=11, listed_names=listed, listed_share=0.002)
    planted, truth = plant_patterns(frame, per_pattern=4, seed=15)
    broken = planted.head(2).with_columns(
        transaction_id=pl.Series(["TX-BAD-1", "TX-BAD-2"]), amount=pl.Series(["abc", "-5"]))
    batch = tmp_path / "generated.parquet"
    pl.concat([planted, broken]).write_parquet(batch)
    embedded, on_spark = both(spark, batch, lists)
    assert_same(embedded, on_spark)
    assert on_spark.hits.get_column("matched_name").n_unique() >= 3
    assert set(on_spark.quarantine.get_column("reason_code")) == {"bad_amount",
                                                                  "negative_amount"}
    fired = set(on_spark.rule_hits.get_column("rule_id"))
    assert set(PATTERN_RULES.values()) <= fired  # aggregate, sequence and network rules
    found = set(on_spark.rule_hits.select("rule_id", "subject_id").iter_rows())
    assert found & set(truth.select("rule_id", "subject_id").iter_rows())
