"""Column mapping: how one bank's export maps onto the canonical transaction schema.

A YAML file (see ``aml_screen/samples/mapping_example.yaml``)::

    columns: {transaction_id: "Réf. opération", amount: "Montant", ...}
    date_formats: ["%d/%m/%Y %H:%M", "%d/%m/%Y"]
    timezone: Africa/Niamey
    decimal_separator: ","      # auto | , | .
    delimiter: ";"              # auto | , | ; | "\\t" (or tab) | |
    encoding: cp1252            # auto | any Python codec name
    date_order: dmy             # dmy | mdy
    sheet: "Relevé"             # Excel: the sheet to read (default: the first)

Every key is optional; what is left out is detected from the file. Besides the transaction
columns, ``columns`` may name the parties' KYC columns (``originator_birth_date``,
``beneficiary_phone``...: ``schema.PARTY_SCHEMA``).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from aml_screen.errors import ConfigError
from aml_screen.schema import PARTY_SCHEMA, TRANSACTION_SCHEMA

MAPPABLE = (*(c for c in TRANSACTION_SCHEMA if c not in ("source_file", "source_line")),
            *PARTY_SCHEMA)
_CHOICES = {
    "decimal_separator": ("auto", ",", "."),
    "delimiter": ("auto", ",", ";", "\t", "|"),
    "date_order": ("dmy", "mdy"),
}


@dataclass(frozen=True)
class ColumnMapping:
    """Canonical column -> the bank's header, plus how to read the file's text."""

    columns: dict[str, str] = field(default_factory=dict)
    """Canonical name -> the bank's header name (matched ignoring case and spacing)."""
    date_formats: tuple[str, ...] = ()
    """strftime formats tried in order; empty = the built-in list."""
    timezone: str | None = None
    """Zone of times written without an offset; None = the caller's (settings) zone."""
    decimal_separator: str = "auto"
    delimiter: str = "auto"
    encoding: str = "auto"
    date_order: str | None = None
    sheet: str | None = None
    """The workbook sheet an Excel batch is read from; None = the first."""


def load_mapping(path: Path) -> ColumnMapping:
    """Read and check a mapping file; any problem is a ``ConfigError`` naming file and field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError("ingest.mapping_unreadable", path=path, detail=exc.strerror) from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise _bad(path, "-", str(exc).splitlines()[0]) from exc
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise _bad(path, "-", "a mapping of keys to values")
    known = {"columns", "date_formats", "timezone", *_CHOICES, "encoding", "sheet"}
    for key in data:
        if key not in known:
            raise _bad(path, str(key), "unknown key; expected one of " + ", ".join(sorted(known)))
    return ColumnMapping(
        columns=_columns(path, data.get("columns") or {}),
        date_formats=_formats(path, data.get("date_formats") or []),
        timezone=_timezone(path, data.get("timezone")),
        decimal_separator=_choice(path, "decimal_separator", data.get("decimal_separator", "auto")),
        delimiter=_choice(path, "delimiter", _tab(data.get("delimiter", "auto"))),
        encoding=_encoding(path, data.get("encoding", "auto")),
        date_order=_choice(path, "date_order", data.get("date_order")),
        sheet=_sheet(path, data.get("sheet")),
    )


def _bad(path: Path, name: str, detail: str) -> ConfigError:
    return ConfigError("ingest.mapping_invalid", path=path, field=name, detail=detail)


def _columns(path: Path, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise _bad(path, "columns", "canonical name: header name pairs")
    columns: dict[str, str] = {}
    for name, header in raw.items():
        if name not in MAPPABLE:
            raise _bad(path, f"columns.{name}", "not a column; use one of " + ", ".join(MAPPABLE))
        if not isinstance(header, str) or not header.strip():
            raise _bad(path, f"columns.{name}", "the header name, as text")
        columns[name] = header
    return columns


def _formats(path: Path, raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(f, str) and "%" in f for f in raw):
        raise _bad(path, "date_formats", 'a list of strftime formats such as "%d/%m/%Y %H:%M"')
    return tuple(raw)


def _timezone(path: Path, raw: Any) -> str | None:
    if raw is None:
        return None
    try:
        ZoneInfo(str(raw))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _bad(path, "timezone", f"{raw}: not an IANA zone such as Africa/Niamey") from exc
    return str(raw)


def _sheet(path: Path, raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int) or not str(raw).strip():
        raise _bad(path, "sheet", "the name of a sheet of the workbook")
    return str(raw)


def _tab(raw: Any) -> Any:
    return "\t" if isinstance(raw, str) and raw.lower() in ("tab", "\\t") else raw


def _choice(path: Path, key: str, value: Any) -> Any:
    if value is None and key == "date_order":
        return None
    if value not in _CHOICES[key]:
        allowed = " | ".join(repr(c) for c in _CHOICES[key])
        raise _bad(path, key, f"{value!r}: expected {allowed}")
    return value


def _encoding(path: Path, raw: Any) -> str:
    if raw == "auto":
        return "auto"
    try:
        return codecs.lookup(str(raw)).name
    except LookupError as exc:
        raise _bad(path, "encoding", f"{raw}: unknown encoding (e.g. utf-8, cp1252)") from exc
