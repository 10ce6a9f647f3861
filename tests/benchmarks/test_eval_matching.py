"""The matching evaluation harness: variant rules, the tuning curve, a run on real lists."""

from __future__ import annotations

import random
from pathlib import Path

import defusedxml.ElementTree as SafeET
import polars as pl
import pytest

from aml_screen.match.index import build_index
from benchmarks import eval_data, eval_matching, eval_variants


@pytest.mark.parametrize(
    ("rule", "name", "check"),
    [
        (eval_variants.transliteration, "MOHAMED BELKALEM",
         lambda v: v.split()[0] in {"Muhammad", "Mouhamed", "Mohammed"}),
        (eval_variants.transliteration, "CHEIKH OUSMANE",
         lambda v: v != "CHEIKH OUSMANE"),
        (eval_variants.reordering, "IYAD AG GHALI",
         lambda v: sorted(v.split()) == ["AG", "GHALI", "IYAD"]),
        (eval_variants.dropped_middle, "ABDELMALEK MOHAMED DROUKDEL",
         lambda v: v == "ABDELMALEK DROUKDEL"),
        (eval_variants.typo, "MOKHTAR BELMOKHTAR",
         lambda v: v != "MOKHTAR BELMOKHTAR" and len(v.split()) == 2),
        (eval_variants.honorific, "AMADOU KOUFFA",
         lambda v: v.endswith("AMADOU KOUFFA") and v != "AMADOU KOUFFA"),
        (eval_variants.particles, "ABDEL KADER", lambda v: v == "ABDELkader"),
        (eval_variants.particles, "MOKHTAR BELMOKHTAR", lambda v: v == "MOKHTAR BEL Mokhtar"),
        (eval_variants.legal_form, "SAHEL NEGOCE LTD",
         lambda v: "LTD" not in v.split() or v.startswith("Ets")),
    ],
)
def test_variant_rules(rule: eval_variants.Rule, name: str, check: object) -> None:
    written = rule(name, random.Random(1))
    assert written is not None
    assert callable(check)
    assert check(written), written


@pytest.mark.parametrize(("rule", "name"), [(eval_variants.dropped_middle, "AMADOU KOUFFA"),
                                            (eval_variants.particles, "AMADOU KOUFFA")])
def test_rules_that_do_not_apply_give_none(rule: eval_variants.Rule, name: str) -> None:
    assert rule(name, random.Random(1)) is None


def test_tuning_curve_never_rises_with_the_threshold() -> None:
    variants = pl.DataFrame({"score": [100.0, 92.0, 86.0, 70.0]})
    ordinary = pl.DataFrame({"score": [0.0, 0.0, 88.0, 61.0]})
    curve = eval_matching.tuning_curve(variants, ordinary, (60.0, 85.0, 90.0, 100.0))
    assert curve["recall"].to_list() == [1.0, 0.75, 0.5, 0.25]
    assert curve["false_hit_rate"].to_list() == [0.5, 0.25, 0.0, 0.0]


def test_tuning_curve_svg_has_one_point_per_useful_threshold() -> None:
    curve = pl.DataFrame({"threshold": [80.0, 85.0, 90.0, 100.0],
                          "recall": [0.995, 0.99, 0.96, 0.5],
                          "false_hit_rate": [0.012, 0.003, 0.0015, 0.0]})
    svg = eval_matching.curve_svg(curve, 85.0)
    root = SafeET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    circles = root.findall(f"{ns}circle")
    # 100 finds half the variants: not worth drawing, and it would flatten the others.
    assert len(circles) == 3
    titles = [c.find(f"{ns}title").text for c in circles]  # type: ignore[union-attr]
    assert titles[1] == "threshold 85: recall 99.00%, false hits 0.300%"
    assert [c.get("fill") for c in circles] == ["#1f5fa8", "#c0392b", "#1f5fa8"]
    xs = [float(c.get("cx", "0")) for c in circles]
    ys = [float(c.get("cy", "0")) for c in circles]
    assert xs == sorted(xs, reverse=True)  # fewer false hits further left
    assert ys == sorted(ys)  # and less recall further down
    assert "style=" not in svg
    assert "<script" not in svg


@pytest.mark.shared
@pytest.mark.slow
def test_un_variants_are_found_and_ordinary_names_left_alone(shared_data: Path) -> None:
    entries = eval_data.combined_entries(shared_data, ("un_consolidated/consolidated.xml",))
    index = build_index(entries)
    ordinary_names = eval_data.ordinary_names(shared_data, 3_000, 500).sample(5_000, seed=2)
    variants = eval_matching.variant_scores(index, eval_data.listed_variants(entries, 0),
                                            ordinary_names["name"])
    ordinary = eval_matching.ordinary_scores(index, ordinary_names)
    assert variants.height > 4_000
    recall = eval_matching.share(variants["score"] >= 85)
    false_hits = eval_matching.share(ordinary["score"] >= 85)
    # Measured: 98.8 % of 4,066 variants found (screened among the ordinary names), 0.10 %
    # of 5,000 ordinary names hit (UN list alone; 98.1 % and 0.14 % before issue 3's second
    # pass); plain token-sort ratio found 89 % on the combined lists.
    assert recall >= 0.98
    assert false_hits <= 0.003
