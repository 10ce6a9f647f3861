"""UK HM Treasury / OFSI consolidated list, ``ConList.csv`` layout, to list-entry rows.

The file opens with a ``Last Updated,13/04/2018`` line, then the header; one row per name
(and, for a name with two birth dates, one row per date). ``Group ID`` is the entry. A name
is ``Name 1`` … ``Name 5`` (given names) followed by ``Name 6`` (the surname). ``Alias Type``
is ``Prime Alias`` (before 2022) or ``Primary name`` for the main name, ``AKA``/``FKA``/
``Primary name variation`` for aliases; 2022+ files add ``Alias Quality``, and a ``Low``
quality alias is a weak alias. Columns are selected by header name, so the pre-2022 layout
and the 2022+ one (with ``Name Non-Latin Script``, ``Alias Quality``, passport and national
identification columns...) both parse; a name in non-Latin script becomes an alias.

``DOB`` is dd/mm/yyyy with ``00`` for unknown parts; ``Nationality`` may list several
(``1) Saudi Arabia 2) Qatar``); ``Country`` is the address country; ``Regime`` the programme.
The file is cp1252 (curly quotes, accented names).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from aml_screen.watchlists.frame import ParsedList
from aml_screen.watchlists.text import (
    assemble,
    column,
    day_text,
    map_countries,
    parse_day,
    partial_dates,
    read_csv_text,
    read_list_text,
    require_columns,
    split_values,
)

NAME_COLUMNS = ["Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6"]
REQUIRED_COLUMNS = ["Group ID", "Name 6", "Alias Type"]

_TYPES = {"individual": "person", "entity": "organisation", "ship": "vessel"}
_PRIMARY_ALIAS_TYPES = ["primary name", "prime alias"]


def _split_preamble(text: str) -> tuple[str | None, str]:
    """The ``Last Updated`` date as ISO text (None when the line is absent) and the CSV body."""
    first, _, rest = text.partition("\n")
    if not first.strip().lower().startswith("last updated"):
        return None, text
    fields = first.split(",")
    return day_text(fields[1] if len(fields) > 1 else None), rest


def _names(frame: pl.DataFrame) -> pl.DataFrame:
    alias_type = column(frame, "Alias Type").str.to_lowercase()
    quality = column(frame, "Alias Quality").str.to_lowercase()
    kind = (
        pl.when(alias_type.is_in(_PRIMARY_ALIAS_TYPES)).then(pl.lit("primary"))
        .when(quality.str.contains("low")).then(pl.lit("weak_alias"))
        .otherwise(pl.lit("alias"))
    )
    latin = frame.select(
        entry_id=column(frame, "Group ID"),
        name=pl.concat_str([column(frame, name) for name in NAME_COLUMNS],
                           separator=" ", ignore_nulls=True),
        name_kind=kind,
    )
    script = frame.select(
        entry_id=column(frame, "Group ID"),
        name=column(frame, "Name Non-Latin Script"),
        name_kind=pl.when(kind == "weak_alias").then(kind).otherwise(pl.lit("alias")),
    )
    return pl.concat([latin, script])


def _entries(frame: pl.DataFrame) -> pl.DataFrame:
    nationalities = split_values(column(frame, "Nationality"), r"\(?\d+\)", literal=False)
    rows = frame.select(
        entry_id=column(frame, "Group ID"),
        entity_type=column(frame, "Group Type").str.to_lowercase()
        .replace_strict(_TYPES, default="other", return_dtype=pl.String),
        birth_dates=partial_dates(column(frame, "DOB")),
        nationalities=nationalities,
        countries=pl.concat_list(pl.concat_list(column(frame, "Country")).list.drop_nulls(),
                                 nationalities.fill_null([])),
        programmes=pl.concat_list(column(frame, "Regime")).list.drop_nulls(),
        listed_on=parse_day(column(frame, "Listed On")),
        remarks=column(frame, "Other Information"),
    )
    return map_countries(rows, "nationalities", "countries")


def parse_uk_csv(path: Path, list_id: str = "uk_ofsi") -> ParsedList:
    """Parse an OFSI ``ConList.csv`` (any layout since 2018); version date from its
    ``Last Updated`` line."""
    version_date, body = _split_preamble(read_list_text(path))
    frame = read_csv_text(body, path)
    require_columns(frame, path, REQUIRED_COLUMNS, "UK OFSI ConList")
    return assemble(_names(frame), _entries(frame), list_id, version_date)
