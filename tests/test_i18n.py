from __future__ import annotations

import string

import pytest

from aml_screen.i18n import LANGUAGES, catalogue, translate


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(catalogue()))
def test_every_message_exists_in_english_and_french(key: str) -> None:
    texts = catalogue()[key]
    assert set(texts) == set(LANGUAGES), key
    assert all(texts[lang].strip() for lang in LANGUAGES), key
    assert _fields(texts["en"]) == _fields(texts["fr"]), key


def test_the_language_named_selects_the_text() -> None:
    assert translate("summary.hits", "en") == "Hits"
    assert translate("summary.hits", "fr") == "Correspondances"
    assert translate("summary.outputs", "fr", path="out") == "Résultats écrits dans out"


def test_a_parameter_that_is_a_message_is_told_in_the_same_language() -> None:
    """Stored errors keep inner words as messages (key and parameters), so each reader gets
    them in their own language."""
    params = {"path": "scan.pdf", "kind": {"key": "ingest.kind.pdf"}}
    english = translate("ingest.binary", "en", **params)
    french = translate("ingest.binary", "fr", **params)
    assert english.endswith(translate("ingest.kind.pdf", "en"))
    assert french.endswith(translate("ingest.kind.pdf", "fr"))
    assert "ingest.kind" not in english + french
