"""safexml: attack files refused fast and in constant memory, broken files reported with
their line, streaming that really frees what it has yielded."""

from __future__ import annotations

import resource
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from aml_screen.errors import WatchlistError
from aml_screen.i18n import LANGUAGES
from aml_screen.watchlists.safexml import iter_elements, root_attributes

DATA = Path(__file__).parent / "data" / "xml"
SAMPLE = Path(__file__).resolve().parents[2] / "watchlists" / "samples" / "un_sahel_sample.xml"
LOCALE = Path(__file__).resolve().parents[2] / "aml_screen" / "locales" / "watchlists_xml.yaml"
MB = 1024 * 1024


def _quadratic_blowup(tmp_path: Path) -> Path:
    """One 100 KB entity referenced 10,000 times: about 1 GB once expanded."""
    path = tmp_path / "quadratic.xml"
    entity = "A" * 100_000
    body = "&big;" * 10_000
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST [\n<!ENTITY big "{entity}">\n]>\n'
        f'<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>'
        f"<FIRST_NAME>{body}</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>\n",
        encoding="utf-8",
    )
    return path


def _external_dtd(tmp_path: Path) -> Path:
    path = tmp_path / "external_dtd.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "http://attacker.invalid/evil.dtd">\n<x/>\n',
        encoding="utf-8",
    )
    return path


def _read_all(path: Path) -> Any:
    return [element.tag for element in iter_elements(path, {"INDIVIDUAL"})]


ATTACKS: dict[str, Callable[[Path], Path]] = {
    "billion_laughs": lambda _tmp: DATA / "billion_laughs.xml",
    "xxe_etc_passwd": lambda _tmp: DATA / "xxe_passwd.xml",
    "quadratic_blowup": _quadratic_blowup,
    "external_dtd": _external_dtd,
}


@pytest.mark.parametrize("reader", [_read_all, root_attributes], ids=["iter", "root"])
@pytest.mark.parametrize(("attack", "doctype_line"), [
    ("billion_laughs", 2), ("xxe_etc_passwd", 2), ("quadratic_blowup", 2), ("external_dtd", 2),
])
def test_attack_files_are_refused_fast_in_constant_memory(
    tmp_path: Path, attack: str, doctype_line: int, reader: Callable[[Path], Any]
) -> None:
    path = ATTACKS[attack](tmp_path)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(WatchlistError) as caught:
            reader(path)
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before

    assert caught.value.key == "watchlists.xml.unsafe"
    assert caught.value.params == {"path": str(path), "line": doctype_line}
    assert elapsed < 1.0
    assert peak < 50 * MB
    assert rss_growth < 50 * MB


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ("declares a DTD or entities", "refused for safety", "line 2")),
    ("fr", ("déclare une DTD ou des entités", "refusé par sécurité", "ligne 2")),
])
def test_refusal_message_is_bilingual(lang: str, words: tuple[str, ...]) -> None:
    with pytest.raises(WatchlistError) as caught:
        _read_all(DATA / "billion_laughs.xml")
    message = caught.value.message(lang)
    assert str(DATA / "billion_laughs.xml") in message
    for word in words:
        assert word in message


def _truncated(tmp_path: Path) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    cut = text[: text.index("<REFERENCE_NUMBER>QDi.136")]
    path = tmp_path / "truncated.xml"
    path.write_text(cut, encoding="utf-8")
    return path


def _html_without_doctype(tmp_path: Path) -> Path:
    path = tmp_path / "error.xml"
    path.write_text(
        "<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Bad gateway</title>\n</head>\n"
        "<body>502</body>\n</html>\n",
        encoding="utf-8",
    )
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize(("make", "reader", "key", "line"), [
    (_truncated, _read_all, "watchlists.xml.malformed", None),
    (_html_without_doctype, _read_all, "watchlists.xml.malformed", 5),
    (_empty, _read_all, "watchlists.xml.malformed", 1),
    (_empty, root_attributes, "watchlists.xml.malformed", 1),
    (lambda _tmp: DATA / "html_error_page.xml", _read_all, "watchlists.xml.html_page", 1),
    (lambda _tmp: DATA / "html_error_page.xml", root_attributes, "watchlists.xml.html_page", 1),
])
def test_broken_files_name_file_and_line(
    tmp_path: Path, make: Callable[[Path], Path], reader: Callable[[Path], Any], key: str,
    line: int | None,
) -> None:
    path = make(tmp_path)
    with pytest.raises(WatchlistError) as caught:
        reader(path)
    expected_line = line or path.read_text(encoding="utf-8").count("\n") + 1
    assert caught.value.key == key
    assert caught.value.params["path"] == str(path)
    assert caught.value.params["line"] == expected_line
    assert f"line {expected_line}" in str(caught.value)


