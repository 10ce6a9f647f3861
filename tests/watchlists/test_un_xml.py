"""UN consolidated list parser: edge cases on small self-made lists, the demo sample, and
the real list in ../shared cross-checked with plain regular expressions."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from aml_screen.errors import WatchlistError
from aml_screen.match.index import with_documents
from aml_screen.schema import LIST_ENTRY_SCHEMA
from aml_screen.watchlists.un_xml import parse_un_xml

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "watchlists" / "samples" / "un_sahel_sample.xml"
EU_FIXTURE = Path(__file__).parent / "data" / "xml" / "eu_fsd_sample.xml"


def _un_list(tmp_path: Path, *individuals: str, entities: str = "") -> Path:
    """A minimal UN list: each individual is the inner XML of one INDIVIDUAL element."""
    body = "".join(
        f"<INDIVIDUAL><REFERENCE_NUMBER>QDi.{900 + n}</REFERENCE_NUMBER>{inner}</INDIVIDUAL>"
        for n, inner in enumerate(individuals)
    )
    path = tmp_path / "un.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<CONSOLIDATED_LIST dateGenerated="2026-01-02T03:04:05Z">'
        f"<INDIVIDUALS>{body}</INDIVIDUALS><ENTITIES>{entities}</ENTITIES></CONSOLIDATED_LIST>",
        encoding="utf-8",
    )
    return path


def _entry(frame: pl.DataFrame, entry_id: str) -> dict[str, object]:
    """One entry's attributes, and its names grouped by kind."""
    rows = frame.filter(pl.col("entry_id") == entry_id)
    first = rows.row(0, named=True)
    for kind in ("primary", "alias", "weak_alias"):
        first[kind] = rows.filter(pl.col("name_kind") == kind)["name"].to_list()
    return first


@pytest.mark.parametrize(("dob_xml", "expected"), [
    ("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1971-05-02</DATE>", ["1971-05-02"]),
    ("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>1971</YEAR>", ["1971"]),
    ("<TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1958</YEAR>", ["1958"]),
    ("<TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1955</FROM_YEAR><TO_YEAR>1958</TO_YEAR>",
     ["1955", "1956", "1957", "1958"]),
    ("<TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1962</FROM_YEAR><TO_YEAR>1960</TO_YEAR>",
     ["1960", "1961", "1962"]),
    ("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><NOTE>Nov. 1973 </NOTE>", ["1973-11"]),
    ("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><NOTE>Between Aug. and Sep. 1977</NOTE>",
     ["1977-08", "1977-09"]),
    ("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><NOTE>1965</NOTE>", ["1965"]),
    ("<TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><NOTE>30-35 years old</NOTE>", []),
    ("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><NOTE>24/06/1402 (Hijri Calendar)</NOTE>", []),
    ("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1979-03-03</DATE><NOTE>from false passport</NOTE>",
     ["1979-03-03"]),
    ("<TYPE_OF_DATE/>", []),
])
def test_birth_dates(tmp_path: Path, dob_xml: str, expected: list[str]) -> None:
    path = _un_list(tmp_path, f"<FIRST_NAME>A</FIRST_NAME><INDIVIDUAL_DATE_OF_BIRTH>{dob_xml}"
                              "</INDIVIDUAL_DATE_OF_BIRTH>")
    assert parse_un_xml(path).entries["birth_dates"].to_list() == [expected]


def test_birth_dates_gather_every_block_and_the_aliases_own_dates(tmp_path: Path) -> None:
    path = _un_list(tmp_path, (
        "<FIRST_NAME>A</FIRST_NAME>"
        "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>B</ALIAS_NAME>"
        "<DATE_OF_BIRTH>1955</DATE_OF_BIRTH></INDIVIDUAL_ALIAS>"
        "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>C</ALIAS_NAME>"
        "<DATE_OF_BIRTH>1970-01-01</DATE_OF_BIRTH></INDIVIDUAL_ALIAS>"
        "<INDIVIDUAL_DATE_OF_BIRTH><DATE>1970-01-01</DATE></INDIVIDUAL_DATE_OF_BIRTH>"
        "<INDIVIDUAL_DATE_OF_BIRTH><YEAR>1971</YEAR></INDIVIDUAL_DATE_OF_BIRTH>"
    ))
    expected = ["1970-01-01", "1971", "1955"]
    assert parse_un_xml(path).entries["birth_dates"].to_list() == [expected] * 3


