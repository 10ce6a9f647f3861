from __future__ import annotations

import string

import pytest
from babel import Locale

from aml_screen.i18n import LANGUAGES, catalogue, translate


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


EXTRA_FORMS = ("zero", "two", "few", "many")
"""Plural forms English and French lack (Arabic has them all): a message for one of them
exists only in the languages that use it."""


def _uses(lang: str, form: str) -> bool:
    return form in Locale.parse(lang).plural_form.tags


@pytest.mark.parametrize("key", sorted(catalogue()))
def test_every_message_exists_in_every_language(key: str) -> None:
    texts = catalogue()[key]
    family, _, form = key.rpartition(".")
    if form in EXTRA_FORMS:
        assert texts, key
        assert all(lang in LANGUAGES and _uses(lang, form) for lang in texts), key
        english = catalogue()[f"{family}.other"]["en"]
    else:
        assert set(texts) == set(LANGUAGES), key
        english = texts["en"]
    assert all(text.strip() for text in texts.values()), key
    assert all(_fields(text) == _fields(english) for text in texts.values()), key


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


def test_days_and_instants_in_a_message_are_written_the_languages_way() -> None:
    from datetime import UTC, date, datetime

    from aml_screen.i18n import translate

    start, end = date(2026, 10, 9), date(2026, 10, 1)
    assert "(Oct 1, 2026)" in translate("exports.bad_range", "en", start=start, end=end)
    assert "1 oct. 2026" in translate("exports.bad_range", "fr", start=start, end=end)
    assert "2026-10-01" not in translate("exports.bad_range", "ar", start=start, end=end)
    stamp = datetime(2026, 12, 7, 10, 16, tzinfo=UTC)
    assert "7 déc. 2026 10:16 UTC" in translate("exemptions.bad_expiry", "fr",
                                                   expires_on=stamp, latest=end)
