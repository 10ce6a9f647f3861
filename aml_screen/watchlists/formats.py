"""List format names, the parser behind each, and the files a parse of a path reads.

Parsers are imported on first use, so commands that only look at sources or stored versions
(``aml-screen watchlists list``) do not pay for importing every XML and CSV reader.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol, cast

from aml_screen.errors import WatchlistError
from aml_screen.watchlists.frame import ParsedList


class Parser(Protocol):
    def __call__(self, path: Path, list_id: str = ...) -> ParsedList: ...


_PARSERS: dict[str, tuple[str, str]] = {
    "ofac_csv": ("aml_screen.watchlists.ofac", "parse_ofac_csv"),
    "un_xml": ("aml_screen.watchlists.un_xml", "parse_un_xml"),
    "eu_xml": ("aml_screen.watchlists.eu_xml", "parse_eu_xml"),
    "eu_csv": ("aml_screen.watchlists.eu_csv", "parse_eu_csv"),
    "uk_csv": ("aml_screen.watchlists.uk_csv", "parse_uk_csv"),
    "custom_csv": ("aml_screen.watchlists.custom_csv", "parse_custom_csv"),
    "ftm": ("aml_screen.watchlists.ftm", "parse_ftm"),
}

FORMAT_NAMES: tuple[str, ...] = tuple(_PARSERS)

OFAC_FILE_SETS: dict[str, tuple[str, ...]] = {
    "ofac_sdn": ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"),
    "ofac_cons": ("cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv"),
}
"""OFAC's legacy CSV sets by list id, primary file first: the parser is given the primary
file (or its folder) and reads the others from beside it."""


def parser_for(format_name: str) -> Parser:
    """The parse function of ``format_name``; unknown names raise ``WatchlistError``."""
    try:
        module_name, function = _PARSERS[format_name]
    except KeyError:
        raise WatchlistError(
            "watchlists.loader.unknown_format", format=format_name,
            formats=", ".join(FORMAT_NAMES),
        ) from None
    return cast(Parser, getattr(importlib.import_module(module_name), function))


def ofac_set(path: Path) -> tuple[str, Path] | None:
    """List id and primary file of the OFAC set ``path`` names: a primary file, or a folder
    holding one (SDN before non-SDN); None if it is neither."""
    for list_id, names in OFAC_FILE_SETS.items():
        primary = path / names[0] if path.is_dir() else path
        if primary.name == names[0] and primary.is_file():
            return list_id, primary
    return None


def version_files(format_name: str, path: Path) -> list[Path]:
    """The files a parse of ``path`` reads, in name order: what a list version's sha256
    covers. An OFAC primary file (or its folder) brings its companion files along."""
    found = ofac_set(path) if format_name == "ofac_csv" else None
    if found is None:
        return [path]
    list_id, primary = found
    companions = (primary.parent / name for name in OFAC_FILE_SETS[list_id])
    return sorted((p for p in companions if p.is_file()), key=lambda p: p.name)
