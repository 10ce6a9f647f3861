"""The shipped sources.yaml, validation of hand-edited copies, and the bilingual messages."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from aml_screen.errors import ConfigError
from aml_screen.i18n import LANGUAGES, translate
from aml_screen.watchlists.formats import FORMAT_NAMES, OFAC_FILE_SETS
from aml_screen.watchlists.sources import load_sources

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "watchlists" / "sources.yaml"
LOCALE = REPO / "aml_screen" / "locales" / "watchlists_registry.yaml"

GOOD = """\
sources:
  - id: un_sc
    title: {en: UN list, fr: Liste ONU}
    format: un_xml
    files:
      - {name: consolidated.xml, url: "https://example.org/consolidated.xml"}
  - id: national
    title: {en: National list, fr: Liste nationale}
    format: custom_csv
    path: lists/national.csv
"""


def test_shipped_sources_cover_the_official_lists_and_samples() -> None:
    sources = load_sources(SHIPPED)
    assert {"un_sc", "ofac_sdn", "ofac_cons", "eu_fsf", "uk_ofsi", "sample_un",
            "sample_national"} <= set(sources)
    assert {s.format for s in sources.values()} <= set(FORMAT_NAMES)
    for list_id in ("ofac_sdn", "ofac_cons"):
        assert tuple(f.name for f in sources[list_id].files) == OFAC_FILE_SETS[list_id]
        assert all(f.url.endswith("/" + f.name.upper()) for f in sources[list_id].files)
    assert sources["un_sc"].files[0].url == (
        "https://scsanctions.un.org/resources/xml/en/consolidated.xml")
    downloadable = [s for s in sources.values() if s.downloadable]
    assert all(f.url.startswith("https://") for s in downloadable for f in s.files)
    assert sources["sample_un"].path == REPO / "watchlists/samples/un_sahel_sample.xml"
    assert sources["sample_national"].path == REPO / "watchlists/samples/national_sample.csv"
    assert all(s.path is not None and s.path.is_file()
               for s in sources.values() if not s.downloadable)
    assert all(s.title("en") != s.title("fr") for s in sources.values())


def test_shipped_file_documents_overrides_and_a_national_example() -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    assert "sources_file" in text
    commented = "\n".join(line.lstrip("# ") for line in text.splitlines()
                          if line.lstrip().startswith("#"))
    assert "id: national" in commented
    assert "url:" in commented
    assert "path:" in commented


def test_valid_file_is_read_in_order_with_paths_resolved(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "sources.yaml"
    path.parent.mkdir()
    path.write_text(GOOD, encoding="utf-8")
    sources = load_sources(path)
    assert list(sources) == ["un_sc", "national"]
    assert sources["un_sc"].downloadable
    assert not sources["national"].downloadable
    assert sources["national"].path == tmp_path / "conf" / "lists" / "national.csv"
    assert sources["national"].title("fr") == "Liste nationale"


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(GOOD, encoding="utf-8")
    first = load_sources(path)
    first.pop("un_sc")  # a caller's copy: the next reader still gets every source
    assert list(load_sources(path)) == ["un_sc", "national"]
    path.write_text(GOOD.replace("Liste nationale", "Liste nationale du Mali"),
                    encoding="utf-8")
    assert load_sources(path)["national"].title("fr") == "Liste nationale du Mali"


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("sources:", "lists:", "watchlists.sources.no_list"),
        ("  - id: national", "  - id: National-List", "watchlists.sources.bad_id"),
        ("  - id: national", "  - id: un_sc", "watchlists.sources.duplicate_id"),
        ("{en: UN list, fr: Liste ONU}", "{en: UN list}", "watchlists.sources.bad_title"),
        ("{en: UN list, fr: Liste ONU}", "UN list", "watchlists.sources.bad_title"),
        ("format: un_xml", "format: un_json", "watchlists.sources.bad_format"),
        ("    path: lists/national.csv", "    path: ''", "watchlists.sources.bad_path"),
        ("    path: lists/national.csv", "    pth: lists/national.csv",
         "watchlists.sources.unknown_keys"),
        ("    path: lists/national.csv", "", "watchlists.sources.files_or_path"),
        ('    files:\n      - {name: consolidated.xml, url: "https://example.org/consolidated.xml"}',
         "    files: []", "watchlists.sources.no_files"),
        ("{name: consolidated.xml, url:", "{name: consolidated.xml, href:",
         "watchlists.sources.bad_file_entry"),
        ("name: consolidated.xml", "name: ../consolidated.xml",
         "watchlists.sources.bad_file_name"),
        ("name: consolidated.xml", "name: manifest.json", "watchlists.sources.bad_file_name"),
        ('"https://example.org/consolidated.xml"', "file:///etc/passwd",
         "watchlists.sources.bad_url"),
        ('"https://example.org/consolidated.xml"', "ftp://example.org/x.xml",
         "watchlists.sources.bad_url"),
        ("sources:\n", "sources:\n  - just a string\n", "watchlists.sources.not_mapping"),
        ("format: un_xml", "format: [un_xml", "watchlists.sources.bad_yaml"),
    ],
)
def test_invalid_sources_are_refused_with_a_named_reason(
    tmp_path: Path, old: str, new: str, key: str
) -> None:
    assert old in GOOD
    path = tmp_path / "sources.yaml"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    assert caught.value.key == key
    params = caught.value.params
    english, french = translate(key, "en", **params), translate(key, "fr", **params)
    assert str(path) in english
    assert str(path) in french
    assert english != french


def test_missing_sources_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_sources(tmp_path / "nope.yaml")
    assert caught.value.key == "watchlists.sources.missing"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_is_in_every_language_with_the_same_fields() -> None:
    messages = yaml.safe_load(LOCALE.read_text(encoding="utf-8"))
    assert len(messages) > 40
    for key, texts in messages.items():
        assert set(texts) == set(LANGUAGES), key
        assert texts["en"] != texts["fr"], key
        assert all(_fields(text) == _fields(texts["en"]) for text in texts.values()), key


def test_message_keys_used_in_the_code_are_exactly_those_defined() -> None:
    messages = yaml.safe_load(LOCALE.read_text(encoding="utf-8"))
    modules = [REPO / "aml_screen" / "watchlists" / f"{name}.py"
               for name in ("sources", "registry", "download", "loader", "formats")]
    modules.append(REPO / "aml_screen" / "cli" / "watchlists.py")
    code = "\n".join(p.read_text(encoding="utf-8") for p in modules)
    used = set(re.findall(r'["\']((?:watchlists\.(?:sources|registry|download|loader)'
                          r'|cli\.watchlists)\.[a-z_]+)["\']', code))
    assert used == set(messages)
