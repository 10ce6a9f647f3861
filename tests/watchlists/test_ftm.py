"""FollowTheMoney exports (``entities.ftm.json``, ``targets.nested.json``) read as list entries."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from aml_screen.errors import WatchlistError
from aml_screen.match.index import with_documents
from aml_screen.schema import LIST_ENTRY_EXTRAS, LIST_ENTRY_SCHEMA
from aml_screen.settings import Settings
from aml_screen.watchlists.ftm import parse_ftm
from aml_screen.watchlists.loader import detect_format, load_watchlist
from aml_screen.watchlists.sources import load_sources

DATA = Path(__file__).parent / "data" / "ftm"
FLAT = DATA / "entities.ftm.json"
NESTED = DATA / "targets.nested.json"
PEP, DAUGHTER, CISSE, COMPANY = ("NK-pep-seydou-keita", "NK-rca-aminata-keita",
                                 "NK-san-ousmane-cisse", "NK-co-sahel-or")


def _names(entries: pl.DataFrame, entry_id: str) -> list[tuple[str, str]]:
    return entries.filter(pl.col("entry_id") == entry_id).select("name", "name_kind").rows()


def _entry(entries: pl.DataFrame, entry_id: str) -> dict[str, object]:
    return entries.filter(pl.col("entry_id") == entry_id).row(0, named=True)


def test_entities_export_gives_one_row_per_name_of_each_screened_entity() -> None:
    parsed = parse_ftm(FLAT)
    entries = parsed.entries
    assert list(entries.columns) == [*LIST_ENTRY_SCHEMA, *LIST_ENTRY_EXTRAS]
    assert entries.schema["relations"] == LIST_ENTRY_EXTRAS["relations"]
    # 8 persons, companies, organisations, vessels and aircraft; passports, sanctions,
    # addresses and relationship entities are not entries.
    assert entries.get_column("entry_id").n_unique() == 8
    assert entries.height == 16
    assert dict(entries.unique("entry_id").select("entry_id", "entity_type").rows()) == {
        PEP: "person", DAUGHTER: "person", "NK-rca-karim-ould-sidi": "person",
        CISSE: "person", COMPANY: "organisation", "NK-org-front-fictif": "organisation",
        "NK-ves-niger-star": "vessel", "NK-air-5v-ttx": "aircraft",
    }
    assert parsed.version_date == "2026-11-28"
    assert entries.get_column("list_id").unique().to_list() == ["opensanctions"]


def test_names_by_kind() -> None:
    entries = parse_ftm(FLAT).entries
    assert _names(entries, PEP) == [("Seydou Abdoulaye Keïta", "primary"),
                                    ("Seydou A. Keita", "alias"), ("Papa Seydou", "weak_alias")]
    # previousName is an alias; the same name as an alias once (first stated kind kept)
    assert _names(entries, CISSE) == [("Ousmane Diakité Cissé", "primary"),
                                      ("Ousmane Cisse", "alias"), ("Ousmane Diakite", "alias"),
                                      ("Ousmane Diakité", "alias")]
    assert _names(entries, "NK-org-front-fictif")[1] == ("FFLA", "weak_alias")


def test_topics_details_and_documents() -> None:
    entries = parse_ftm(FLAT).entries
    pep = _entry(entries, PEP)
    assert pep["topics"] == ["role.pep"]
    assert pep["birth_dates"] == ["1961-04-12"]
    assert pep["nationalities"] == ["ML"]
    assert pep["remarks"] == ("Minister of Mines and Energy of Mali (2019-2023). Former member "
                              "of the National Assembly. Passport AA0012345 (ML).")
    cisse = _entry(entries, CISSE)
    assert cisse["topics"] == ["crime.fin", "sanction"]
    assert cisse["birth_dates"] == ["1975-02"]
    assert cisse["programmes"] == ["Sahel destabilisation regime"]
    assert str(cisse["listed_on"]) == "2021-07-01"
    assert cisse["remarks"] == "Passport B1234567."
    assert _entry(entries, "NK-ves-niger-star")["countries"] == ["TG"]


def test_identifiers_are_read_as_documents_by_the_matcher() -> None:
    documents = with_documents(parse_ftm(FLAT).entries).unique("entry_id").select(
        "entry_id", "documents")
    found = dict(documents.rows())
    assert found[PEP] == [{"kind": "passport", "number": "AA0012345", "country": "ML"}]
    assert found[CISSE] == [{"kind": "passport", "number": "B1234567", "country": None}]
    assert found["NK-ves-niger-star"] == [{"kind": "other_id", "number": "9123456",
                                           "country": None}]


def test_relations_are_kept_on_the_dependent_entry_with_the_principal_named() -> None:
    entries = parse_ftm(FLAT).entries.unique("entry_id", keep="first")
    relations = dict(entries.select("entry_id", "relations").rows())
    assert relations[DAUGHTER] == [{"kind": "family", "role": "Daughter",
                                    "other_entry_id": PEP,
                                    "other_name": "Seydou Abdoulaye Keïta"}]
    assert relations[COMPANY] == [{"kind": "ownership", "role": None, "other_entry_id": CISSE,
                                   "other_name": "Ousmane Diakité Cissé"}]
    assert relations["NK-rca-karim-ould-sidi"][0]["kind"] == "associate"
    assert relations[PEP] == []  # listed in his own right
    assert relations[CISSE] == []


def test_nested_targets_give_the_same_entries_as_the_entities_export() -> None:
    flat = parse_ftm(FLAT).entries.filter(pl.col("entity_type") != "aircraft")  # not a target
    nested = parse_ftm(NESTED).entries
    assert nested.sort("entry_id", "name").equals(flat.sort("entry_id", "name"))


@pytest.mark.parametrize("path", [FLAT, NESTED])
def test_format_detected_from_content_and_loaded_by_path(path: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "peps.json"  # the content decides, not the name
    renamed.write_bytes(path.read_bytes())
    assert detect_format(renamed) == "ftm"
    watchlist = load_watchlist(str(path), Settings(sources_file=tmp_path / "none.yaml"))
    assert (watchlist.format, watchlist.list_id) == ("ftm", "opensanctions")
    assert watchlist.version()["entries"] == watchlist.entries.get_column("entry_id").n_unique()


def test_source_with_list_format_ftm(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - id: os_peps\n    title: {en: PEPs, fr: PPE}\n    format: ftm\n"
        f"    path: {FLAT}\n", encoding="utf-8")
    settings = Settings(sources_file=sources)
    assert load_sources(sources)["os_peps"].format == "ftm"
    watchlist = load_watchlist("os_peps", settings)
    assert watchlist.list_id == "os_peps"
    assert watchlist.entries.get_column("entry_id").n_unique() == 8


@pytest.mark.parametrize(("line", "key"), [
    ('{"id": "NK-x", "schema": "Person", "properties": {"name": ["Tru',
     "watchlists.ftm.bad_line"),
    ('["not", "an", "entity"]', "watchlists.ftm.not_entity"),
    ('{"id": "NK-y", "properties": {}}', "watchlists.ftm.not_entity"),
])
def test_a_malformed_line_names_the_file_and_line(tmp_path: Path, line: str, key: str) -> None:
    lines = FLAT.read_text(encoding="utf-8").splitlines()
    damaged = tmp_path / "entities.ftm.json"
    damaged.write_text("\n".join([*lines[:4], line, *lines[4:]]) + "\n", encoding="utf-8")
    with pytest.raises(WatchlistError) as caught:
        parse_ftm(damaged)
    assert caught.value.key == key
    assert caught.value.params["line"] == 5
    assert caught.value.params["path"] == str(damaged)
    assert "5" in str(caught.value)


def test_a_file_without_screened_entities_is_refused(tmp_path: Path) -> None:
    only_addresses = tmp_path / "addresses.ftm.json"
    only_addresses.write_text(
        '{"id": "a1", "schema": "Address", "properties": {"full": ["Bamako"]}}\n',
        encoding="utf-8")
    with pytest.raises(WatchlistError) as caught:
        parse_ftm(only_addresses)
    assert caught.value.key == "watchlists.ftm.no_entries"
