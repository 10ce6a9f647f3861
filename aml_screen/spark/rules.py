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
- Network rules (cycles and funnels across accounts, of any length) run in one partition
  each, on the rows of the accounts that can take part in that rule (``network_rows``).
  The transfer edges of every network rule are found in one pass, each partition's with the
  engine's own ``prepare`` and ``edges_of`` (the rule's ``filter``, XOF amounts, two
  different accounts: row by row, so per partition is exact), then Spark narrows the
  accounts with the engine's pruning ideas as joins: a cycle passes only through accounts
  that both send and receive (``CYCLE_ROUNDS`` rounds, each on the edges between the
  accounts left), a funnel account has ``min_senders`` distinct senders, sends, and passes
  the engine's own ``eval_funnel.hopeful`` (run on each candidate's transfers in the
  candidate's partition). Every row touching such an account is kept (its name is the one
  most written on all its rows, and its transfer count decides ``max_account_transfers``),
  so the engine, which finishes the pruning, finds the same cycles and funnels. For a
  funnel rule with ``max_account_transfers`` the candidates' counterparties' rows are kept
  too, and ``hopeful`` is left to the engine: a busy sender's transfers do not count
  towards a funnel's senders, and ``hopeful`` must only see the transfers of accounts that
  are not busy. A rule never sees the rows kept for another: the rows of a cycle's accounts
  would show the funnel rule accounts kept for no rule with part of their transfers only
  (18 false funnels at 10M rows, before the engine windowed only the accounts its own
  ``hopeful`` keeps). At 10M generated
  rows (a dense graph) the cycle rule keeps 69 % of the rows, the funnel rule 6 %.
