"""Names matched per partition of keys give the scores of matching the whole batch at once:
the partitions' token statistics add up to the batch's, and each partition is scored with
them, its names in the batch's order. The ``mapInArrow`` functions run here on Arrow
batches as Spark hands them over, on a generated batch with listed names planted, its
names split across three partitions in another order."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import polars as pl
import pyarrow as pa
import pytest

from aml_screen.match.index import ListIndex
from aml_screen.match.names import (
    BatchStatistics,
    batch_statistics,
    match_queries,
    prepare_queries,
)
from aml_screen.pipeline import index_watchlists
from aml_screen.screening import party_names
from aml_screen.spark.ingest import BATCH_ORDER
from aml_screen.spark.names import (
    KEYED_SCHEMA,
    NAMES_SCHEMA,
    ORDER,
    keys_of_names,
    matched_names,
    merged_statistics,
    name_hit_schema,
    names_of_partition,
    statistics_of_partition,
    statistics_schema,
)
from aml_screen.spark.schema import from_spark, to_spark_batches
from aml_screen.watchlists.loader import load_watchlists
from benchmarks.generate_batch import generate_batch
from tests.store.samples import repo_settings

PARTITIONS = 3
FLOOR = 70.0

Function = Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]


def run(function: Function, frame: pl.DataFrame, schema: dict[str, pl.DataType],
        out: dict[str, pl.DataType]) -> pl.DataFrame:
    result = from_spark(function(to_spark_batches(frame, schema)), out)
    return pl.DataFrame(schema=out) if result is None else result


@pytest.fixture(scope="module")
def index() -> ListIndex:
    settings = repo_settings()
    return index_watchlists(load_watchlists(list(settings.default_watchlists), settings))


@pytest.fixture(scope="module")
def batch(index: ListIndex) -> pl.DataFrame:
    """6 000 generated transactions with listed names, as Spark hands them to the names
    stage: party names and each row's place."""
    listed = (index.names.filter(pl.col("name_kind") == "primary").get_column("name")
              .unique().sort().head(12).to_list())
    frame = generate_batch(6_000, seed=5, listed_names=listed, listed_share=0.02)
    return frame.select("originator_name", "beneficiary_name").with_columns(
        pl.lit(0, pl.Int64).alias(BATCH_ORDER),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("source_line"))


@pytest.fixture(scope="module")
def names(batch: pl.DataFrame) -> pl.Series:
    """The batch's distinct names as the embedded engine gathers them."""
    return party_names(batch)


@pytest.fixture(scope="module")
def partitions(batch: pl.DataFrame) -> list[pl.DataFrame]:
    """The distinct names with their keys as Spark partitions them: names gathered from two
    partitions of transactions, each name's first sighting kept (Spark's ``min`` of the
    ``ORDER`` struct), split by key, and each partition in some order of Spark's."""
    named = pl.concat([run(names_of_partition, half, dict(batch.schema), NAMES_SCHEMA)
                       for half in (batch.tail(3_000), batch.head(3_000))])
    first = named.drop_nulls("party_name").sort(ORDER).unique(
        subset="party_name", keep="first").drop("parties")
    keyed = run(keys_of_names, first, dict(first.schema), KEYED_SCHEMA)
    part = keyed.with_columns(_part=pl.col("key").hash() % PARTITIONS)
    return [p.drop("_part").sample(fraction=1.0, shuffle=True, seed=1)
            for p in part.partition_by("_part", maintain_order=True)]


def sorted_statistics(statistics: BatchStatistics) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    return (statistics.frequencies.sort(pl.all()), statistics.vocab.sort(pl.all()),
            statistics.size)


def canonical(hits: pl.DataFrame) -> pl.DataFrame:
    return hits.select("party_name", "list_id", "entry_id", "matched_name", "score",
                       "explanation").sort(pl.all())


def test_names_are_keyed_and_split_across_partitions(names: pl.Series,
                                                     partitions: list[pl.DataFrame]) -> None:
    assert len(partitions) == PARTITIONS
    keyed = pl.concat(partitions)
    assert keyed.height == prepare_queries(names).names.height
    # Keys spelt several ways: which spelling comes first decides the key's tokens.
    assert keyed.group_by("key").len().filter(pl.col("len") > 1).height > 0
    assert all(p.get_column("key").is_in(q.get_column("key").implode()).sum() == 0
               for i, p in enumerate(partitions) for q in partitions[i + 1:])


def test_partition_statistics_add_up_to_the_batch(names: pl.Series,
                                                  partitions: list[pl.DataFrame]) -> None:
    schema = statistics_schema()
    rows = pl.concat([run(statistics_of_partition(schema), p, KEYED_SCHEMA, schema)
                      for p in partitions])
    merged = sorted_statistics(merged_statistics(rows))
    whole = sorted_statistics(batch_statistics(prepare_queries(names)))
    assert merged[0].equals(whole[0])
    assert merged[1].equals(whole[1])
    assert merged[2] == whole[2]


def test_names_scored_per_partition_get_the_whole_batch_scores(
        names: pl.Series, partitions: list[pl.DataFrame], index: ListIndex) -> None:
    schema = statistics_schema()
    rows = pl.concat([run(statistics_of_partition(schema), p, KEYED_SCHEMA, schema)
                      for p in partitions])
    statistics = merged_statistics(rows)
    hit_schema = name_hit_schema(index)
    per_partition = [run(matched_names(index, FLOOR, statistics), p, KEYED_SCHEMA, hit_schema)
                     for p in partitions]
    whole = match_queries(prepare_queries(names), index, FLOOR)
    assert whole.schema == hit_schema
    assert sum(1 for hits in per_partition if hits.height) >= 2  # hits come from several
    assert canonical(pl.concat(per_partition)).equals(canonical(whole))
    # Each partition scored with its own counts alone gives other scores.
    alone = pl.concat([match_queries(prepare_queries(p.get_column("party_name")), index, FLOOR)
                       for p in partitions])
    assert not canonical(alone).equals(canonical(whole))
