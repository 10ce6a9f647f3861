"""EU FSF CSV parser: the current v1.1 header on a self-made file, the 2018 v1.0 quoted-line
export in ../shared (counts cross-checked with the csv module)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest

from aml_screen.errors import WatchlistError
from aml_screen.schema import LIST_ENTRY_SCHEMA
from aml_screen.watchlists.eu_csv import parse_eu_csv

DATA = Path(__file__).parent / "data" / "csv"
V1_1 = DATA / "eu_fsf_v1_1.csv"


def _entry(entries: pl.DataFrame, entry_id: str) -> pl.DataFrame:
    return entries.filter(pl.col("entry_id") == entry_id)


def test_v1_1_names() -> None:
    parsed = parse_eu_csv(V1_1)
    assert parsed.version_date == "2024-10-28"
    assert parsed.entries.schema == pl.Schema(LIST_ENTRY_SCHEMA)
    assert parsed.entries.select("entry_id", "name", "name_kind").rows() == [
        ("900101", "Ahmed Salem Ould Sidi Lamine", "primary"),
        ("900101", "Abou Salem al-Mauritani", "alias"),
        ("900101", "Ahmed Ould Sidi Lamine", "alias"),
        ("900102", "Sahel Gold Trading SARL", "primary"),
        ("900102", "Société Sahélienne de l'Or", "alias"),
    ]


@pytest.mark.parametrize(
    ("entry_id", "entity_type", "birth_dates", "nationalities", "countries", "listed_on"),
    [
        # year-only birth date from BirthDate_Year; the "00"/UNKNOWN address country dropped
        ("900101", "person", ["1975", "1976-05-14"], ["MR", "ML"], ["MR", "ML"], "2019-12-20"),
        ("900102", "organisation", [], [], ["BF"], "2021-02-05"),
    ],
)
def test_v1_1_entry_attributes(entry_id: str, entity_type: str, birth_dates: list[str],
                               nationalities: list[str], countries: list[str],
                               listed_on: str) -> None:
    rows = _entry(parse_eu_csv(V1_1).entries, entry_id)
    assert rows["entity_type"].unique().to_list() == [entity_type]
    assert rows["birth_dates"][0].to_list() == birth_dates
    assert rows["nationalities"][0].to_list() == nationalities
    assert rows["countries"][0].to_list() == countries
    assert rows["programmes"][0].to_list() == ["MLI"]
    assert str(rows["listed_on"][0]) == listed_on


@pytest.mark.parametrize(
    "content",
    ["Entity;Name\n1;X\n", "fileGenerationDat;Entity_LogicalId\n01/01/2024;1\n"],
)
def test_unknown_header(tmp_path: Path, content: str) -> None:
    path = tmp_path / "eu.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(WatchlistError) as caught:
        parse_eu_csv(path)
    assert caught.value.key == "watchlists.csv.eu_unknown_header"
    english = str(caught.value)
    french = caught.value.message("fr")
    assert french != english
    assert str(path) in french


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError) as caught:
        parse_eu_csv(tmp_path / "absent.csv")
    assert caught.value.key == "watchlists.csv.unreadable"


# --- real file -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def export_2018(shared_data: Path) -> Path:
    return shared_data / "eu_fsf" / "eu_fsf_csv_v1_2018-07-04_first1000.csv"


@pytest.fixture(scope="module")
def real(export_2018: Path) -> pl.DataFrame:
    parsed = parse_eu_csv(export_2018)
    assert parsed.version_date == "2018-07-04"
    return parsed.entries


def _real_rows(path: Path) -> list[list[str]]:
    """Independent reading: unwrap each quoted line by hand, then the csv module."""
    lines = path.read_bytes().decode("cp1252").splitlines()
    inner = [line.rstrip("\t ")[1:-1].replace('""', '"') for line in lines if line.strip()]
    return list(csv.reader(io.StringIO("\n".join(inner)), delimiter=";"))[1:]


@pytest.mark.shared
def test_real_counts(real: pl.DataFrame, export_2018: Path) -> None:
    rows = _real_rows(export_2018)
    assert len(rows) == 999
    assert all(len(row) == 59 for row in rows)
    entities = {row[1] for row in rows}
    names = {(row[1], " ".join(row[17].split())) for row in rows if row[17]}
    assert real["entry_id"].n_unique() == len(entities) == 93
    assert set(real.select("entry_id", "name").rows()) == names
    assert real.height == len(names) == 743
    assert real.filter(pl.col("name_kind") == "primary").height == 93
    types = dict(real.unique("entry_id").group_by("entity_type").len().rows())
    assert types == {"person": len({r[1] for r in rows if r[2] == "P"}),
                     "organisation": len({r[1] for r in rows if r[2] == "E"})}


@pytest.mark.shared
def test_real_mugabe(real: pl.DataFrame) -> None:
    rows = _entry(real, "1")
    assert rows.select("name", "name_kind").rows() == [("Robert Gabriel Mugabe", "primary")]
    assert rows["entity_type"][0] == "person"
    assert rows["birth_dates"][0].to_list() == ["1924-02-21"]
    assert rows["programmes"][0].to_list() == ["ZWE"]
    assert str(rows["listed_on"][0]) == "2002-09-13"


@pytest.mark.shared
@pytest.mark.parametrize(
    ("entry_id", "name", "kind"),
    [
        ("13", "Saddam Hussein Al-Tikriti", "primary"),
        ("13", "Abu Ali", "alias"),
        ("20", "Qoussaï Saddam Hussein Al-Tikriti", "alias"),
        ("60", "Saïf-al-Din Foulaï Hassan Taha Al-Raoui", "alias"),
    ],
)
def test_real_names_and_accents(real: pl.DataFrame, entry_id: str, name: str,
                                kind: str) -> None:
    rows = real.filter((pl.col("entry_id") == entry_id) & (pl.col("name") == name))
    assert rows["name_kind"].to_list() == [kind]
    # UTF-8 read as cp1252 would show as "Ã¯" / "Ã©"; "COOPERAÇÃO" is genuine Portuguese
    assert not real.filter(pl.col("name").str.contains("Ã[\u0080-\u00bf]|â€|\ufffd")).height
    assert "SOCIEDADE DE COOPERAÇÃO ISLÂMICA" in real["name"].to_list()


@pytest.mark.shared
def test_real_citizenship_codes(real: pl.DataFrame) -> None:
    saddam = _entry(real, "13")
    assert saddam["nationalities"][0].to_list() == ["IQ"]
    assert saddam["birth_dates"][0].to_list() == ["1937-04-28"]
    assert saddam["countries"][0].to_list() == ["IQ"]