@pytest.mark.parametrize(("inner", "primary", "aliases", "weak"), [
    ("<FIRST_NAME>FAIZULLAH</FIRST_NAME><SECOND_NAME>KHAN</SECOND_NAME>"
     "<THIRD_NAME>NOORZAI</THIRD_NAME><FOURTH_NAME>na</FOURTH_NAME>",
     "FAIZULLAH KHAN NOORZAI", [], []),
    ("<FIRST_NAME> GASTON </FIRST_NAME><SECOND_NAME>IYAMUREMYE</SECOND_NAME>"
     "<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Rumuli</ALIAS_NAME></INDIVIDUAL_ALIAS>"
     "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Victor Rumuri</ALIAS_NAME>"
     "</INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Michel"
     "</ALIAS_NAME></INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS><QUALITY>f.k.a.</QUALITY>"
     "<ALIAS_NAME>Old Name</ALIAS_NAME></INDIVIDUAL_ALIAS>"
     "<INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>",
     "GASTON IYAMUREMYE", ["Victor Rumuri", "Michel", "Old Name"], ["Rumuli"]),
    ("<FIRST_NAME>KIM</FIRST_NAME><SECOND_NAME>KYONG OK</SECOND_NAME>"
     "<NAME_ORIGINAL_SCRIPT>김경옥</NAME_ORIGINAL_SCRIPT>"
     "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Kim Kyong Ok</ALIAS_NAME>"
     "</INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Ok</ALIAS_NAME>"
     "</INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>OK</ALIAS_NAME>"
     "</INDIVIDUAL_ALIAS>",
     "KIM KYONG OK", ["김경옥", "OK"], []),
    ("<FIRST_NAME>X</FIRST_NAME><NAME_ORIGINAL_SCRIPT>حركة التوحيد والجهاد في\n      غرب إفريقيا"
     "</NAME_ORIGINAL_SCRIPT>",
     "X", ["حركة التوحيد والجهاد في غرب إفريقيا"], []),
    ("<FIRST_NAME>COMPAGNIE A (CA) ; GREAT B (GB)</FIRST_NAME>"
     "<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>حسن غول (Hassan Ghul; Hasan Gul)"
     "</ALIAS_NAME></INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>"
     "Lord’s Resistance Movement (LRM)</ALIAS_NAME></INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS>"
     "<QUALITY>Good</QUALITY><ALIAS_NAME>Amir Khazmat (original script: Амир Хазмат)"
     "</ALIAS_NAME></INDIVIDUAL_ALIAS>",
     "COMPAGNIE A (CA)",
     ["GREAT B (GB)", "Lord’s Resistance Movement (LRM)", "Amir Khazmat", "Амир Хазмат"],
     ["حسن غول", "Hassan Ghul", "Hasan Gul"]),
])
def test_names_and_kinds(
    tmp_path: Path, inner: str, primary: str, aliases: list[str], weak: list[str]
) -> None:
    entry = _entry(parse_un_xml(_un_list(tmp_path, inner)).entries, "QDi.900")
    assert (entry["primary"], entry["alias"], entry["weak_alias"]) == ([primary], aliases, weak)


def test_countries_nationalities_and_entry_attributes(tmp_path: Path) -> None:
    path = _un_list(tmp_path, (
        "<FIRST_NAME>A</FIRST_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>"
        "<LISTED_ON>2013-02-25</LISTED_ON><COMMENTS1>Line one\n   line two.</COMMENTS1>"
        "<NATIONALITY><VALUE>Mali</VALUE><VALUE>former Soviet Union</VALUE></NATIONALITY>"
        "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>B</ALIAS_NAME>"
        "<COUNTRY_OF_BIRTH>Niger</COUNTRY_OF_BIRTH></INDIVIDUAL_ALIAS>"
        "<INDIVIDUAL_ADDRESS><CITY>Nouakchott</CITY><COUNTRY>Mauritania</COUNTRY>"
        "</INDIVIDUAL_ADDRESS><INDIVIDUAL_ADDRESS><COUNTRY/></INDIVIDUAL_ADDRESS>"
        "<INDIVIDUAL_PLACE_OF_BIRTH><COUNTRY>Tchad</COUNTRY></INDIVIDUAL_PLACE_OF_BIRTH>"
    ), entities=(
        "<ENTITY><FIRST_NAME>GROUP</FIRST_NAME><REFERENCE_NUMBER>QDe.900</REFERENCE_NUMBER>"
        "<LISTED_ON>not a date</LISTED_ON><ENTITY_ALIAS/>"
        "<ENTITY_ADDRESS><COUNTRY>Burkina Faso</COUNTRY></ENTITY_ADDRESS></ENTITY>"
    ))
    parsed = parse_un_xml(path, list_id="un_test")
    person, group = _entry(parsed.entries, "QDi.900"), _entry(parsed.entries, "QDe.900")
    assert parsed.version_date == "2026-01-02T03:04:05Z"
    assert person["nationalities"] == ["ML", "former Soviet Union"]
    assert person["countries"] == ["ML", "former Soviet Union", "MR", "TD", "NE"]
    assert (person["entity_type"], person["list_id"]) == ("person", "un_test")
    assert (person["programmes"], person["listed_on"]) == (["Al-Qaida"], date(2013, 2, 25))
    assert person["remarks"] == "Line one line two."
    assert (group["entity_type"], group["countries"], group["nationalities"]) == (
        "organisation", ["BF"], [])
    assert (group["listed_on"], group["programmes"], group["alias"]) == (None, [], [])


