"""Payment-message benchmark: a pacs.008 file made from a synthetic Sahel batch, read back.

    python benchmarks/bench_payments.py --rows 1000000

Every row of ``generate_batch`` becomes one ``CdtTrfTxInf`` (UETR, settlement amount and
date, debtor and creditor with postal country, IBAN or other account, agents' BICs,
remittance line) of a pacs.008.001.08 in a business application header envelope. The file
is read by ``aml_screen.ingest.iso20022.read_iso20022`` in a fresh child process, so its
peak resident memory is the reader's alone (its checker process, ``xml_check``, holds some
20 MiB more). Other work on the machine slows the wall clock, so CPU seconds (the checker's
included) are printed too; a table, then the same figures as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``benchmarks`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import polars as pl

from aml_screen.ingest.iso20022 import read_iso20022
from benchmarks import machine
from benchmarks.generate_batch import generate_batch

CHUNK = 100_000
BANKS = {"ML": "BDMAMLBA", "NE": "ECOCNENI", "BF": "CORIBFBF", "TD": "COBATDNX",
         "MR": "BMCIMRMR", "SN": "SGSNSNDA", "CI": "SGCICIAB", "NG": "ZEIBNGLA",
         "DZ": "BNALDZAL"}
HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="urn:swift:xsd:envelope">
<AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02"><Fr><FIId><FinInstnId>\
<BICFI>BCEAMLBA</BICFI></FinInstnId></FIId></Fr><BizMsgIdr>BENCH</BizMsgIdr>\
<MsgDefIdr>pacs.008.001.08</MsgDefIdr></AppHdr>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>
<GrpHdr><MsgId>BENCH</MsgId><NbOfTxs>{rows}</NbOfTxs><SttlmInf><SttlmMtd>CLRG</SttlmMtd>\
</SttlmInf></GrpHdr>
"""
TRAILER = "</FIToFICstmrCdtTrf></Document></Envelope>\n"


def _text(name: str) -> pl.Expr:
    """A column as XML text (``&``, ``<``, ``>`` escaped)."""
    return (pl.col(name).str.replace_all("&", "&amp;", literal=True)
            .str.replace_all("<", "&lt;", literal=True).str.replace_all(">", "&gt;", literal=True))


def _optional(template: str, name: str) -> pl.Expr:
    return pl.when(pl.col(name).is_not_null()).then(
        pl.format(template, _text(name))).otherwise(pl.lit(""))


def _account(element: str, name: str) -> pl.Expr:
    iban = pl.col(name).str.contains(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,}$")
    return (pl.when(pl.col(name).is_null()).then(pl.lit(""))
            .when(iban).then(pl.format(f"<{element}><Id><IBAN>{{}}</IBAN></Id></{element}>",
                                       name))
            .otherwise(pl.format(
                f"<{element}><Id><Othr><Id>{{}}</Id></Othr></Id></{element}>", _text(name))))


def _party(element: str, role: str) -> pl.Expr:
    return pl.format(f"<{element}><Nm>{{}}</Nm><PstlAdr><Ctry>{{}}</Ctry></PstlAdr></{element}>",
                     _text(f"{role}_name"), pl.col(f"{role}_country"))


def _agent(element: str, role: str) -> pl.Expr:
    bic = pl.col(f"{role}_country").replace_strict(BANKS, default="BCEAMLBA")
    return pl.format(f"<{element}><FinInstnId><BICFI>{{}}</BICFI></FinInstnId></{element}>", bic)


