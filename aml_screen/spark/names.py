"""Name screening in three steps, as the embedded pipeline does it: the batch's distinct
names are gathered per partition (``party_names``), matched once on the driver
(``match_queries``), and the name-level hits are mapped back onto each partition's
transactions (``map_hits``).

Why the matching itself runs on the driver: a name's score weighs its tokens by how rare they
are among the lists' names *and the batch's distinct names* (``match.weights.token_weights``
takes the batch's document frequencies and name count). Matching each partition's names
alone would weigh ``Diallo`` by its frequency in that partition and give other scores than the
embedded engine. Distinct names are a small share of the rows (5-10 % in bank batches), the
list index never leaves the driver, and what reaches the executors is the name-level hits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import polars as pl
import pyarrow as pa

from aml_screen.schema import HIT_SCHEMA, PARTY_ATTRIBUTES, PARTY_ROLES
from aml_screen.screening import map_hits, party_count, party_names
from aml_screen.spark.schema import from_spark, to_spark_batches

NAMES_SCHEMA: dict[str, pl.DataType] = {"party_name": pl.String(), "parties": pl.Int64()}
"""A partition's distinct names, and one row without a name holding its count of parties."""

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
    """The ``mapInArrow`` function: a partition's transactions -> ``NAMES_SCHEMA`` rows."""
    frame = from_spark(batches)
    if frame is None or frame.is_empty():
        return
    names = party_names(frame).to_frame().with_columns(parties=pl.lit(None, pl.Int64))
    count = pl.DataFrame({"party_name": [None], "parties": [party_count(frame)]},
                         schema=NAMES_SCHEMA)
    yield from to_spark_batches(pl.concat([names, count]), NAMES_SCHEMA)


def gathered_names(rows: pl.DataFrame) -> tuple[pl.Series, int]:
    """(the batch's distinct names, its count of parties) from every partition's rows."""
    named = rows.filter(pl.col("party_name").is_not_null())
    names = named.get_column("party_name").unique(maintain_order=True)
    return names, int(rows.get_column("parties").sum())


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