def test_identity_documents_are_read_into_the_entrys_documents(tmp_path: Path) -> None:
    # INDIVIDUAL_DOCUMENT blocks, in the list's three languages, with or without a country;
    # a block without a number (half of them in the real list) says nothing.
    path = _un_list(tmp_path, (
        "<FIRST_NAME>A</FIRST_NAME><COMMENTS1>Arrested in 2014</COMMENTS1>"
        "<INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT>"
        "<NUMBER>AB850901 </NUMBER><ISSUING_COUNTRY>United Republic of Tanzania"
        "</ISSUING_COUNTRY></INDIVIDUAL_DOCUMENT>"
        "<INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Numéro de passeport </TYPE_OF_DOCUMENT>"
        "<NUMBER>A1234567</NUMBER><ISSUING_COUNTRY>Mali</ISSUING_COUNTRY></INDIVIDUAL_DOCUMENT>"
        "<INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>National Identification Number"
        "</TYPE_OF_DOCUMENT><NUMBER>1-78-09-44621-80</NUMBER></INDIVIDUAL_DOCUMENT>"
        "<INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT>"
        "</INDIVIDUAL_DOCUMENT><INDIVIDUAL_DOCUMENT/>"
    ))
    entries = with_documents(parse_un_xml(path).entries)
    person = _entry(entries, "QDi.900")
    assert str(person["remarks"]).startswith("Arrested in 2014 Passport AB850901 (United")
    assert person["documents"] == [
        {"kind": "passport", "number": "AB850901", "country": "TZ"},
        {"kind": "passport", "number": "A1234567", "country": "ML"},
        {"kind": "national_id", "number": "178094462180", "country": None},
    ]


def test_delisted_entries_are_left_out(tmp_path: Path) -> None:
    path = _un_list(tmp_path, "<FIRST_NAME>KEPT</FIRST_NAME>",
                    "<FIRST_NAME>GONE</FIRST_NAME><DELISTED_ON>2020-01-01</DELISTED_ON>")
    assert parse_un_xml(path).entries["name"].to_list() == ["KEPT"]


@pytest.mark.parametrize("path", [EU_FIXTURE, SAMPLE.with_name("absent.xml")])
def test_not_a_un_list_is_a_watchlist_error(path: Path) -> None:
    with pytest.raises(WatchlistError) as caught:
        parse_un_xml(path)
    assert str(path) in str(caught.value)


SAMPLE_ENTRIES = [
    ("QDi.316", "IYAD AG GHALI", ["اياد اغ غالي", "Sidi Mohamed Arhali"], [],
     ["1958", "1958-01-01"], ["ML"], ["ML"]),
    ("QDi.136", "MOKHTAR BELMOKHTAR", ["مختار بلمختار", "Khaled Abou El Abbes",
     "Mukhtar Belmukhtar"], ["Belaour"], ["1972-06-01"], ["DZ"], ["DZ"]),
    ("QDi.314", "ABDERRAHMANE OULD EL AMAR", ["عبد الرحمن ولد العامر", "Ahmed el Tilemsi",
     "Ahmad Ould Amar"], [], [str(y) for y in range(1977, 1983)], ["ML"], ["ML"]),
    ("QDi.315", "HAMADA OULD MOHAMED EL KHAIRY", ["حماده ولد محمد الخيري", "Ould Kheirou",
     "Hamad el Khairy"], ["Abou QumQum"], ["1970"], ["MR", "ML"], ["MR", "ML"]),
    ("QDe.134", "MOUVEMENT POUR L’UNIFICATION ET LE JIHAD EN AFRIQUE DE L’OUEST (MUJAO)",
     ["حركة التوحيد والجهاد في غرب إفريقيا"], [], [], [], ["ML", "DZ"]),
    ("QDe.159", "JAMA'A NUSRAT UL-ISLAM WA AL-MUSLIMIN (JNIM)",
     ["جماعة نصرة الإسلام والمسلمين"], [], [], [], []),
]


