"""Excel workbooks (XLSX, XLSM, XLS) -> the all-text rows CSV gives, through polars'
``read_excel`` with the calamine engine (fastexcel): no cell walking here.

Every cell is read as text: a number as its shortest round-trip text (an amount typed
``1234.5`` reads ``1234.5``, never a binary expansion), a date or date-time cell as ISO
``yyyy-mm-dd hh:mm:ss`` (Excel stores them as serial numbers; calamine converts them by
the cell's format), text as written. The header row is the first of the sheet's first
``HEADER_SCAN_ROWS`` rows the header recognition accepts, so a bank's letterhead above
it is passed over. Line numbers are the sheet's row numbers (for XLS, counted from its
first row holding a value).

A workbook saved with a password is an OLE2 file holding an ``EncryptedPackage`` stream:
it is refused with a message saying so rather than calamine's.
"""

from __future__ import annotations

import mmap
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import defusedxml.ElementTree as SafeET
import fastexcel
import polars as pl

from aml_screen.errors import IngestError
from aml_screen.ingest.csv_reader import LINE_COLUMN, header_names
from aml_screen.ingest.headers import resolve_columns
from aml_screen.ingest.limits import InputLimits
from aml_screen.ingest.mapping import ColumnMapping
from aml_screen.ingest.sniff import OLE2_MAGIC
from aml_screen.ingest.source import BatchSource, FrameTable

HEADER_SCAN_ROWS = 30
_SHEET_HEAD = 1 << 20
_ROW = re.compile(r'<(?:\w+:)?row\b[^>]*?\br="(\d+)"[^>]*?(?:/>|>(.*?)</(?:\w+:)?row>)', re.S)
_VALUE = re.compile(r"<(?:\w+:)?(?:v|is)\b")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FLOAT_DIGITS = 16
"""A number cell's double can reach calamine written with 16 or 17 significant digits
(``99999999.99`` as ``99999999.989999995``, ``9200460.29`` as ``9200460.289999999``,
as writers such as openpyxl store them): a decimal of that many digits whose double has a
shorter text is such a rendering (no amount is typed with 16 significant digits) and is
read as that shortest text, as ``parquet_reader`` reads float columns."""
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def open_excel(path: Path, mapping: ColumnMapping, source: str,
               limits: InputLimits) -> BatchSource:
    """The mapping's sheet (else the first) from its header row down, blank rows left out."""
    if _encrypted(path):
        raise IngestError("ingest.encrypted_workbook", path=source)
    sheet = _read_sheet(path, mapping.sheet, source)
    if sheet.height == 0:
        raise IngestError("ingest.empty", path=source)
    header = _header_row(sheet.head(HEADER_SCAN_ROWS), mapping, source)
    names = header_names([cell or "" for cell in sheet.row(header)])
    body = sheet.slice(header + 1).rename(dict(zip(sheet.columns, names, strict=True)))
    first_row = _first_row(path, mapping.sheet)
    body = body.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + first_row + header + 1).alias(LINE_COLUMN))
    body = body.filter(~pl.all_horizontal(pl.col(names).str.strip_chars().replace("", None)
                                          .is_null())).with_columns(_shortest(pl.col(names)))
    return BatchSource(FrameTable(body, ";"), "xlsx", ";")


def _shortest(text: pl.Expr) -> pl.Expr:
    """Number renderings of ``FLOAT_DIGITS`` or more significant digits as their shortest
    text (a text whose double has no shorter text is left as it is)."""
    digits = text.str.replace_all(r"\D", "").str.strip_chars_start("0").str.len_chars()
    shortest = text.cast(pl.Float64, strict=False).cast(pl.String)
    rendered = (text.str.contains(r"^-?\d*\.\d+$") & (digits >= FLOAT_DIGITS)
                & (shortest.str.len_chars() < text.str.len_chars()))
    return pl.when(rendered).then(shortest).otherwise(text)


def _read_sheet(path: Path, sheet: str | None, source: str) -> pl.DataFrame:
    try:
        frame = pl.read_excel(
            path, engine="calamine", sheet_name=sheet, sheet_id=None if sheet else 1,
            has_header=False, infer_schema_length=0, drop_empty_rows=False,
            drop_empty_cols=False, raise_if_empty=False)
    except ValueError as exc:
        if sheet is not None and "no matching sheet" in str(exc):
            raise IngestError("ingest.no_sheet", path=source, sheet=sheet,
                              sheets=", ".join(fastexcel.read_excel(path).sheet_names)) from exc
        raise _bad(source, exc) from exc
    except (fastexcel.FastExcelError, pl.exceptions.PolarsError, OSError) as exc:
        raise _bad(source, exc) from exc
    return frame


def _bad(source: str, exc: Exception) -> IngestError:
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return IngestError("ingest.bad_workbook", path=source, detail=detail)


def _first_row(path: Path, sheet: str | None) -> int:
    """The sheet row number of calamine's first row: the first row holding a value
    (calamine leaves out the empty rows above it), found in the first part of the sheet's
    XML; 1 when it is not there or for an XLS workbook (not a ZIP)."""
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet)
            with archive.open(part) as stream:
                head = stream.read(_SHEET_HEAD).decode("utf-8", errors="ignore")
    except (zipfile.BadZipFile, KeyError, OSError, ET.ParseError, StopIteration):
        return 1
    found = next((row for row in _ROW.finditer(head) if _VALUE.search(row.group(2) or "")),
                 None)
    return int(found.group(1)) if found else 1


def _sheet_part(archive: zipfile.ZipFile, sheet: str | None) -> str:
    """The ZIP member of the named (else the first) worksheet, through the workbook's
    sheet list and relationships (small parts, parsed hardened)."""
    book = SafeET.fromstring(archive.read("xl/workbook.xml"))
    sheets = book.findall(f"{{{_MAIN}}}sheets/{{{_MAIN}}}sheet")
    chosen = next(s for s in sheets if sheet is None or s.get("name") == sheet)
    relation = chosen.get(f"{{{_RELATIONSHIP}}}id")
    links = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(link.get("Target", "") for link in links if link.get("Id") == relation)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _header_row(top: pl.DataFrame, mapping: ColumnMapping, source: str) -> int:
    """Index of the first row the header recognition accepts; when none is, the error
    of the fullest row (the header most likely meant, e.g. with a column missing)."""
    fullest: tuple[int, IngestError] | None = None
    for index, row in enumerate(top.iter_rows()):
        cells = [cell or "" for cell in row]
        filled = sum(1 for cell in cells if cell.strip())
        if not filled:
            continue
        try:
            resolve_columns(header_names(cells), mapping.columns, source)
        except IngestError as exc:
            if fullest is None or filled > fullest[0]:
                fullest = (filled, exc)
            continue
        return index
    if fullest is None:
        raise IngestError("ingest.empty", path=source)
    raise fullest[1]


def _encrypted(path: Path) -> bool:
    """An OLE2 file with an ``EncryptedPackage`` stream (its directory can be anywhere
    in the file, so the whole file is searched: memory-mapped, pages let go)."""
    try:
        with path.open("rb") as stream:
            if stream.read(len(OLE2_MAGIC)) != OLE2_MAGIC:
                return False
            with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return data.find(_ENCRYPTED_STREAM) != -1
    except OSError as exc:
        raise IngestError("ingest.unreadable", path=path, detail=exc.strerror) from exc