- List rules (a listed party's hits across transactions) run in one partition on the
  transactions that have a hit.

Every group reads only the columns its rules use (``rule_columns``): a shuffle moves ids,
accounts, names, amounts and times, not payment texts the rules never look at. Inside a
partition rows are sorted back into file order (batch, then line), the order the embedded
engine sees: rules that keep the first of equal values give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import polars as pl
import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F  # noqa: N812  (Spark's documented alias)

from aml_screen.rules.engine import columns_used, evaluate_rules, prepare
from aml_screen.rules.eval_funnel import hopeful
from aml_screen.rules.eval_network import edges_of
from aml_screen.rules.model import NAME_OF, SUBJECT_KEYS, NetworkSpec, Rule, RuleSet
from aml_screen.schema import HIT_SCHEMA, RULE_HIT_SCHEMA, TRANSACTION_SCHEMA, UTC_TIMESTAMP
from aml_screen.spark.ingest import BATCH_ORDER
from aml_screen.spark.schema import from_spark, spark_ddl, to_spark_batches

KEYED_KINDS = ("transaction", "aggregate")
DERIVED_INPUTS = ("amount", "currency", "channel", "booked_at", "originator_country",
                  "beneficiary_country", "originator_account", "originator_name",
                  "beneficiary_account", "beneficiary_name")
"""The transaction columns ``rules.derived.add_derived`` reads (every evaluation derives
``amount_xof``, so every group keeps them)."""
CYCLE_ROUNDS = 2
"""Rounds of cycle pruning in Spark: the first removes accounts that only send or only
receive, the second those left with no partner among the others; the engine prunes on."""
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
    network: bool = False
    """Only the rows of accounts that can take part are kept (``network_rows``)."""


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
        groups.append(RuleGroup(replace(rule_set, rules=networks), None, network=True))
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


def rule_columns(rule_set: RuleSet, available: list[str]) -> list[str]:
    """The columns of ``available`` that evaluating ``rule_set`` reads, and the row's place."""
    used = {*columns_used(rule_set), *DERIVED_INPUTS} - set(ROW)
    return [*(c for c in TRANSACTION_SCHEMA if c in available and c in used), *ROW]


EDGE_SCHEMA: dict[str, pl.DataType] = {"rule": pl.Int64(), "src": pl.String(),
                                       "dst": pl.String(), "at": UTC_TIMESTAMP}
"""A network rule's transfer edge: the rule's position in its set, sender, receiver, time."""
EVENT_SCHEMA: dict[str, pl.DataType] = {"account": pl.String(), "party": pl.String(),
                                        "at": UTC_TIMESTAMP, "inbound": pl.Boolean()}
"""A transfer seen from one of its accounts (``eval_funnel.hopeful``'s events)."""
ACCOUNT_SCHEMA: dict[str, pl.DataType] = {"account": pl.String()}


def edges_of_partition(rule_set: RuleSet, timezone: str
                       ) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The ``mapInArrow`` function: a partition's transactions -> the transfer edges of each
    network rule of ``rule_set`` (``EDGE_SCHEMA``), as ``rules.eval_network.edges_of``
    finds them."""

    def edges(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        frame = from_spark(batches, TRANSACTION_SCHEMA)
        if frame is None or frame.is_empty():
            return
        prepared = prepare(rule_set, frame.drop(BATCH_ORDER), timezone)
        found = [edges_of(prepared, rule).select("src", "dst", "at", rule=pl.lit(i, pl.Int64))
                 for i, rule in enumerate(rule_set.rules)]
        yield from to_spark_batches(pl.concat(found).collect(), EDGE_SCHEMA)

    return edges


def _accounts(edges: DataFrame, side: str) -> DataFrame:
    return edges.select(F.col(side).alias("account")).distinct()


def _between(edges: DataFrame, accounts: DataFrame) -> DataFrame:
    """``edges`` whose both accounts are in ``accounts``."""
    return (edges.join(accounts.withColumnRenamed("account", "src"), on="src", how="left_semi")
            .join(accounts.withColumnRenamed("account", "dst"), on="dst", how="left_semi"))


def cycle_accounts(edges: DataFrame) -> DataFrame:
    """Accounts that may be on a cycle: sending and receiving, ``CYCLE_ROUNDS`` times over
    (``rules.eval_cycle.prune_edges`` prunes until nothing changes)."""
    accounts = _accounts(edges, "src").join(_accounts(edges, "dst"), on="account",
                                            how="left_semi")
    for _ in range(CYCLE_ROUNDS - 1):
        edges = _between(edges, accounts)
        accounts = _accounts(edges, "src").join(_accounts(edges, "dst"), on="account",
                                                how="left_semi")
    return accounts


def funnel_accounts(edges: DataFrame, rule: Rule) -> DataFrame:
    """Accounts that may be funnels: ``min_senders`` distinct senders and something sent
    (``rules.eval_funnel._candidates``), then those the engine's own ``hopeful`` keeps,
    run on each account's transfers in the account's partition. With
    ``max_account_transfers`` (the engine removes busy accounts' transfers first, which
    ``hopeful`` must not see), the candidates and their counterparties instead."""
    spec, window = rule.network, rule.window
    assert spec is not None  # noqa: S101  (funnel rules have a spec and a window)
    assert window is not None  # noqa: S101
    accounts = (edges.groupBy(F.col("dst").alias("account"))
                .agg(F.countDistinct("src").alias("senders"))
                .filter(F.col("senders") >= spec.min_senders).select("account")
                .join(_accounts(edges, "src"), on="account", how="left_semi"))
    if spec.max_account_transfers is not None:
        senders = edges.join(accounts.withColumnRenamed("account", "dst"), on="dst",
                             how="left_semi").select(F.col("src").alias("account"))
        receivers = edges.join(accounts.withColumnRenamed("account", "src"), on="src",
                               how="left_semi").select(F.col("dst").alias("account"))
        return accounts.union(senders).union(receivers).distinct()
    inflows = edges.select(F.col("dst").alias("account"), F.col("src").alias("party"), "at",
                           F.lit(True).alias("inbound"))
    outflows = edges.select(F.col("src").alias("account"), F.col("dst").alias("party"), "at",
                            F.lit(False).alias("inbound"))
    events = inflows.unionByName(outflows).join(accounts, on="account", how="left_semi")
    return events.repartition("account").mapInArrow(
        hopeful_accounts(spec, window.length), spark_ddl(ACCOUNT_SCHEMA))


def hopeful_accounts(spec: NetworkSpec, length: timedelta
                     ) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The ``mapInArrow`` function: every transfer of some accounts (``EVENT_SCHEMA``) ->
    those of the accounts that may have a firing window (``eval_funnel.hopeful``)."""

    def accounts(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        events = from_spark(batches, EVENT_SCHEMA)
        if events is not None and not events.is_empty():
            yield from to_spark_batches(hopeful(events, spec, length), ACCOUNT_SCHEMA)

    return accounts


def network_rows(rows: DataFrame, rule_set: RuleSet, timezone: str,
                 cached: list[DataFrame]) -> list[tuple[RuleSet, DataFrame]]:
    """Each network rule of ``rule_set`` as a rule set of its own, with the rows touching an
    account it may name or whose rows it needs (see the module docstring). The rules' edges
    are found once and cached (and added to ``cached``): every pruning join reads them."""
    edges = rows.mapInArrow(edges_of_partition(rule_set, timezone),
                            spark_ddl(EDGE_SCHEMA)).cache()
    cached.append(edges)
    found: list[tuple[RuleSet, DataFrame]] = []
    for i, rule in enumerate(rule_set.rules):
        own = edges.filter(F.col("rule") == i).select("src", "dst", "at")
        cycle = rule.network is not None and rule.network.pattern == "cycle"
        accounts = cycle_accounts(own) if cycle else funnel_accounts(own, rule)
        found.append((replace(rule_set, rules=(rule,)), rows_touching(rows, accounts)))
    return found


def rows_touching(rows: DataFrame, accounts: DataFrame) -> DataFrame:
    """``rows`` with an account of ``accounts`` (either side), each once."""
    sent = rows.join(accounts.withColumnRenamed("account", "originator_account"),
                     on="originator_account", how="left_semi")
    received = (rows.join(accounts.withColumnRenamed("account", "beneficiary_account"),
                          on="beneficiary_account", how="left_semi")
                .join(accounts.withColumnRenamed("account", "originator_account"),
                      on="originator_account", how="left_anti"))
    return sent.unionByName(received)


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
                    partitions: int, timezone: str, cached: list[DataFrame]
                    ) -> DataFrame | None:
    """Every group's rule hits as one Spark frame (``RULE_HIT_SCHEMA`` mapped), or None
    when the rule set is empty; hours and weekdays are read in ``timezone``. Frames it
    caches are added to ``cached`` (to unpersist once the hits are gathered)."""
    frames = []
    for group in rule_groups(rule_set):
        pruned = transactions.select(*rule_columns(group.rules, transactions.columns))
        if group.subject is not None:
            parts = [(group.rules, pruned.repartition(partitions, subject_key(group.subject)))]
        elif group.routed:
            parts = [(group.rules, routed_rows(pruned).repartition(partitions, ROUTE))]
        elif group.needs_hits:
            ids = hits.select(pl.col("transaction_id").unique()).get_column("transaction_id")
            parts = [(group.rules, pruned.filter(F.col("transaction_id").isin(ids.to_list()))
                      .repartition(1))]
        elif group.network:
            parts = [(rules, rows.repartition(1))
                     for rules, rows in network_rows(pruned, group.rules, timezone, cached)]
        else:
            parts = [(group.rules, pruned.repartition(1))]
        listed = hits.select(list(HIT_SCHEMA)) if group.needs_hits else None
        frames += [rows.mapInArrow(evaluate_partition(rules, listed, timezone),
                                   spark_ddl(RULE_HIT_SCHEMA)) for rules, rows in parts]
    if not frames:
        return None
    combined = frames[0]
    for frame in frames[1:]:
        combined = combined.unionByName(frame)
    return combined