@pytest.mark.parametrize(
    ("entry_id", "primary", "aliases", "weak", "births", "nationalities", "countries"),
    SAMPLE_ENTRIES,
)
def test_demo_sample_entries(
    entry_id: str, primary: str, aliases: list[str], weak: list[str], births: list[str],
    nationalities: list[str], countries: list[str],
) -> None:
    entry = _entry(parse_un_xml(SAMPLE).entries, entry_id)
    assert (entry["primary"], entry["alias"], entry["weak_alias"]) == ([primary], aliases, weak)
    assert (entry["birth_dates"], entry["nationalities"]) == (births, nationalities)
    assert (entry["countries"], entry["programmes"]) == (countries, ["Al-Qaida"])


def test_demo_sample_shape_and_header() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    parsed = parse_un_xml(SAMPLE)
    assert parsed.entries.schema == pl.Schema(LIST_ENTRY_SCHEMA)
    counts = dict(parsed.entries.group_by("entity_type").agg(pl.col("entry_id").n_unique()).rows())
    assert counts == {"person": text.count("<INDIVIDUAL>"), "organisation": text.count("<ENTITY>")}
    assert 8 <= sum(counts.values()) <= 12
    header = text[: text.index("<CONSOLIDATED_LIST")]
    assert "NOT the official list" in header
    assert "https://scsanctions.un.org/resources/xml/en/consolidated.xml" in header


