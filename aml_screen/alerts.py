"""Watchlist hits and rule hits rolled up into alerts, one per subject. Pure: frames in/out.

Risk score. Each reason contributes a strength in 0-100: a watchlist entry its best match
score (a weak alias counts ``WEAK_ALIAS_WEIGHT`` of it, a PEP ``PEP_WEIGHT`` of it), a rule
its severity. Contributions combine as independent evidence, ``100 × (1 − Π(1 − c/100))``:
two moderate reasons rank above one, nothing exceeds 100, and repeating one reason on many
transactions adds nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import polars as pl

from aml_screen.schema import ALERT_SCHEMA, HIT_SCHEMA, RULE_HIT_SCHEMA, conform
from aml_screen.watchlists.topics import is_pep_hit

WEAK_ALIAS_WEIGHT = 0.7
WATCHLIST_TYPOLOGY = "sanctions"
PEP_TYPOLOGY = "pep"
PEP_WEIGHT = 0.5
"""A PEP (or a PEP's relative or associate) is someone to look at more closely, not someone
the bank may not deal with (FATF Recommendation 12): an exact PEP match contributes 50, under
any sanctions hit on a name or alias at a threshold above 50, and under a weak-alias
sanctions hit from a match score of 72; a PEP with a rule hit on the same party (large
transfers) combines as independent evidence and rises above either alone."""

_CONTRIBUTION_SCHEMA = {
    "subject_type": pl.String(),
    "subject_id": pl.String(),
    "subject_name": pl.String(),
    "rule_id": pl.String(),
    "list_id": pl.String(),
    "typology": pl.String(),
    "contribution": pl.Float64(),
    "match_score": pl.Float64(),
    "transaction_ids": pl.List(pl.String()),
    "reason": pl.String(),
}


def batch_key(sha256s: Sequence[str]) -> str:
    """One key for a set of batch files, whatever order they were given in."""
    return hashlib.sha256("\n".join(sorted(sha256s)).encode()).hexdigest()


SAME_PARTY: dict[str, pl.DataType] = {"name": pl.String(), "subject": pl.String()}
"""Normalised party names known to be one subject's (``name`` → the ``subject`` name its
alert goes under), e.g. from subject resolution in the store."""


def alert_subject(names: pl.Expr, same_party: pl.DataFrame | None) -> pl.Expr:
    """The subject a party's normalised name alerts under (``same_party`` maps some)."""
    if same_party is None or same_party.is_empty():
        return names
    table = dict(same_party.select("name", "subject").iter_rows())
    return names.replace(table)


def watchlist_contributions(hits: pl.DataFrame, same_party: pl.DataFrame | None = None
                            ) -> pl.DataFrame:
    """One contribution per (party, list entry): its best-scoring name, weak aliases and
    PEPs weighed down (a PEP hit's typology is ``pep``). The subject is the party's
    normalised name (or the one ``same_party`` gives it), shown as its most frequent
    spelling."""
    if hits.is_empty():
        return pl.DataFrame(schema=_CONTRIBUTION_SCHEMA)
    pep = is_pep_hit(pl.col("topics"))
    weighted = hits.with_columns(
        party_name_normalised=alert_subject(pl.col("party_name_normalised"), same_party),
        contribution=pl.col("score")
        * pl.when(pl.col("name_kind") == "weak_alias").then(WEAK_ALIAS_WEIGHT).otherwise(1.0)
        * pl.when(pep).then(PEP_WEIGHT).otherwise(1.0),
        typology=pl.when(pep).then(pl.lit(PEP_TYPOLOGY)).otherwise(pl.lit(WATCHLIST_TYPOLOGY)),
    ).sort(["contribution", "score", "matched_name", "name_kind", "transaction_id",
            "party_role"], descending=[True, True, False, False, False, False], nulls_last=True)
    best = weighted.group_by("party_name_normalised", "list_id", "entry_id",
                             maintain_order=True).agg(
        pl.col("party_name").mode().sort().first().alias("subject_name"),
        pl.col("matched_name", "name_kind", "score", "contribution", "programmes", "topics",
               "relation", "typology").first(),
        pl.col("transaction_id").unique().sort().alias("transaction_ids"),
    )
    reasons = [
        json.dumps({"kind": "watchlist", "list_id": r["list_id"], "entry_id": r["entry_id"],
                    "matched_name": r["matched_name"], "name_kind": r["name_kind"],
                    "score": r["score"], "programmes": r["programmes"] or [],
                    **({"typology": r["typology"], "topics": r["topics"]} if r["topics"]
                       else {}),
                    **({"relation": json.loads(r["relation"])} if r["relation"] else {}),
                    "contribution": round(r["contribution"], 1)}, ensure_ascii=False)
        for r in best.iter_rows(named=True)
    ]
    return best.select(
        pl.lit("party").alias("subject_type"),
        pl.col("party_name_normalised").alias("subject_id"),
        "subject_name",
        pl.lit(None, pl.String).alias("rule_id"),
        "list_id",
        "typology",
        "contribution",
        pl.col("score").alias("match_score"),
        "transaction_ids",
        pl.Series("reason", reasons, dtype=pl.String),
    )


