"""Format detection and loading lists by source name or by path."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import pytest

from aml_screen.errors import WatchlistError
from aml_screen.settings import Settings, load_settings
from aml_screen.watchlists import registry
from aml_screen.watchlists.formats import OFAC_FILE_SETS
from aml_screen.watchlists.loader import detect_format, load_watchlist, load_watchlists
from aml_screen.watchlists.ofac import parse_ofac_csv
from aml_screen.watchlists.registry import StoredFile, Version
from aml_screen.watchlists.un_xml import parse_un_xml

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "watchlists" / "sources.yaml"
SAMPLE_UN = REPO / "watchlists" / "samples" / "un_sahel_sample.xml"
SAMPLE_NATIONAL = REPO / "watchlists" / "samples" / "national_sample.csv"
HTML = "<!DOCTYPE html>\n<html><body><h1>503 Service Unavailable</h1></body></html>\n"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def settings_for(tmp_path: Path, sources_file: Path = SHIPPED) -> Settings:
    return load_settings(environ={}, config_file=tmp_path / "absent.toml",
                         data_dir=tmp_path / "var", sources_file=sources_file)


@pytest.mark.shared
@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("un_consolidated/consolidated.xml", "un_xml"),
        ("ofac_sdn/bench_2021/sdn.csv", "ofac_csv"),
        ("ofac_sdn/bench_2021", "ofac_csv"),
        ("ofac_sdn/sdn_2022/sdn.csv", "ofac_csv"),
        ("ofac_sdn/samples/sdn.csv", "ofac_csv"),
        ("ofac_consolidated_non_sdn/cons_prim.csv", "ofac_csv"),
        ("ofac_consolidated_non_sdn", "ofac_csv"),
        ("eu_fsf/eu_fsf_csv_v1_2018-07-04_first1000.csv", "eu_csv"),
        ("uk_ofsi/sanctionsconlist_2018-04-13.csv", "uk_csv"),
        ("us_csl/consolidated_sample.csv", "custom_csv"),
    ],
)
def test_detect_format_of_real_files(shared_data: Path, relative: str, expected: str) -> None:
    assert detect_format(shared_data / relative) == expected


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("list.dat", '\ufeff<?xml version="1.0"?>\n<!-- not <html> -->\n<CONSOLIDATED_LIST '
         'dateGenerated="2026-03-01T00:00:00Z"><INDIVIDUALS/></CONSOLIDATED_LIST>\n', "un_xml"),
        ("full.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<export xmlns='
         '"http://eu.europa.ec/fpi/fsd/export" generationDate="2026-03-01T10:00:00+01:00">'
         "</export>\n", "eu_xml"),
        ("eu.csv", "fileGenerationDate;Entity_LogicalId;Entity_EU_ReferenceNumber;"
         "NameAlias_WholeName\n2026-03-01;13;EU.27.28;Saddam Hussein Al-Tikriti\n", "eu_csv"),
        ("ConList.csv", "Last Updated,01/03/2026\nName 6,Name 1,Name 2,Group Type,Group ID\n"
         "DOE,John,,Individual,1\n", "uk_csv"),
        ("uk.csv", "Name 6,Name 1,Name 2,Group Type,Group ID\nDOE,John,,Individual,1\n",
         "uk_csv"),
        ("SDN.CSV", '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- \n', "ofac_csv"),
        ("national.csv", "entry_id,name\nNE-1,Moussa Ag Ahmed\n", "custom_csv"),
        ("liste.CSV", "identifiant;nom\nML-1;Aminata Traoré\n", "custom_csv"),
    ],
)
def test_detect_format_of_small_files(tmp_path: Path, name: str, content: str,
                                      expected: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert detect_format(path) == expected


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [
        ("consolidated.xml", HTML.encode(), "watchlists.loader.html_page"),
        ("sdn.csv", b"\n  <html><body>Forbidden</body></html>", "watchlists.loader.html_page"),
        # mtime=0: the same bytes in every test process (pytest-xdist's workers must
        # collect the same test ids, and this content is part of the id)
        ("list.csv.gz", gzip.compress(b"entry_id,name\n1,x\n", mtime=0),
         "watchlists.loader.compressed"),
        ("list.zip", b"PK\x03\x04rest-of-archive", "watchlists.loader.compressed"),
        ("other.xml", b'<?xml version="1.0"?><catalog><book/></catalog>',
         "watchlists.loader.unknown_content"),
        ("names.txt", b"Moussa Ag Ahmed\nAminata Traore\n", "watchlists.loader.unknown_content"),
        ("empty.csv", b" \n\n", "watchlists.loader.empty_file"),
    ],
)
def test_detect_format_refuses_what_is_not_a_list(tmp_path: Path, name: str, content: bytes,
                                                  key: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(WatchlistError) as caught:
        detect_format(path)
    assert caught.value.key == key
    assert str(path) in str(caught.value)


def test_detect_format_of_folders(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("x", encoding="utf-8")
    with pytest.raises(WatchlistError) as caught:
        detect_format(tmp_path)
    assert caught.value.key == "watchlists.loader.unknown_folder"
    (tmp_path / "cons_prim.csv").write_text('9639,"HANIYA, Ismail",-0- \n', encoding="utf-8")
    assert detect_format(tmp_path) == "ofac_csv"


@pytest.mark.shared
def test_load_un_file_by_path(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "un_consolidated" / "consolidated.xml"
    watchlist = load_watchlist(str(path), settings_for(tmp_path))
    expected = parse_un_xml(path)
    assert (watchlist.list_id, watchlist.format, watchlist.source) == ("un_sc", "un_xml",
                                                                       str(path))
    assert watchlist.sha256 == sha(path)
    assert watchlist.retrieved_at is None
    assert watchlist.version_date == expected.version_date
    assert watchlist.version()["names"] == expected.entries.height
    assert watchlist.version()["entries"] == expected.entries.get_column("entry_id").n_unique()


@pytest.mark.shared
@pytest.mark.parametrize(
    ("relative", "list_id"),
    [("ofac_sdn/bench_2021", "ofac_sdn"), ("ofac_sdn/bench_2021/sdn.csv", "ofac_sdn"),
     ("ofac_consolidated_non_sdn", "ofac_cons"),
     ("ofac_consolidated_non_sdn/cons_prim.csv", "ofac_cons")],
)
def test_load_ofac_set_by_path_hashes_all_its_files(
    shared_data: Path, tmp_path: Path, relative: str, list_id: str
) -> None:
    path = shared_data / relative
    folder = path if path.is_dir() else path.parent
    watchlist = load_watchlist(str(path), settings_for(tmp_path))
    hashes = sorted((name, sha(folder / name)) for name in OFAC_FILE_SETS[list_id])
    combined = hashlib.sha256("".join(f"{h}\n" for _, h in hashes).encode()).hexdigest()
    assert watchlist.list_id == list_id
    assert watchlist.sha256 == combined
    assert watchlist.entries.height == parse_ofac_csv(path, list_id).entries.height
    assert watchlist.entries.get_column("list_id").unique().to_list() == [list_id]


@pytest.mark.parametrize(("source_id", "sample", "list_format"),
                         [("sample_un", SAMPLE_UN, "un_xml"),
                          ("sample_national", SAMPLE_NATIONAL, "custom_csv")])
def test_load_bundled_source_by_name(tmp_path: Path, source_id: str, sample: Path,
                                     list_format: str) -> None:
    watchlist = load_watchlist(source_id, settings_for(tmp_path))
    assert (watchlist.list_id, watchlist.source, watchlist.format) == (source_id, source_id,
                                                                       list_format)
    assert watchlist.sha256 == sha(sample)
    assert watchlist.entries.get_column("list_id").unique().to_list() == [source_id]
    version = watchlist.version()
    assert set(version) == {"list_id", "source", "format", "sha256", "version_date",
                            "retrieved_at", "entries", "names"}
    assert 0 < version["entries"] <= version["names"] == watchlist.entries.height  # type: ignore[operator]


def store_sample_as_un_sc(tmp_path: Path) -> tuple[Settings, Version]:
    """A stored ``un_sc`` version holding the UN-format sample, as a download would leave it."""
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - id: un_sc\n    title: {en: UN, fr: ONU}\n    format: "
                       "un_xml\n    files: [{name: consolidated.xml, url: 'https://un.example/"
                       "c.xml'}]\n", encoding="utf-8")
    settings = settings_for(tmp_path, sources)
    staging = registry.source_dir(settings, "un_sc") / ".download-test"
    staging.mkdir(parents=True)
    shutil.copy(SAMPLE_UN, staging / "consolidated.xml")
    stored = StoredFile(name="consolidated.xml", url="https://un.example/c.xml",
                        sha256=sha(SAMPLE_UN), bytes=SAMPLE_UN.stat().st_size)
    parsed = parse_un_xml(SAMPLE_UN, "un_sc")
    version = Version(folder=staging, source="un_sc", format="un_xml", sha256=stored.sha256,
                      retrieved_at="2026-03-01T06:00:00.000000Z",
                      version_date=parsed.version_date,
                      entries=parsed.entries.get_column("entry_id").n_unique(),
                      names=parsed.entries.height, files=(stored,))
    return settings, registry.commit(staging, version)


def test_load_stored_version_by_source_name(tmp_path: Path) -> None:
    settings, version = store_sample_as_un_sc(tmp_path)
    watchlist = load_watchlist("un_sc", settings)
    assert (watchlist.list_id, watchlist.sha256) == ("un_sc", sha(SAMPLE_UN))
    assert watchlist.retrieved_at == version.retrieved_at
    assert watchlist.version()["names"] == version.names


def test_edited_stored_version_is_refused(tmp_path: Path) -> None:
    settings, version = store_sample_as_un_sc(tmp_path)
    with (version.folder / "consolidated.xml").open("a", encoding="utf-8") as handle:
        handle.write("<!-- edited -->\n")
    with pytest.raises(WatchlistError) as caught:
        load_watchlist("un_sc", settings)
    assert caught.value.key == "watchlists.registry.tampered"


def test_source_without_a_download_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError) as caught:
        load_watchlist("ofac_sdn", settings_for(tmp_path))
    assert caught.value.key == "watchlists.loader.no_version"
    assert "aml-screen watchlists update ofac_sdn" in str(caught.value)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_unknown_spec_lists_the_known_sources(tmp_path: Path, lang: str) -> None:
    with pytest.raises(WatchlistError) as caught:
        load_watchlist("un_sanctions", settings_for(tmp_path))
    message = caught.value.message(lang)
    for source_id in ("un_sc", "ofac_sdn", "ofac_cons", "eu_fsf", "uk_ofsi", "sample_un"):
        assert source_id in message
    assert ("configured sources" in message) == (lang == "en")
    assert ("sources configurées" in message) == (lang == "fr")


def test_unknown_spec_without_a_sources_file(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError) as caught:
        load_watchlist("un_sc", settings_for(tmp_path, tmp_path / "none.yaml"))
    assert caught.value.key == "watchlists.loader.unknown_no_sources"


def test_file_paths_load_without_a_sources_file(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, tmp_path / "none.yaml")
    assert load_watchlist(str(SAMPLE_NATIONAL), settings).list_id == "national_sample"


def test_missing_bundled_file_and_empty_list_are_errors(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - {id: gone, title: {en: G, fr: G}, format: custom_csv, "
                       "path: gone.csv}\n  - {id: blank, title: {en: B, fr: B}, format: "
                       "custom_csv, path: blank.csv}\n", encoding="utf-8")
    (tmp_path / "blank.csv").write_text("entry_id,name\n", encoding="utf-8")
    settings = settings_for(tmp_path, sources)
    for spec, key in (("gone", "watchlists.loader.missing_file"),
                      ("blank", "watchlists.loader.empty")):
        with pytest.raises(WatchlistError) as caught:
            load_watchlist(spec, settings)
        assert caught.value.key == key


def test_load_watchlists_keeps_order_and_refuses_clashing_list_ids(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    loaded = load_watchlists(["sample_national", "sample_un", "sample_national"], settings)
    assert [w.list_id for w in loaded] == ["sample_national", "sample_un"]
    copy = tmp_path / "copy" / SAMPLE_NATIONAL.name
    copy.parent.mkdir()
    shutil.copy(SAMPLE_NATIONAL, copy)
    with pytest.raises(WatchlistError) as caught:
        load_watchlists([str(SAMPLE_NATIONAL), str(copy)], settings)
    assert caught.value.key == "watchlists.loader.duplicate_list_id"
    assert "national_sample" in str(caught.value)
