"""OFAC legacy CSV files (SDN list and the consolidated non-SDN list) to list-entry rows.

Layout (OFAC's own, no header row; ``-0-`` with a trailing space marks an empty field;
cp1252 bytes, CRLF, a DOS ``\\x1a`` end-of-file character):

* ``sdn.csv`` / ``cons_prim.csv``: ent_num, name, type (``individual``, ``vessel``,
  ``aircraft``; empty = entity), programmes (``SDGT] [IFSR`` = two), title, call sign, vessel
  type, tonnage, GRT, flag, owner, remarks;
* ``alt.csv`` / ``cons_alt.csv``: ent_num, alt_num, type (aka/fka/nka), name, remarks;
* ``add.csv`` / ``cons_add.csv``: ent_num, add_num, address, city/state/postal, country,
  remarks;
* ``sdn_comments.csv`` / ``cons_comments.csv``: ent_num, the rest of a remarks field too long
  for ``sdn.csv`` (it continues mid-word, so it is appended without a separator).

Weak aliases. OFAC's "weak" (low-quality) a.k.a.s are not in ``alt.csv``: the legacy files
state them only in the remarks, always quoted: ``a.k.a. 'HESA'`` (and, for former names,
``f.k.a. 'MARINA'``). Measured on the 2021 SDN snapshot: 2,417 quoted ``a.k.a.`` and 24
quoted ``f.k.a.`` in remarks, none of them also in ``alt.csv``, and every ``alt.csv`` name
absent from the remarks; every a.k.a./f.k.a. in the remarks is quoted. They are therefore read
from the remarks as ``weak_alias`` rows, and ``alt.csv`` names are ``alias`` rows.

Remarks also give birth dates (``DOB 28 Jul 1963``, ``alt. DOB 1962``, ``DOB circa 1960``,
``DOB 1960 to 1962``) and nationality/citizenship (``nationality Mali``, ``citizen Mali``).
The legacy files carry no listing date and no publication date.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from aml_screen.errors import WatchlistError
from aml_screen.watchlists.frame import ParsedList
from aml_screen.watchlists.text import (
    assemble,
    map_countries,
    partial_dates,
    read_csv_text,
    read_list_text,
    split_values,
)

PRIMARY_COLUMNS = ["ent_num", "name", "sdn_type", "program", "title", "call_sign", "vess_type",
                   "tonnage", "grt", "vess_flag", "vess_owner", "remarks"]
ALT_COLUMNS = ["ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"]
ADD_COLUMNS = ["ent_num", "add_num", "address", "city", "country", "add_remarks"]
COMMENT_COLUMNS = ["ent_num", "remarks"]
NULL_MARKERS = ["-0- ", "-0-"]

_TYPES = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft"}
_WEAK_ALIAS = r"[afn]\.k\.a\. '.+?'(?:;|\.?$)"
"""A quoted a.k.a. in remarks; the closing quote is the one before ``;`` or the end, since
names contain apostrophes (``a.k.a. 'ABU-'UMAR'.``)."""


@dataclass(frozen=True)
class OfacFiles:
    """The primary file and whichever companions sit beside it."""

    primary: Path
    alt: Path | None
    add: Path | None
    comments: Path | None


def locate_files(path: Path) -> OfacFiles:
    """``path`` is sdn.csv / cons_prim.csv or a folder holding one; companions are looked up
    beside it by their official names (any letter case)."""
    folder = path if path.is_dir() else path.parent
    present = {p.name.lower(): p for p in folder.iterdir()} if folder.is_dir() else {}
    if path.is_dir():
        found = present.get("sdn.csv") or present.get("cons_prim.csv")
        if found is None:
            raise WatchlistError("watchlists.csv.ofac_no_primary", path=str(path))
        path = found
    consolidated = path.name.lower().startswith("cons_")
    prefix = "cons_" if consolidated else ""
    return OfacFiles(
        primary=path,
        alt=present.get(f"{prefix}alt.csv"),
        add=present.get(f"{prefix}add.csv"),
        comments=present.get("cons_comments.csv" if consolidated else "sdn_comments.csv"),
    )


def _read(path: Path, columns: list[str]) -> pl.DataFrame:
    frame = read_csv_text(read_list_text(path), path, columns=columns, null_values=NULL_MARKERS)
    return frame.with_columns(pl.col("ent_num").str.strip_chars())


def _primary_with_full_remarks(files: OfacFiles) -> pl.DataFrame:
    primary = _read(files.primary, PRIMARY_COLUMNS)
    if files.comments is None:
        return primary
    overflow = (_read(files.comments, COMMENT_COLUMNS)
                .group_by("ent_num", maintain_order=True)
                .agg(pl.col("remarks").str.join("").alias("overflow")))
    return (primary.join(overflow, on="ent_num", how="left", maintain_order="left")
            .with_columns(remarks=pl.concat_str("remarks", "overflow", ignore_nulls=True))
            .with_columns(remarks=pl.when(pl.col("remarks") != "").then(pl.col("remarks")))
            .drop("overflow"))


def _names(primary: pl.DataFrame, files: OfacFiles) -> pl.DataFrame:
    frames = [primary.select(entry_id="ent_num", name="name", name_kind=pl.lit("primary"))]
    if files.alt is not None:
        frames.append(_read(files.alt, ALT_COLUMNS)
                      .select(entry_id="ent_num", name="alt_name", name_kind=pl.lit("alias")))
    frames.append(
        primary.select(entry_id="ent_num", name=pl.col("remarks").str.extract_all(_WEAK_ALIAS))
        .explode("name")
        .select("entry_id",
                pl.col("name").str.replace(r"^[afn]\.k\.a\. '", "").str.replace(r"'[;.]?$", ""),
                name_kind=pl.lit("weak_alias"))
    )
    return pl.concat(frames)


def _address_countries(files: OfacFiles) -> pl.DataFrame:
    if files.add is None:
        return pl.DataFrame(schema={"entry_id": pl.String, "address_countries": pl.List(pl.String)})
    return (_read(files.add, ADD_COLUMNS)
            .group_by("ent_num", maintain_order=True)
            .agg(pl.col("country").str.strip_chars().drop_nulls().unique(maintain_order=True)
                 .alias("address_countries"))
            .rename({"ent_num": "entry_id"}))


def _entries(primary: pl.DataFrame, files: OfacFiles) -> pl.DataFrame:
    remarks = pl.col("remarks")
    element = pl.element()
    entries = primary.select(
        entry_id="ent_num",
        entity_type=pl.col("sdn_type").str.strip_chars().str.to_lowercase()
        .replace_strict(_TYPES, default="organisation", return_dtype=pl.String),
        programmes=split_values(pl.col("program").str.strip_chars("[] "), "] ["),
        birth_dates=remarks.str.extract_all(r"\bDOB [^;]+")
        .list.eval(partial_dates(element.str.strip_prefix("DOB ")))
        .list.eval(element.explode().drop_nulls().unique(maintain_order=True)),
        nationalities=remarks.str.extract_all(r"\b(?:nationality|citizen) [^;]+")
        .list.eval(element.str.replace(r"^\w+ ", "").str.strip_chars(" .")),
        remarks=remarks,
    )
    return (
        entries.join(_address_countries(files), on="entry_id", how="left", maintain_order="left")
        .with_columns(countries=pl.concat_list(
            pl.col("address_countries").fill_null([]), pl.col("nationalities").fill_null([])))
        .drop("address_countries")
        .pipe(map_countries, "nationalities", "countries")
    )


def parse_ofac_csv(path: Path, list_id: str = "ofac_sdn") -> ParsedList:
    """Parse an OFAC legacy CSV list: ``path`` is sdn.csv / cons_prim.csv or their folder; the
    alt/add/comments companions found beside it are used, any of them may be missing."""
    files = locate_files(path)
    primary = _primary_with_full_remarks(files)
    entries = _entries(primary, files)
    return assemble(_names(primary, files), entries, list_id, version_date=None)

