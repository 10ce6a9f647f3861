"""PDF: a landscape table for reading and printing, capped at ``PDF_MAX_ROWS`` rows (the
notice at the top says, in French and English, that the CSV and XLSX hold every row).

Rows are drawn one at a time as they stream in. HarfBuzz shaping, needed for Arabic, is
slow, so it is switched on only for cells holding right-to-left or joined scripts. A text
wider than its column is drawn smaller, then shortened with "…"; the full values and the
complete versions (SHA-256, rule digest) of every batch shown are listed after the table."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from aml_screen.exports.cells import as_text
from aml_screen.exports.info import ExportInfo
from aml_screen.exports.rows import Row
from aml_screen.i18n import LANGUAGES, translate
from aml_screen.reports.pdf import FAMILY, Document

PDF_MAX_ROWS = 20_000
FONT_SIZE = 6.5
MIN_FONT_SIZE = 5.0
LINE = 3.6
HEAD_SIZE = 6.0
HEAD_LINE = 2.8
_NEEDS_SHAPING = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
"""Hebrew, Arabic, Syriac, Thaana, N'Ko and the Arabic presentation forms."""

PDF_COLUMNS: dict[str, tuple[tuple[str, float], ...]] = {
    "hits": (("alert_id", 11), ("batch_id", 9), ("transaction_id", 24), ("booked_at", 22),
             ("party_role", 16), ("party_name", 40), ("matched_name", 40), ("list_id", 22),
             ("list_version", 32), ("entry_id", 20), ("score", 10), ("status", 13),
             ("disposition", 18)),
    "alerts": (("alert_id", 11), ("subject_name", 60), ("risk_score", 12),
               ("typologies", 34), ("list_ids", 30), ("rule_ids", 30), ("hit_count", 10),
               ("status", 14), ("disposition", 22), ("created_at", 22), ("closed_at", 22),
               ("batch_id", 10)),
}


@dataclass
class _Versions:
    """The batches and list versions met in the rows, for the closing legend."""

    batches: dict[int, tuple[str, str, str, str]] = field(default_factory=dict)
    lists: set[tuple[str, str, str]] = field(default_factory=set)

    def note(self, row: Row) -> None:
        if row["batch_id"] not in self.batches:
            self.batches[row["batch_id"]] = (
                as_text(row["file_name"]), as_text(row["rule_digest"]) or "—",
                as_text(row["engine_version"]) or "—", as_text(row.get("list_versions")))
        if "list_version" in row:
            self.lists.add((row["list_id"], row["list_version"],
                            as_text(row["list_version_date"])))


class _Table:
    """Rows drawn with ``Document.text`` at computed positions: several times faster than
    ``cell`` (whose layout work is not needed here), so that a capped PDF stays quick."""

    def __init__(self, doc: Document, kind: str, lang: str) -> None:
        self.doc = doc
        self.columns = PDF_COLUMNS[kind]
        self.width = sum(width for _, width in self.columns)
        self.lang = lang
        self.shaping = True
        self._char_widths: dict[str, float] = {}

    def _shape(self, text: str) -> None:
        wanted = bool(_NEEDS_SHAPING.search(text))
        if wanted != self.shaping:
            self.doc.set_text_shaping(wanted)
            self.shaping = wanted

    def _text_width(self, text: str) -> float:
        """Width at ``FONT_SIZE`` from a per-character cache (measuring whole strings
        through fpdf for every cell is what makes large PDFs slow)."""
        widths = self._char_widths
        total = 0.0
        for char in text:
            if char not in widths:
                widths[char] = self.doc.get_string_width(char)
            total += widths[char]
        return total

    def _fit(self, text: str, room: float) -> tuple[str, float]:
        """The text and font size that fit ``room``: smaller type first, then "…"."""
        width = self._text_width(text)
        if width <= room:
            return text, FONT_SIZE
        size = max(MIN_FONT_SIZE, FONT_SIZE * room / width)
        scale = size / FONT_SIZE
        if width * scale <= room:
            return text, size
        budget = room / scale - self._text_width("…")
        kept = []
        for char in text:
            budget -= self._char_widths[char]
            if budget < 0:
                break
            kept.append(char)
        return "".join(kept) + "…", size

    def _new_page_if_full(self, height: float) -> None:
        if self.doc.will_page_break(height):
            self.doc.add_page()
            self.heading()

    def heading(self) -> None:
        """Column titles on up to three lines, with a rule under them."""
        doc = self.doc
        doc.set_text_shaping(False)
        self.shaping = False
        doc.set_font(FAMILY, "B", HEAD_SIZE)
        top, left = doc.get_y(), doc.l_margin
        for column, width in self.columns:
            title = translate(f"exports.col.{column}", self.lang)
            doc.multi_cell(width, HEAD_LINE, title, new_x="RIGHT", new_y="TOP")
        doc.set_y(top + 3 * HEAD_LINE + 0.5)
        doc.line(left, doc.get_y(), left + self.width, doc.get_y())
        doc.set_font(FAMILY, "", FONT_SIZE)

    def row(self, row: Row) -> None:
        doc = self.doc
        self._new_page_if_full(LINE)
        top = doc.get_y()
        baseline = top + LINE - 1.0
        x = doc.l_margin
        for column, width in self.columns:
            if column == "list_version":
                date = as_text(row["list_version_date"])[:10]
                text = f"{row['list_version'][:12]} {date}".strip()
            else:
                text = as_text(row[column], ", ")
            if text:
                self._shape(text)
                fitted, size = self._fit(text, width - 1.0)
                if size != FONT_SIZE:
                    doc.set_font_size(size)
                if self.shaping:  # cell() keeps right-to-left text in reading order
                    doc.set_xy(x, top)
                    doc.cell(width, LINE, fitted)
                else:
                    doc.text(x + 0.5, baseline, fitted)
                if size != FONT_SIZE:
                    doc.set_font_size(FONT_SIZE)
            x += width
        doc.set_y(top + LINE)


