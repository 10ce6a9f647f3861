"""EU consolidated financial sanctions list (FSF), CSV export, to list-entry rows.

Two header variants are read, selected by header name:

* v1.0 (to 2018): ``Date_file;Entity_logical_id;Subject_type;…;Naal_wholename;…;Birt_date;…;
  Citi_country`` — the official export wraps every line in double quotes (``"a;b;""c"";d"``)
  and pads it with tabs, so each line is unwrapped before being read as ``;``-separated CSV;
  the header repeats ``Entity_logical_id`` once per sub-record block;
* v1.1 (current): ``fileGenerationDate;Entity_LogicalId;…;NameAlias_WholeName;…;
  BirthDate_BirthDate;…;Citizenship_CountryIso2Code;…``.

Both have one row per entity × sub-record (name, address, birth date, identity document,
citizenship, each with its own regulation), so rows are merged by entity logical id. The CSV
does not mark a main name: the entity's first name in the file is taken as primary, the others
(including the name in other EU languages) as aliases. ``listed_on`` is the earliest
designation or regulation publication date of the entity; the version date is the file date.
The 2018 export is cp1252.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from aml_screen.errors import WatchlistError
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
)


@dataclass(frozen=True)
class EuLayout:
    """Header names of one CSV variant; tuples are alternatives, first non-empty wins."""

    file_date: str
    entity: str
    subject: tuple[str, ...]
    programme: str
    whole_name: str
    name_parts: tuple[str, str, str]
    birth: tuple[str, ...]
    citizenship: tuple[str, ...]
    address: tuple[str, ...]
    listed: tuple[str, ...]
    remark: str


V1_0 = EuLayout(
    file_date="Date_file", entity="Entity_logical_id", subject=("Subject_type",),
    programme="Programme", whole_name="Naal_wholename",
    name_parts=("Naal_firstname", "Naal_middlename", "Naal_lastname"),
    birth=("Birt_date",), citizenship=("Citi_country",), address=("Addr_country",),
    listed=("Leba_publication_date",), remark="Entity_remark",
)
V1_1 = EuLayout(
    file_date="fileGenerationDate", entity="Entity_LogicalId",
    subject=("Entity_SubjectType_ClassificationCode", "Entity_SubjectType"),
    programme="Entity_Regulation_Programme", whole_name="NameAlias_WholeName",
    name_parts=("NameAlias_FirstName", "NameAlias_MiddleName", "NameAlias_LastName"),
    birth=("BirthDate_BirthDate", "BirthDate_Year"),
    citizenship=("Citizenship_CountryIso2Code", "Citizenship_CountryDescription"),
    address=("Address_CountryIso2Code", "Address_CountryDescription"),
    listed=("Entity_DesignationDate", "Entity_Regulation_PublicationDate"),
    remark="Entity_Remark",
)

_TYPES = {"p": "person", "person": "person", "e": "organisation", "enterprise": "organisation"}
_UNKNOWN_COUNTRIES = ["00", "UNKNOWN"]


def _unwrap(lines: list[str]) -> list[str]:
    """Undo the v1.0 export's per-line quoting: drop the tab padding and the outer quotes,
    and turn the doubled inner quotes back into CSV quotes."""
    return (pl.Series(lines, dtype=pl.String)
            .str.strip_chars_end("\t\r ")
            .str.strip_prefix('"').str.strip_suffix('"')
            .str.replace_all('""', '"', literal=True)
            .to_list())


def _header_and_body(text: str) -> tuple[list[str], str]:
    lines = text.splitlines()
    fields = next(csv.reader(lines[:1], delimiter=";"), [])
    if len(fields) == 1 and ";" in fields[0]:
        lines = _unwrap(lines)
        fields = next(csv.reader(lines[:1], delimiter=";"))
    seen: set[str] = set()
    names = []
    for position, raw in enumerate(fields):
        name = raw.strip().strip("\t") or f"_column_{position}"
        names.append(name if name not in seen else f"{name}#{position}")
        seen.add(name)
    return names, "\n".join(line for line in lines[1:] if line.strip())


def _layout(header: list[str], path: Path) -> EuLayout:
    first = header[0] if header else ""
    if first.startswith(V1_0.file_date):
        return V1_0
    if first == V1_1.file_date:
        return V1_1
    raise WatchlistError("watchlists.csv.eu_unknown_header", path=str(path))


def _first(frame: pl.DataFrame, names: tuple[str, ...]) -> pl.Expr:
    return pl.coalesce(column(frame, name) for name in names)


def _country(frame: pl.DataFrame, names: tuple[str, ...]) -> pl.Expr:
    """One country per row (code, else description); EU writes ``00`` for an unknown one."""
    found = pl.coalesce(
        pl.when(~column(frame, name).str.to_uppercase().is_in(_UNKNOWN_COUNTRIES))
        .then(column(frame, name))
        for name in names
    )
    return pl.concat_list(found).list.drop_nulls()


def _names(frame: pl.DataFrame, layout: EuLayout) -> pl.DataFrame:
    parts = pl.concat_str([column(frame, name) for name in layout.name_parts],
                          separator=" ", ignore_nulls=True)
    names = frame.select(
        entry_id=column(frame, layout.entity),
        name=pl.coalesce(column(frame, layout.whole_name), pl.when(parts != "").then(parts)),
    ).filter(pl.col("name").is_not_null())
    first_of_entry = pl.int_range(pl.len()).over("entry_id") == 0
    return names.with_columns(
        name_kind=pl.when(first_of_entry).then(pl.lit("primary")).otherwise(pl.lit("alias")))


def _entries(frame: pl.DataFrame, layout: EuLayout) -> pl.DataFrame:
    citizenship = _country(frame, layout.citizenship)
    rows = frame.select(
        entry_id=column(frame, layout.entity),
        entity_type=_first(frame, layout.subject).str.to_lowercase()
        .replace_strict(_TYPES, default="other", return_dtype=pl.String),
        birth_dates=partial_dates(_first(frame, layout.birth)),
        nationalities=citizenship,
        countries=pl.concat_list(_country(frame, layout.address), citizenship),
        programmes=pl.concat_list(column(frame, layout.programme)).list.drop_nulls(),
        listed_on=parse_day(_first(frame, layout.listed)),
        remarks=column(frame, layout.remark),
    )
    return map_countries(rows, "nationalities", "countries")


def parse_eu_csv(path: Path, list_id: str = "eu_fsf") -> ParsedList:
    """Parse an EU FSF CSV export (v1.0 quoted-line or v1.1 layout)."""
    header, body = _header_and_body(read_list_text(path))
    layout = _layout(header, path)
    frame = read_csv_text(body, path, separator=";", columns=header)
    frame = frame.filter(column(frame, layout.entity).is_not_null())
    version_date = day_text(frame.get_column(header[0])[0]) if frame.height else None
    return assemble(_names(frame, layout), _entries(frame, layout), list_id, version_date)
