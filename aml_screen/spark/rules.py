"""Rules on Spark: the embedded ``evaluate_rules`` per partition, on partitions that hold
every row a rule needs together.

- Transaction and aggregate rules group rows by their subject (an account, else the party's
  name for a cash depositor: ``rules.hits.subject_exprs``): the rows are repartitioned by that
  key, so every subject's rows, and so every window of an aggregate rule, are in one
  partition. One shuffle per subject column, shared by every rule about it.
- Sequence rules pair money into an account with money out of it: each row is routed to the
  partition of its beneficiary account and to that of its originator account (``ROUTE``), so
  every account's inflows and outflows meet in the partition of the account; a partition
  keeps only the hits about accounts routed to it (others may see part of their rows there).
- Network rules (cycles and funnels across accounts, of any length) and list rules (a listed
  party's hits across transactions) run in one partition, on the pruned columns (list rules
  only on the transactions that have a hit).

Inside a partition rows are sorted back into file order (batch, then line), the order the
embedded engine sees: rules that keep the first of equal values give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import polars as pl
import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F  # noqa: N812  (Spark's documented alias)

from aml_screen.rules.engine import evaluate_rules
from aml_screen.rules.model import NAME_OF, SUBJECT_KEYS, Rule, RuleSet
from aml_screen.schema import HIT_SCHEMA, RULE_HIT_SCHEMA, TRANSACTION_SCHEMA
from aml_screen.spark.ingest import BATCH_ORDER
from aml_screen.spark.schema import from_spark, spark_ddl, to_spark_batches

KEYED_KINDS = ("transaction", "aggregate")
ROUTE = "_route"
"""The account a routed row was sent to its partition for (sequence rules)."""
ROW = [BATCH_ORDER, "source_line"]
"""A row's identity and place: file, then line."""


@dataclass(frozen=True)
class RuleGroup:
    """Rules evaluated together on one partitioning of the transactions."""

    rules: RuleSet
    subject: str | None
    """Subject column the rows are partitioned by; None: one partition."""
    needs_hits: bool = False
    routed: bool = False
    """Rows go to the partitions of both their accounts (sequence rules)."""


def rule_groups(rule_set: RuleSet) -> list[RuleGroup]:
    keyed: dict[str, list[Rule]] = {}
    for rule in rule_set.rules:
        if rule.kind in KEYED_KINDS:
            keyed.setdefault(rule.subject, []).append(rule)
    groups = [RuleGroup(replace(rule_set, rules=tuple(members)), subject)
              for subject, members in keyed.items()]
    sequences = tuple(r for r in rule_set.rules if r.kind == "sequence")
    if sequences:
        groups.append(RuleGroup(replace(rule_set, rules=sequences), None, routed=True))
    networks = tuple(r for r in rule_set.rules if r.kind == "network")
    if networks:
        groups.append(RuleGroup(replace(rule_set, rules=networks), None))
    listed = tuple(r for r in rule_set.rules if r.kind == "list")
    if listed:
        groups.append(RuleGroup(replace(rule_set, rules=listed), None, needs_hits=True))
    return groups


def subject_key(subject: str) -> Column:
    """A partitioning key that is equal for rows of one rule subject (``subject_exprs``:
    an account subject falls back to the party's name when the account is missing)."""
    if SUBJECT_KEYS[subject] == "party":
        return F.col(subject)
    return F.coalesce(F.col(subject), F.col(NAME_OF[subject]))


def routed_rows(rows: DataFrame) -> DataFrame:
    """Each row once per distinct account it has (``ROUTE``); rows without one are left
    out (a sequence pairs rows through an account)."""
    accounts = F.array_distinct(F.array(F.col("beneficiary_account"),
                                        F.col("originator_account")))
    return rows.withColumn(ROUTE, F.explode(accounts)).filter(F.col(ROUTE).isNotNull())


def evaluate_partition(rule_set: RuleSet, hits: pl.DataFrame | None, timezone: str
                       ) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The ``mapInArrow`` function: one partition's transactions -> its rule hits."""

    def evaluate(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        frame = from_spark(batches, TRANSACTION_SCHEMA)
        if frame is None or frame.is_empty():
            return
        routes = None
        if ROUTE in frame.columns:  # a row routed here by both its accounts counts once
            routes = frame.get_column(ROUTE).unique()
            frame = frame.drop(ROUTE).unique(subset=ROW, keep="first")
        frame = frame.sort(ROW).drop(BATCH_ORDER)
        found = evaluate_rules(rule_set, frame, hits, timezone=timezone)
        if routes is not None:
            found = found.filter(pl.col("subject_id").is_in(routes.implode()))
        yield from to_spark_batches(found, RULE_HIT_SCHEMA)

    return evaluate


def rule_hits_frame(transactions: DataFrame, rule_set: RuleSet, hits: pl.DataFrame,
                    partitions: int, timezone: str) -> DataFrame | None:
    """Every group's rule hits as one Spark frame (``RULE_HIT_SCHEMA`` mapped), or None
    when the rule set is empty; hours and weekdays are read in ``timezone``."""
    columns = [*[c for c in TRANSACTION_SCHEMA if c in transactions.columns], BATCH_ORDER]
    pruned = transactions.select(*columns)
    frames = []
    for group in rule_groups(rule_set):
        if group.subject is not None:
            rows = pruned.repartition(partitions, subject_key(group.subject))
        elif group.routed:
            rows = routed_rows(pruned).repartition(partitions, ROUTE)
        elif group.needs_hits:
            ids = hits.select(pl.col("transaction_id").unique()).get_column("transaction_id")
            rows = pruned.filter(F.col("transaction_id").isin(ids.to_list())).repartition(1)
        else:
            rows = pruned.repartition(1)
        function = evaluate_partition(group.rules, hits.select(list(HIT_SCHEMA))
                                      if group.needs_hits else None, timezone)
        frames.append(rows.mapInArrow(function, spark_ddl(RULE_HIT_SCHEMA)))
    if not frames:
        return None
    combined = frames[0]
    for frame in frames[1:]:
        combined = combined.unionByName(frame)
    return combined