def pacs008_records(batch: pl.DataFrame) -> pl.Series:
    """One ``CdtTrfTxInf`` element per batch row."""
    uetr = pl.format("7a3ac869-6236-407c-8d83-{}",
                     pl.col("transaction_id").str.slice(3).str.zfill(12))
    return batch.select(pl.concat_str([
        pl.format("<CdtTrfTxInf><PmtId><InstrId>{}</InstrId><EndToEndId>{}</EndToEndId>"
                  "<UETR>{}</UETR></PmtId>", "transaction_id", "transaction_id", uetr),
        pl.format('<IntrBkSttlmAmt Ccy="{}">{}</IntrBkSttlmAmt>', "currency", "amount"),
        pl.format("<IntrBkSttlmDt>{}</IntrBkSttlmDt><ChrgBr>SHAR</ChrgBr>",
                  pl.col("booked_at").str.slice(0, 10)),
        _party("Dbtr", "originator"), _account("DbtrAcct", "originator_account"),
        _agent("DbtrAgt", "originator"), _agent("CdtrAgt", "beneficiary"),
        _party("Cdtr", "beneficiary"), _account("CdtrAcct", "beneficiary_account"),
        _optional("<RmtInf><Ustrd>{}</Ustrd></RmtInf>", "purpose"),
        pl.lit("</CdtTrfTxInf>\n"),
    ]).alias("xml")).to_series()


def write_pacs008(rows: int, out: Path, seed: int = 7) -> None:
    """A pacs.008 file of ``rows`` transactions from ``generate_batch(rows, seed)``."""
    batch = generate_batch(rows, seed=seed)
    with out.open("w", encoding="utf-8") as handle:
        handle.write(HEADER.format(rows=rows))
        for first in range(0, rows, CHUNK):
            handle.write("".join(pacs008_records(batch.slice(first, CHUNK)).to_list()))
        handle.write(TRAILER)


def run_read(path: Path) -> dict[str, Any]:
    """Read ``path``; transactions, seconds (wall, and CPU with the checker process's), peak
    memory of this process."""
    started, cpu_started = time.perf_counter(), machine.cpu_seconds()
    checker_started = machine.children_cpu_seconds()
    batch = read_iso20022(path)
    seconds = time.perf_counter() - started
    cpu = machine.cpu_seconds() - cpu_started
    checker = machine.children_cpu_seconds() - checker_started
    transactions = batch.frame.height
    return {"transactions": transactions, "seconds": round(seconds, 2),
            "transactions_per_s": round(transactions / seconds),
            "cpu_seconds": round(cpu, 2), "checker_cpu_seconds": round(checker, 2),
            "transactions_per_cpu_s": round(transactions / cpu) if cpu else None,
            "peak_rss_mib": machine.peak_memory_mib(),
            "load_average": round(os.getloadavg()[0], 1),
            "file_mib": round(path.stat().st_size / 2**20, 1),
            "unmapped": dict(batch.unmapped)}


def _child(path: str, queue: Any) -> None:
    queue.put(run_read(Path(path)))


def read_in_child(path: Path) -> dict[str, Any]:
    """``run_read`` in a fresh interpreter, so its peak memory is the reader's own."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(str(path), queue))
    process.start()
    figures: dict[str, Any] = queue.get()
    process.join()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-payments-") as tmp:
        path = Path(tmp) / "pacs008.xml"
        started = time.perf_counter()
        write_pacs008(args.rows, path, args.seed)
        generated = round(time.perf_counter() - started, 1)
        figures = read_in_child(path)
    figures["generate_seconds"] = generated
    host = machine.describe()
    print(machine.table({
        "pacs.008 file": f"{figures['transactions']:,} transactions, {figures['file_mib']} MiB"
                         f" (generated in {generated} s)",
        "read": f"{figures['seconds']} s, {figures['transactions_per_s']:,} transactions/s",
        "read CPU": f"{figures['cpu_seconds']} s ({figures['checker_cpu_seconds']} s of it "
                    f"checking), {figures['transactions_per_cpu_s']:,} transactions per CPU "
                    "second",
        "peak RSS": f"{figures['peak_rss_mib']} MiB",
        "load average": figures["load_average"],
        **host}))
    print(json.dumps({"pacs008": figures, "machine": host}, ensure_ascii=False))


if __name__ == "__main__":
    main()
