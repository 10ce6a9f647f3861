"""PDF documents that render every name as written: French accents, Arabic script (shaped
right to left by HarfBuzz), Cyrillic. fpdf2's built-in fonts only cover Latin-1, so the
DejaVu Sans faces shipped in ``aml_screen/reference/fonts`` are embedded (subset) instead."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from aml_screen.i18n import direction

FONTS = Path(__file__).resolve().parent.parent / "reference" / "fonts"
FAMILY = "DejaVu"


class Document(FPDF):
    """An A4 document with the Unicode fonts loaded, a running footer (``footer_text`` and
    the page number) and document metadata set."""

    def __init__(self, title: str, *, lang: str = "en", author: str = "aml-screen",
                 footer_text: str = "", orientation: str = "portrait") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_text_shaping(True)
        self.set_title(title)
        self.set_author(author)
        self.set_creator("aml-screen")
        self.set_lang(lang)
        self.align = "R" if direction(lang) == "rtl" else "J"
        """Paragraphs of a right-to-left language start at the right margin (HarfBuzz shapes
        and orders each line; the alignment is the document's)."""
        self.footer_text = footer_text
        self.set_auto_page_break(auto=True, margin=15)
        self.set_font(FAMILY, size=10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=7)
        self.cell(0, 5, f"{self.footer_text}  ·  {self.page_no()}/{{nb}}", align="C")
        self.set_font(FAMILY, size=10)

    def heading(self, text: str, size: int = 14) -> None:
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT",
                        align="R" if self.align == "R" else "L")
        self.set_font(FAMILY, size=10)
        self.ln(1)

    def paragraph(self, text: str, size: int = 10) -> None:
        self.set_font(FAMILY, size=size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT", align=self.align)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
