"""What Spark cuts before the rules run changes nothing they find: the columns a group keeps
are all its rules read, and the network pre-filter keeps every row of the accounts a cycle
or funnel can name, on a generated batch with cycles and funnels planted in it; each
network rule sees only the rows kept for it (on a constructed batch where a cycle's rows
would make a funnel of an account that is not one)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from aml_screen.ingest import read_batch
from aml_screen.rules import load_rules
from aml_screen.rules.configured import configured_rules, parameters_override
from aml_screen.rules.engine import evaluate_rules
from aml_screen.rules.model import RuleSet
from aml_screen.schema import HIT_SCHEMA, RULE_HIT_SCHEMA, TRANSACTION_SCHEMA, conform
from aml_screen.spark.ingest import BATCH_ORDER
from benchmarks.generate_batch import generate_batch
from benchmarks.plant_patterns import PATTERN_RULES, plant_patterns
from tests.store.samples import repo_settings

pytest.importorskip("pyspark")

from pyspark.sql import DataFrame, SparkSession

from aml_screen.spark.rules import ROW, network_rows, rule_columns, rule_groups, rule_hits_frame
from aml_screen.spark.schema import from_spark

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rule_set() -> RuleSet:
    settings = repo_settings()
    folder = configured_rules(settings)
    assert folder is not None
    return load_rules(folder, parameters_override(settings))


@dataclass(frozen=True)
class Batch:
    frame: pl.DataFrame
    staged: Path
    truth: pl.DataFrame


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """20 000 generated rows with four cycles and four funnels (and the other patterns), as
    ingest stages them: typed, with the row's file, in a Parquet file."""
    planted, truth = plant_patterns(generate_batch(20_000, seed=3), per_pattern=4, seed=9)
    folder = tmp_path_factory.mktemp("batch")
    planted.write_parquet(folder / "planted.parquet")
    frame = read_batch(folder / "planted.parquet").frame.with_columns(
        pl.lit(0, pl.Int64).alias(BATCH_ORDER))
    frame.write_parquet(folder / "staged.parquet")
    return Batch(frame, folder / "staged.parquet", truth)


def found(rule_set: RuleSet, frame: pl.DataFrame) -> pl.DataFrame:
    hits = evaluate_rules(rule_set, frame.sort(ROW).drop(BATCH_ORDER))
    return hits.with_columns(pl.col("transaction_ids").list.join("|")).sort(pl.all())


def network_rules(rule_set: RuleSet) -> RuleSet:
    groups = [g for g in rule_groups(rule_set) if g.network]
    assert len(groups) == 1
    return groups[0].rules


def prefiltered(spark: SparkSession, batch: Batch, rule_set: RuleSet
                ) -> list[tuple[RuleSet, pl.DataFrame]]:
    """Each network rule of ``rule_set`` with the rows Spark keeps for it."""
    rows = spark.read.parquet(str(batch.staged))
    cached: list[DataFrame] = []
    parts = network_rows(rows.select(*rule_columns(rule_set, rows.columns)), rule_set, "UTC",
                         cached)
    result = [(rules, from_spark(kept.toArrow(), TRANSACTION_SCHEMA)) for rules, kept in parts]
    for frame in cached:
        frame.unpersist()
    return [(rules, kept) for rules, kept in result if kept is not None]


def test_each_group_reads_only_columns_that_change_nothing(
        rule_set: RuleSet, batch: Batch) -> None:
    frame = batch.frame
    assert frame.get_column("purpose").drop_nulls().len() > 0
    for group in rule_groups(rule_set):
        columns = rule_columns(group.rules, frame.columns)
        assert len(columns) < len(frame.columns)
        assert found(group.rules, frame.select(columns)).equals(found(group.rules, frame))


def test_network_prefilter_keeps_what_cycles_and_funnels_need(
        spark: SparkSession, rule_set: RuleSet,
        batch: Batch) -> None:
    frame, truth = batch.frame, batch.truth
    networks = network_rules(rule_set)
    assert {r.network.pattern for r in networks.rules if r.network} == {"cycle", "funnel"}
    parts = prefiltered(spark, batch, networks)
    assert [rules.rules for rules, _ in parts] == [(rule,) for rule in networks.rules]
    for rules, kept in parts:
        assert kept.height < frame.height / 2
        assert kept.get_column("transaction_id").is_unique().all()
        assert found(rules, kept).equals(found(rules, frame))
    expected = found(networks, frame)
    planted = truth.filter(pl.col("rule_id").is_in([PATTERN_RULES["cycle"],
                                                    PATTERN_RULES["funnel"]]))
    named = set(expected.select("rule_id", "subject_id").iter_rows())
    assert set(planted.select("rule_id", "subject_id").iter_rows()) <= named


