"""Large XML files are checked by a process of their own beside the extraction: the same
records, and the same refusals, as a file checked block by block before it is read."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from aml_screen.errors import IngestError
from aml_screen.ingest import xml_check, xml_records
from aml_screen.ingest.goaml import read_goaml
from aml_screen.ingest.iso20022 import read_iso20022
from benchmarks import bench_payments

REPORT = Path(__file__).parent / "data" / "goaml_str.xml"


@pytest.fixture
def beside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file, however small, checked beside the reading."""
    monkeypatch.setattr(xml_records, "BESIDE", 0)


def _refusal(path: Path) -> IngestError:
    with pytest.raises(IngestError) as err:
        read_goaml(path)
    return err.value


def test_records_read_with_the_checker_beside_are_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "pacs008.xml"
    bench_payments.write_pacs008(300, path, seed=5)
    alone, report_alone = read_iso20022(path), read_goaml(REPORT)
    monkeypatch.setattr(xml_records, "BESIDE", 0)
    checked_beside = read_iso20022(path)
    assert checked_beside.frame.equals(alone.frame)
    assert checked_beside.unmapped == alone.unmapped
    report = read_goaml(REPORT)
    assert report.frame.equals(report_alone.frame)
    assert report.unmapped == report_alone.unmapped


def test_a_truncated_or_hostile_file_is_refused_as_when_checked_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = REPORT.read_text(encoding="utf-8")
    cut, bomb = tmp_path / "cut.xml", tmp_path / "bomb.xml"
    cut.write_text(text[: text.index("<to_account>") + 60], encoding="utf-8")
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE report [<!ENTITY a "aaaa">]>'
                    + text[text.index("<report>"):].replace("STR", "&a;"), encoding="utf-8")
    alone = [_refusal(cut), _refusal(bomb)]
    monkeypatch.setattr(xml_records, "BESIDE", 0)
    for path, error in zip((cut, bomb), alone, strict=True):
        refused = _refusal(path)
        assert (refused.key, refused.params) == (error.key, error.params)
    assert [error.key for error in alone] == ["ingest.xml.not_well_formed",
                                              "ingest.xml.forbidden"]
    assert "/report/transaction[1]/t_to_my_client/to_account" in alone[0].params["xpath"]


@pytest.mark.usefixtures("beside")
def test_without_a_checker_process_the_file_is_checked_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No interpreter to start, or one that dies: the reading checks the file itself."""
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    assert read_goaml(REPORT).frame.height == 3
    monkeypatch.setattr(sys, "executable", "/bin/false")
    assert read_goaml(REPORT).frame.height == 3
    broken = tmp_path / "broken.xml"
    broken.write_text(REPORT.read_text(encoding="utf-8").replace("</report>", ""),
                      encoding="utf-8")
    assert _refusal(broken).key == "ingest.xml.not_well_formed"


def test_the_checker_reads_the_descriptor_it_is_handed(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    good.write_text("<a><b>x</b></a>", encoding="utf-8")
    bad.write_text("<a><b>x</a>", encoding="utf-8")
    for path, sound in ((good, True), (bad, False), (REPORT, True)):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            assert xml_check.is_sound(descriptor) is sound
        finally:
            os.close(descriptor)
