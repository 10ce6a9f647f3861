"""The large-list benchmark at a tiny size: the generated list follows the real lists'
shape (entity types, word counts, PEP-like persons), is the same for the same seed, and a
run reports its figures."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from benchmarks import bench_large_list
from benchmarks.bench_screen import cached_batch

REAL = pl.DataFrame({
    "entity_type": ["person"] * 6 + ["organisation"] * 2,
    "name_kind": ["primary", "alias", "primary", "weak_alias", "primary", "alias",
                  "primary", "alias"],
    "name": ["MOKHTAR BELMOKHTAR", "Khalid Abu al-Abbas", "IYAD AG GHALI", "Abu Ali",
             "QADHAFI, Aisha", "Mohamed Hassan", "ANSAR EDDINE", "Al Qaida in the Islamic Maghreb"],
})


def test_the_list_follows_the_real_names() -> None:
    entries = bench_large_list.large_list(3_000, REAL, seed=1, pep_share=0.25)
    assert entries.height == 3_000
    assert entries["entry_id"].n_unique() == 3_000
    persons = entries.filter(pl.col("entity_type") == "person").height
    assert 0.75 * 3_000 < persons < 0.9 * 3_000  # a quarter PEPs, then 6 persons in 8
    real_words = set(REAL["name"].str.replace_all(",", " ").str.split(" ").explode())
    drawn = entries.filter(pl.col("name_kind") != "primary")["name"].str.split(" ").explode()
    assert set(drawn) <= real_words
    assert drawn.len() / entries.filter(pl.col("name_kind") != "primary").height <= 6
    assert entries.equals(bench_large_list.large_list(3_000, REAL, seed=1, pep_share=0.25))


def test_a_run_reports_its_figures(tmp_path: Path) -> None:
    entries = bench_large_list.large_list(2_000, REAL, seed=1)
    list_file = tmp_path / "list.parquet"
    entries.write_parquet(list_file)
    batch = cached_batch(2_000, 7, [], tmp_path, "parquet")
    figures = bench_large_list.bench(list_file, batch, 88.0, 1024)
    assert figures["list_names"] == 2_000
    assert figures["distinct_names"] > 100
    assert figures["names_capped"] == 0
    assert figures["peak_mib"] >= figures["peak_before_match_mib"]
    assert figures["hits"] > 0  # the PEP-like names share Sahel given and family names


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_the_pep_share_can_be_none_or_all(share: float) -> None:
    entries = bench_large_list.large_list(500, REAL, seed=2, pep_share=share)
    assert entries.height == 500
    pep_like = (pl.col("entity_type") == "person") & (pl.col("name_kind") == "primary")
    assert (entries.filter(pep_like).height == 500) is (share == 1.0)
