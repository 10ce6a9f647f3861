"""Behavioural detection over history, on labelled AMLSim runs loaded as monthly batches.

```sh
.venv/bin/python benchmarks/eval_history_rules.py
```

Two third-party simulated sets from ``../shared/data/aml_transactions`` (see its
``SOURCES.md``): AMLSim-Extension's ledger (``edges.csv``: 14,662 transfers over 90 days, 474
of them SAR transfers of four typologies, with normal traffic) and the TigerGraph AMLSim run's
alert transactions (``alerts.csv``: fan-in and cycle patterns over 200 days; no normal
traffic, so only recall means something there). Each is cut into batches of 30 days (AMLSim
counts days in steps), as an FIU receives monthly reports, and the starter rules (at
AMLSim's scale: ``tests/rules/data/amlsim_parameters.yaml``) are evaluated three ways:

* ``per batch``: every rule on each batch alone;
* ``history (shipped)``: as stored batches are, the ``scope: history`` rules also over the
  earlier batches' transactions of the accounts each batch touches (``rules.history``, the
  same function the store calls, with the same ``history_days`` window);
* ``history (all behavioural)``: the same with every aggregate, sequence and network rule
  given ``scope: history``: what scoping the whole library so would find.

Account-level figures per typology: recall is the share of the typology's accounts (either
side of its SAR transfers) that some rule alerted on; precision is the share of alerted
accounts that take part in any SAR transfer. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aml_screen.rules import evaluate_rules, load_rules
from aml_screen.rules.history import history_rule_hits
from aml_screen.rules.model import RuleSet
from aml_screen.schema import AMOUNT_DTYPE, RULE_HIT_SCHEMA, TRANSACTION_SCHEMA, conform

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "aml_transactions"
PARAMETERS = REPO / "tests" / "rules" / "data" / "amlsim_parameters.yaml"
BATCH_DAYS = 30
HISTORY_DAYS = 90
START = datetime(2017, 1, 1, tzinfo=UTC)
BEHAVIOURAL = ("aggregate", "sequence", "network")


def _ledger(frame: pl.DataFrame, step: str, sender: str, receiver: str, amount: str,
            ident: str) -> pl.DataFrame:
    """AMLSim transfers in the canonical layout (one step = one day; amounts in USD)."""
    return conform(frame.select(
        transaction_id=pl.col(ident).cast(pl.String),
        booked_at=pl.lit(START) + pl.duration(days=pl.col(step), hours=9),
        amount=pl.col(amount).cast(pl.String).str.to_decimal(scale=2).cast(AMOUNT_DTYPE),
        currency=pl.lit("USD"),
        originator_account=pl.col(sender).cast(pl.String),
        beneficiary_account=pl.col(receiver).cast(pl.String),
        channel=pl.lit("TRANSFER"),
    ), TRANSACTION_SCHEMA)


def extension_set(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame, set[str]]:
    """(transactions, labels: ``account``/``typology``, every SAR account)."""
    edges = pl.read_csv(folder / "edges.csv")
    sar = edges.filter(pl.col("issar"))
    labels = pl.concat([sar.select(account=pl.col(side).cast(pl.String), typology="cotype")
                        for side in ("src", "dst")]).unique()
    return (_ledger(edges, "step", "src", "dst", "amount", "id"), labels,
            set(labels.get_column("account").to_list()))


def tigergraph_set(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame, set[str]]:
    alerts = pl.read_csv(folder / "alerts.csv")
    labels = pl.concat([alerts.select(account=pl.col(side).cast(pl.String),
                                      typology="ALERT_TYPE")
                        for side in ("SENDER_ACCOUNT_ID", "RECEIVER_ACCOUNT_ID")]).unique()
    return (_ledger(alerts, "TIMESTAMP", "SENDER_ACCOUNT_ID", "RECEIVER_ACCOUNT_ID",
                    "TX_AMOUNT", "TX_ID"), labels, set(labels.get_column("account").to_list()))


def monthly(transactions: pl.DataFrame) -> list[pl.DataFrame]:
    """Batches of ``BATCH_DAYS`` days, in time order."""
    numbered = transactions.with_columns(
        _batch=((pl.col("booked_at") - pl.lit(START)).dt.total_days() // BATCH_DAYS))
    return [part.drop("_batch") for _, part in
            sorted(numbered.group_by("_batch"), key=lambda item: int(str(item[0][0])))]


def _earlier(batches: list[pl.DataFrame], index: int) -> pl.DataFrame:
    """What the store would hand the history rules of batch ``index``: earlier batches'
    transactions of its accounts, within ``HISTORY_DAYS`` of its dates."""
    batch = batches[index]
    accounts = pl.concat([batch.get_column("originator_account"),
                          batch.get_column("beneficiary_account")]).drop_nulls().unique()
    start = batch.get_column("booked_at").min()
    earlier = [part.with_columns(batch_id=pl.lit(i, pl.Int64))
               for i, part in enumerate(batches[:index])]
    if not earlier:
        return pl.DataFrame(schema={**TRANSACTION_SCHEMA, "batch_id": pl.Int64})
    frame = pl.concat(earlier)
    return frame.filter(
        (pl.col("originator_account").is_in(accounts.implode())
         | pl.col("beneficiary_account").is_in(accounts.implode()))
        & (pl.col("booked_at") >= pl.lit(start) - pl.duration(days=HISTORY_DAYS)))


def alerted_accounts(batches: list[pl.DataFrame], rule_set: RuleSet, history: bool
                     ) -> set[str]:
    found: set[str] = set()
    for index, batch in enumerate(batches):
        hits = evaluate_rules(rule_set, batch)
        extra = (history_rule_hits(rule_set, batch, _earlier(batches, index), hits)
                 if history and index else pl.DataFrame(schema=RULE_HIT_SCHEMA))
        for frame in (hits, extra):
            found |= set(frame.filter(pl.col("subject_type") == "account")
                         .get_column("subject_id").to_list())
    return found


def all_history(rule_set: RuleSet) -> RuleSet:
    return replace(rule_set, rules=tuple(
        replace(rule, scope="history") if rule.kind in BEHAVIOURAL else rule
        for rule in rule_set.rules))


def figures(alerted: set[str], labels: pl.DataFrame, sar: set[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for typology, accounts in sorted(labels.group_by("typology"), key=lambda g: str(g[0][0])):
        wanted = set(accounts.get_column("account").to_list())
        out[f"recall_{typology[0]}"] = round(len(wanted & alerted) / len(wanted), 3)
    out["precision"] = round(len(alerted & sar) / len(alerted), 3) if alerted else 1.0
    out["alerted_accounts"] = float(len(alerted))
    return out


def main(argv: list[str] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=SHARED)
    args = parser.parse_args(argv)
    shipped = load_rules(REPO / "rules", PARAMETERS)
    variants = {"per batch": (shipped, False), "history (shipped)": (shipped, True),
                "history (all behavioural)": (all_history(shipped), True)}
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name, loader in (("AMLSim-Extension", extension_set),
                         ("AMLSim TigerGraph alerts", tigergraph_set)):
        folder = args.data / {"AMLSim-Extension": "amlsim_extension_feynmanmeng",
                              "AMLSim TigerGraph alerts": "amlsim_tigergraph"}[name]
        transactions, labels, sar = loader(folder)
        batches = monthly(transactions)
        results[name] = {variant: figures(alerted_accounts(batches, rules, history), labels,
                                          sar)
                         for variant, (rules, history) in variants.items()}
        print(f"\n{name}: {transactions.height:,} transfers in {len(batches)} batches "
              f"of {BATCH_DAYS} days, {len(sar)} SAR accounts")
        keys = list(next(iter(results[name].values())))
        print(f"{'':28}" + "".join(f"{k:>24}" for k in keys))
        for variant, row in results[name].items():
            print(f"{variant:28}" + "".join(f"{row[k]:>24}" for k in keys))
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
