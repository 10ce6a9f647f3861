"""How well name matching finds listed names and leaves ordinary names alone.

    python benchmarks/eval_matching.py [--threshold 85] [--plot out/tuning.png]

Against the combined lists (UN, OFAC SDN 2021 + consolidated, EU CSV sample, UK 2018) it
prints recall per variant kind on rule-made variants of real list names, the share of
ordinary names (yente's 50,000 synthetic persons, the Sahel generator's people and firms)
producing any hit, the labelled pairs' results, and the tuning curve: recall and false hits
per threshold. With matplotlib installed it also plots the curve. Every name is matched
once at a low floor; the curve is read from the scores, not by re-running per threshold.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import polars as pl

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aml_screen.match.index import ListIndex, build_index
from aml_screen.match.names import match_queries, prepare_queries, score_pairs
from benchmarks import eval_data

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FLOOR = 60.0
THRESHOLDS = tuple(float(t) for t in range(60, 101, 2))
KEY = ["query", "list_id", "entry_id"]


def best_scores(index: ListIndex, names: pl.Series, floor: float = FLOOR) -> pl.DataFrame:
    """Best score per (query, list, entry) at or above ``floor``."""
    hits = match_queries(prepare_queries(names), index, floor)
    return hits.group_by("party_name", "list_id", "entry_id").agg(pl.col("score").max()).rename(
        {"party_name": "query"})


def variant_scores(index: ListIndex, labelled: pl.DataFrame) -> pl.DataFrame:
    """Each variant with the best score its own entry got (0 when not found)."""
    scores = best_scores(index, labelled["query"].unique())
    return labelled.join(scores, on=KEY, how="left").with_columns(pl.col("score").fill_null(0.0))


def ordinary_scores(index: ListIndex, ordinary: pl.DataFrame) -> pl.DataFrame:
    """Each ordinary name with its best score against any entry (0 when none)."""
    scores = best_scores(index, ordinary["name"]).group_by("query").agg(pl.col("score").max())
    return ordinary.join(scores, left_on="name", right_on="query", how="left").with_columns(
        pl.col("score").fill_null(0.0))


def pair_scores(entries: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Each labelled pair with the score of its query against its candidate, the candidate
    indexed among the combined lists so that token weights are those of real screening."""
    candidates = pairs.with_row_index("entry_id").select(
        list_id=pl.lit("pairs"), entry_id=pl.col("entry_id").cast(pl.String),
        entity_type="entity_type", name="candidate", name_kind=pl.lit("primary"))
    index = build_index(pl.concat([entries, candidates], how="diagonal_relaxed"))
    scores = best_scores(index, pairs["query"].unique()).filter(pl.col("list_id") == "pairs")
    return pairs.with_row_index("entry_id").with_columns(pl.col("entry_id").cast(pl.String)).join(
        scores.drop("list_id"), on=["query", "entry_id"], how="left"
    ).with_columns(pl.col("score").fill_null(0.0))


def index_recall(index: ListIndex, names: pl.Series, threshold: float) -> dict[str, float]:
    """Share of the (name, list key) pairs with a name score at or above ``threshold`` under
    exhaustive scoring that candidate generation also finds, and the time of each."""
    queries = prepare_queries(names)
    clock = time.perf_counter()
    found = score_pairs(queries, index, threshold)[0]
    fast = time.perf_counter() - clock
    clock = time.perf_counter()
    full = score_pairs(queries, index, threshold, exhaustive=True)[0]
    slow = time.perf_counter() - clock
    kept = full.join(found, on=["query_id", "key_id"], how="semi").height
    return {"names": float(names.len()), "brute_force_pairs": float(full.height),
            "index_recall": round(kept / full.height, 5) if full.height else 1.0,
            "index_seconds": round(fast, 2), "brute_force_seconds": round(slow, 2)}


def share(mask: pl.Series) -> float:
    """Share of true values in a boolean series (0 when empty)."""
    return int(mask.sum()) / max(mask.len(), 1)


def tuning_curve(variants: pl.DataFrame, ordinary: pl.DataFrame,
                 thresholds: Sequence[float] = THRESHOLDS) -> pl.DataFrame:
    """Recall on variants and share of ordinary names with a hit, per threshold."""
    return pl.DataFrame({
        "threshold": list(thresholds),
        "recall": [round(share(variants["score"] >= t), 4) for t in thresholds],
        "false_hit_rate": [round(share(ordinary["score"] >= t), 5) for t in thresholds],
    })


