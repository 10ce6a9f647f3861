"""Every page a user in another language than English can open reads in that language:
no English message of the catalogue shown where the language has its own, no raw message
key and no raw code (``terrorist_financing``, ``case.note_added``) in the text a person reads.

Each HTML page of the route tables is opened by a user of a role allowed to see it, on the
sample store, and its visible text (text nodes, and the placeholder, title, aria-label and
button labels of form controls) is checked against the catalogue."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask

from aml_screen.i18n import LANGUAGES, catalogue
from aml_screen.rules.loader import load_rules
from aml_screen.schema import ENTITY_TYPES
from aml_screen.store.models import (
    ALERT_STATUSES,
    BATCH_STATUSES,
    CASE_DISPOSITIONS,
    CASE_STATUSES,
    DISPOSITIONS,
    EXEMPTION_STATUSES,
    PACKAGE_STATUSES,
    ROLES,
)
from tests.store.samples import REPO, add_user
from tests.web.client import database, login
from tests.web.routes import all_routes, placeholder_makers
from web.permissions import PERMISSIONS

OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "en"]
ROLES_TRIED = ("supervisor", "auditor", "admin", "investigator", "analyst")
"""The first role allowed to open a page opens it (the supervisor sees the most)."""
NOT_PAGES = re.compile(r"\.(csv|json|xlsx|pdf|zip|xml|svg|png)$|/progress$|^/api/|/download")
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
CODES = sorted({code for code in (
    *(rule.typology for rule in load_rules(REPO / "rules").rules), *ALERT_STATUSES,
    *CASE_STATUSES, *DISPOSITIONS, *CASE_DISPOSITIONS, *EXEMPTION_STATUSES,
    *PACKAGE_STATUSES, *BATCH_STATUSES, *ENTITY_TYPES, *ROLES) if "_" in code})
"""Codes the program writes (``terrorist_financing``, ``false_positive``): words in another
language were wanted. Codes that are English words (``closed``) are English texts of the
catalogue, found as such; data (list ids, file names, user names) is not a code."""
RAW_CODE = re.compile(r"(?<![\w.-])(?:" + "|".join(map(re.escape, CODES)) + r")(?![\w.-])")
SKIPPED_TAGS = frozenset({"script", "style", "code", "pre", "svg"})
"""Code and data (``<pre>`` technical details, ``<code>``) and drawings (checked by their
own tests)."""


class _Text(HTMLParser):
    """The text a person reads: text nodes outside code, data and drawings, elements marked
    ``mono`` (identifiers, digests), plus the readable attributes of controls."""

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


def _pages(ids: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, permission) of every HTML page of the route tables."""
    pages = []
    for method, path, permission, _ in all_routes():
        if method != "GET" or permission is None or NOT_PAGES.search(path):
            continue
        pages.append((path.format(**ids), permission))
    return sorted(set(pages))


@pytest.fixture(scope="module")
def ids(app: Flask) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for make in placeholder_makers():
        found.update(make(app))
    return found


@pytest.fixture(scope="module")
def readers(app: Flask) -> dict[tuple[str, str], str]:
    """A user per (language, role)."""
    names = {}
    for lang in OTHER_LANGUAGES:
        for role in ROLES_TRIED:
            name = f"{lang}_{role}"
            add_user(database(app), name, role, language=lang)
            names[(lang, role)] = name
    return names


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_page_reads_in_the_users_language(app: Flask, ids: dict[str, Any],
                                               readers: dict[tuple[str, str], str],
                                               lang: str) -> None:
    english = _english_only(lang)
    keys = set(catalogue())
    problems: list[str] = []
    opened = 0
    clients: dict[str, Any] = {}
    for path, permission in _pages(ids):
        role = next((r for r in ROLES_TRIED if r in PERMISSIONS[permission]), None)
        if role is None:
            continue
        if role not in clients:
            clients[role] = app.test_client()
            login(clients[role], readers[(lang, role)])
        response = clients[role].get(path)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        opened += 1
        for text in readable_texts(response.get_data(as_text=True)):
            if text in english:
                problems.append(f"{path}: English {text!r} ({english[text]})")
            elif text in keys:
                problems.append(f"{path}: raw key {text!r}")
            elif RAW_CODE.search(text):
                problems.append(f"{path}: raw code in {text[:120]!r}")
    assert opened >= 20
    assert not problems, "\n".join(sorted(set(problems)))