@pytest.mark.shared
def test_demo_sample_validates_against_the_un_schema(shared_data: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema(str(shared_data / "un_consolidated" / "sc-sanctions.xsd"))
    assert [str(error.reason) for error in schema.iter_errors(str(SAMPLE))] == []


@pytest.fixture(scope="module")
def real_list(shared_data: Path) -> tuple[str, pl.DataFrame, str | None]:
    """The real list's text, its parsed entries and version date."""
    path = shared_data / "un_consolidated" / "consolidated.xml"
    parsed = parse_un_xml(path)
    return path.read_text(encoding="utf-8"), parsed.entries, parsed.version_date


def _fold(text: str) -> str:
    return " ".join(html.unescape(text).split()).casefold()


def _regex_entries(text: str) -> list[tuple[str, list[str], list[str]]]:
    """Per entry, found with regular expressions instead of a parser: its reference, all
    its name fields (folded) and its ``Low`` quality alias names (folded)."""
    found = []
    for _tag, body in re.findall(r"<(INDIVIDUAL|ENTITY)>(.*?)</\1>", text, flags=re.S):
        ref = re.search(r"<REFERENCE_NUMBER>([^<]+)<", body)
        assert ref is not None
        parts = [re.search(rf"<{part}>(.*?)</{part}>", body, flags=re.S)
                 for part in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
        primary = " ".join(m.group(1) for m in parts if m and m.group(1).strip() != "na")
        others = re.findall(r"<(?:ALIAS_NAME|NAME_ORIGINAL_SCRIPT)>(.*?)</", body, flags=re.S)
        low = re.findall(r"<QUALITY>Low</QUALITY>\s*<ALIAS_NAME>(.*?)</", body, flags=re.S)
        found.append((ref.group(1).strip(), [_fold(n) for n in [primary, *others] if n.strip()],
                      [_fold(n) for n in low]))
    return found


def _pairs(entries: pl.DataFrame, kind: str | None = None) -> set[tuple[str, str]]:
    rows = entries if kind is None else entries.filter(pl.col("name_kind") == kind)
    return {(entry_id, _fold(name)) for entry_id, name in rows.select("entry_id", "name").rows()}


@pytest.mark.shared
def test_real_list_counts_match_an_independent_count(
    shared_data: Path, real_list: tuple[str, pl.DataFrame, str | None]
) -> None:
    text, entries, _version = real_list
    sources = (shared_data / "un_consolidated" / "SOURCES.md").read_text(encoding="utf-8")
    stated = re.search(r"(\d+) individuals \+ (\d+) entities", sources)
    assert stated is not None
    per_type = dict(entries.group_by("entity_type").agg(pl.col("entry_id").n_unique()).rows())
    assert per_type == {"person": int(stated.group(1)), "organisation": int(stated.group(2))}
    assert per_type["person"] == text.count("<INDIVIDUAL>")
    references = [ref.strip() for ref in re.findall(r"<REFERENCE_NUMBER>([^<]+)<", text)]
    assert sorted(entries["entry_id"].unique()) == sorted(references)
    assert (entries["name_kind"] == "primary").sum() == len(references)
    assert entries.height == len(_pairs(entries))  # each name once per entry


@pytest.mark.shared
def test_real_list_names_are_the_name_fields_or_pieces_of_them(
    real_list: tuple[str, pl.DataFrame, str | None],
) -> None:
    """Every plain name field is a name; every other name (split from a field packing
    several) is a piece of one of the entry's fields; weak aliases come from ``Low`` ones."""
    text, entries, _version = real_list
    by_ref = {ref: (names, low) for ref, names, low in _regex_entries(text)}
    plain = {(ref, n) for ref, (names, _) in by_ref.items() for n in names
             if ";" not in n and "(" not in n}
    parsed = _pairs(entries)
    assert plain <= parsed
    assert all(any(name in field for field in by_ref[ref][0]) for ref, name in parsed - plain)
    assert len(parsed - plain) > 50  # the list packs names: "حسن غول (Hassan Ghul; Hasan Gul)"
    weak = _pairs(entries, "weak_alias")
    assert all(any(name in field for field in by_ref[ref][1]) for ref, name in weak)
    low_plain = {(ref, n) for ref, (_, low) in by_ref.items() for n in low
                 if ";" not in n and "(" not in n}
    assert low_plain - weak <= _pairs(entries, "alias") | _pairs(entries, "primary")


REAL_ENTRIES = [
    ("QDi.136", "primary", {"MOKHTAR BELMOKHTAR"}),
    ("QDi.136", "weak_alias", {"Belaoua", "Belaour"}),
    ("QDi.316", "alias", {"اياد اغ غالي", "Sidi Mohamed Arhali"}),
    ("QDe.135", "alias", {"انصار الدين", "Ansar Dine"}),
    ("CDi.003", "weak_alias", {"Rumuli"}),
    ("QDi.306", "alias", {"مصطفى حجي محمد خان", "حسن غول", "Hassan Ghul", "Hassan Gul",
                          "Hasan Gul", "Khalid Mahmud"}),
    ("CDe.003", "primary", {"COMPAGNIE AERIENNE DES GRANDS LACS (CAGL)"}),
    ("CDe.003", "alias", {"GREAT LAKES BUSINESS COMPANY (GLBC)", "CAGL"}),
]


@pytest.mark.shared
@pytest.mark.parametrize(("entry_id", "kind", "names"), REAL_ENTRIES)
def test_real_entry_names(
    real_list: tuple[str, pl.DataFrame, str | None], entry_id: str, kind: str,
    names: set[str],
) -> None:
    _text, entries, _version = real_list
    found = entries.filter((pl.col("entry_id") == entry_id) & (pl.col("name_kind") == kind))
    assert set(found["name"]) == names


@pytest.mark.shared
@pytest.mark.parametrize(("entry_id", "column", "expected"), [
    ("QDi.314", "birth_dates", ["1977", "1978", "1979", "1980", "1981", "1982"]),
    ("TAi.002", "birth_dates", [*map(str, range(1955, 1959)), *map(str, range(1945, 1951))]),
    ("CDi.004", "birth_dates", ["1973-11"]),
    ("QDi.306", "birth_dates", ["1977-08", "1977-09", "1976"]),
    ("QDi.316", "birth_dates", ["1958", "1958-01-01"]),
    ("QDi.315", "nationalities", ["MR", "ML"]),
    ("CDi.001", "countries", ["CD", "RW"]),
    ("QDe.014", "programmes", ["Al-Qaida"]),
    ("CDi.021", "documents", [{"kind": "passport", "number": "OB0243318", "country": "CD"}]),
])
def test_real_entry_attributes(
    real_list: tuple[str, pl.DataFrame, str | None], entry_id: str, column: str,
    expected: list[str],
) -> None:
    _text, entries, _version = real_list
    values = with_documents(entries).filter(pl.col("entry_id") == entry_id)[column].to_list()
    assert values
    assert all(value == expected for value in values)


@pytest.mark.shared
def test_real_list_version_date(
    real_list: tuple[str, pl.DataFrame, str | None],
) -> None:
    text, entries, version = real_list
    stated = re.search(r'dateGenerated="([^"]+)"', text[:1000])
    assert stated is not None
    assert version == stated.group(1)
    assert entries["listed_on"].null_count() == 0
