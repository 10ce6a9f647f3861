"""Name screening on the executors, with the embedded engine's scores.

A name's score weighs its tokens by how rare they are among the lists' names *and the
batch's distinct names* (``match.weights.token_weights``), and whether a spelling is a typo
depends on how many of the batch's names hold it (``match.vocabulary.similar_tokens``):
matching each partition's names with that partition's counts would give other scores than
the embedded engine. So matching runs in three passes over the batch's distinct names:

1. ``names_of_partition``: each transactions partition's distinct names, where each is first
   seen (``ORDER_SCHEMA``), and its count of parties; Spark keeps each name's first sighting
   over the batch, ``keys_of_names`` gives each name its token key (the form matching
   deduplicates on) and the names are repartitioned by key, so that every key is in exactly
   one partition. Partitions prepare their names in first-seen order, as the whole batch
   would: names sharing a key hold the same tokens, maybe in another order, and the first
   one's token order (and glued forms) is the key's.
2. ``statistics_of_partition``: each partition's ``match.names.BatchStatistics`` (token
   counts over its keys), a few rows per distinct token; the driver adds them up
   (``merged_statistics``): keys being disjoint across partitions, the sums are the whole
   batch's counts.
3. ``matched_names``: each partition's names scored against the list index with the
   batch's statistics, both travelling in the pickled function (no broadcast variable:
   Spark Connect); the name-level hits, a few per thousand names, are gathered and mapped
   back onto each partition's transactions (``hits_of_partition``).

The driver only adds counts and gathers hits; normalising, candidate generation and scoring,
the costly part, run on the executors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import polars as pl
import pyarrow as pa

from aml_screen.match.index import ListIndex
from aml_screen.match.names import (
    ENTRY_DETAIL_COLUMNS,
    NAME_HIT_COLUMNS,
    BatchStatistics,
    Queries,
    batch_statistics,
    match_queries,
    prepare_queries,
)
from aml_screen.schema import HIT_SCHEMA, PARTY_ATTRIBUTES, PARTY_ROLES
from aml_screen.screening import map_hits, party_count, party_names
from aml_screen.spark.ingest import BATCH_ORDER
from aml_screen.spark.schema import from_spark, to_spark_batches

ORDER_SCHEMA: dict[str, pl.DataType] = {"role": pl.Int64(), BATCH_ORDER: pl.Int64(),
                                        "source_line": pl.Int64()}
"""Where a name is first seen in the batch, in ``screening.party_names``' order: the first
party role that holds it (originator, then beneficiary), then its first row there. Matching
keeps, of the names sharing a token key (the same tokens in any order), the first one's token
positions and glued forms, so a partition's names are matched in this order, as the whole
batch's are."""
ORDER = list(ORDER_SCHEMA)

NAMES_SCHEMA: dict[str, pl.DataType] = {"party_name": pl.String(), **ORDER_SCHEMA,
                                        "parties": pl.Int64()}
"""A partition's distinct names with where each is first seen, and one row without a name
holding the partition's count of parties."""

KEYED_SCHEMA: dict[str, pl.DataType] = {"party_name": pl.String(), **ORDER_SCHEMA,
                                        "key": pl.String()}
"""A distinct name, where it is first seen and its token key (names without tokens, which
match nothing, have none)."""

STATISTICS_COLUMNS: dict[str, pl.DataType] = {"wkey": pl.String(), "df": pl.Float64()}
"""A partition's ``BatchStatistics`` as rows of ``statistics_schema()``: a distinct token (the
vocabulary's columns but ``df``), the keys holding a skeleton (``skeleton``, ``df``), the
keys holding a weight key (``wkey``, ``df``), and one row of the partition's key count
(``df`` alone)."""

HIT_ORDER = (["transaction_id", "party_role", "score", "list_id", "entry_id", "matched_name"],
             [False, False, True, False, False, False])
"""``screening.party_hits``' order, restored once the partitions' hits are gathered."""


def screening_columns(available: list[str]) -> list[str]:
    """The columns name screening reads: ids, party names and the party attributes the batch
    has (``parties`` looks at which exist, so absent ones must stay absent)."""
    wanted = ["transaction_id", *(f"{r}_name" for r in PARTY_ROLES),
              *(f"{r}_{a}" for r in PARTY_ROLES for a in PARTY_ATTRIBUTES)]
    return [c for c in wanted if c in available]


def names_of_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function: a partition's transactions (with ``BATCH_ORDER`` and
    ``source_line``) -> ``NAMES_SCHEMA`` rows."""
    frame = from_spark(batches)
    if frame is None or frame.is_empty():
        return
    seen = [frame.select(pl.col(f"{r}_name").cast(pl.String).alias("party_name"),
                         pl.lit(i, pl.Int64).alias("role"), BATCH_ORDER, "source_line")
            for i, r in enumerate(PARTY_ROLES) if f"{r}_name" in frame.columns]
    names = (pl.concat(seen).join(party_names(frame).to_frame(), on="party_name", how="semi")
             .sort(ORDER).unique(subset="party_name", keep="first"))
    count = pl.DataFrame({"parties": [party_count(frame)]})
    yield from to_spark_batches(pl.concat([names, count], how="diagonal"), NAMES_SCHEMA)


def _queries(frame: pl.DataFrame) -> Queries:
    """A partition's names prepared in the order the batch sees them (``ORDER_SCHEMA``)."""
    return prepare_queries(frame.sort(ORDER).get_column("party_name"))


