"""Lists on pages are written the way the reader's language writes them (CLDR): commas in
English, "et" before the last in French, the Arabic comma and "و" in Arabic."""

from __future__ import annotations

import pytest
from flask import Flask, g

from tests.store.samples import add_user
from tests.web.client import database, login
from web.i18n import format_listing
from web.security import CurrentUser


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Sanctions, Terrorism, Drugs"),
    ("fr", "Sanctions, Terrorism et Drugs"),
    ("ar", "Sanctions، وTerrorism، وDrugs"),
])
def test_a_list_in_each_language(app: Flask, lang: str, expected: str) -> None:
    with app.test_request_context("/"):
        g.user = CurrentUser(1, "reader", "investigator", lang)
        assert format_listing(["Sanctions", "Terrorism", "Drugs"]) == expected
        assert format_listing([]) == ""


def test_the_arabic_queue_lists_an_alerts_typologies_the_arabic_way(app: Flask) -> None:
    add_user(database(app), "amina", "investigator", language="ar")
    client = app.test_client()
    login(client, "amina")
    page = client.get("/alerts").get_data(as_text=True)
    assert "العقوبات وقوائم المراقبة، وتمويل الإرهاب" in page
    assert "العقوبات وقوائم المراقبة, تمويل الإرهاب" not in page
