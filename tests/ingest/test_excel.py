"""Excel workbooks read as batches: header below letterhead rows, exact amounts and dates."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from aml_screen.errors import IngestError
from aml_screen.i18n import translate
from aml_screen.ingest import ColumnMapping, read_batch

HEADER = ["Réf. opération", "Date opération", "Montant", "Devise", "Donneur d'ordre",
          "Bénéficiaire"]
ROWS = [
    ["VIR-1", datetime(2026, 3, 2, 9, 45), 1234.5, "EUR", "Iyad Ag Ghaly", "Moussa Diallo"],
    ["VIR-2", date(2026, 3, 3), 0.1 + 0.2, "EUR", "Awa Traoré", "Ets Sahel Négoce"],
    ["VIR-3", "04/03/2026 14:00", 150000, "XOF", "Oumar Cissé", "Fatoumata Keïta"],
    ["VIR-4", datetime(2026, 3, 5, 8, 0), 99999999.99, "EUR", "Ibrahim Maïga", "Aminata Sow"],
    ["VIR-5", datetime(2026, 3, 5, 9, 0), 9200460.29, "MRU", "Tenere BTP SARL", "Gie Zinder"],
    ["VIR-6", datetime(2026, 3, 5, 9, 5), "1234567.890123456", "EUR", "Saïdou Bah", "Ali Sow"],
]


def _workbook(path: Path, rows: list[list[object]], *, letterhead: bool = True,
              sheet: str = "Relevé") -> Path:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Garde"
    first.append(["Page de garde"])
    data = book.create_sheet(sheet, 0)
    if letterhead:
        data.append(["BANQUE SAHÉLIENNE DE L'UNION SA"])
        data.append(["Relevé des virements du 01/03/2026 au 31/03/2026"])
        data.append([])
    data.append(HEADER)
    for row in rows:
        data.append(row)
    book.save(path)
    return path


def test_header_found_below_letterhead_and_cells_read_exactly(tmp_path: Path) -> None:
    result = read_batch(_workbook(tmp_path / "releve.xlsx", ROWS))
    assert result.format == "xlsx"
    frame = result.frame.sort("transaction_id")
    assert frame["amount"].to_list() == [Decimal("1234.50"), Decimal("0.30"), Decimal("150000"),
                                         Decimal("99999999.99"), Decimal("9200460.29")]
    assert frame["booked_at"].to_list()[:4] == [
        datetime(2026, 3, 2, 9, 45, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC),
        datetime(2026, 3, 4, 14, 0, tzinfo=UTC), datetime(2026, 3, 5, 8, 0, tzinfo=UTC)]
    # a text cell of 16 digits is what was typed: too many decimals for EUR, not rounded
    assert result.quarantine.select("transaction_id", "reason_code", "raw").rows() == [
        ("VIR-6", "bad_scale", "VIR-6;2026-03-05 09:05:00;1234567.890123456;EUR;Saïdou Bah;"
                               "Ali Sow")]
    assert frame["originator_name"][0] == "Iyad Ag Ghaly"
    # line numbers are the sheet's rows
    rows = {row[0].value: row[0].row for row in openpyxl.load_workbook(
        tmp_path / "releve.xlsx")["Relevé"].iter_rows() if row[0].value}
    assert frame["source_line"].to_list() == [rows[f"VIR-{n}"] for n in range(1, 6)]


def test_named_sheet_and_missing_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "b.xlsx", ROWS, letterhead=False, sheet="Virements")
    book = openpyxl.load_workbook(path)
    book.move_sheet("Virements", offset=1)  # no longer the first sheet
    book.save(path)
    assert read_batch(path, ColumnMapping(sheet="Virements")).frame.height == 5
    with pytest.raises(IngestError) as err:
        read_batch(path, ColumnMapping(sheet="Mars"))
    assert err.value.key == "ingest.no_sheet"
    assert "Virements" in str(err.value)


def test_quarantined_row_names_its_sheet_row(tmp_path: Path) -> None:
    rows = [*ROWS[:4], ["VIR-9", "pas une date", 10, "EUR", "A B", "C D"]]
    result = read_batch(_workbook(tmp_path / "q.xlsx", rows))
    assert result.quarantine.select("transaction_id", "reason_code").rows() == [
        ("VIR-9", "bad_date")]
    assert result.rows_read == 5


def test_renamed_csv_is_read_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_text("transaction_id;booked_at;amount;currency;originator_name\n"
                    "T1;02/03/2026;1 234,50;EUR;Iyad Ag Ghaly\n", encoding="utf-8")
    result = read_batch(path)
    assert (result.format, result.encoding) == ("csv", "utf-8")
    assert result.frame["amount"].to_list() == [Decimal("1234.50")]


def test_password_protected_workbook_is_one_clear_line(tmp_path: Path) -> None:
    # What Office writes for a workbook saved with a password: an OLE2 compound file whose
    # directory holds the EncryptionInfo and EncryptedPackage streams.
    directory = b"".join(name.encode("utf-16-le").ljust(64, b"\0") + bytes(64)
                         for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage"))
    path = tmp_path / "protege.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + bytes(4096) + directory)
    with pytest.raises(IngestError) as err:
        read_batch(path)
    assert err.value.key == "ingest.encrypted_workbook"
    for language in ("en", "fr"):
        line = translate(err.value.key, language, **err.value.params)
        assert "\n" not in line
        assert str(path) in line


def test_damaged_workbook_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "abime.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook>")
    with pytest.raises(IngestError) as err:
        read_batch(path)
    assert err.value.key == "ingest.bad_workbook"


def test_line_numbers_count_the_empty_rows_above_the_table(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row, values in enumerate((HEADER, ROWS[0], ["VIR-7", "?", 1, "EUR", "A B", "C D"]),
                                 start=4):
        for column, value in enumerate(values, start=2):
            sheet.cell(row=row, column=column, value=value)
    book.save(tmp_path / "decale.xlsx")
    result = read_batch(tmp_path / "decale.xlsx")
    assert result.frame["source_line"].to_list() == [5]
    assert result.quarantine["line_number"].to_list() == [6]