def keys_of_names(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function: distinct names (``NAMES_SCHEMA`` without ``parties``) ->
    ``KEYED_SCHEMA`` rows."""
    frame = from_spark(batches, NAMES_SCHEMA)
    if frame is None or frame.is_empty():
        return
    queries = _queries(frame)
    keys = pl.DataFrame({"key": queries.keys}).with_row_index("query_id")
    keyed = queries.names.join(keys.cast({"query_id": pl.UInt32}), on="query_id").join(
        frame.select("party_name", *ORDER), on="party_name")
    yield from to_spark_batches(keyed, KEYED_SCHEMA)


def statistics_schema() -> dict[str, pl.DataType]:
    """The columns of the statistics rows: what ``match.names.batch_statistics`` gives a token
    (learnt from an empty batch, so that a new token column travels too), then
    ``STATISTICS_COLUMNS``."""
    vocab = batch_statistics(prepare_queries(pl.Series("party_name", [], pl.String))).vocab
    return {**{c: t for c, t in vocab.schema.items() if c != "df"}, **STATISTICS_COLUMNS}


def statistics_of_partition(schema: dict[str, pl.DataType]
                            ) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The ``mapInArrow`` function: a partition of keyed names -> its statistics rows
    (``schema``: ``statistics_schema()``)."""
    token_columns = [c for c in schema if c not in STATISTICS_COLUMNS]

    def statistics_rows(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        frame = from_spark(batches, KEYED_SCHEMA)
        if frame is None or frame.is_empty():
            return
        statistics = batch_statistics(_queries(frame))
        vocab = statistics.vocab
        rows = pl.concat([
            vocab.select(token_columns),
            vocab.unique(subset="skeleton").select("skeleton",
                                                   df=pl.col("df").cast(pl.Float64)),
            statistics.frequencies.select("wkey", "df"),
            pl.DataFrame({"df": [float(statistics.size)]}),
        ], how="diagonal")
        yield from to_spark_batches(rows, schema)

    return statistics_rows


def merged_statistics(rows: pl.DataFrame) -> BatchStatistics:
    """The batch's ``BatchStatistics`` from every partition's statistics rows, partitions
    holding disjoint keys: each count is the sum of the partitions' counts."""
    token_columns = [c for c in rows.columns if c not in STATISTICS_COLUMNS]
    tokens = rows.filter(pl.col("token").is_not_null()).select(token_columns).unique(
        maintain_order=True)
    counts = rows.filter(pl.col("token").is_null() & pl.col("skeleton").is_not_null()).group_by(
        "skeleton").agg(df=pl.col("df").sum().cast(pl.UInt32))
    frequencies = rows.filter(pl.col("wkey").is_not_null()).group_by("wkey").agg(
        pl.col("df").sum())
    sizes = rows.filter(pl.all_horizontal(pl.col(c).is_null()
                                          for c in ("token", "skeleton", "wkey")))
    return BatchStatistics(frequencies=frequencies, vocab=tokens.join(counts, on="skeleton"),
                           size=int(sizes.get_column("df").sum()))


def name_hit_schema(index: ListIndex) -> dict[str, pl.DataType]:
    """The columns and types of ``match_queries``' name-level hits against ``index``."""
    listed = index.names.rename({"name": "matched_name",
                                 "name_normalised": "matched_name_normalised"}).schema
    own = {"party_name": pl.String(), "party_name_normalised": pl.String(),
           "score": pl.Float64(), "explanation": pl.String()}
    return {c: own.get(c) or listed[c] for c in (*NAME_HIT_COLUMNS, *ENTRY_DETAIL_COLUMNS)}


def matched_names(index: ListIndex, floor: float, statistics: BatchStatistics
                  ) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The ``mapInArrow`` function: a partition of keyed names -> their name-level hits
    (``name_hit_schema``) scoring ``floor`` or more, scored with the batch's
    ``statistics``."""
    schema = name_hit_schema(index)

    def match(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        frame = from_spark(batches, KEYED_SCHEMA)
        if frame is None or frame.is_empty():
            return
        queries = _queries(frame)
        if queries.size:
            yield from to_spark_batches(
                match_queries(queries, index, floor, statistics=statistics), schema)

    return match


def hits_of_partition(name_hits: pl.DataFrame, threshold: float
                      ) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The ``mapInArrow`` function: a partition's transactions -> its hits (``HIT_SCHEMA``),
    ``name_hits`` travelling in the pickled function."""

    def mapped(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        frame = from_spark(batches)
        if frame is not None and not frame.is_empty():
            yield from to_spark_batches(map_hits(frame, name_hits, threshold), HIT_SCHEMA)

    return mapped


def ordered_hits(hits: pl.DataFrame) -> pl.DataFrame:
    by, descending = HIT_ORDER
    return hits.sort(by, descending=descending)
