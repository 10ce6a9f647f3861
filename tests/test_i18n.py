from __future__ import annotations

import string

import pytest

from aml_screen.i18n import LANGUAGES, catalogue, set_language, t


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(catalogue()))
def test_every_message_exists_in_english_and_french(key: str) -> None:
    texts = catalogue()[key]
    assert set(texts) == set(LANGUAGES), key
    assert all(texts[lang].strip() for lang in LANGUAGES), key
    assert _fields(texts["en"]) == _fields(texts["fr"]), key


def test_current_language_selects_the_text() -> None:
    assert t("summary.hits") == "Hits"
    set_language("fr")
    assert t("summary.hits") == "Correspondances"
    assert t("summary.outputs", path="out") == "Résultats écrits dans out"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        set_language("de")