def test_a_funnel_limited_to_quiet_accounts_keeps_its_counterparties_rows(
        spark: SparkSession, rule_set: RuleSet, batch: Batch) -> None:
    """A sender with more transfers than ``max_account_transfers`` does not count among a
    funnel's senders, and a busy destination is not one: with a limit of 25 transfers an
    account fires that does not fire without it, so the counterparties' rows must reach
    the engine too."""
    funnels = tuple(r for r in network_rules(rule_set).rules
                    if r.network is not None and r.network.pattern == "funnel")
    limited = replace(rule_set, rules=tuple(
        replace(r, network=replace(r.network, max_account_transfers=25))
        for r in funnels if r.network is not None))
    [(_, kept)] = prefiltered(spark, batch, limited)
    assert kept.height < batch.frame.height
    expected = found(limited, batch.frame)
    unlimited = found(replace(rule_set, rules=funnels), batch.frame)
    assert set(expected.get_column("subject_id")) - set(unlimited.get_column("subject_id"))
    assert found(limited, kept).equals(expected)


def transfers(rows: list[tuple[str, str, int, datetime]], folder: Path) -> Path:
    """A staged batch of XOF transfers (sender, receiver, amount, time), in file order."""
    frame = pl.DataFrame(
        {"transaction_id": [f"T{i}" for i in range(len(rows))],
         "booked_at": [at for *_, at in rows],
         "amount": [Decimal(amount) for _, _, amount, _ in rows],
         "currency": "XOF",
         "originator_account": [src for src, *_ in rows],
         "originator_name": [f"TITULAIRE {src}" for src, *_ in rows],
         "beneficiary_account": [dst for _, dst, *_ in rows],
         "beneficiary_name": [f"TITULAIRE {dst}" for _, dst, *_ in rows],
         "channel": "Orange Money", "source_line": list(range(2, len(rows) + 2))})
    path = folder / "staged.parquet"
    conform(frame, TRANSACTION_SCHEMA).with_columns(pl.lit(0, pl.Int64).alias(BATCH_ORDER)
                                                    ).write_parquet(path)
    return path


def test_a_network_rule_sees_no_rows_kept_only_for_another(
        spark: SparkSession, rule_set: RuleSet, tmp_path: Path) -> None:
    """An account that is not a funnel on all its transfers can look like one on part of
    them: ten senders on cycles pay it, it passes 90 % on to an account on a cycle and the
    rest to two others. The cycle rule keeps every row of the accounts on cycles, so its
    inflows and the larger outflow: the funnel rule must not see them without the others."""
    start = datetime(2025, 3, 3, 9, tzinfo=UTC)
    day = timedelta(days=1)
    rows = [row for k in range(11) for row in (
        (f"S{k}", f"R{k}", 600_000, start + k * timedelta(hours=1)),
        (f"R{k}", f"S{k}", 600_000, start + k * timedelta(hours=1) + day))]
    rows += [(f"S{k}", "FUNNEL", 20_000, start + (k + 2) * day) for k in range(10)]
    rows += [("FUNNEL", "S10", 180_000, start + 13 * day),
             ("FUNNEL", "X1", 10_000, start + 13 * day + timedelta(hours=1)),
             ("FUNNEL", "X2", 10_000, start + 13 * day + timedelta(hours=2))]
    staged = transfers(rows, tmp_path)
    networks = network_rules(rule_set)
    frame = pl.read_parquet(staged)
    embedded = evaluate_rules(networks, frame.drop(BATCH_ORDER))
    assert set(embedded.get_column("rule_id")) == {"GEN-CYCLE-01"}
    seen_in_part = frame.filter(~pl.col("beneficiary_account").is_in(["X1", "X2"]))
    assert "FUNNEL" in evaluate_rules(networks, seen_in_part.drop(BATCH_ORDER)).get_column(
        "subject_id")
    cached: list[DataFrame] = []
    spark_hits = rule_hits_frame(spark.read.parquet(str(staged)), networks,
                                 pl.DataFrame(schema=HIT_SCHEMA), 2, "UTC", cached)
    assert spark_hits is not None
    on_spark = from_spark(spark_hits.toArrow(), RULE_HIT_SCHEMA)
    for cached_frame in cached:
        cached_frame.unpersist()
    assert on_spark is not None
    key = ["rule_id", "subject_id"]
    assert on_spark.select(key).sort(key).equals(embedded.select(key).sort(key))
