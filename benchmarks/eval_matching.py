"""How well name matching finds listed names and leaves ordinary names alone.

    python benchmarks/eval_matching.py [--threshold 86] [--plot docs/matching-curve.svg]
    python benchmarks/eval_matching.py --extra-list-names 1500000 --floor 88

Against the combined lists (UN, OFAC SDN 2021 + consolidated, EU CSV sample, UK 2018) it
prints recall per variant kind on rule-made variants of real list names, the share of
ordinary names (yente's 50,000 synthetic persons, the Sahel generator's people and firms)
producing any hit, the labelled pairs' results, and the tuning curve: recall and false hits
per threshold, optionally drawn as an SVG file (``--plot``). Every name is matched once at a
low floor; the curve is read from the scores, not by re-running per threshold.

Variants are screened the way a bank's batch would carry them: among the ordinary names.
Token weights take the batch's own name frequencies into account, and a batch made only of
variants would hold each listed name's rare tokens six times over (one variant per rule),
making them look common; the ordinary names alone are screened as their own batch, so their
false-hit rate is not lowered by the variants.

``--extra-list-names N`` adds N generated names to the lists (``bench_large_list``: the real
lists' word frequencies and PEP-like persons), as a PEP list would: false hits grow with the
list, and common tokens weigh less. Variants are still made from the real lists' names only.
The exhaustive comparison (``candidate_index``) is then left out (it scores every pair
sharing a token: hours over a million names), and ``--floor`` at the threshold saves most of
the matching time (the curve then starts at the floor).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from math import ceil, floor, log10
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aml_screen.match.index import ListIndex, build_index
from aml_screen.match.names import match_queries, prepare_queries, score_pairs
from aml_screen.settings import Settings
from benchmarks import bench_large_list, eval_data

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FLOOR = 60.0
THRESHOLDS = tuple(float(t) for t in range(60, 101, 2))
KEY = ["query", "list_id", "entry_id"]
EXTRA_SEED = 7
"""Seed of the generated extra list: ``bench_large_list``'s default, so both share a cache."""


def best_scores(index: ListIndex, names: pl.Series, floor: float = FLOOR) -> pl.DataFrame:
    """Best score per (query, list, entry) at or above ``floor``."""
    hits = match_queries(prepare_queries(names), index, floor)
    return hits.group_by("party_name", "list_id", "entry_id").agg(pl.col("score").max()).rename(
        {"party_name": "query"})


def variant_scores(index: ListIndex, labelled: pl.DataFrame,
                   background: pl.Series | None = None, floor: float = FLOOR) -> pl.DataFrame:
    """Each variant with the best score its own entry got (0 when not found), screened in
    one batch with the ``background`` names (ordinary names, as in a real batch)."""
    names = labelled["query"]
    if background is not None:
        names = pl.concat([names, background.alias(names.name)])
    scores = best_scores(index, names.unique(), floor).join(
        labelled.select("query").unique(), on="query")
    return labelled.join(scores, on=KEY, how="left").with_columns(pl.col("score").fill_null(0.0))


def ordinary_scores(index: ListIndex, ordinary: pl.DataFrame,
                    floor: float = FLOOR) -> pl.DataFrame:
    """Each ordinary name with its best score against any entry (0 when none)."""
    scores = best_scores(index, ordinary["name"], floor).group_by("query").agg(
        pl.col("score").max())
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


SVG_SIZE = (640, 420)
SVG_MARGIN = (70, 30, 20, 55)
"""Left, right, top, bottom margins of the plot area (pixels)."""
FALSE_HIT_FLOOR = 0.0001
"""False-hit rates are drawn on a log scale from 0.01 %: a rate of 0 is drawn there."""
MIN_PLOTTED_RECALL = 0.9