def per_kind(variants: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Recall per variant kind (and entity type) at ``threshold``."""
    return variants.group_by("kind", "entity_type").agg(
        n=pl.len(), recall=(pl.col("score") >= threshold).mean().round(4)
    ).sort("kind", "entity_type")


def pair_summary(pairs: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Per source group: share of ``match`` pairs found and of ``no_match`` pairs flagged."""
    return pairs.group_by("group", "label").agg(
        n=pl.len(), above_threshold=(pl.col("score") >= threshold).mean().round(4)
    ).sort("group", "label")


def plot(curve: pl.DataFrame, path: Path, threshold: float) -> bool:
    """The tuning curve as a PNG; False when matplotlib is not installed."""
    try:  # optional dependency
        importlib.import_module("matplotlib").use("Agg")
        plt = importlib.import_module("matplotlib.pyplot")
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(curve["false_hit_rate"] * 100, curve["recall"] * 100, marker="o")
    for t, x, y in curve.select("threshold", "false_hit_rate", "recall").iter_rows():
        if t % 4 == 0 or t == threshold:
            ax.annotate(f"{t:g}", (x * 100, y * 100), fontsize=7)
    ax.set_xlabel("ordinary names with a hit (%)")
    ax.set_ylabel("recall on listed-name variants (%)")
    ax.set_title("aml-screen name matching: tuning curve (labels = threshold)")
    ax.grid(alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return True


def evaluate(shared: Path, threshold: float) -> dict[str, pl.DataFrame | float]:
    """Every table of the report, computed on the shared data."""
    entries = eval_data.combined_entries(shared)
    clock = time.perf_counter()
    index = build_index(entries)
    index_seconds = time.perf_counter() - clock
    labelled = eval_data.listed_variants(entries)
    ordinary = eval_data.ordinary_names(shared)
    clock = time.perf_counter()
    variants = variant_scores(index, labelled)
    normal = ordinary_scores(index, ordinary)
    match_seconds = time.perf_counter() - clock
    pairs = pair_scores(entries, eval_data.labelled_pairs(shared))
    sample = pl.concat([labelled["query"], ordinary["name"].sample(n=10_000, seed=1)])
    recall_vs_brute_force = index_recall(index, sample, threshold)
    return {
        "list_names": index.names.height, "index_seconds": round(index_seconds, 2),
        "match_seconds": round(match_seconds, 2), "variants": variants, "ordinary": normal,
        "pairs": pairs, "curve": tuning_curve(variants, normal),
        "per_kind": per_kind(variants, threshold),
        "per_source": normal.group_by("source").agg(
            n=pl.len(), false_hit_rate=(pl.col("score") >= threshold).mean().round(5)),
        "pair_summary": pair_summary(pairs, threshold),
        "candidate_index": pl.DataFrame([recall_vs_brute_force]),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=85.0)
    parser.add_argument("--data", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument("--plot", type=Path, default=Path("out/eval_matching.png"))
    parser.add_argument("--misses", type=int, default=0, help="print this many misses and "
                        "false hits")
    args = parser.parse_args(argv)
    report = evaluate(args.data, args.threshold)
    pl.Config.set_tbl_rows(60)
    variants, ordinary, curve = report["variants"], report["ordinary"], report["curve"]
    assert isinstance(variants, pl.DataFrame)
    assert isinstance(ordinary, pl.DataFrame)
    assert isinstance(curve, pl.DataFrame)
    for title in ("per_kind", "per_source", "pair_summary", "candidate_index", "curve"):
        print(f"\n== {title} (threshold {args.threshold:g})\n{report[title]}")
    if args.misses:
        print(variants.filter(pl.col("score") < args.threshold).group_by("kind").head(
            args.misses).sort("kind"))
        print(ordinary.filter(pl.col("score") >= args.threshold).group_by("source").head(
            args.misses))
    recall = share(variants["score"] >= args.threshold)
    false_hits = share(ordinary["score"] >= args.threshold)
    plotted = plot(curve, args.plot, args.threshold)
    print(json.dumps({
        "threshold": args.threshold, "variants": variants.height, "recall": round(recall, 4),
        "ordinary_names": ordinary.height, "false_hit_rate": round(false_hits, 5),
        "list_names": report["list_names"], "index_seconds": report["index_seconds"],
        "match_seconds": report["match_seconds"],
        "plot": str(args.plot) if plotted else None,
    }))


if __name__ == "__main__":
    main()
