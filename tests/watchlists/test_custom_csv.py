"""National/in-house list CSV: the shipped fictional sample, French headers and encodings,
and the errors a list maintainer sees."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from aml_screen.errors import WatchlistError
from aml_screen.schema import LIST_ENTRY_SCHEMA
from aml_screen.watchlists.custom_csv import parse_custom_csv

SAMPLE = Path(__file__).resolve().parents[2] / "watchlists" / "samples" / "national_sample.csv"

FRENCH = (
    "identifiant;nom;type;alias;dates_naissance;nationalités;pays;programmes;"
    "date_inscription;observations\n"
    "NE-01;Idrissa Garba Maïga;personne;Idrissa Maïga|Abou Idriss;00/00/1979|1980;Niger;"
    "Mali|Burkina Faso;NE-GEL-TERRORISME;2023-09-12;Entrée fictive pour les tests\n"
    "NE-02;Coopérative Élevage du Tillabéri;entité;CET;;;NE;NE-GEL-FINANCEMENT;2023-10-01;\n"
    "NE-01;إدريس غاربا مايغا;;;;;;;;\n"
)


def _write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_sample_list() -> None:
    parsed = parse_custom_csv(SAMPLE)
    entries = parsed.entries
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    ids = {row["entry_id"] for row in rows}
    aliases = sum(len([a for a in row["aliases"].split("|") if a]) for row in rows)
    assert parsed.version_date is None
    assert entries.schema == pl.Schema(LIST_ENTRY_SCHEMA)
    assert set(entries["list_id"]) == {"national_sample"}
    assert entries["entry_id"].n_unique() == len(ids) == 12
    assert entries.height == len(rows) + aliases
    assert entries.filter(pl.col("name_kind") == "primary").height == 12
    assert entries.filter(pl.col("name_kind") == "weak_alias")["name"].to_list() == [
        "Bouba le Changeur"]
    assert entries.filter(pl.col("name").str.contains(r"\p{Arabic}")).height == 3
    assert all("FICTIONAL" in remark for remark in entries["remarks"])


@pytest.mark.parametrize(
    ("entry_id", "entity_type", "birth_dates", "nationalities", "countries", "programmes"),
    [
        ("ML-GEL-2024-002", "person", ["1985"], ["MR"], ["MR", "ML"],
         ["ML-GEL-FINANCEMENT-TERRORISME"]),
        ("ML-GEL-2024-004", "person", ["1969", "1970"], ["ML"], ["ML", "DZ"],
         ["ML-GEL-TERRORISME"]),
        ("ML-GEL-2024-006", "person", ["1975-03-14"], ["NE"], ["NE", "ML"],
         ["ML-GEL-FINANCEMENT-TERRORISME"]),
        ("ML-GEL-2024-007", "person", ["1981-06"], ["MR"], ["MR", "ML", "SN"],
         ["ML-GEL-TERRORISME"]),
        ("ML-GEL-2024-008", "organisation", [], [], ["ML"], ["ML-GEL-TERRORISME"]),
    ],
)
def test_sample_entry_attributes(entry_id: str, entity_type: str, birth_dates: list[str],
                                 nationalities: list[str], countries: list[str],
                                 programmes: list[str]) -> None:
    rows = parse_custom_csv(SAMPLE, "ml_gel").entries.filter(pl.col("entry_id") == entry_id)
    assert rows["list_id"].unique().to_list() == ["ml_gel"]
    assert rows["entity_type"].unique().to_list() == [entity_type]
    assert rows["birth_dates"][0].to_list() == birth_dates
    assert rows["nationalities"][0].to_list() == nationalities
    assert rows["countries"][0].to_list() == countries
    assert rows["programmes"][0].to_list() == programmes


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_french_headers_semicolons_and_encodings(tmp_path: Path, encoding: str) -> None:
    # cp1252 has no Arabic letters: that variant carries a Latin alias on the third row
    text = FRENCH if encoding != "cp1252" else FRENCH.replace("إدريس غاربا مايغا", "Idriss")
    entries = parse_custom_csv(_write(tmp_path / "gel_niger.csv", text, encoding)).entries
    first = entries.filter(pl.col("entry_id") == "NE-01")
    assert first["name"][0] == "Idrissa Garba Maïga"
    assert first["name_kind"].to_list() == ["primary", "alias", "alias", "alias"]
    assert first["birth_dates"][0].to_list() == ["1979", "1980"]
    assert first["countries"][0].to_list() == ["ML", "BF", "NE"]
    assert str(first["listed_on"][0]) == "2023-09-12"
    second = entries.filter(pl.col("entry_id") == "NE-02")
    assert second.select("name", "entity_type").rows() == [
        ("Coopérative Élevage du Tillabéri", "organisation"), ("CET", "organisation")]
    assert set(entries["list_id"]) == {"gel_niger"}


@pytest.mark.parametrize(
    ("content", "key", "line", "field"),
    [
        ("identifiant,pays\nX1,Mali\n", "watchlists.csv.missing_columns", None, None),
        ("entry_id,name\nX1,Ali\n,Omar\n", "watchlists.csv.missing_value", 3, "entry_id"),
        ("entry_id,name\nX1,\n", "watchlists.csv.missing_value", 2, "name"),
        ("entry_id,name,entity_type\nX1,Ali,person\nX2,Omar,group\n",
         "watchlists.csv.bad_value", 3, "entity_type"),
        ("entry_id,name,name_kind\nX1,Ali,main\n", "watchlists.csv.bad_value", 2, "name_kind"),
        ("entry_id,name,listed_on\nX1,Ali,12/03/2024\n", "watchlists.csv.bad_value", 2,
         "listed_on"),
    ],
)
def test_errors_name_file_line_and_field(tmp_path: Path, content: str, key: str,
                                         line: int | None, field: str | None) -> None:
    path = _write(tmp_path / "liste.csv", content, "utf-8")
    with pytest.raises(WatchlistError) as caught:
        parse_custom_csv(path)
    assert caught.value.key == key
    assert caught.value.params.get("line") == line
    assert caught.value.params.get("field") == field
    english = str(caught.value)
    french = caught.value.message("fr")
    assert english != french
    for text in (english, french):
        assert str(path) in text
        if field is not None:
            assert field in text
            assert str(line) in text


_OPTIONAL = {
    "entity_type": lambda i: ("personne", "entité", "person")[i % 3],
    "name_kind": lambda i: ("principal", "alias", "weak_alias")[i % 3],
    "aliases": lambda i: f"Abou {i}|Ag Alhassane {i}" if i % 4 == 0 else "",
    "birth_dates": lambda i: f"19{50 + i % 50}-0{1 + i % 9}-1{i % 10}" if i % 2 else "",
    "nationalities": lambda i: ("Mali", "Niger", "Tchad", "")[i % 4],
    "countries": lambda i: ("ML|NE", "Burkina Faso", "")[i % 3],
    "programmes": lambda i: "NE-GEL-TERRORISME" if i % 5 == 0 else "",
    "listed_on": lambda i: f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
    "remarks": lambda i: "Entrée fictive" if i % 7 == 0 else "",
}


@pytest.mark.parametrize("optional", [(), *[(name,) for name in _OPTIONAL],
                                      ("aliases", "birth_dates", "nationalities"),
                                      tuple(_OPTIONAL)], ids=lambda o: "+".join(o) or "none")
def test_a_list_of_100000_rows_loads_with_any_optional_columns(
        tmp_path: Path, optional: tuple[str, ...]) -> None:
    """A national list with only some optional columns loads at every size (100,000 rows
    crashed with a polars ShapeError while 1,000 loaded: a missing column's null literal
    did not broadcast in a filter)."""
    rows = 100_000
    given = ("Moussa", "Oumarou", "Fatimetou", "Ibrahim", "Mahamat", "Aïssata")
    family = ("Traoré", "Issoufou", "Mint Ahmed", "Ag Alhassane", "Saleh", "Maïga")
    frame = pl.DataFrame({
        "entry_id": [f"ML-{i // 2:06d}" for i in range(rows)],
        "name": [f"{given[i % 6]} {family[i // 6 % 6]} {i}" for i in range(rows)],
        **{name: [_OPTIONAL[name](i) for i in range(rows)] for name in optional},
    })
    path = tmp_path / "national.csv"
    frame.write_csv(path)
    parsed = parse_custom_csv(path)
    assert parsed.entries.get_column("entry_id").n_unique() == rows // 2
    assert parsed.entries.filter(pl.col("name_kind") == "primary").height >= rows // 2 * (
        0 if "name_kind" in optional else 1)
    if "nationalities" in optional:  # the entry's two rows: Mali, then Niger
        first = parsed.entries.filter(pl.col("entry_id") == "ML-000000")
        assert first["nationalities"][0].to_list() == ["ML", "NE"]
