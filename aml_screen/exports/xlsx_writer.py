"""XLSX in openpyxl's write-only mode: rows go to a temporary file as they come, so a
million-row export holds one row in memory, not the workbook.

Every text cell is neutralised first, so openpyxl stores it as a string, never a formula;
characters XML cannot hold (control characters from a hostile file) are dropped rather than
failing the export. Past Excel's row limit the rows go on in a second sheet, and an "Export"
sheet at the end says what the file holds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from aml_screen.exports.cells import as_text, headers, neutralise
from aml_screen.exports.info import ExportInfo
from aml_screen.exports.rows import Row
from aml_screen.i18n import translate

MAX_SHEET_ROWS = 1_048_576
"""Excel's limit per sheet, header row included."""
BOLD = Font(bold=True)


def _text_cell(sheet: Any, text: str, bold: bool = False) -> Any:
    cell = WriteOnlyCell(sheet, value=neutralise(ILLEGAL_CHARACTERS_RE.sub("", text)))
    cell.data_type = "s"
    if bold:
        cell.font = BOLD
    return cell


def _cell(value: Any) -> Any:
    """A data cell as a plain value, the fast path of write-only mode: neutralised text
    never starts with ``=``, so openpyxl stores it as a string, never as a formula."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        # Excel has no time zones: UTC, said so in the column title.
        return value.astimezone(UTC).replace(tzinfo=None)
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", as_text(value)))


def write_xlsx(rows: Iterable[Row], path: Path, columns: tuple[str, ...],
               info: ExportInfo, max_sheet_rows: int = MAX_SHEET_ROWS) -> int:
    """Write the workbook to ``path``; returns the number of data rows."""
    book = Workbook(write_only=True)
    titles = headers(columns, info.lang)
    base = translate(f"exports.title.{info.kind}", info.lang)[:25]
    sheets = 1
    sheet = book.create_sheet(base)
    sheet.append([_text_cell(sheet, title, bold=True) for title in titles])
    in_sheet = 1
    count = 0
    for row in rows:
        if in_sheet == max_sheet_rows:
            sheets += 1
            sheet = book.create_sheet(f"{base} ({sheets})")
            sheet.append([_text_cell(sheet, title, bold=True) for title in titles])
            in_sheet = 1
        sheet.append([_cell(row[column]) for column in columns])
        in_sheet += 1
        count += 1
    about = book.create_sheet(translate("exports.info.sheet", info.lang))
    for label, value in info.lines(count):
        about.append([_text_cell(about, label, bold=True), _text_cell(about, value)])
    book.save(path)
    return count
