"""The end-to-end benchmark script: batch caching, planted names and a full run."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from aml_screen.watchlists.frame import entries_frame
from aml_screen.watchlists.loader import Watchlist
from benchmarks import bench_screen


def _un_list(names: list[tuple[str, str, str]]) -> Watchlist:
    entries = entries_frame(
        {"list_id": "un_sc", "entry_id": entry_id, "entity_type": etype, "name": name,
         "name_kind": "primary"}
        for entry_id, name, etype in names
    )
    return Watchlist("un_sc", "un.xml", "un_xml", "0" * 64, None, None, entries)


def test_planted_names_are_listed_people_of_two_to_four_words() -> None:
    un_list = _un_list([
        ("QDi.316", "IYAD AG GHALI", "person"),
        ("QDi.136", "MOKHTAR BELMOKHTAR", "person"),
        ("QDi.400", "ABU", "person"),
        ("QDi.401", "ABD AL RAHMAN BIN UMAR AL HAJJ", "person"),
        ("QDe.135", "ANSAR EDDINE", "organisation"),
    ])
    assert bench_screen.planted_names(un_list, count=10) == [
        "IYAD AG GHALI", "MOKHTAR BELMOKHTAR"]
    assert len(bench_screen.planted_names(un_list, count=1)) == 1


def test_batch_is_generated_once_then_reused(tmp_path: Path) -> None:
    first = bench_screen.cached_batch(120, 3, ["IYAD AG GHALI"], tmp_path)
    stamp = first.stat().st_mtime_ns
    assert bench_screen.cached_batch(120, 3, ["IYAD AG GHALI"], tmp_path) == first
    assert first.stat().st_mtime_ns == stamp
    assert pl.read_csv(first, infer_schema=False).height == 120
    other = bench_screen.cached_batch(120, 3, ["MOKHTAR BELMOKHTAR"], tmp_path)
    assert other != first
    parquet = bench_screen.cached_batch(120, 3, ["IYAD AG GHALI"], tmp_path, "parquet")
    assert parquet.suffix == ".parquet"
    assert_frame_equal(pl.read_parquet(parquet), pl.read_csv(first, infer_schema=False))
    assert (tmp_path / ".gitignore").read_text() == "*\n"


@pytest.mark.shared
@pytest.mark.parametrize(("lists", "fmt"), [("un", "csv"), ("un,ofac,eu,uk", "parquet")])
def test_runs_end_to_end_on_real_lists(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], lists: str, fmt: str
) -> None:
    bench_screen.main(["--rows", "2000", "--lists", lists, "--format", fmt,
                       "--data", str(shared_data), "--cache", str(tmp_path)])
    lines = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures["rows"] == 2000
    assert figures["format"] == fmt
    assert figures["rows_quarantined"] == 0
    assert figures["parties"] == 4000
    assert 0 < figures["distinct_names"] <= figures["parties"]
    assert figures["list_names"] >= figures["list_keys"] > 0
    assert figures["hits"] > 0
    assert figures["peak_memory_mib"] > 0
    assert figures["cpu_seconds"] > 0
    stages = [f"{s}_seconds" for s in ("read", "dedupe", "normalise", "match", "map_back")]
    assert all(figures[s] >= 0 for s in stages)
    assert sum(figures[s] for s in stages) <= figures["seconds"]
    assert figures["machine"]["cores"] >= 1
    table = dict(line.split(None, 1) for line in lines[:-1])
    assert table["rows"] == "2000"
    assert table["lists"] == lists


@pytest.mark.shared
def test_distinct_name_speed_mode(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench_screen.main(["--names", "3000", "--lists", "un,ofac", "--data", str(shared_data),
                       "--cache", str(tmp_path)])
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["names"] == 3000
    assert 0 < figures["distinct_keys"] <= 3000
    assert figures["distinct_names_per_s"] > 0
    assert figures["names_with_hits"] < 3000 * 0.05  # ordinary Sahel names, few hits
    assert figures["batch"] is None
    (names,) = tmp_path.glob("names-3000-*.parquet")
    assert pl.read_parquet(names).to_series().n_unique() == 3000