def _legend(doc: Document, versions: _Versions, lang: str) -> None:
    doc.set_text_shaping(True)
    doc.ln(4)
    doc.heading(translate("exports.pdf.versions", lang), size=11)
    doc.set_font(FAMILY, size=7)
    for batch_id in sorted(versions.batches):
        file_name, rule_digest, engine, lists = versions.batches[batch_id]
        doc.multi_cell(0, 3.6, translate("exports.pdf.batch_versions", lang, batch=batch_id,
                                         file=file_name, rules=rule_digest, engine=engine),
                       new_x="LMARGIN", new_y="NEXT")
        if lists:
            doc.multi_cell(0, 3.6, "    " + lists.replace("|", "  ·  "),
                           new_x="LMARGIN", new_y="NEXT")
    for list_id, sha256, date in sorted(versions.lists):
        doc.multi_cell(0, 3.6, translate("exports.pdf.list_version", lang, list=list_id,
                                         sha256=sha256, date=date or "—"),
                       new_x="LMARGIN", new_y="NEXT")


def write_pdf(rows: Iterable[Row], info: ExportInfo, total: int,
              max_rows: int = PDF_MAX_ROWS) -> tuple[bytes, int]:
    """The PDF of at most ``max_rows`` of ``rows`` (``total`` is the full count, for
    the header); returns the document and the rows drawn."""
    lang = info.lang
    doc = Document(info.title(), lang=lang, author=info.exported_by, orientation="landscape",
                   footer_text=f"aml-screen · {info.title()} · {info.file_name('pdf')}")
    doc.add_page()
    doc.heading(info.title())
    doc.set_font(FAMILY, size=8)
    for label, value in info.lines(total):
        doc.multi_cell(0, 4, info.labelled(label, value), new_x="LMARGIN", new_y="NEXT")
    if total > max_rows:
        doc.ln(1)
        doc.set_font(FAMILY, "B", 8)
        others = [lang] + [other for other in LANGUAGES if other != lang]
        for each in others:
            doc.multi_cell(0, 4, translate("exports.pdf.capped", each, shown=max_rows,
                                           total=total), new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    table = _Table(doc, info.kind, lang)
    table.heading()
    versions = _Versions()
    drawn = 0
    for row in rows:
        if drawn == max_rows:
            break
        table.row(row)
        versions.note(row)
        drawn += 1
    if drawn == 0:
        doc.set_font(FAMILY, size=8)
        doc.multi_cell(0, 5, translate("exports.empty", lang), new_x="LMARGIN", new_y="NEXT")
    _legend(doc, versions, lang)
    return doc.to_bytes(), drawn
