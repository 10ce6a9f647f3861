"""A national or in-house list kept as a simple CSV file (our own format).

Format: a header row, then one row per name. Separator ``,`` or ``;`` (whichever the header
uses most); encoding UTF-8, UTF-8 with BOM or cp1252 (Excel on a French Windows). Columns,
in any order (header matching ignores case and accents; French names in brackets):

* ``entry_id`` (``identifiant``) — required: the list's own identifier of the entry;
* ``name`` (``nom``) — required: the name on this row;
* ``entity_type`` (``type``) — ``person``/``organisation``/``vessel``/``aircraft``/``other``
  (also ``individual``, ``entity``, ``personne``, ``entite``, ``navire``, ``aeronef``,
  ``autre``); default ``person``;
* ``name_kind`` (``type_nom``) — ``primary``/``alias``/``weak_alias`` (also ``principal``,
  ``alias_faible``); default: primary on an entry's first row, alias on its later rows;
* ``aliases`` (``alias``) — more names of the entry on the same row, ``|``-separated;
* ``birth_dates`` (``dates_naissance``), ``nationalities`` (``nationalites``),
  ``countries`` (``pays``), ``programmes`` — ``|``-separated values; dates ISO
  (``1975-03-14``, ``1975-03``, ``1975``), also ``14/03/1975``; countries as ISO codes or
  names in English or French;
* ``listed_on`` (``date_inscription``) — ISO date of listing;
* ``remarks`` (``observations``) — free text.

Rows sharing an ``entry_id`` are one entry: their entry-level fields are merged. A missing
required column, a row without ``entry_id`` or ``name``, or an invalid ``entity_type``,
``name_kind`` or ``listed_on`` is a WatchlistError naming the file, line and field (line
numbers count the header as line 1 and assume no line breaks inside quoted fields).
See ``watchlists/samples/national_sample.csv``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import polars as pl

from aml_screen.errors import WatchlistError
from aml_screen.schema import ENTITY_TYPES, NAME_KINDS
from aml_screen.watchlists.frame import ParsedList
from aml_screen.watchlists.text import (
    assemble,
    column,
    map_countries,
    partial_dates,
    read_csv_text,
    read_list_text,
    require_columns,
    split_values,
)

HEADER_SYNONYMS = {
    "identifiant": "entry_id", "id": "entry_id", "nom": "name", "type": "entity_type",
    "type_nom": "name_kind", "alias": "aliases", "dates_naissance": "birth_dates",
    "date_naissance": "birth_dates", "nationalites": "nationalities", "pays": "countries",
    "programme": "programmes", "date_inscription": "listed_on", "observations": "remarks",
}
ENTITY_TYPE_SYNONYMS = {
    **{kind: kind for kind in ENTITY_TYPES},
    "individual": "person", "personne": "person", "entity": "organisation",
    "entite": "organisation", "navire": "vessel", "aeronef": "aircraft", "autre": "other",
}
NAME_KIND_SYNONYMS = {
    **{kind: kind for kind in NAME_KINDS},
    "principal": "primary", "alias_faible": "weak_alias",
}
REQUIRED_COLUMNS = ["entry_id", "name"]
_FIRST_DATA_LINE = 2


def _header_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    key = "_".join(folded.replace("-", " ").split())
    return HEADER_SYNONYMS.get(key, key)


def _separator(text: str) -> str:
    header = text.partition("\n")[0]
    return ";" if header.count(";") > header.count(",") else ","


def _folded(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_lowercase().str.normalize("NFKD").str.replace_all(r"\p{Mn}", "")


def _check(frame: pl.DataFrame, path: Path, field: str, bad: pl.Expr,
           expected: str | None = None) -> None:
    """Raise for the first row where ``bad`` holds (missing value, or invalid when
    ``expected`` says what was expected)."""
    offender = frame.with_row_index("_line", offset=_FIRST_DATA_LINE).filter(bad).head(1)
    if offender.height == 0:
        return
    line = offender.item(0, "_line")
    if expected is None:
        raise WatchlistError("watchlists.csv.missing_value", path=str(path), line=line,
                             field=field)
    raise WatchlistError("watchlists.csv.bad_value", path=str(path), line=line, field=field,
                         value=offender.item(0, field), expected=expected)


def _validate(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    for field in REQUIRED_COLUMNS:
        _check(frame, path, field, column(frame, field).is_null())
    entity_type = _folded(column(frame, "entity_type")).replace_strict(
        ENTITY_TYPE_SYNONYMS, default=None, return_dtype=pl.String)
    name_kind = _folded(column(frame, "name_kind")).str.replace_all(" ", "_").replace_strict(
        NAME_KIND_SYNONYMS, default=None, return_dtype=pl.String)
    listed_on = column(frame, "listed_on").str.to_date("%Y-%m-%d", strict=False)
    _check(frame, path, "entity_type", column(frame, "entity_type").is_not_null()
           & entity_type.is_null(), " | ".join(ENTITY_TYPES))
    _check(frame, path, "name_kind", column(frame, "name_kind").is_not_null()
           & name_kind.is_null(), " | ".join(NAME_KINDS))
    _check(frame, path, "listed_on", column(frame, "listed_on").is_not_null()
           & listed_on.is_null(), "YYYY-MM-DD")
    return frame.with_columns(entity_type=entity_type, name_kind=name_kind, listed_on=listed_on)


def _names(frame: pl.DataFrame) -> pl.DataFrame:
    first_row = pl.int_range(pl.len()).over("entry_id") == 0
    own = frame.select(
        entry_id=column(frame, "entry_id"),
        name=column(frame, "name"),
        name_kind=pl.coalesce(pl.col("name_kind"),
                              pl.when(first_row).then(pl.lit("primary")).otherwise(pl.lit("alias"))),
    )
    extra = (frame.select(entry_id=column(frame, "entry_id"),
                          name=split_values(column(frame, "aliases"), "|"))
             .explode("name")
             .with_columns(name_kind=pl.lit("alias")))
    return pl.concat([own, extra])


def _entries(frame: pl.DataFrame) -> pl.DataFrame:
    nationalities = split_values(column(frame, "nationalities"), "|").fill_null([])
    dates = split_values(column(frame, "birth_dates"), "|")
    rows = frame.select(
        entry_id=column(frame, "entry_id"),
        entity_type=pl.col("entity_type"),
        birth_dates=dates.list.eval(partial_dates(pl.element()))
        .list.eval(pl.element().explode().drop_nulls()),
        nationalities=nationalities,
        countries=pl.concat_list(split_values(column(frame, "countries"), "|").fill_null([]),
                                 nationalities),
        programmes=split_values(column(frame, "programmes"), "|"),
        listed_on=pl.col("listed_on"),
        remarks=column(frame, "remarks"),
    )
    return map_countries(rows, "nationalities", "countries").with_columns(
        pl.col("entity_type").fill_null(pl.col("entity_type").drop_nulls().first()
                                        .over("entry_id")).fill_null("person"))


def parse_custom_csv(path: Path, list_id: str | None = None) -> ParsedList:
    """Parse a national/in-house list in the format above; ``list_id`` defaults to the file
    name without extension. The format carries no version date."""
    text = read_list_text(path)
    frame = read_csv_text(text, path, separator=_separator(text))
    frame = frame.rename({name: _header_key(name) for name in frame.columns})
    require_columns(frame, path, REQUIRED_COLUMNS, "custom list")
    frame = _validate(frame, path)
    return assemble(_names(frame), _entries(frame), list_id or path.stem, version_date=None)
