"""The API benchmark at a tiny size: every client gets a token, and a short run against
``aml-screen serve`` answers every endpoint without errors, following the cursor."""

from __future__ import annotations

from pathlib import Path

from benchmarks import bench_api, bench_queue


def test_a_short_run_answers_every_endpoint(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    figures = bench_api.run_benchmark(url, 300, 900, clients=2, seconds=3, threads=2,
                                      workers=None, folder=tmp_path)
    assert figures["clients"] == 2
    assert figures["errors"] == 0, figures["endpoints"]
    assert set(figures["endpoints"]) == set(bench_api.ENDPOINTS)
    assert all(e["requests"] >= 1 for e in figures["endpoints"].values())
    assert figures["lists"] >= 1
    assert "p95 ms" in bench_queue.report(figures)


def test_lookups_are_names_some_with_a_birth_date() -> None:
    names = bench_api.lookups(20)
    assert len({n["name"] for n in names}) >= 15
    assert sum("birth_date" in n for n in names) == 10
