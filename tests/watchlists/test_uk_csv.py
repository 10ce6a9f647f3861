"""UK OFSI ConList parser: the 2022+ layout on a self-made file, the 2018 layout on the real
list in ../shared (counts cross-checked with the csv module)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest

from aml_screen.errors import WatchlistError
from aml_screen.schema import LIST_ENTRY_SCHEMA
from aml_screen.watchlists.uk_csv import parse_uk_csv

DATA = Path(__file__).parent / "data" / "csv"
NEW_LAYOUT = DATA / "uk_conlist_2022_layout.csv"


def _entry(entries: pl.DataFrame, group_id: str) -> pl.DataFrame:
    return entries.filter(pl.col("entry_id") == group_id)


def test_new_layout_names_and_kinds() -> None:
    parsed = parse_uk_csv(NEW_LAYOUT)
    assert parsed.version_date == "2024-06-03"
    assert parsed.entries.schema == pl.Schema(LIST_ENTRY_SCHEMA)
    assert _entry(parsed.entries, "90001").select("name", "name_kind").rows() == [
        ("Ahmed Salem OULD SIDI LAMINE", "primary"),
        ("Abou Salem AL-MAURITANI", "alias"),
        ("أحمد سالم ولد سيدي الأمين", "alias"),
        ("Abou SALEM", "weak_alias"),
    ]


@pytest.mark.parametrize(
    ("group_id", "entity_type", "birth_dates", "nationalities", "countries", "listed_on"),
    [
        ("90001", "person", ["1975", "1976"], ["ML", "MR"], ["ML", "MR"], "2019-12-20"),
        ("90002", "organisation", [], [], ["BF"], "2021-02-05"),
        ("90003", "vessel", [], [], [], "2023-03-15"),
    ],
)
def test_new_layout_entry_attributes(group_id: str, entity_type: str, birth_dates: list[str],
                                     nationalities: list[str], countries: list[str],
                                     listed_on: str) -> None:
    rows = _entry(parse_uk_csv(NEW_LAYOUT).entries, group_id)
    assert rows["entity_type"].unique().to_list() == [entity_type]
    assert rows["birth_dates"][0].to_list() == birth_dates
    assert rows["nationalities"][0].to_list() == nationalities
    assert rows["countries"][0].to_list() == countries
    assert str(rows["listed_on"][0]) == listed_on


def test_file_without_preamble_line(tmp_path: Path) -> None:
    path = tmp_path / "conlist.csv"
    path.write_text(NEW_LAYOUT.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    parsed = parse_uk_csv(path)
    assert parsed.version_date is None
    assert parsed.entries["entry_id"].n_unique() == 3


def test_missing_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "not_conlist.csv"
    path.write_text("Last Updated,01/01/2024\nName,Country\nX,Mali\n", encoding="utf-8")
    with pytest.raises(WatchlistError) as caught:
        parse_uk_csv(path)
    assert caught.value.key == "watchlists.csv.missing_columns"
    english = str(caught.value)
    french = caught.value.message("fr")
    assert "Group ID" in english
    assert "Group ID" in french
    assert english != french


# --- real file -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def conlist(shared_data: Path) -> Path:
    return shared_data / "uk_ofsi" / "sanctionsconlist_2018-04-13.csv"


@pytest.fixture(scope="module")
def real_rows(conlist: Path) -> list[dict[str, str]]:
    text = conlist.read_bytes().decode("cp1252")
    return list(csv.DictReader(io.StringIO(text.split("\n", 1)[1])))


@pytest.fixture(scope="module")
def real(conlist: Path) -> pl.DataFrame:
    parsed = parse_uk_csv(conlist)
    assert parsed.version_date == "2018-04-13"
    return parsed.entries


@pytest.mark.shared
def test_real_counts(real: pl.DataFrame, real_rows: list[dict[str, str]]) -> None:
    assert len(real_rows) == 9487
    groups = {row["Group ID"] for row in real_rows}
    names = {(row["Group ID"], " ".join(" ".join(
        row[f"Name {i}"] for i in (1, 2, 3, 4, 5, 6)).split())) for row in real_rows}
    assert real["entry_id"].n_unique() == len(groups) == 2106
    assert set(real.select("entry_id", "name").rows()) == names
    assert real.height == len(names) == 5548
    assert real.filter(pl.col("name_kind") == "primary").height == 2106
    assert real.filter(pl.col("name_kind") == "weak_alias").height == 0


@pytest.mark.shared
def test_real_entity_types(real: pl.DataFrame, real_rows: list[dict[str, str]]) -> None:
    expected: dict[str, set[str]] = {}
    for row in real_rows:
        expected.setdefault(row["Group Type"], set()).add(row["Group ID"])
    counts = dict(real.unique("entry_id").group_by("entity_type").len().rows())
    assert counts == {"person": len(expected["Individual"]),
                      "organisation": len(expected["Entity"])}


@pytest.mark.shared
@pytest.mark.parametrize(
    ("group_id", "names", "birth_dates", "countries", "listed_on"),
    [
        ("12862", [("IYAD AG GHALI", "primary"), ("Sidi Mohamed ARHALI", "alias")],
         ["1958-01-01", "1954"], ["ML"], "2013-03-04"),
        ("12866", [("ANSAR EDDINE", "primary"), ("ANSAR DINE", "alias")], [], [],
         "2013-03-27"),
        ("6963", [("ARMED ISLAMIC GROUP", "primary"),
                  ("AL JAMM'AH AL-ISLAMIAH AL-MUSALLAH", "alias"), ("GIA", "alias"),
                  ("GROUPE ISLAMIQUE ARMÉ", "alias")], [], ["DZ"], "2001-10-10"),
    ],
)
def test_real_known_groups(real: pl.DataFrame, group_id: str, names: list[tuple[str, str]],
                           birth_dates: list[str], countries: list[str],
                           listed_on: str) -> None:
    """``countries`` must be among the entry's (which also keep unresolved nationality
    texts such as "Malian")."""
    rows = _entry(real, group_id)
    assert rows.select("name", "name_kind").rows() == names
    assert rows["birth_dates"][0].to_list() == birth_dates
    found = rows["countries"][0].to_list()
    assert set(countries) <= set(found)
    assert bool(found) == bool(countries)
    assert rows["programmes"][0].to_list() == ["The ISIL (Da'esh) and Al-Qaida organisations"]
    assert str(rows["listed_on"][0]) == listed_on


@pytest.mark.shared
def test_real_accents_and_nationalities(real: pl.DataFrame) -> None:
    assert not real.filter(pl.col("name").str.contains("Ã[\u0080-\u00bf]|â€|\ufffd")).height
    assert "Léonard NGENDAKUMANA" in real["name"].to_list()
    first = _entry(real, "13349")
    assert first["nationalities"][0].to_list() == ["SA", "QA"]
    assert first["birth_dates"][0].to_list() == ["1980", "1981"]
