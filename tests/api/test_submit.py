"""``POST /api/v1/batches``: a batch file sent as the web's upload form sends it — screened
by the same job (inline here), an identical file answered with its batch and not screened
twice, the upload audited as the sender's; refusals as problem documents naming the file
as it was sent, never where the server keeps it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from aml_screen.store.models import AuditEvent, Batch
from tests.api.conftest import make_token
from tests.store.samples import SAMPLE, add_user
from tests.web.client import database, running_app

GOAML = Path(__file__).resolve().parents[1] / "ingest" / "data" / "goaml_str.xml"


def _send(app: Flask, secret: str, name: str, content: bytes,
          headers: dict[str, str] | None = None, **fields: str) -> Any:
    return app.test_client().post(
        "/api/v1/batches", data={"file": (io.BytesIO(content), name), **fields},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {secret}", **(headers or {})})


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert "Traceback" not in str(body)
    return body


def test_a_batch_is_screened_and_followed_at_its_location(app: Flask) -> None:
    secret = make_token(app, "awa", "read", "submit")
    response = _send(app, secret, "goaml_str.xml", GOAML.read_bytes(), label="DS-2026-117")
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert (body["created"], body["queued"]) == (True, True)
    assert response.headers["Location"] == f"/api/v1/batches/{body['id']}"
    followed = app.test_client().get(response.headers["Location"],
                                     headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert (followed["status"], followed["file_name"], followed["label"]) == (
        "done", "goaml_str.xml", "DS-2026-117")
    assert followed["uploaded_by"] == "awa"
    assert (followed["rows_loaded"], followed["rows_quarantined"]) == (2, 1)
    with database(app).transaction() as session:
        actors = session.scalars(select(AuditEvent.actor_name).where(
            AuditEvent.action == "batch.upload",
            AuditEvent.object_id == str(body["id"]))).all()
    assert actors == ["awa"]


def test_the_same_file_again_is_answered_with_its_batch(app: Flask) -> None:
    secret = make_token(app, "salif", "submit")
    with database(app).transaction() as session:
        known = session.scalars(select(Batch.id).where(
            Batch.file_name == SAMPLE.name)).one()
    response = _send(app, secret, "renamed.csv", SAMPLE.read_bytes())
    assert response.status_code == 202
    assert response.get_json() == {"id": known, "status": "done", "created": False,
                                   "queued": False}


def test_a_declared_format_must_be_the_contents(app: Flask) -> None:
    secret = make_token(app, "awa", "submit")
    body = _problem(_send(app, secret, "report.xml", GOAML.read_bytes(),
                          input_format="iso20022"), 422)
    assert body["errors"] == [{"field": "input_format",
                               "message": "report.xml is not iso20022 (its content is goaml)."}]
    body = _problem(_send(app, secret, "report.xml", GOAML.read_bytes(),
                          input_format="excel"), 422)
    assert [error["field"] for error in body["errors"]] == ["input_format"]


def test_empty_and_unknown_files_are_refused_naming_the_senders_file(app: Flask) -> None:
    secret = make_token(app, "awa", "submit")
    empty = _problem(_send(app, secret, "virements_mars.csv", b""), 422)
    assert empty["code"] == "upload.empty"
    assert "virements_mars.csv" in empty["detail"]
    assert "uploads" not in empty["detail"]
    refused = _problem(_send(app, secret, "../../etc/virements.exe", b"MZ\x90",
                             headers={"Accept-Language": "fr"}), 422)
    assert refused["code"] == "upload.bad_type"
    assert refused["title"] == "Données invalides"
    assert "virements.exe" in refused["detail"]
    assert "etc" not in refused["detail"]


def test_a_body_that_is_not_multipart_is_415_and_a_missing_file_422(app: Flask) -> None:
    secret = make_token(app, "awa", "submit")
    client = app.test_client()
    _problem(client.post("/api/v1/batches", json={"file": "x"},
                         headers={"Authorization": f"Bearer {secret}"}), 415)
    missing = _problem(client.post("/api/v1/batches", data={"label": "x"},
                                   content_type="multipart/form-data",
                                   headers={"Authorization": f"Bearer {secret}"}), 422)
    assert [error["field"] for error in missing["errors"]] == ["file"]


def test_the_scope_and_the_role_are_the_uploads(app: Flask) -> None:
    reader = make_token(app, "salif", "read", "triage")
    _problem(_send(app, reader, "a.csv", SAMPLE.read_bytes()), 403)


def test_a_file_past_the_upload_limit_is_413(tmp_path: Path) -> None:
    with running_app(tmp_path, max_upload_mb=0.01) as small:
        add_user(database(small), "awa", "analyst")
        body = _problem(_send(small, make_token(small, "awa", "submit"), "big.csv",
                              b"x" * 20_000, headers={"Accept-Language": "ar"}), 413)
        assert body["title"] == "حجم الطلب كبير جداً"
