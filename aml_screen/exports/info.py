"""What every export says about itself: kind, filters, who exported it and when (UTC)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from aml_screen.exports.cells import utc_text
from aml_screen.exports.filters import ExportFilter
from aml_screen.i18n import translate
from aml_screen.store.base import utcnow


@dataclass(frozen=True)
class ExportInfo:
    kind: str
    filters: ExportFilter
    exported_by: str
    lang: str
    generated_at: datetime = field(default_factory=utcnow)

    def file_name(self, fmt: str) -> str:
        """``aml-screen-hits-20261123T1500Z.csv``."""
        return f"aml-screen-{self.kind}-{self.generated_at:%Y%m%dT%H%MZ}.{fmt}"

    def title(self) -> str:
        return translate(f"exports.title.{self.kind}", self.lang)

    def filter_text(self) -> str:
        """``label: value`` of each filter set, or the translated "no filter"."""
        chosen = self.filters.as_dict()
        if not chosen:
            return translate("exports.filters.none", self.lang)
        return "; ".join(self.labelled(translate(f"exports.filter.{key}", self.lang), value)
                         for key, value in chosen.items())

    def labelled(self, label: str, value: object) -> str:
        """``label: value`` spelled the language's way (a space before the colon in French)."""
        return translate("exports.info.line", self.lang, label=label, value=value)

    def lines(self, rows: int) -> list[tuple[str, str]]:
        """(label, value) pairs describing the export, for the XLSX sheet and PDF header."""
        return [
            (translate("exports.info.kind", self.lang), self.title()),
            (translate("exports.info.filters", self.lang), self.filter_text()),
            (translate("exports.info.generated_at", self.lang), utc_text(self.generated_at)),
            (translate("exports.info.exported_by", self.lang), self.exported_by),
            (translate("exports.info.rows", self.lang), str(rows)),
        ]
