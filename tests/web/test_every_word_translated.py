"""Every page a user in another language than English can open reads in that language:
no English message of the catalogue shown where the language has its own, no raw message
key and no raw code (``terrorist_financing``, ``case.note_added``) in the text a person reads.

Each HTML page of the route tables is opened by a user of a role allowed to see it, on the
sample store, and its visible text (text nodes, and the placeholder, title, aria-label and
button labels of form controls) is checked against the catalogue."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from aml_screen.i18n import LANGUAGES
from tests.store.samples import add_user
from tests.web.client import database, login
from tests.web.routes import all_routes, placeholder_makers
from tests.web.translation_check import untranslated
from web.permissions import PERMISSIONS

OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "en"]
ROLES_TRIED = ("supervisor", "auditor", "admin", "investigator", "analyst")
"""The first role allowed to open a page opens it (the supervisor sees the most)."""
NOT_PAGES = re.compile(
    r"\.(csv|json|xlsx|pdf|zip|xml|svg|png)$|/progress$|^/api/(?!v1/docs$)|/download")
"""Not HTML pages: downloads, the progress feed and the JSON API (its reference page aside)."""


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
        problems += [f"{path}: {problem}"
                     for problem in untranslated(response.get_data(as_text=True), lang)]
    assert opened >= 20
    assert not problems, "\n".join(sorted(set(problems)))


def test_the_check_sees_english_keys_and_codes_but_not_identifiers() -> None:
    page = ('<nav><a href="/alerts">Alerts</a></nav><p>web.status.new</p>'
            '<p>Typologies : terrorist_financing</p><svg><text>Escalated</text></svg>'
            '<td class="mono">false_positive</td><input placeholder="Search">'
            '<code>in_review</code><p>sample_un · ML-GEL-2024-010</p>')
    found = untranslated(page, "fr")
    assert [problem.split(" ", 1)[0] for problem in found] == [
        "English", "raw", "raw", "English", "English"]
    assert "'Alerts'" in found[0]
    assert "terrorist_financing" in found[2]
    assert untranslated(page.replace("Alerts", "Alertes"), "ar")[0].startswith("raw key")
