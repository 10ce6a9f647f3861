"""The export benchmark at a small size: the store it builds, an export in this process and
one in a fresh child process, with the figures it prints."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import func, select

from aml_screen.store import open_database
from aml_screen.store.models import Alert, Batch, Hit, Transaction
from benchmarks import bench_export


def test_the_store_holds_the_hits_asked_for(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    bench_export.build_store(url, 301)
    database = open_database(url)
    try:
        with database.transaction() as session:
            counts = [session.scalar(select(func.count()).select_from(model))
                      for model in (Batch, Alert, Hit, Transaction)]
            names = set(session.scalars(select(Hit.party_name)))
    finally:
        database.dispose()
    assert counts == [1, 151, 301, 301]
    assert names & set(bench_export.ARABIC_NAMES)
    assert len(names) > 100


def test_exports_every_hit_with_neutralised_names(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    bench_export.build_store(url, 1500, seed=3)
    figures = bench_export.run_export(url, "csv", tmp_path / "hits.csv")
    assert figures["rows"] == 1500
    assert figures["peak_rss_mib"] >= figures["rss_before_mib"] > 0
    with (tmp_path / "hits.csv").open(encoding="utf-8-sig", newline="") as handle:
        names = {row["Party name"] for row in csv.DictReader(handle)}
    hostile = {name for name in names if name.lstrip("'") in bench_export.HOSTILE_NAMES}
    assert hostile
    assert all(name.startswith("'") for name in hostile)
    child = bench_export.export_in_child(url, "xlsx", tmp_path / "hits.xlsx")
    assert child["rows"] == 1500
    assert child["file_mib"] >= 0
    sheet = load_workbook(tmp_path / "hits.xlsx").worksheets[0]
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 1501
