"""What a page shows a reader of another language than English, checked against the
catalogue: English messages shown where the language has its own, raw message keys and raw
codes (``terrorist_financing``) in the text a person reads. Shared by the page-by-page check
(Flask's test client) and the browser tests (the page as Chromium rendered it)."""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser

from aml_screen.i18n import catalogue
from aml_screen.rules.loader import load_rules
from aml_screen.schema import ENTITY_TYPES
from aml_screen.store.models import (
    ALERT_STATUSES,
    ATTEMPT_ERRORS,
    BATCH_STATUSES,
    CASE_DISPOSITIONS,
    CASE_STATUSES,
    DISPOSITIONS,
    EXEMPTION_STATUSES,
    PACKAGE_STATUSES,
    ROLES,
)
from tests.store.samples import REPO

ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
CODES = sorted({code for code in (
    *(rule.typology for rule in load_rules(REPO / "rules").rules), *ALERT_STATUSES,
    *CASE_STATUSES, *DISPOSITIONS, *CASE_DISPOSITIONS, *EXEMPTION_STATUSES,
    *PACKAGE_STATUSES, *BATCH_STATUSES, *ENTITY_TYPES, *ROLES, *ATTEMPT_ERRORS)
    if "_" in code})
"""Codes the program writes (``terrorist_financing``, ``false_positive``): words in another
language were wanted. Codes that are English words (``closed``) are English texts of the
catalogue, found as such; data (list ids, file names, user names) is not a code."""
RAW_CODE = re.compile(r"(?<![\w.-])(?:" + "|".join(map(re.escape, CODES)) + r")(?![\w.-])")
SKIPPED_TAGS = frozenset({"script", "style", "code", "pre"})
"""Code and data (``<pre>`` technical details, ``<code>``); the charts' words (titles,
axes, legends, tooltips) are read like the rest."""


class _Text(HTMLParser):
    """The text a person reads: text nodes outside code and data and outside elements
    marked ``mono`` (identifiers, digests), plus the readable attributes of controls."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        skipped = (tag in SKIPPED_TAGS or "mono" in (found.get("class") or "").split()
                   or bool(self.stack and self.stack[-1]))
        if tag not in ("input", "br", "img", "meta", "link", "hr"):
            self.stack.append(skipped)
        if not skipped:
            self.texts += [value for name, value in attrs if name in ATTRIBUTES and value]
            if tag == "input" and found.get("type") in ("submit", "button") and found.get(
                    "value"):
                self.texts.append(found["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("input", "br", "img", "meta", "link", "hr") and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]) and data.strip():
            self.texts.append(" ".join(data.split()))


def readable_texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.texts


@cache
def _english_only(lang: str) -> dict[str, str]:
    """English texts without parameters whose translation differs, each to its key."""
    found: dict[str, str] = {}
    translated = {texts.get(lang) for texts in catalogue().values()}
    for key, texts in catalogue().items():
        english = texts.get("en", "")
        if (lang in texts and "{" not in english and english != texts[lang]
                and english not in translated and len(english) > 3):
            found[" ".join(english.split())] = key
    return found


def untranslated(html: str, lang: str) -> list[str]:
    """Each text of ``html`` a reader of ``lang`` should not see, with why."""
    english = _english_only(lang)
    keys = catalogue()
    problems = []
    for text in readable_texts(html):
        if text in english:
            problems.append(f"English {text!r} ({english[text]})")
        elif text in keys:
            problems.append(f"raw key {text!r}")
        elif RAW_CODE.search(text):
            problems.append(f"raw code in {text[:120]!r}")
    return problems
