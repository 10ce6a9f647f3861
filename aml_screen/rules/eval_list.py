"""List rules: a watchlist hit (score, list, programme, topics) together with a condition on
the transaction it was found in; one rule hit per (rule, listed party). ``topics: [pep]``
stands for a PEP or a PEP's relative or close associate (``watchlists.topics.PEP_TOPICS``);
a rule without ``topics`` reads sanctions hits only (not PEP hits)."""

from __future__ import annotations

import polars as pl

from aml_screen.rules.derived import fold_text
from aml_screen.rules.hits import evidence_json, finish
from aml_screen.rules.model import Rule
from aml_screen.schema import RULE_HIT_SCHEMA
from aml_screen.watchlists.topics import has_topic, is_pep_hit


def evaluate_list_rules(frame: pl.LazyFrame, hits: pl.DataFrame,
                        rules: list[Rule]) -> list[pl.DataFrame]:
    if not rules or hits.is_empty():
        return []
    joined = hits.lazy().join(frame, on="transaction_id", how="inner")
    return [_hits(rule, joined) for rule in rules]


def _hits(rule: Rule, joined: pl.LazyFrame) -> pl.DataFrame:
    spec = rule.listing
    assert spec is not None  # noqa: S101  (list rules always have one)
    keep = (pl.col("score") >= spec.min_score) & rule.condition.fill_null(value=False)
    if spec.list_ids:
        keep &= pl.col("list_id").is_in(list(spec.list_ids))
    if spec.topics:
        keep &= has_topic(pl.col("topics"), spec.topics)
    else:
        keep &= ~is_pep_hit(pl.col("topics"))
    if spec.programmes:
        folded = [fold_text(p) for p in spec.programmes]
        keep &= pl.col("programmes").list.join("|").str.to_lowercase().str.contains_any(
            folded).fill_null(value=False)
    rows = joined.filter(keep).sort("score", descending=True).collect()
    if rows.is_empty():
        return pl.DataFrame(schema=RULE_HIT_SCHEMA)
    grouped = rows.group_by("party_name_normalised", maintain_order=True).agg(
        pl.col("party_name").mode().sort().first(),
        pl.col("list_id", "entry_id", "matched_name", "score", "programmes", "topics",
               "relation").first(),
        pl.col("transaction_id").unique().sort().alias("transaction_ids"),
        pl.col("booked_at").min().alias("window_start"),
        pl.col("booked_at").max().alias("window_end"),
    ).with_columns(_subject="party_name", _subject_name="party_name",
                   _subject_id="party_name_normalised",
                   _subject_type=pl.lit("party"))
    evidence = evidence_json(rule, [
        {**r, "min_score": spec.min_score, "condition": rule.expressions.get("condition")}
        for r in grouped.select("list_id", "entry_id", "matched_name", "score", "programmes",
                                "topics", "relation").iter_rows(named=True)
    ])
    return finish(rule, grouped, evidence)
