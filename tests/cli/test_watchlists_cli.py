"""``aml-screen watchlists update|list`` through click, against a local HTTP server."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aml_screen.cli import main
from tests.watchlists.test_download import Server, serve, write_sources

REPO = Path(__file__).resolve().parents[2]
SAMPLE_UN = REPO / "watchlists" / "samples" / "un_sahel_sample.xml"
SAMPLE_NATIONAL = REPO / "watchlists" / "samples" / "national_sample.csv"


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A settings file pointing at ``sources.yaml`` and ``var/`` beside it."""
    path = tmp_path / "aml-screen.toml"
    path.write_text('[aml_screen]\nsources_file = "sources.yaml"\ndata_dir = "var"\n',
                    encoding="utf-8")
    return path


def run(config: Path, *args: str) -> Result:
    """The CLI with its own store beside ``config`` (``watchlists update`` records events)."""
    store = {"AML_SCREEN_DATABASE_URL": f"sqlite:///{config.parent}/store.db"}
    return CliRunner().invoke(main, ["--config", str(config), *args], env=store)


def test_update_then_unchanged_then_list(config: Path, server: Server) -> None:
    server.file("/un/consolidated.xml", SAMPLE_UN)
    write_sources(config.parent / "sources.yaml", server,
                  {"un_sc": ("un_xml", ["/un/consolidated.xml"])})
    prefix = hashlib.sha256(SAMPLE_UN.read_bytes()).hexdigest()[:12]

    first = run(config, "watchlists", "update")
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("un_sc: new version stored")
    assert prefix in first.stdout
    assert "2026-02-27" in first.stdout
    versions = list((config.parent / "var" / "watchlists" / "un_sc").iterdir())
    assert [v.name.endswith(prefix) for v in versions] == [True]

    again = run(config, "watchlists", "update", "un_sc")
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("un_sc: unchanged since")
    assert len(list(versions[0].parent.iterdir())) == 1

    listing = run(config, "watchlists", "list")
    assert listing.exit_code == 0, listing.output
    lines = listing.stdout.splitlines()
    assert lines[0] == "un_sc  [un_xml]  Test list"
    assert prefix in lines[1]
    assert lines[1].endswith("(current)")

    french = run(config, "--lang", "fr", "watchlists", "list")
    assert french.stdout.splitlines()[0] == "un_sc  [un_xml]  Liste de test"
    assert "entrées" in french.stdout
    assert french.stdout.rstrip().endswith("(en vigueur)")


def test_one_failing_source_does_not_stop_the_others(config: Path, server: Server) -> None:
    server.file("/un/consolidated.xml", SAMPLE_UN)
    write_sources(config.parent / "sources.yaml", server,
                  {"gone": ("un_xml", ["/missing/list.xml"]),
                   "un_sc": ("un_xml", ["/un/consolidated.xml"])})
    result = run(config, "watchlists", "update")
    assert result.exit_code == 2
    assert "un_sc: new version stored" in result.stdout
    assert "gone: download of" in result.stderr
    assert "HTTP 404" in result.stderr
    assert "1 of 2 list sources could not be updated" in result.stderr
    assert not list((config.parent / "var" / "watchlists" / "gone").iterdir())


def test_refused_download_is_reported_in_french(config: Path, server: Server) -> None:
    server.body("/un/consolidated.xml", b"<!DOCTYPE html><html><body>Erreur</body></html>")
    write_sources(config.parent / "sources.yaml", server,
                  {"un_sc": ("un_xml", ["/un/consolidated.xml"])})
    result = run(config, "--lang", "fr", "watchlists", "update", "un_sc")
    assert result.exit_code == 2
    assert "nouvelle version de un_sc refusée" in result.stderr
    assert "page HTML" in result.stderr
    assert "erreur" in result.stderr


@pytest.mark.parametrize(
    ("lang", "args", "expected"),
    [("en", ["nope"], "unknown list source nope; configured sources: un_sc, local"),
     ("fr", ["nope"], "source de liste inconnue nope ; sources configurées : un_sc, local"),
     ("en", ["local"], "source local is a bundled file"),
     ("fr", ["un_sc", "local"], "la source local est un fichier fourni")],
)
def test_update_refuses_unknown_and_bundled_sources_before_downloading(
    config: Path, server: Server, lang: str, args: list[str], expected: str
) -> None:
    server.file("/un/consolidated.xml", SAMPLE_UN)
    sources = write_sources(config.parent / "sources.yaml", server,
                            {"un_sc": ("un_xml", ["/un/consolidated.xml"])})
    with sources.open("a", encoding="utf-8") as handle:
        handle.write(f"  - {{id: local, title: {{en: L, fr: L}}, format: custom_csv, "
                     f"path: '{SAMPLE_NATIONAL}'}}\n")
    result = run(config, "--lang", lang, "watchlists", "update", *args)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert server.hits == {}


