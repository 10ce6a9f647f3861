"""Terminal rendering of a screening run's summary (rich tables, current language)."""

from __future__ import annotations

from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from aml_screen.cli.messages import language, t
from aml_screen.rules.sentences import typology_label

TOP_HITS = 10
TOP_ALERTS = 10


def top_hits(hits: pl.DataFrame, limit: int = TOP_HITS) -> pl.DataFrame:
    """Strongest (party name, listed entry) pairs, with the entry's best-matching name and the
    number of transactions the party appears in."""
    return (
        hits.sort("score", descending=True)
        .group_by("party_name", "party_role", "list_id", "entry_id", maintain_order=True)
        .agg(pl.col("matched_name").first(), pl.col("score").first(),
             pl.col("transaction_id").n_unique().alias("transactions"))
        .sort(["score", "transactions", "party_name"], descending=[True, True, False])
        .head(limit)
    )


def print_summary(console: Console, summary: dict[str, Any], hits: pl.DataFrame) -> None:
    counts = Table(title=t("summary.title"), show_header=False)
    counts.add_column(justify="left")
    counts.add_column(justify="right")
    for key in ("rows_read", "rows_loaded", "rows_quarantined", "distinct_names",
                "list_names", "hits", "transactions_with_hits"):
        counts.add_row(t(f"summary.{key}"), f"{summary[key]:,}")
    for key in ("rules_evaluated", "rule_hits", "alerts"):
        if key in summary:
            counts.add_row(t(f"rules.summary.{key}"), f"{summary[key]:,}")
    counts.add_row(t("summary.elapsed"), f"{summary['elapsed_seconds']:.2f}")
    console.print(counts)
    if summary.get("names_capped"):
        console.print(t("summary.names_capped", count=summary["names_capped"]))
    if hits.is_empty():
        return
    table = Table(title=t("summary.top_hits"))
    for key in ("party", "role", "list", "entry", "matched", "score", "transactions"):
        table.add_column(t(f"summary.col.{key}"))
    for row in top_hits(hits).iter_rows(named=True):
        table.add_row(row["party_name"], t(f"role.{row['party_role']}"), row["list_id"],
                      row["entry_id"], row["matched_name"], f"{row['score']:.1f}",
                      str(row["transactions"]))
    console.print(table)


def print_alerts(console: Console, alerts: pl.DataFrame, limit: int = TOP_ALERTS) -> None:
    """The highest-risk alerts: subject, risk score, the rules and lists behind it."""
    if alerts.is_empty():
        return
    table = Table(title=t("rules.summary.top_alerts", count=alerts.height))
    for key in ("subject", "type", "risk", "reasons", "typologies", "transactions"):
        table.add_column(t(f"rules.summary.col.{key}"))
    for row in alerts.head(limit).iter_rows(named=True):
        table.add_row(row["subject_name"] or row["subject_id"],
                      t(f"rules.subject.{row['subject_type']}"),
                      f"{row['risk_score']:.1f}",
                      ", ".join([*row["rule_ids"], *row["list_ids"]]),
                      ", ".join(typology_label(name, language()) for name in row["typologies"]),
                      str(len(row["transaction_ids"])))
    console.print(table)
