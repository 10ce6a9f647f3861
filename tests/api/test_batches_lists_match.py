"""Batches (summary, quarantine page by page), list versions and single-name match."""

from __future__ import annotations

import pytest
from flask import Flask

from aml_screen.store.models import QuarantineRow
from tests.api.conftest import Api, make_token
from tests.web.client import database
from web.api.list_index import DefaultListIndex
from web.api.views import LIST_INDEX, warm_list_index
from web.services import EXTENSION


def test_a_batch_summary_tells_status_progress_and_counts(supervisor: Api) -> None:
    body = supervisor.get("/api/v1/batches/1").get_json()
    assert (body["status"], body["file_name"], body["uploaded_by"]) == (
        "done", "sample_batch.csv", "awa")
    assert body["rows_read"] == body["rows_loaded"] + body["rows_quarantined"]
    assert body["summary"]["alerts"] > 0
    assert body["list_versions"]
    assert set(body["progress"]) == {"stage", "done", "total"}
    assert supervisor.get("/api/v1/batches/77").status_code == 404


def test_the_quarantine_pages_through_every_row_in_french_too(app: Flask,
                                                              supervisor: Api) -> None:
    with database(app).transaction() as session:
        stored = session.query(QuarantineRow).filter(QuarantineRow.batch_id == 1).count()
    assert stored > 2
    ids: list[int] = []
    after = ""
    while True:
        body = supervisor.get(f"/api/v1/batches/1/quarantine?limit=2{after}").get_json()
        ids += [row["id"] for row in body["items"]]
        if body["next_after"] is None:
            break
        after = f"&after={body['next_after']}"
    assert len(ids) == len(set(ids)) == stored
    french = supervisor.client.get("/api/v1/batches/1/quarantine", headers={
        "Authorization": f"Bearer {supervisor.secret}", "Accept-Language": "fr"}).get_json()
    english = supervisor.get("/api/v1/batches/1/quarantine").get_json()
    assert french["items"][0]["reason"] != english["items"][0]["reason"]


def test_lists_show_the_configured_sources_and_the_latest_batchs(supervisor: Api) -> None:
    body = supervisor.get("/api/v1/lists").get_json()
    screened = {source["id"] for source in body["sources"] if source["screened"]}
    assert screened == {"sample_un", "sample_national"}
    assert {v["list_id"] for v in body["latest_batch"]["list_versions"]} == screened


def test_match_gives_candidates_adjusted_by_the_details(app: Flask) -> None:
    api = Api(app.test_client(), make_token(app, "fatou", "read"))
    plain = api.post("/api/v1/match", {"name": "Iyad Ag Ghaly"}).get_json()["candidates"]
    assert plain[0]["matched_name"].upper().startswith("IYAD")
    assert plain[0]["score"] > 90
    assert "tokens" in plain[0]["explanation"]
    older = api.post("/api/v1/match", {"name": "Iyad Ag Ghaly", "birth_date": "1990",
                                       "limit": 1}).get_json()["candidates"]
    assert len(older) == 1
    assert older[0]["score"] < plain[0]["score"]
    assert older[0]["explanation"]["adjustments"]["birth_year"] < 0
    refused = api.post("/api/v1/match", {"name": "", "birth_date": "04/1954", "limit": 500})
    assert refused.status_code == 422
    assert {e["field"] for e in refused.get_json()["errors"]} == {"name", "birth_date",
                                                                   "limit"}


def test_a_served_process_builds_the_lists_index_before_the_first_look_up(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.extensions, LIST_INDEX, DefaultListIndex())  # as a fresh process
    assert not app.extensions[LIST_INDEX].ready
    warm_list_index(app).join(timeout=120)
    assert app.extensions[LIST_INDEX].ready
    built = app.extensions[LIST_INDEX].get(app.extensions[EXTENSION].settings)
    assert built.names.height > 0
    api = Api(app.test_client(), make_token(app, "fatou", "read"))
    found = api.post("/api/v1/match", {"name": "Iyad Ag Ghaly"}).get_json()["candidates"]
    assert found[0]["matched_name"].upper().startswith("IYAD")
    assert app.extensions[LIST_INDEX].get(app.extensions[EXTENSION].settings) is built
