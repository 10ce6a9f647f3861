"""``aml-screen screen --engine spark`` writes the files the embedded engine writes."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from aml_screen.cli import main
from tests.store.samples import REPO, SAMPLE

pytest.importorskip("pyspark")

pytestmark = pytest.mark.slow
CONFIG = REPO / "aml-screen.toml"


@pytest.fixture(scope="module")
def running_session(spark: object) -> None:
    """The command reuses this running session (``getOrCreate``), as under spark-submit."""


def canonical(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in one order, without the alerts' reasons (JSON whose order of equal
    contributions may differ; ``test_equivalence`` compares them as sets)."""
    flat = frame.drop("reasons", strict=False)
    return flat.with_columns(pl.col(c).list.join("|") for c, t in flat.schema.items()
                             if isinstance(t, pl.List)).sort(pl.all())


def screen(out: Path, *options: str) -> str:
    result = CliRunner().invoke(main, ["--config", str(CONFIG), "screen", str(SAMPLE),
                                       "--out", str(out), "--no-progress", *options])
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.usefixtures("running_session")
def test_spark_engine_writes_the_embedded_engines_files(tmp_path: Path) -> None:
    screen(tmp_path / "embedded")
    stdout = screen(tmp_path / "spark", "--engine", "spark", "--spark-master", "local[2]")
    assert "Screening summary" in stdout
    names = sorted(p.name for p in (tmp_path / "embedded").iterdir())
    assert sorted(p.name for p in (tmp_path / "spark").iterdir()) == names
    hits = pl.read_parquet(tmp_path / "spark" / "hits.parquet")
    assert hits.height > 0
    assert hits.equals(pl.read_parquet(tmp_path / "embedded" / "hits.parquet"))
    for stem in ("alerts", "rule_hits"):
        spark_rows = pl.read_parquet(tmp_path / "spark" / f"{stem}.parquet")
        assert spark_rows.height > 0
        assert canonical(spark_rows).equals(
            canonical(pl.read_parquet(tmp_path / "embedded" / f"{stem}.parquet")))
    quarantine = [(tmp_path / e / "quarantine.csv").read_bytes() for e in ("embedded", "spark")]
    assert quarantine[0] == quarantine[1]
    summary = json.loads((tmp_path / "spark" / "summary.json").read_text(encoding="utf-8"))
    assert summary["engine"] == "spark"
    assert summary["rows_quarantined"] > 0


def test_unknown_engine_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(CONFIG), "screen", str(SAMPLE),
                                       "--out", str(tmp_path), "--engine", "hadoop"])
    assert result.exit_code == 2
    assert "hadoop" in result.stderr
