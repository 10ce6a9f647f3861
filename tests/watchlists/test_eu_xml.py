"""EU FSD XML parser on self-made exports that validate against the official XSD."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from aml_screen.errors import WatchlistError
from aml_screen.schema import LIST_ENTRY_SCHEMA
from aml_screen.watchlists.eu_xml import NAMESPACE, parse_eu_xml

DATA = Path(__file__).parent / "data" / "xml"
FIXTURES = sorted(DATA.glob("eu_*.xml"))
SAMPLE = DATA / "eu_fsd_sample.xml"
UN_SAMPLE = Path(__file__).resolve().parents[2] / "watchlists" / "samples" / "un_sahel_sample.xml"


def _entry(frame: pl.DataFrame, entry_id: str) -> dict[str, object]:
    rows = frame.filter(pl.col("entry_id") == entry_id)
    first = rows.row(0, named=True)
    for kind in ("primary", "alias", "weak_alias"):
        first[kind] = rows.filter(pl.col("name_kind") == kind)["name"].to_list()
    return first


@pytest.mark.shared
@pytest.mark.parametrize("fixture", FIXTURES, ids=[path.name for path in FIXTURES])
def test_fixtures_validate_against_the_official_schema(shared_data: Path, fixture: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema(str(shared_data / "eu_fsf" / "fsdexport-1.0.xsd"))
    assert [str(error.reason) for error in schema.iter_errors(str(fixture))] == []


@pytest.mark.parametrize(("entry_id", "primary", "aliases", "weak"), [
    # The Arabic name comes first but is in another language than its regulation's.
    ("124567", "Iyad Ag Ghali", ["اياد اغ غالي", "Sidi Mohamed Arhali"], []),
    ("124601", "Hamada Ould Mohamed El Khairy", ["Ould Kheirou"], ["Abou QumQum"]),
    # The weak French spelling only differs in case from a strong name: kept once, strong.
    ("124602", "Abderrahmane Ould El Amar", ["Ahmed el Tilemsi"], []),
    # Only weak names: the first is the primary, so the entry still has one.
    ("124603", "Moussa Exemple", [], ["Bamba"]),
    ("124700", "Al Mourabitoun", ["Les Sentinelles", "The Sentinels"], []),
])
def test_names_one_primary_per_entry(
    entry_id: str, primary: str, aliases: list[str], weak: list[str]
) -> None:
    entry = _entry(parse_eu_xml(SAMPLE).entries, entry_id)
    assert (entry["primary"], entry["alias"], entry["weak_alias"]) == ([primary], aliases, weak)


@pytest.mark.parametrize(("entry_id", "column", "expected"), [
    ("124567", "birth_dates", ["1958", "1958-01-01"]),
    ("124602", "birth_dates", ["1977", "1978", "1979", "1980", "1981", "1982"]),
    ("124603", "birth_dates", ["1973-11"]),  # the ISLAMIC-calendar date is left out
    ("124601", "nationalities", ["MR", "ML"]),
    ("124603", "nationalities", []),  # countryIso2Code "00" is "unknown"
    ("124603", "countries", ["NE", "ML"]),
    ("124567", "programmes", ["TAQA"]),
    ("124603", "programmes", ["MLI"]),
    ("124567", "entity_type", "person"),
    ("124700", "entity_type", "organisation"),
    ("124567", "listed_on", date(2013, 2, 25)),  # designationDate, before any publication
    ("124602", "listed_on", date(2013, 2, 27)),  # no designationDate: earliest publication
    ("124700", "remarks", "Formed by the merger of Al Moulathamoun and MUJAO. | Operates in Mali."),
    ("124601", "remarks", None),
    ("124567", "list_id", "eu_fsf"),
])
def test_entry_attributes(entry_id: str, column: str, expected: object) -> None:
    entries = parse_eu_xml(SAMPLE).entries
    values = entries.filter(pl.col("entry_id") == entry_id)[column].to_list()
    assert values
    assert all(value == expected for value in values)


def test_file_level_facts() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    parsed = parse_eu_xml(SAMPLE, list_id="eu_test")
    assert parsed.version_date == "2025-06-30T17:45:12.345+02:00"
    assert parsed.entries.schema == pl.Schema(LIST_ENTRY_SCHEMA)
    assert set(parsed.entries["list_id"]) == {"eu_test"}
    # every entity but the one delisted before the generation date
    assert parsed.entries["entry_id"].n_unique() == text.count("<sanctionEntity ") - 1
    assert "124800" not in set(parsed.entries["entry_id"])
    assert (parsed.entries["name_kind"] == "primary").sum() == parsed.entries["entry_id"].n_unique()


def _export(tmp_path: Path, entities: str, generated: str = "2025-01-01T00:00:00Z") -> Path:
    path = tmp_path / "export.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<export xmlns="{NAMESPACE}" '
        f'generationDate="{generated}" globalFileId="1">{entities}</export>',
        encoding="utf-8",
    )
    return path


def test_v11_entity_with_several_regulations(tmp_path: Path) -> None:
    """v1.1 files repeat ``regulation``: every programme kept, the earliest date listed."""
    path = _export(tmp_path, (
        '<sanctionEntity logicalId="7" delistingDate="2030-01-01">'
        '<regulation programme="TERR" publicationDate="2019-05-02"/>'
        '<regulation programme="TAQA" publicationDate="2016-09-21"/>'
        '<regulation programme="TERR" publicationDate="2021-01-04"/>'
        '<subjectType code="person" classificationCode="P"/>'
        '<nameAlias wholeName="A Person" strong="true" regulationLanguage="en"/>'
        '<birthdate calendarType="GREGORIAN" yearRangeFrom="x" yearRangeTo="1970" '
        'countryIso2Code="00"/></sanctionEntity>'
    ))
    entry = _entry(parse_eu_xml(path).entries, "7")
    assert (entry["programmes"], entry["listed_on"]) == (["TERR", "TAQA"], date(2016, 9, 21))
    assert (entry["primary"], entry["birth_dates"]) == (["A Person"], [])


@pytest.mark.parametrize("path", [UN_SAMPLE, SAMPLE.with_name("absent.xml")])
def test_not_an_eu_export_is_a_watchlist_error(path: Path) -> None:
    with pytest.raises(WatchlistError) as caught:
        parse_eu_xml(path)
    assert str(path) in str(caught.value)


def test_empty_export_is_refused_rather_than_screening_against_nothing(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError) as caught:
        parse_eu_xml(_export(tmp_path, ""))
    assert caught.value.key == "watchlists.xml.no_entries"
