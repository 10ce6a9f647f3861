"""The API reference page (``/api/v1/docs``): rendered on the server from the OpenAPI
document — every operation with its method, path, scope, parameters, body fields and
responses — in the reader's language, from this site only (no script or style from
elsewhere, the content security policy unchanged)."""

from __future__ import annotations

import re

from flask import Flask

from tests.store.samples import add_user
from tests.web.client import database, login
from tests.web.translation_check import untranslated
from web.api.endpoints import OPERATIONS
from web.apidocs.reference import spans
from web.security import CONTENT_SECURITY_POLICY


def _page(app: Flask, username: str) -> str:
    client = app.test_client()
    assert login(client, username).status_code == 302
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    return str(response.get_data(as_text=True))


def test_every_operation_is_described(app: Flask) -> None:
    page = _page(app, "awa")
    assert len(OPERATIONS) == 14
    for op in OPERATIONS:
        section = page.split(f'id="op-{op.name}"', 1)[1].split("</section>", 1)[0]
        assert f"<code>{op.method.upper()} {op.path}</code>" in section
        if op.scope:
            assert f"<code>{op.scope}</code>" in section
        for status in (op.status, *op.problems):
            assert f"<code>{status}</code>" in section
    upload = page.split('id="op-submit"', 1)[1].split("</section>", 1)[0]
    assert "multipart/form-data" in upload
    for field in ("file", "label", "input_format", "mapping"):
        assert f"<code>{field}</code>" in upload
    alerts = page.split('id="op-list_alerts"', 1)[1].split("</section>", 1)[0]
    assert "<code>in_review</code>" in alerts  # a status filter's values
    assert "<code>1..200</code>" in alerts  # limit's bounds
    assert "(<code>Location</code>)" in upload  # the description's code, as code


def test_nothing_comes_from_another_site(app: Flask) -> None:
    page = _page(app, "awa")
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/static/app.js" defer>']


def test_the_page_reads_in_french_and_arabic(app: Flask) -> None:
    for name, lang, heading in (("fatou_fr", "fr", "Référence de l&#39;API"),
                                ("fatou_ar", "ar", "مرجع واجهة برمجة التطبيقات (API)")):
        add_user(database(app), name, "investigator", language=lang)
        page = _page(app, name)
        assert heading in page
        assert untranslated(page, lang) == []
        assert 'lang="en"' in page  # the document's descriptions, marked as English


def test_anonymous_readers_are_sent_to_log_in(app: Flask) -> None:
    response = app.test_client().get("/api/v1/docs")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_descriptions_keep_their_code_spans() -> None:
    assert spans("pass ``next_cursor`` as `after`.") == [
        ("pass ", False), ("next_cursor", True), (" as ", False), ("after", True),
        (".", False)]
    assert spans("") == []