def rule_contributions(rule_hits: pl.DataFrame, same_party: pl.DataFrame | None = None
                       ) -> pl.DataFrame:
    """One contribution per (subject, rule): its severity, with the union of transactions
    (a party subject's name mapped by ``same_party``)."""
    if rule_hits.is_empty():
        return pl.DataFrame(schema=_CONTRIBUTION_SCHEMA)
    rule_hits = rule_hits.with_columns(subject_id=pl.when(pl.col("subject_type") == "party")
                                       .then(alert_subject(pl.col("subject_id"), same_party))
                                       .otherwise("subject_id"))
    # Every sort is total (ties broken by name, window and evidence): rolled-up names,
    # transactions and reasons do not depend on the order the hits come in.
    per_rule = (
        rule_hits.sort(["severity_score", "subject_name", "window_start", "evidence"],
                       descending=[True, False, False, False], nulls_last=True)
        .group_by("subject_type", "subject_id", "rule_id", maintain_order=True)
        .agg(
            pl.col("subject_name", "typology", "severity_score").first(),
            pl.col("transaction_ids").explode().unique().sort(),
            pl.col("evidence"),
        )
    )
    reasons = [
        json.dumps({"kind": "rule", "rule_id": r["rule_id"], "typology": r["typology"],
                    "severity": r["severity_score"], "contribution": r["severity_score"],
                    "evidence": [json.loads(e) for e in r["evidence"]]}, ensure_ascii=False)
        for r in per_rule.iter_rows(named=True)
    ]
    return per_rule.select(
        "subject_type", "subject_id", "subject_name", "rule_id",
        pl.lit(None, pl.String).alias("list_id"), "typology",
        pl.col("severity_score").alias("contribution"),
        pl.lit(None, pl.Float64).alias("match_score"),
        "transaction_ids",
        pl.Series("reason", reasons, dtype=pl.String),
    )


def roll_up(hits: pl.DataFrame, rule_hits: pl.DataFrame, key: str,
            same_party: pl.DataFrame | None = None) -> pl.DataFrame:
    """Alerts (``ALERT_SCHEMA``) for every subject with a watchlist hit or a rule hit,
    highest risk first; party names that ``same_party`` (``SAME_PARTY``) maps to one
    subject make one alert."""
    contributions = pl.concat([
        watchlist_contributions(conform(hits, HIT_SCHEMA), same_party),
        rule_contributions(conform(rule_hits, RULE_HIT_SCHEMA), same_party),
    ]).sort(["contribution", "subject_name", "reason"], descending=[True, False, False],
            nulls_last=True)
    if contributions.is_empty():
        return pl.DataFrame(schema=ALERT_SCHEMA)
    remaining = (1 - pl.col("contribution").clip(0, 100) / 100).product()
    alerts = contributions.group_by("subject_type", "subject_id", maintain_order=True).agg(
        pl.col("subject_name").first(),
        (100 * (1 - remaining)).round(1).alias("risk_score"),
        pl.col("rule_id").drop_nulls().unique().sort().alias("rule_ids"),
        pl.col("list_id").drop_nulls().unique().sort().alias("list_ids"),
        pl.col("typology").unique().sort().alias("typologies"),
        pl.col("transaction_ids").explode().unique().sort(),
        pl.col("match_score").drop_nulls().len().cast(pl.UInt32).alias("hit_count"),
        pl.col("match_score").max().alias("max_match_score"),
        (pl.lit("[") + pl.col("reason").str.join(",") + pl.lit("]")).alias("reasons"),
    )
    alert_ids = [
        hashlib.sha256(f"{key}|{t}|{s}".encode()).hexdigest()[:20]
        for t, s in alerts.select("subject_type", "subject_id").iter_rows()
    ]
    return conform(
        alerts.with_columns(alert_id=pl.Series(alert_ids, dtype=pl.String),
                            batch_key=pl.lit(key)),
        ALERT_SCHEMA,
    ).select(list(ALERT_SCHEMA)).sort(["risk_score", "subject_id"], descending=[True, False])
