"""The subject store benchmark end to end, small, on SQLite: batches loaded through the
real command, then search and profiles measured on what was stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import bench_subject_store


def test_small_run_loads_every_party_and_times_reads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_subject_store, "CACHE", tmp_path)
    figures = bench_subject_store.main(["--rows", "1500", "--batches", "2", "--queries", "8",
                                        "--url", "sqlite"])
    assert figures["parties"] == 2 * 2 * 1500  # both sides of every transaction
    subjects = figures["subjects"]
    assert isinstance(subjects, int)
    assert 0 < subjects < 2 * 1500  # parties recur: far fewer subjects than sides
    assert figures["search_queries"] == 8 + 2 + 2
    assert figures["profiles"] == 20
    assert isinstance(figures["busiest_profile_transactions"], int)
    assert figures["busiest_profile_transactions"] > 10
    assert set(figures["load_2_stages"]) >= {"screening", "store_rows", "subjects",  # type: ignore[arg-type]
                                             "load_results"}
    for hops in (2, 3):
        assert figures[f"chart_{hops}_hops_p95_ms"] >= figures[f"chart_{hops}_hops_p50_ms"]  # type: ignore[operator]