def test_missing_file_is_a_watchlist_error(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError) as caught:
        _read_all(tmp_path / "absent.xml")
    assert caught.value.key == "watchlists.xml.unreadable"
    assert "absent.xml" in str(caught.value)


def test_root_attributes_reads_the_root_only() -> None:
    attributes = root_attributes(SAMPLE)
    assert attributes["dateGenerated"] == "2026-02-27T00:00:00Z"
    assert set(attributes) == {
        "dateGenerated", "{http://www.w3.org/2001/XMLSchema-instance}noNamespaceSchemaLocation",
    }


@pytest.mark.parametrize(("tags", "expected"), [
    ({"INDIVIDUAL"}, ["INDIVIDUAL"] * 6),
    ({"ENTITY"}, ["ENTITY"] * 5),
    ({"REFERENCE_NUMBER"}, ["REFERENCE_NUMBER"] * 11),
    ({"{http://eu.europa.ec/fpi/fsd/export}INDIVIDUAL"}, []),
])
def test_iter_elements_yields_wanted_tags_in_order(tags: set[str], expected: list[str]) -> None:
    assert [element.tag for element in iter_elements(SAMPLE, tags)] == expected


def test_namespaced_tags_are_matched_in_clark_notation() -> None:
    tag = "{http://eu.europa.ec/fpi/fsd/export}sanctionEntity"
    ids = [element.get("logicalId") for element in iter_elements(DATA / "eu_fsd_sample.xml", {tag})]
    assert len(ids) == len(set(ids)) == (DATA / "eu_fsd_sample.xml").read_text().count(
        "<sanctionEntity ")


def test_nested_wanted_element_is_kept_until_its_ancestor_is_yielded() -> None:
    seen: list[tuple[str, int]] = []
    for element in iter_elements(SAMPLE, {"ENTITY", "ENTITY_ALIAS"}):
        seen.append((element.tag, len(element.findall("ENTITY_ALIAS"))))
    entities = [count for tag, count in seen if tag == "ENTITY"]
    # Ansar Eddine 1, MUJAO 1 (empty), Al Mourabitoun 2, JNIM 1 (empty), ISGS 2
    assert entities == [1, 1, 2, 1, 2]
    assert sum(tag == "ENTITY_ALIAS" for tag, _ in seen) == 7


def test_streaming_keeps_memory_flat(tmp_path: Path) -> None:
    """30,000 entries: the whole tree takes about 20 MB of Python memory, streaming well
    under 1 MB (measured), so the bound fails if yielded elements were kept."""
    path = tmp_path / "big.xml"
    entry = (
        "<INDIVIDUAL><FIRST_NAME>NAME {0}</FIRST_NAME><REFERENCE_NUMBER>QDi.{0}"
        "</REFERENCE_NUMBER><NATIONALITY><VALUE>Mali</VALUE></NATIONALITY></INDIVIDUAL>\n"
    )
    with path.open("w", encoding="utf-8") as out:
        out.write('<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS>\n')
        out.writelines(entry.format(n) for n in range(30_000))
        out.write("</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>\n")
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_elements(path, {"INDIVIDUAL"}))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 30_000
    assert peak < 2 * MB


def test_every_message_has_english_and_french_with_the_same_placeholders() -> None:
    messages = yaml.safe_load(LOCALE.read_text(encoding="utf-8"))
    assert messages
    for key, texts in messages.items():
        assert key.startswith("watchlists.xml.")
        assert set(texts) == set(LANGUAGES)
        placeholders = {
            lang: sorted(part.split("}")[0] for part in texts[lang].split("{")[1:])
            for lang in LANGUAGES
        }
        assert placeholders["en"] == placeholders["fr"], key
