"""The payment-message benchmark at a small size: the pacs.008 file it writes holds the
generated batch, and reading it (in this process and in a child) gives every transaction."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aml_screen.ingest.iso20022 import read_iso20022
from benchmarks import bench_payments
from benchmarks.generate_batch import generate_batch


def test_the_file_holds_the_generated_batch(tmp_path: Path) -> None:
    path = tmp_path / "pacs008.xml"
    bench_payments.write_pacs008(500, path, seed=3)
    batch = generate_batch(500, seed=3)
    frame = read_iso20022(path).frame
    assert frame.height == 500
    assert frame["amount"].to_list() == batch["amount"].to_list()
    assert frame["currency"].to_list() == batch["currency"].to_list()
    assert frame["originator_name"].to_list() == batch["originator_name"].to_list()
    assert frame["beneficiary_name"].to_list() == batch["beneficiary_name"].to_list()
    assert frame["originator_account"].to_list() == batch["originator_account"].to_list()
    assert frame["purpose"].to_list() == batch["purpose"].to_list()
    assert frame["booked_at"].to_list() == batch["booked_at"].str.slice(0, 10).to_list()


def test_figures_of_a_read_in_a_child_process(tmp_path: Path) -> None:
    path = tmp_path / "pacs008.xml"
    bench_payments.write_pacs008(2000, path)
    figures = bench_payments.read_in_child(path)
    assert figures["transactions"] == 2000
    assert figures["unmapped"]["CdtTrfTxInf/ChrgBr"] == 2000
    assert figures["peak_rss_mib"] > 0
    assert figures["transactions_per_cpu_s"] > 0


def test_main_prints_a_table_and_a_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    bench_payments.main(["--rows", "300"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert re.match(r"pacs\.008 file +300 transactions", lines[0])  # keys padded to the widest
    assert lines[-1].startswith('{"pacs008": {"transactions": 300')
