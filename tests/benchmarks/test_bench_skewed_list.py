"""The skewed-list benchmark at a tiny size: the list is skewed as described, and a run
reports its figures, capping nothing at the default budget."""

from __future__ import annotations

from benchmarks import bench_skewed_list


def test_the_list_holds_eight_family_names() -> None:
    entries = bench_skewed_list.skewed_list(800)
    family = entries["name"].str.split(" ").list.last()
    assert entries.height == 800
    assert set(family) == set(bench_skewed_list.FAMILY_NAMES)
    assert family.value_counts()["count"].min() > 50


def test_a_run_reports_hits_and_capped_keys() -> None:
    roomy = bench_skewed_list.bench(2_000, 2_000, 1024)
    assert roomy["keys_capped"] == 0
    assert roomy["distinct_keys"] > 100
    assert roomy["peak_mib"] >= roomy["peak_before_match_mib"]
