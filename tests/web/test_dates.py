"""Day fields written the unit's way (31/12/2026) whatever the browser's locale: read from
day/month/year or ISO, Arabic-Indic digits included; refused with a message quoting the
value when they are no day (they used to be dropped silently, showing an unfiltered list)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from flask import Flask

from aml_screen.errors import InputError
from tests.web.client import login, post
from web.dates import parse_day, typed_day


@pytest.mark.parametrize(("text", "expected"), [
    ("31/12/2026", date(2026, 12, 31)),
    (" 1/3/2025 ", date(2025, 3, 1)),
    ("01.03.2025", date(2025, 3, 1)),
    ("01-03-2025", date(2025, 3, 1)),
    ("2025-03-01", date(2025, 3, 1)),
    ("٣١/١٢/٢٠٢٦", date(2026, 12, 31)),
    ("۰۱/۰۳/۲۰۲۵", date(2025, 3, 1)),
    ("", None),
    (None, None),
])
def test_a_typed_day_is_read(text: str | None, expected: date | None) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize("text", ["12/31/2026", "31/02/2026", "2026/12/31", "31/12/26",
                                  "demain", "2025-13-01", "1/1/2025 10:00"])
def test_what_is_no_day_is_refused_quoting_it(text: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_day(text)
    assert refused.value.key == "web.bad_day"
    assert refused.value.params["value"] == text


def test_a_day_is_shown_day_first_and_a_bad_one_as_typed() -> None:
    assert typed_day(date(2026, 3, 1)) == "01/03/2026"
    assert typed_day("2026-03-01") == "01/03/2026"
    assert typed_day("n'importe") == "n'importe"
    assert typed_day(None) == ""


def _ids(html: str) -> list[str]:
    return re.findall(r'href="/alerts/(\d+)"', html)


def test_the_queue_reads_a_day_typed_day_first_and_shows_it_so(app: Flask) -> None:
    client = app.test_client()
    login(client, "aminata")
    typed = client.get("/alerts?status=all&from=01/01/2020&to=31/12/2099")
    iso = client.get("/alerts?status=all&from=2020-01-01&to=2099-12-31")
    assert typed.status_code == 200
    assert _ids(typed.get_data(as_text=True)) == _ids(iso.get_data(as_text=True))
    assert _ids(typed.get_data(as_text=True))
    later = client.get("/alerts?status=all&from=01/01/2099")
    assert _ids(later.get_data(as_text=True)) == []
    html = iso.get_data(as_text=True)
    assert re.search(r'<input type="text" name="from" value="01/01/2020"[^>]*'
                     r'placeholder="dd/mm/yyyy"', html)
    assert 'type="date"' not in html


def test_a_day_that_is_no_day_is_refused_in_the_users_language(app: Flask) -> None:
    client = app.test_client()
    login(client, "aminata")
    post(client, "/language", {"lang": "fr"})
    try:
        refused = client.get("/alerts?from=31/02/2026")
        form = client.get("/alerts").get_data(as_text=True)
    finally:
        post(client, "/language", {"lang": "en"})
    assert refused.status_code == 400
    assert "« 31/02/2026 » n'est pas une date" in unescape(refused.get_data(as_text=True))
    assert 'placeholder="jj/mm/aaaa"' in form