@pytest.mark.parametrize(("lang", "marker"), [("en", "(MISSING)"), ("fr", "(ABSENT)")])
def test_list_shows_bundled_files_and_missing_ones(config: Path, lang: str,
                                                   marker: str) -> None:
    (config.parent / "sources.yaml").write_text(
        "sources:\n"
        f"  - {{id: demo, title: {{en: Demo, fr: Démo}}, format: un_xml, path: '{SAMPLE_UN}'}}\n"
        "  - {id: lost, title: {en: Lost, fr: Perdue}, format: custom_csv, path: lost.csv}\n",
        encoding="utf-8")
    result = run(config, "--lang", lang, "watchlists", "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].strip().endswith(str(SAMPLE_UN))
    assert lines[3].strip().endswith(f"{config.parent / 'lost.csv'} {marker}")


def test_update_with_nothing_downloadable(config: Path) -> None:
    (config.parent / "sources.yaml").write_text(
        f"sources:\n  - {{id: demo, title: {{en: Demo, fr: Démo}}, format: un_xml, "
        f"path: '{SAMPLE_UN}'}}\n", encoding="utf-8")
    result = run(config, "watchlists", "update")
    assert result.exit_code == 0
    assert result.stdout.startswith("no downloadable list source in")


def test_invalid_sources_file_is_one_clear_line(config: Path) -> None:
    (config.parent / "sources.yaml").write_text("sources:\n  - id: x\n", encoding="utf-8")
    result = run(config, "--lang", "fr", "watchlists", "list")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "titre" in result.stderr
    assert "Traceback" not in result.output


SHARED_OFAC = REPO.parent / "shared" / "data" / "ofac_sdn"


def _ent_nums(path: Path) -> set[str]:
    """The entry numbers of an OFAC ``sdn.csv`` (its first field), read on their own; the
    2022 file has a DOS end-of-file mark (Ctrl-Z) before its last part."""
    lines = path.read_text(encoding="latin-1").splitlines()
    return {line.lstrip("\x1a").split(",", 1)[0] for line in lines
            if line.lstrip("\x1a")[:1].isdigit()}


@pytest.mark.shared
@pytest.mark.skipif(not SHARED_OFAC.is_dir(), reason="../shared/data is absent")
def test_diff_of_the_2021_and_2022_sdn_files_names_the_entries_added_and_removed(
        config: Path) -> None:
    old, new = SHARED_OFAC / "bench_2021", SHARED_OFAC / "sdn_2022" / "sdn.csv"
    result = run(config, "watchlists", "diff", str(old), str(new), "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    before, after = _ent_nums(old / "sdn.csv"), _ent_nums(new)
    assert {item["entry_id"] for item in found["added"]} == after - before
    assert {item["entry_id"] for item in found["removed"]} == before - after
    assert len(after - before) > 1000
    assert all(item["names"] for item in found["added"])
    text = run(config, "--lang", "fr", "watchlists", "diff", str(old), str(new))
    assert f"{len(after - before):,}".replace(",", "\u202f") + " entrées ajoutées" in (
        text.stdout.splitlines()[0])


def test_diff_of_a_sources_two_stored_versions(config: Path, server: Server,
                                                tmp_path: Path) -> None:
    server.file("/national.csv", SAMPLE_NATIONAL)
    write_sources(config.parent / "sources.yaml", server,
                  {"national": ("custom_csv", ["/national.csv"])})
    assert run(config, "watchlists", "update").exit_code == 0
    lines = SAMPLE_NATIONAL.read_text(encoding="utf-8").splitlines()
    dropped = lines[1].split(",", 1)[0]
    edited = tmp_path / "national.csv"
    edited.write_text("\n".join([lines[0], *(line for line in lines[2:]
                                             if not line.startswith(dropped + ","))]) + "\n"
                      + "ML-NEW-01,Oumar Ould Hamaha,person,,,,,,,\n", encoding="utf-8")
    server.file("/national.csv", edited)
    assert run(config, "watchlists", "update").exit_code == 0
    latest = run(config, "watchlists", "diff", "national", "--json")
    assert latest.exit_code == 0, latest.output
    found = json.loads(latest.stdout)
    assert [item["entry_id"] for item in found["added"]] == ["ML-NEW-01"]
    assert [item["entry_id"] for item in found["removed"]] == [dropped]
    first = hashlib.sha256(SAMPLE_NATIONAL.read_bytes()).hexdigest()[:10]
    second = hashlib.sha256(edited.read_bytes()).hexdigest()[:10]
    named = run(config, "watchlists", "diff", f"national@{second}", f"national@{first}")
    assert named.exit_code == 0, named.output
    assert f"+ {dropped}" in named.stdout
    assert "- ML-NEW-01  Oumar Ould Hamaha" in named.stdout
    missing = run(config, "watchlists", "diff", "national@ffff0000", "national")
    assert missing.exit_code == 2
    assert "no stored version ffff0000" in missing.output
