"""What the pages show of a delta re-screen: the run on the lists page, the re-screen it
made on the batch page, and a retired hit on its alert page ("entry removed from the list
on …") in each language."""

from __future__ import annotations

from html import unescape

import pytest
from flask import Flask
from sqlalchemy import select

from aml_screen.jobs.list_delta import run_list_delta
from aml_screen.store.list_delta import request_delta
from aml_screen.store.models import Alert, Hit
from tests.jobs.lists import list_settings
from tests.store.list_versions import REMOVED_ENTRY, store_both
from tests.store.samples import add_user
from tests.web.client import database, login

RETIRED = {"en": "Entry removed from the list on 2026-12-07",
           "fr": "Entrée retirée de la liste le 2026-12-07",
           "ar": "حُذف القيد من القائمة في 2026-12-07"}


@pytest.fixture(scope="module")
def delta_id(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> int:
    settings = list_settings(tmp_path_factory.mktemp("lists"), updated=False)
    old, new = store_both(settings)
    with database(app).transaction() as session:
        found = request_delta(session, old, new, None).id
    run_list_delta(settings, database(app), found)
    return found


def _page(app: Flask, username: str, path: str) -> str:
    client = app.test_client()
    login(client, username)
    response = client.get(path)
    assert response.status_code == 200, path
    return unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("lang", sorted(RETIRED))
def test_a_retired_hit_says_when_its_entry_left_the_list(app: Flask, delta_id: int,
                                                         lang: str) -> None:
    with database(app).transaction() as session:
        alert_id = session.scalars(select(Hit.alert_id).where(
            Hit.entry_id == REMOVED_ENTRY)).first()
        kept = session.scalars(select(Alert.id).where(Alert.id != alert_id)).first()
    add_user(database(app), f"reader_{lang}", "supervisor", language=lang)
    assert RETIRED[lang] in _page(app, f"reader_{lang}", f"/alerts/{alert_id}")
    assert RETIRED[lang] not in _page(app, f"reader_{lang}", f"/alerts/{kept}")


def test_the_lists_and_batch_pages_show_the_run(app: Flask, delta_id: int) -> None:
    page = _page(app, "aminata", "/admin/lists")
    assert 'id="delta-table"' in page
    assert "1 / 0 / 1" in page  # entries added / changed / removed
    with database(app).transaction() as session:
        batch_id = session.scalars(select(Alert.batch_id)).first()
    assert f"delta re-screen #{delta_id} of sample_national" in _page(
        app, "salif", f"/batches/{batch_id}")
