"""The delta re-screening benchmark at a tiny size: the list versions differ by the entries
asked for, the planted spellings of added names are found, and a run reports its figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from benchmarks import bench_delta_rescreen as bench
from tests.store.samples import REPO

SAMPLE_LISTS = (REPO / "watchlists" / "samples" / "un_sahel_sample.xml",
                REPO / "watchlists" / "samples" / "national_sample.csv")


def test_the_versions_differ_by_the_entries_asked_for() -> None:
    names = bench.listed_names(SAMPLE_LISTS)
    pair = bench.list_pair(names, 10, np.random.default_rng(1))
    old, new = (set(frame.get_column("entry_id")) for frame in (pair.old, pair.new))
    assert (len(new - old), len(old - new)) == (6, 2)
    aliases = pair.new.join(pair.old, on=["entry_id", "name", "name_kind"], how="anti").filter(
        pl.col("entry_id").is_in(list(old & new)))
    assert aliases.height == 2
    assert set(aliases.get_column("name")) <= set(pair.planted)


def test_a_tiny_run_finds_the_planted_names(tmp_path: Path) -> None:
    figures = bench.run_benchmark(f"sqlite:///{tmp_path / 'store.db'}", 4000, 10,
                                  SAMPLE_LISTS, tmp_path)
    assert (figures["entries_added"], figures["entries_removed"],
            figures["entries_changed"]) == (6, 2, 2)
    assert figures["names_read"] == figures["distinct_party_names"]
    assert figures["hits"] > 0
    assert figures["alerts"] > 0
    assert figures["peak_rss_mib"] > 0
    assert figures["wall_seconds"] > 0
    assert "names_read_per_s" in bench.report(figures)