def curve_svg(curve: pl.DataFrame, threshold: float) -> str:
    """The tuning curve as a standalone SVG document: recall (%) against the share of
    ordinary names with a hit (%, log scale from ``FALSE_HIT_FLOOR``), one point per
    threshold with recall of ``MIN_PLOTTED_RECALL`` or more (under it a threshold is of no
    use), the chosen ``threshold`` in red. Plain SVG text, no plotting library."""
    width, height = SVG_SIZE
    left, right, top, bottom = SVG_MARGIN
    plot_w, plot_h = width - left - right, height - top - bottom
    shown = curve.filter(pl.col("recall") >= MIN_PLOTTED_RECALL).sort("threshold")
    rates: list[float] = [max(r, FALSE_HIT_FLOOR) for r in shown["false_hit_rate"].to_list()]
    recalls: list[float] = shown["recall"].to_list()
    x_lo = log10(FALSE_HIT_FLOOR)
    x_hi = ceil(log10(max([*rates, FALSE_HIT_FLOOR * 10])))
    y_lo = floor(min([*recalls, 1.0]) * 100)

    def x(rate: float) -> float:
        return left + plot_w * (log10(max(rate, FALSE_HIT_FLOOR)) - x_lo) / (x_hi - x_lo)

    def y(recall: float) -> float:
        return top + plot_h * (100 - recall * 100) / max(100 - y_lo, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="white" '
        'stroke="#888"/>',
    ]
    for exponent in range(int(x_lo), x_hi + 1):
        at = x(10.0 ** exponent)
        parts += [f'<line x1="{at:.1f}" y1="{top}" x2="{at:.1f}" y2="{top + plot_h}" '
                  'stroke="#ddd"/>',
                  f'<text x="{at:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                  f'{10.0 ** exponent * 100:g} %</text>']
    for level in range(y_lo, 101):
        at = y(level / 100)
        parts += [f'<line x1="{left}" y1="{at:.1f}" x2="{left + plot_w}" y2="{at:.1f}" '
                  'stroke="#ddd"/>',
                  f'<text x="{left - 6}" y="{at + 4:.1f}" text-anchor="end">{level} %</text>']
    points = " ".join(f"{x(r):.1f},{y(c):.1f}" for r, c in zip(rates, recalls, strict=True))
    parts.append(f'<polyline points="{points}" fill="none" stroke="#1f5fa8" '
                 'stroke-width="1.5"/>')
    for t, rate, recall in zip(shown["threshold"].to_list(), rates, recalls, strict=True):
        chosen = t == threshold
        colour = "#c0392b" if chosen else "#1f5fa8"
        parts.append(f'<circle cx="{x(rate):.1f}" cy="{y(recall):.1f}" '
                     f'r="{4 if chosen else 2.5}" fill="{colour}"><title>threshold {t:g}: '
                     f'recall {recall:.2%}, false hits {rate:.3%}</title></circle>')
        if chosen or t % 4 == 0:
            parts.append(f'<text x="{x(rate) + 5:.1f}" y="{y(recall) - 5:.1f}" '
                         f'fill="{colour}">{t:g}</text>')
    parts += [
        f'<text x="{left + plot_w / 2}" y="{height - 12}" text-anchor="middle">'
        f'{escape("ordinary names with any hit (log scale)")}</text>',
        f'<text transform="translate(16 {top + plot_h / 2}) rotate(-90)" '
        'text-anchor="middle">recall on variants of listed names</text>',
        f'<text x="{left + plot_w}" y="{top - 6}" text-anchor="end">point labels: '
        f'threshold (red: {threshold:g})</text>',
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def evaluate(shared: Path, threshold: float, floor: float = FLOOR,
             extra_names: int = 0) -> dict[str, pl.DataFrame | float]:
    """Every table of the report, computed on the shared data (and ``extra_names``
    generated list names)."""
    entries = eval_data.combined_entries(shared)
    listed = entries if not extra_names else pl.concat([entries, pl.read_parquet(
        bench_large_list.cached_list(extra_names, EXTRA_SEED, bench_large_list.PEP_SHARE,
                                     shared))], how="diagonal_relaxed")
    clock = time.perf_counter()
    index = build_index(listed)
    index_seconds = time.perf_counter() - clock
    labelled = eval_data.listed_variants(entries)
    ordinary = eval_data.ordinary_names(shared)
    clock = time.perf_counter()
    variants = variant_scores(index, labelled, ordinary["name"], floor)
    normal = ordinary_scores(index, ordinary, floor)
    match_seconds = time.perf_counter() - clock
    pairs = pair_scores(entries, eval_data.labelled_pairs(shared))
    sample = pl.concat([labelled["query"], ordinary["name"].sample(n=10_000, seed=1)])
    recall_vs_brute_force = (pl.DataFrame([index_recall(index, sample, threshold)])
                             if not extra_names else pl.DataFrame({"left_out": [
                                 "exhaustive scoring over a generated list"]}))
    return {
        "list_names": index.names.height, "index_seconds": round(index_seconds, 2),
        "match_seconds": round(match_seconds, 2), "variants": variants, "ordinary": normal,
        "pairs": pairs,
        "curve": tuning_curve(variants, normal,
                              sorted({*(t for t in THRESHOLDS if t >= floor), threshold})),
        "per_kind": per_kind(variants, threshold),
        "per_source": normal.group_by("source").agg(
            n=pl.len(), false_hit_rate=(pl.col("score") >= threshold).mean().round(5)),
        "pair_summary": pair_summary(pairs, threshold),
        "candidate_index": recall_vs_brute_force,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=Settings().match_threshold)
    parser.add_argument("--data", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument("--plot", type=Path, default=None,
                        help="write the tuning curve as an SVG file here")
    parser.add_argument("--floor", type=float, default=FLOOR,
                        help="lowest score matched (the curve starts there)")
    parser.add_argument("--extra-list-names", type=int, default=0,
                        help="add this many generated names to the lists (bench_large_list)")
    parser.add_argument("--misses", type=int, default=0, help="print this many misses and "
                        "false hits")
    args = parser.parse_args(argv)
    report = evaluate(args.data, args.threshold, args.floor, args.extra_list_names)
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
    if args.plot:
        args.plot.parent.mkdir(parents=True, exist_ok=True)
        args.plot.write_text(curve_svg(curve, args.threshold), encoding="utf-8")
    print(json.dumps({
        "threshold": args.threshold, "variants": variants.height, "recall": round(recall, 4),
        "ordinary_names": ordinary.height, "false_hit_rate": round(false_hits, 5),
        "list_names": report["list_names"], "floor": args.floor,
        "extra_list_names": args.extra_list_names, "index_seconds": report["index_seconds"],
        "match_seconds": report["match_seconds"],
        "plot": str(args.plot) if args.plot else None,
    }))


if __name__ == "__main__":
    main()
