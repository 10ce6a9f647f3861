"""OFAC legacy CSV parser: self-made files with OFAC's byte-level quirks, and the real SDN and
consolidated files in ../shared (counts cross-checked with the csv module)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import polars as pl
import pytest

from aml_screen.errors import WatchlistError
from aml_screen.schema import LIST_ENTRY_SCHEMA
from aml_screen.watchlists.ofac import parse_ofac_csv

NULL = "-0- "


def _line(*fields: str) -> str:
    return ",".join(f if f == NULL or f.isdigit() else f'"{f}"' for f in fields)


def _write(path: Path, lines: list[str]) -> Path:
    """OFAC style: cp1252, CRLF, trailing DOS EOF character."""
    path.write_bytes(("\r\n".join(lines) + "\r\n\x1a").encode("cp1252"))
    return path


def _sdn(ent_num: str, name: str, sdn_type: str, program: str, remarks: str) -> str:
    return _line(ent_num, name, sdn_type, program, *[NULL] * 7, remarks)


@pytest.fixture
def ofac_folder(tmp_path: Path) -> Path:
    """A small SDN set: Sahel SDGT person and group, a vessel, an entity with accents and a
    remarks field continued in sdn_comments.csv."""
    _write(tmp_path / "sdn.csv", [
        _sdn("15610", "EL KHAIRY, Hamad", "individual", "SDGT",
             "DOB 1970; POB Nouakchott, Mauritania; nationality Mauritania; alt. nationality "
             "Mali; a.k.a. 'QUMQUM, Abou'."),
        _sdn("15609", "MOVEMENT FOR UNITY AND JIHAD IN WEST AFRICA", NULL, "SDGT] [IFSR",
             "a.k.a. 'MUJAO'; a.k.a. 'ABU-'UMAR BRIGADE'."),
        _sdn("20001", "SOCIÉTÉ MINIÈRE DU LIPTAKO", NULL, "SDGT", "Linked To: MUJAO; a.k.a. 'SML'"),
        _sdn("20002", "SAHEL STAR", "vessel", "IRAN", NULL),
        _sdn("20003", "DICKO, Hamadoun", "individual", "SDGT", "DOB 01 Jan 1960 to 31 Dec 1962; "
             "citizen Burkina Faso; a.k.a. 'JOH"),
    ])
    _write(tmp_path / "alt.csv", [
        _line("15610", "23198", "aka", "KHEIROU, Hamada Ould Mohamed", NULL),
        _line("15609", "23211", "aka", "MOUVEMENT POUR L'UNICITÉ ET LE JIHAD EN AFRIQUE DE L'OUEST",
              NULL),
        _line("20001", "30001", "fka", "MINES DU LIPTAKO SARL", NULL),
        _line("99999", "30002", "aka", "ORPHAN ALIAS", NULL),
    ])
    _write(tmp_path / "add.csv", [
        _line("15609", "23304", NULL, "Gao", "Mali", NULL),
        _line("20001", "30101", "Quartier Commercial", "Dori", "Burkina Faso", NULL),
        _line("20002", "30102", NULL, NULL, NULL, NULL),
    ])
    _write(tmp_path / "sdn_comments.csv", [_line("20003", "NNY'.")])
    return tmp_path


def _entry(entries: pl.DataFrame, entry_id: str) -> pl.DataFrame:
    return entries.filter(pl.col("entry_id") == entry_id)


def test_folder_with_companions(ofac_folder: Path) -> None:
    entries = parse_ofac_csv(ofac_folder).entries
    assert entries.schema == pl.Schema(LIST_ENTRY_SCHEMA)
    assert entries["entry_id"].unique(maintain_order=True).to_list() == [
        "15610", "15609", "20001", "20002", "20003"]
    mujao = _entry(entries, "15609")
    assert mujao.select("name", "name_kind").rows() == [
        ("MOVEMENT FOR UNITY AND JIHAD IN WEST AFRICA", "primary"),
        ("MOUVEMENT POUR L'UNICITÉ ET LE JIHAD EN AFRIQUE DE L'OUEST", "alias"),
        ("MUJAO", "weak_alias"),
        ("ABU-'UMAR BRIGADE", "weak_alias"),
    ]
    assert mujao["programmes"].to_list()[0] == ["SDGT", "IFSR"]
    assert mujao["countries"].to_list()[0] == ["ML"]
    assert "ORPHAN ALIAS" not in entries["name"].to_list()


@pytest.mark.parametrize(
    ("entry_id", "entity_type", "birth_dates", "nationalities", "countries"),
    [
        ("15610", "person", ["1970"], ["MR", "ML"], ["MR", "ML"]),
        ("15609", "organisation", [], [], ["ML"]),
        ("20001", "organisation", [], [], ["BF"]),
        ("20002", "vessel", [], [], []),
        ("20003", "person", ["1960", "1961", "1962"], ["BF"], ["BF"]),
    ],
)
def test_entry_attributes(ofac_folder: Path, entry_id: str, entity_type: str,
                          birth_dates: list[str], nationalities: list[str],
                          countries: list[str]) -> None:
    rows = _entry(parse_ofac_csv(ofac_folder / "sdn.csv").entries, entry_id)
    assert rows["entity_type"].unique().to_list() == [entity_type]
    assert rows["birth_dates"][0].to_list() == birth_dates
    assert rows["nationalities"][0].to_list() == nationalities
    assert rows["countries"][0].to_list() == countries


def test_remarks_overflow_is_joined_before_reading_aliases(ofac_folder: Path) -> None:
    rows = _entry(parse_ofac_csv(ofac_folder).entries, "20003")
    assert rows.filter(pl.col("name_kind") == "weak_alias")["name"].to_list() == ["JOHNNY"]
    assert rows["remarks"][0].endswith("a.k.a. 'JOHNNY'.")


def test_cp1252_accents_are_not_mojibake(ofac_folder: Path) -> None:
    names = parse_ofac_csv(ofac_folder).entries["name"].to_list()
    assert "SOCIÉTÉ MINIÈRE DU LIPTAKO" in names
    assert not any("Ã" in name for name in names)


def test_companions_are_optional(ofac_folder: Path, tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "sdn.csv").write_bytes((ofac_folder / "sdn.csv").read_bytes())
    entries = parse_ofac_csv(alone / "sdn.csv").entries
    assert set(entries["name_kind"]) == {"primary", "weak_alias"}
    assert _entry(entries, "15609")["countries"][0].to_list() == []


@pytest.mark.parametrize(
    ("dob", "expected"),
    [
        ("DOB 28 Jul 1963", ["1963-07-28"]),
        ("DOB Jul 1963", ["1963-07"]),
        ("DOB 1963", ["1963"]),
        ("DOB circa 1960", ["1960"]),
        ("DOB 1960 to 1962", ["1960", "1961", "1962"]),
        ("DOB 12 Oct 1972; alt. DOB 1973", ["1972-10-12", "1973"]),
        ("DOB 1940 to 1970", ["1940", "1970"]),
    ],
)
def test_birth_date_phrases(tmp_path: Path, dob: str, expected: list[str]) -> None:
    _write(tmp_path / "sdn.csv", [_sdn("1", "TEST, Person", "individual", "SDGT", f"{dob}.")])
    assert parse_ofac_csv(tmp_path).entries["birth_dates"][0].to_list() == expected


def test_folder_without_primary_file(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError) as caught:
        parse_ofac_csv(tmp_path)
    assert caught.value.key == "watchlists.csv.ofac_no_primary"
    english = str(caught.value)
    french = caught.value.message("fr")
    assert str(tmp_path) in english
    assert str(tmp_path) in french
    assert english != french


def test_wrong_file_is_refused(ofac_folder: Path, tmp_path: Path) -> None:
    wrong = tmp_path / "other" / "sdn.csv"
    wrong.parent.mkdir()
    wrong.write_bytes((ofac_folder / "alt.csv").read_bytes())
    with pytest.raises(WatchlistError) as caught:
        parse_ofac_csv(wrong)
    assert caught.value.key == "watchlists.csv.column_count"
    assert caught.value.params["found"] == 5


# --- real files ------------------------------------------------------------------------------

def _rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("cp1252").replace("\x1a", "")
    return [row for row in csv.reader(io.StringIO(text)) if row]


def _expected_names(folder: Path, prefix: str = "", primary_file: str = "sdn.csv",
                    comments_file: str = "sdn_comments.csv") -> dict[str, set[tuple[str, str]]]:
    """Names per kind worked out independently: csv module + Python regex with lookahead;
    runs of spaces in a name count as one."""
    primary = [[" ".join(field.split()) for field in row] for row in _rows(folder / primary_file)]
    remarks = {row[0]: row[11] if row[11] != "-0- " else "" for row in primary}
    if (folder / comments_file).exists():
        for ent_num, more in _rows(folder / comments_file):
            remarks[ent_num] += more
    strong = {(row[0], row[1]) for row in primary}
    alt_path = folder / f"{prefix}alt.csv"
    alias = ({(r[0], " ".join(r[3].split())) for r in _rows(alt_path) if r[0] in remarks}
             if alt_path.exists() else set())
    weak = {(ent, name) for ent, text in remarks.items()
            for name in re.findall(r"[afn]\.k\.a\. '(.+?)'(?=;|\.?$)", text)}
    return {"primary": strong, "alias": alias - strong, "weak_alias": weak - strong - alias}


@pytest.mark.shared
@pytest.mark.parametrize(
    ("folder", "primary_file", "entries", "primary", "alias", "weak"),
    [
        ("ofac_sdn/bench_2021", "sdn.csv", 8976, 8976, 11904, 2441),
        ("ofac_sdn/samples", "sdn.csv", 17, 17, 13, 16),
        ("ofac_sdn/sdn_2022", "sdn.csv", 11509, 11509, 0, 2802),
        ("ofac_consolidated_non_sdn", "cons_prim.csv", 442, 442, 1071, 72),
    ],
)
def test_real_counts(shared_data: Path, folder: str, primary_file: str, entries: int,
                     primary: int, alias: int, weak: int) -> None:
    path = shared_data / folder / primary_file
    parsed = parse_ofac_csv(path).entries
    prefix = "cons_" if primary_file.startswith("cons_") else ""
    comments = "cons_comments.csv" if prefix else "sdn_comments.csv"
    expected = _expected_names(path.parent, prefix, primary_file, comments)
    assert parsed["entry_id"].n_unique() == len({row[0] for row in _rows(path)}) == entries
    for kind, count in (("primary", primary), ("alias", alias), ("weak_alias", weak)):
        got = set(parsed.filter(pl.col("name_kind") == kind).select("entry_id", "name").rows())
        assert got == expected[kind]
        assert len(got) == count
    assert parsed.height == primary + alias + weak


@pytest.fixture(scope="module")
def bench(shared_data: Path) -> pl.DataFrame:
    """The 2021 SDN snapshot (8,976 entries), parsed once for the tests below."""
    return parse_ofac_csv(shared_data / "ofac_sdn" / "bench_2021").entries


@pytest.mark.shared
def test_weak_aliases_are_remarks_only(shared_data: Path, bench: pl.DataFrame) -> None:
    """The finding the parser relies on: quoted remark a.k.a.s never repeat an alt.csv name."""
    alt = {(row[0], row[3]) for row in _rows(shared_data / "ofac_sdn" / "bench_2021" / "alt.csv")}
    weak = set(bench.filter(pl.col("name_kind") == "weak_alias").select("entry_id", "name").rows())
    assert len(weak) == 2441
    assert not weak & alt


@pytest.mark.shared
@pytest.mark.parametrize(
    ("entry_id", "name", "kind"),
    [
        ("15609", "MOVEMENT FOR UNITY AND JIHAD IN WEST AFRICA", "primary"),
        ("15609", "MOVEMENT FOR ONENESS AND JIHAD IN WEST AFRICA", "alias"),
        ("15609", "MUJAO", "weak_alias"),
        ("3754", "MARZOUK, Musa Abu", "alias"),
        ("3754", "ABU-'UMAR", "weak_alias"),
        ("28263", "snowsjohn", "weak_alias"),
    ],
)
def test_real_known_names(bench: pl.DataFrame, entry_id: str, name: str, kind: str) -> None:
    rows = bench.filter((pl.col("entry_id") == entry_id) & (pl.col("name") == name))
    assert rows["name_kind"].to_list() == [kind]


@pytest.mark.shared
def test_real_sahel_sdgt_entry(bench: pl.DataFrame) -> None:
    rows = _entry(bench, "15610")
    assert rows["entity_type"].unique().to_list() == ["person"]
    assert rows["programmes"][0].to_list() == ["SDGT"]
    assert rows["birth_dates"][0].to_list() == ["1970"]
    assert rows["nationalities"][0].to_list() == ["MR", "ML"]
    assert rows.filter(pl.col("name_kind") == "weak_alias")["name"].to_list() == ["QUMQUM, Abou"]
    assert _entry(bench, "15609")["countries"][0].to_list() == ["ML"]


@pytest.mark.shared
def test_real_entity_types(shared_data: Path, bench: pl.DataFrame) -> None:
    by_type: dict[str, int] = {}
    for row in _rows(shared_data / "ofac_sdn" / "bench_2021" / "sdn.csv"):
        by_type[row[2]] = by_type.get(row[2], 0) + 1
    parsed = bench.unique("entry_id")
    counts = dict(parsed.group_by("entity_type").len().rows())
    assert counts == {"person": by_type["individual"], "organisation": by_type["-0- "],
                      "vessel": by_type["vessel"], "aircraft": by_type["aircraft"]}
