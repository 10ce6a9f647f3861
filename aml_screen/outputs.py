"""Writing a run's results: ``hits.parquet`` and ``alerts.parquet`` (or ``.csv`` with
``--format csv``), ``quarantine.csv`` and ``summary.json`` in one output folder. Files are
written to a temporary name and renamed, so a reader never sees a half-written file and a
re-run replaces, never appends."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import polars as pl

from aml_screen.errors import InputError
from aml_screen.schema import QUARANTINE_FILE_COLUMNS

FORMATS = ("parquet", "csv")
# Spreadsheet programs execute cells starting with these as formulas: names and remarks come
# from untrusted batches and lists, so CSV cells starting with them get a leading apostrophe.
_FORMULA_START = r"^[=+\-@\t\r]"


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """String cells that a spreadsheet would run as a formula, prefixed with ``'``."""
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA_START))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.String
    )


def flatten_lists(frame: pl.DataFrame) -> pl.DataFrame:
    """List columns joined with ``|`` so that the frame fits a CSV file."""
    return frame.with_columns(
        pl.col(c).list.join("|") for c, dtype in frame.schema.items() if isinstance(dtype, pl.List)
    )


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """UTF-8 CSV with a BOM (so Excel shows accents and Arabic right), formulas neutralised."""
    tmp = path.with_name(path.name + ".tmp")
    neutralise_formulas(flatten_lists(frame)).write_csv(tmp, include_bom=True)
    os.replace(tmp, path)


def write_table(frame: pl.DataFrame, out_dir: Path, stem: str, fmt: str) -> Path:
    """``stem.parquet`` or ``stem.csv``; the file of the other format, left by an earlier
    run, is removed so the folder never mixes two runs."""
    path = out_dir / f"{stem}.{fmt}"
    if fmt == "parquet":
        tmp = path.with_name(path.name + ".tmp")
        frame.write_parquet(tmp)
        os.replace(tmp, path)
    else:
        write_csv(frame, path)
    other = "csv" if fmt == "parquet" else "parquet"
    (out_dir / f"{stem}.{other}").unlink(missing_ok=True)
    return path


def write_outputs(
    out_dir: Path, tables: dict[str, pl.DataFrame], quarantine: pl.DataFrame,
    summary: dict[str, Any], fmt: str = "parquet",
) -> dict[str, Path]:
    """Write each of ``tables`` (``hits``, ``alerts``…) in ``fmt``, the quarantine as CSV and
    the summary as JSON; returns the paths by kind."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("screen.out_not_dir", path=out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {stem: write_table(frame, out_dir, stem, fmt) for stem, frame in tables.items()}
    paths["quarantine"] = out_dir / "quarantine.csv"
    write_csv(quarantine.select(c for c in QUARANTINE_FILE_COLUMNS if c in quarantine.columns),
              paths["quarantine"])
    paths["summary"] = out_dir / "summary.json"
    tmp = paths["summary"].with_name("summary.json.tmp")
    tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n",
                   encoding="utf-8")
    os.replace(tmp, paths["summary"])
    return paths
