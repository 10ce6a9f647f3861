"""Intake benchmark: a generated batch written as a goAML report and as an XLSX workbook,
each read back in a fresh child process.

    python benchmarks/bench_intake.py --rows 1000000
    python benchmarks/bench_intake.py --rows 100000 --formats goaml

The batch is ``generate_batch``'s (one goAML ``<transaction>`` per row, with the side's
account and name, its country, foreign amounts for currencies other than XOF; the
workbook with a letterhead row, amounts as numbers). Files are cached under ``--cache``
(writing them is not timed). Each read runs in its own child process, so its peak resident
memory (``VmHWM``) is that read's alone: ``parse`` is the reader alone (``read_goaml``,
the calamine sheet read), ``ingest`` the whole ``read_batch`` (parse, validation).
CPU seconds include the XML checker process the goAML reader starts beside itself. Figures
are printed as a table and as one JSON line, with the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import polars as pl
from openpyxl import Workbook  # type: ignore[import-untyped]

from benchmarks import machine
from benchmarks.generate_batch import generate_batch

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
LOCAL = "XOF"
FORMATS = ("goaml", "xlsx")


def _xml_text(column: str) -> pl.Expr:
    return (pl.col(column).fill_null("-").str.replace_all("&", "&amp;", literal=True)
            .str.replace_all("<", "&lt;", literal=True))


def _side(direction: str, role: str) -> pl.Expr:
    tag = f"{direction}_account"
    return pl.concat_str(
        pl.lit(f"<{tag}><account>"), _xml_text(f"{role}_account"),
        pl.lit("</account><account_name>"), _xml_text(f"{role}_name"),
        pl.lit(f"</account_name></{tag}><{direction}_country>"), _xml_text(f"{role}_country"),
        pl.lit(f"</{direction}_country>"))


def write_goaml(batch: pl.DataFrame, path: Path) -> None:
    """``batch`` as one goAML report (its text built by polars, written in one go)."""
    foreign = pl.when(pl.col("currency") != LOCAL).then(pl.concat_str(
        pl.lit("<from_foreign_currency><foreign_currency_code>"), pl.col("currency"),
        pl.lit("</foreign_currency_code><foreign_amount>"), pl.col("amount"),
        pl.lit("</foreign_amount></from_foreign_currency>"))).otherwise(pl.lit(""))
    body = batch.select(pl.concat_str(
        pl.lit("<transaction><transactionnumber>"), pl.col("transaction_id"),
        pl.lit("</transactionnumber><transaction_description>"), _xml_text("purpose"),
        pl.lit("</transaction_description><date_transaction>"),
        pl.col("booked_at").str.slice(0, 19).str.replace(" ", "T", literal=True),
        pl.lit("</date_transaction><transmode_code>"), _xml_text("channel"),
        pl.lit("</transmode_code><amount_local>"), pl.col("amount"),
        pl.lit("</amount_local><t_from_my_client><from_funds_code>K</from_funds_code>"),
        foreign, _side("from", "originator"),
        pl.lit("</t_from_my_client><t_to><to_funds_code>K</to_funds_code>"),
        _side("to", "beneficiary"), pl.lit("</t_to></transaction>\n"),
    ).alias("xml")).get_column("xml")
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<report><rentity_id>77</rentity_id>'
                  "<report_code>CTR</report_code><entity_reference>BENCH-1</entity_reference>"
                  f"<currency_code_local>{LOCAL}</currency_code_local>\n")
        for start in range(0, body.len(), 100_000):
            out.write("".join(body.slice(start, 100_000).to_list()))
        out.write("<report_indicators><indicator>UNUSU</indicator></report_indicators>"
                  "</report>\n")


def write_xlsx(batch: pl.DataFrame, path: Path) -> None:
    """``batch`` as a bank's workbook: a letterhead row, amounts as numbers."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Opérations")
    sheet.append(["BANQUE SAHÉLIENNE — relevé des opérations"])
    sheet.append(batch.columns)
    amount = batch.columns.index("amount")
    for row in batch.iter_rows():
        cells: list[Any] = list(row)
        cells[amount] = float(cells[amount])
        sheet.append(cells)
    book.save(path)


def cached_file(fmt: str, rows: int, seed: int, cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    suffix = "xml" if fmt == "goaml" else fmt
    code = machine.code_fingerprint("bench_intake", "generate_batch")
    path = cache / f"intake-{rows}-{seed}-{code}.{suffix}"
    if not path.exists():
        batch = generate_batch(rows, seed=seed)
        partial = path.with_name(path.name + ".part")
        (write_goaml if fmt == "goaml" else write_xlsx)(batch, partial)
        partial.replace(path)
    return path


def _child(fmt: str, path: str, stage: str, queue: multiprocessing.Queue[dict[str, Any]]
           ) -> None:
    from aml_screen.ingest import read_batch
    from aml_screen.ingest.excel import _read_sheet
    from aml_screen.ingest.goaml import read_goaml

    started, cpu = time.perf_counter(), machine.cpu_seconds()
    checker = machine.children_cpu_seconds()
    if stage == "ingest":
        result = read_batch(Path(path), timezone="UTC")
        rows, quarantined = result.frame.height, result.quarantine.height
    elif fmt == "goaml":
        rows, quarantined = read_goaml(Path(path)).frame.height, 0
    else:
        rows, quarantined = _read_sheet(Path(path), None, path).height, 0
    queue.put({"seconds": round(time.perf_counter() - started, 2),
               "cpu_seconds": round(machine.cpu_seconds() - cpu, 2),
               "checker_cpu_seconds": round(machine.children_cpu_seconds() - checker, 2),
               "rows": rows,
               "quarantined": quarantined, "peak_mib": machine.peak_memory_mib()})


def measure(fmt: str, path: Path, stage: str) -> dict[str, Any]:
    """One read of ``path`` in a fresh (spawned) process."""
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[dict[str, Any]] = context.Queue()
    process = context.Process(target=_child, args=(fmt, str(path), stage, queue))
    process.start()
    found = queue.get()
    process.join()
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args(argv)
    figures: dict[str, object] = {"rows": args.rows}
    for fmt in args.formats.split(","):
        path = cached_file(fmt, args.rows, args.seed, args.cache)
        figures[f"{fmt}_file_mib"] = round(path.stat().st_size / 2**20, 1)
        for stage in ("parse", "ingest"):
            found = measure(fmt, path, stage)
            figures[f"{fmt}_{stage}_seconds"] = found["seconds"]
            figures[f"{fmt}_{stage}_cpu_seconds"] = found["cpu_seconds"]
            figures[f"{fmt}_{stage}_checker_cpu_seconds"] = found["checker_cpu_seconds"]
            figures[f"{fmt}_{stage}_rows_per_second"] = round(found["rows"] / found["seconds"])
            figures[f"{fmt}_{stage}_peak_mib"] = found["peak_mib"]
            if stage == "ingest":
                figures[f"{fmt}_ingest_loaded"] = found["rows"]
                figures[f"{fmt}_ingest_quarantined"] = found["quarantined"]
    figures["load_average"] = os.getloadavg()[0]
    print(machine.table(figures))
    print(json.dumps({"benchmark": "intake", **figures, "machine": machine.describe()}))


if __name__ == "__main__":
    main()
