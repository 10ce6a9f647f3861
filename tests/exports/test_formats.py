"""Each format read back with a real reader: ``csv``, openpyxl, pypdf. The files hold
exactly the filtered rows with their versions, formula-looking names are neutralised in the
spreadsheets, Arabic survives everywhere, and every export is in the audit trail."""

from __future__ import annotations

import csv
import hashlib
import io
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from pypdf import PdfReader
from sqlalchemy import select

from aml_screen.exports.filters import ExportFilter
from aml_screen.exports.info import ExportInfo
from aml_screen.exports.pdf_writer import write_pdf
from aml_screen.exports.rows import HIT_COLUMNS, iter_rows
from aml_screen.exports.service import export_file
from aml_screen.exports.xlsx_writer import write_xlsx
from aml_screen.store.audit import verify_chain
from aml_screen.store.models import AuditEvent
from tests.exports.conftest import ARABIC, HOSTILE, LIST_DATE, LIST_SHA, RULE_DIGEST, Store

NEUTRALISED = {name: "'" + name for name in HOSTILE.values()}


def export(store: Store, tmp_path: Path, fmt: str, kind: str = "hits",
           flt: ExportFilter | None = None, lang: str = "en") -> tuple[Path, Any]:
    info = ExportInfo(kind, flt or ExportFilter(), "aminata", lang,
                      datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    path = tmp_path / info.file_name(fmt)
    return path, export_file(store.database, fmt, info, path, actor_id=None)


def last_event(store: Store) -> AuditEvent:
    with store.database.transaction() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert event is not None
        assert verify_chain(session).broken is None
        return event


def test_csv_holds_the_filtered_hits_with_versions_and_neutralised_names(
        store: Store, tmp_path: Path) -> None:
    flt = ExportFilter(batch_id=store.hostile_batch)
    path, result = export(store, tmp_path, "csv", flt=flt)
    assert path.name == "aml-screen-hits-20261123T1500Z.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert result.rows == len(table) == 6
    assert {row["List version (SHA-256)"] for row in table} == {LIST_SHA}
    assert {row["List version date"] for row in table} == {LIST_DATE}
    assert {row["Rule version (digest)"] for row in table} == {RULE_DIGEST}
    assert {row["Engine version"] for row in table} == {"0.2.0"}
    names = [row["Party name"] for row in table]
    assert names == [*NEUTRALISED.values(), ARABIC]
    assert [row["Listed name matched"] for row in table] == names
    assert {row["Score"] for row in table} == {"95.5"}
    arabic = table[-1]
    assert (arabic["Alert status"], arabic["Disposition"]) == ("closed", "false_positive")
    assert arabic["Closed at (UTC)"] == "2026-10-07T12:00:00Z"
    assert arabic["Booked at (UTC)"] == "2026-10-01T08:06:00Z"
    event = last_event(store)
    assert (event.action, event.object_type, event.object_id) == ("export.hits", "export", "csv")
    assert event.after == {"format": "csv", "filters": {"batch_id": store.hostile_batch},
                           "rows": 6, "file_name": path.name,
                           "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def test_csv_headers_follow_the_language(store: Store, tmp_path: Path) -> None:
    path, _ = export(store, tmp_path, "csv", kind="alerts", lang="fr")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[:4] == ["Alerte", "Type de sujet", "Clé du sujet", "Sujet"]
    assert "Versions des listes (SHA-256, date)" in header


def test_xlsx_holds_every_row_as_values_never_formulas(store: Store, tmp_path: Path) -> None:
    path, result = export(store, tmp_path, "xlsx")
    book = load_workbook(path)
    sheet = book.worksheets[0]
    table = [list(row) for row in sheet.iter_rows()]
    header = [cell.value for cell in table[0]]
    assert header == [cell for cell in header if cell]
    assert header[6] == "Party name"
    assert result.rows == len(table) - 1 == 18
    assert all(cell.data_type != "f" for row in table for cell in row)
    by_name = {row[6].value: row for row in table[1:]}
    for name in NEUTRALISED.values():
        assert by_name[name][6].data_type == "s"
    hostile = by_name[ARABIC]
    assert [cell.value for cell in hostile][9:11] == [LIST_SHA, LIST_DATE]
    assert hostile[18].value == RULE_DIGEST
    assert hostile[13].value == 95.5
    assert hostile[16].value == datetime(2026, 10, 7, 12, 0)
    assert {row[1].value for row in table[1:]} == {store.sample_batch, store.hostile_batch}
    about = {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True)}
    assert about["Rows"] == "18"
    assert about["Exported by"] == "aminata"
    event = last_event(store)
    assert (event.action, event.object_id, event.after["rows"]) == ("export.hits", "xlsx", 18)
    assert event.after["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_xlsx_goes_on_in_a_new_sheet_past_the_row_limit(store: Store, tmp_path: Path) -> None:
    info = ExportInfo("alerts", ExportFilter(), "aminata", "fr")
    with store.database.transaction() as session:
        rows = list(iter_rows(session, "hits", ExportFilter()))
    rows.append({**rows[0], "party_name": "Bell\x07e\x00 =1+1", "matched_name": "-2"})
    count = write_xlsx(rows, tmp_path / "x.xlsx", HIT_COLUMNS, info, max_sheet_rows=8)
    book = load_workbook(tmp_path / "x.xlsx")
    assert book.sheetnames == ["Alertes", "Alertes (2)", "Alertes (3)", "Export"]
    data = [row for sheet in book.worksheets[:3] for row in sheet.iter_rows(values_only=True)]
    assert count == 19
    assert len(data) == 19 + 3
    assert data[-1][6:8] == ("Belle =1+1", "'-2")


def test_pdf_holds_the_filtered_rows_with_versions_and_arabic(store: Store,
                                                              tmp_path: Path) -> None:
    flt = ExportFilter(list_id="national_ml")
    path, result = export(store, tmp_path, "pdf", flt=flt, lang="fr")
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    assert result.rows == 6
    assert "Filtres : Liste : national_ml" in text
    assert "Exporté par : aminata" in text
    assert "Lignes : 6" in text
    assert ARABIC in text
    for number in range(1, 7):
        assert f"TX-OCT-{number:04d}" in text
    assert "TX-2025-" not in text
    assert f"{LIST_SHA[:12]} 2026-10-01" in text
    assert LIST_SHA in text
    assert RULE_DIGEST in text
    assert "Ce PDF montre" not in text
    event = last_event(store)
    assert (event.action, event.object_id, event.after["rows"]) == ("export.hits", "pdf", 6)


def test_pdf_is_capped_and_says_so_in_both_languages(store: Store) -> None:
    info = ExportInfo("alerts", ExportFilter(), "salif", "fr")
    with store.database.transaction() as session, \
            closing(iter_rows(session, "alerts", ExportFilter())) as rows:
        content, drawn = write_pdf(rows, info, total=14, max_rows=5)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert drawn == 5
    assert "Ce PDF montre les 5 premières lignes sur 14" in text
    assert "Les exports CSV et XLSX contiennent toutes les lignes" in text
    assert "This PDF shows the first 5 of 14 rows" in text
    assert "Iyad Ag Ghaly" not in text  # alert 7, beyond the first five


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_an_export_matching_nothing_is_still_a_valid_file(store: Store, tmp_path: Path,
                                                          fmt: str) -> None:
    path, result = export(store, tmp_path, fmt, flt=ExportFilter(rule_id="NO-SUCH-RULE"))
    assert result.rows == 0
    if fmt == "csv":
        assert len(path.read_text(encoding="utf-8-sig").splitlines()) == 1
    elif fmt == "xlsx":
        assert load_workbook(path).worksheets[0].max_row == 1
    else:
        assert "No row matches these filters." in PdfReader(path).pages[0].extract_text()
