"""The labelled sets the matching evaluation runs on, all built from ``../shared/data``.

* variants of real list names (``eval_variants`` rules), labelled with their entry;
* ordinary names that should hit nothing: OpenSanctions/yente's 50,000 synthetic persons
  built not to match any sanctioned person, and the Sahel batch generator's people and
  businesses;
* the hand-labelled (query, candidate, match/no_match) pairs of ``labeled_name_pairs.csv``.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import polars as pl

from aml_screen.settings import load_settings
from aml_screen.watchlists.loader import load_watchlists
from benchmarks import parties
from benchmarks.eval_variants import variants

COMBINED_LISTS = (
    "un_consolidated/consolidated.xml",
    "ofac_sdn/bench_2021",
    "ofac_consolidated_non_sdn",
    "eu_fsf/eu_fsf_csv_v1_2018-07-04_first1000.csv",
    "uk_ofsi/sanctionsconlist_2018-04-13.csv",
)
NAME_MATCHING = Path("name_matching")
VARIANT_COLUMNS = {"query": pl.String, "list_id": pl.String, "entry_id": pl.String,
                   "kind": pl.String, "entity_type": pl.String}


def combined_entries(shared: Path, lists: tuple[str, ...] = COMBINED_LISTS) -> pl.DataFrame:
    """List-entry rows of the combined lists, each with its list's version."""
    watchlists = load_watchlists([str(shared / p) for p in lists], load_settings(environ={}))
    return pl.concat([w.entries.with_columns(list_version=pl.lit(w.sha256)) for w in watchlists],
                     how="vertical_relaxed")


def base_names(entries: pl.DataFrame, others: int = 1000, seed: int = 3) -> pl.DataFrame:
    """The names variants are made from: every UN primary name of a person or organisation,
    and ``others`` primary names drawn from the other lists (two words or more)."""
    usable = entries.filter(
        (pl.col("name_kind") == "primary")
        & pl.col("entity_type").is_in(["person", "organisation"])
        & (pl.col("name").str.replace_all(",", " ").str.split(" ")
           .list.eval(pl.element().filter(pl.element() != "")).list.len() >= 2)
    ).select("list_id", "entry_id", "entity_type", "name")
    un = usable.filter(pl.col("list_id") == "un_sc")
    rest = usable.filter(pl.col("list_id") != "un_sc")
    return pl.concat([un, rest.sample(n=min(others, rest.height), seed=seed)])


def listed_variants(entries: pl.DataFrame, others: int = 1000, seed: int = 3) -> pl.DataFrame:
    """One variant per (base name, applicable rule), labelled with entry and kind."""
    rng = random.Random(seed)
    rows = [
        (written, list_id, entry_id, kind, etype)
        for list_id, entry_id, etype, name in base_names(entries, others, seed).iter_rows()
        for kind, written in variants(name, etype, rng)
    ]
    return pl.DataFrame(rows, schema=VARIANT_COLUMNS, orient="row")


def ordinary_names(shared: Path, sahel_persons: int = 20_000, sahel_companies: int = 3_000,
                   seed: int = 11) -> pl.DataFrame:
    """Distinct names of people and businesses that are on no list (``name``, ``source``)."""
    yente = pl.read_csv(shared / NAME_MATCHING / "originals/yente/negatives_global.csv",
                        columns=["full_name"], infer_schema=False)
    rng = np.random.default_rng(seed)
    sahel = pl.concat([parties.persons(rng, sahel_persons).select("name"),
                       parties.companies(rng, sahel_companies).select("name")])
    return pl.concat([
        yente.select(name=pl.col("full_name"), source=pl.lit("yente_negatives_global")),
        sahel.select("name", source=pl.lit("sahel_generator")),
    ]).filter(pl.col("name").is_not_null()).unique(subset="name", keep="first",
                                                    maintain_order=True)


def labelled_pairs(shared: Path) -> pl.DataFrame:
    """Name pairs labelled match / no_match (score-only rows left out)."""
    pairs = pl.read_csv(shared / NAME_MATCHING / "labeled_name_pairs.csv", infer_schema=False)
    return pairs.filter(pl.col("expected_label").is_in(["match", "no_match"])).select(
        "query", "candidate",
        label=pl.col("expected_label"),
        entity_type=pl.when(pl.col("schema") == "Person").then(pl.lit("person"))
        .otherwise(pl.lit("organisation")),
        group=pl.col("case_group").str.split("/").list.first(),
    ).filter(pl.col("query").is_not_null() & pl.col("candidate").is_not_null())
