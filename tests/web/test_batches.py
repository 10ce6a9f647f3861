from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from aml_screen.store.models import Alert, AuditEvent, Batch
from tests.store.samples import SAMPLE, add_user, sample_run
from tests.web.client import database, login, post, running_app


@pytest.fixture(scope="module")
def empty_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """No batch loaded yet; uploads limited to 0.01 MB."""
    with running_app(tmp_path_factory.mktemp("uploads"), max_upload_mb=0.01) as flask_app:
        add_user(database(flask_app), "awa", "analyst")
        yield flask_app


def _upload(app: Flask, name: str, data: bytes) -> TestResponse:
    client = app.test_client()
    login(client, "awa")
    return post(client, "/batches", {"batch": (io.BytesIO(data), name)}, page="/batches",
                content_type="multipart/form-data", follow_redirects=True)


def _counts(app: Flask) -> tuple[int, int]:
    with database(app).transaction() as session:
        return (session.scalar(select(func.count(Batch.id))) or 0,
                session.scalar(select(func.count(Alert.id))) or 0)


def test_upload_screens_the_batch_and_a_second_upload_adds_nothing(empty_app: Flask) -> None:
    run = sample_run().run
    first = _upload(empty_app, "sample_batch.csv", SAMPLE.read_bytes())
    page = first.get_data(as_text=True)
    assert "screened" in page
    assert _counts(empty_app) == (1, run.alerts.height)
    again = _upload(empty_app, "renamed-copy.csv", SAMPLE.read_bytes())
    assert "already uploaded" in again.get_data(as_text=True)
    assert _counts(empty_app) == (1, run.alerts.height)


def test_progress_and_quarantine_download(empty_app: Flask) -> None:
    _upload(empty_app, "sample_batch.csv", SAMPLE.read_bytes())
    client = empty_app.test_client()
    login(client, "awa")
    with database(empty_app).transaction() as session:
        batch_id = session.scalars(select(Batch.id)).one()
    state = client.get(f"/batches/{batch_id}/progress").get_json()
    assert state["status"] == "done"
    response = client.get(f"/batches/{batch_id}/quarantine.csv")
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    expected = sample_run().run.quarantine
    assert [int(r["line_number"]) for r in rows] == expected.get_column("line_number").to_list()
    assert [r["reason_code"] for r in rows] == expected.get_column("reason_code").to_list()
    assert all(r["reason"] for r in rows)


@pytest.mark.parametrize(("name", "data", "status", "message"), [
    ("big.csv", b"x" * 20_000, 413, "larger than the upload limit"),
    ("notes.docx", b"PK\x03\x04", 400, "not a batch file"),
    ("empty.csv", b"", 400, "is empty"),
    ("garbage.csv", b"\x00\x01\x02 not, a, batch", 200, "failed"),
])
def test_bad_uploads_are_explained(empty_app: Flask, name: str, data: bytes, status: int,
                                   message: str) -> None:
    response = _upload(empty_app, name, data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_a_failed_job_says_why_and_is_retried_on_upload(empty_app: Flask) -> None:
    bad = b"transaction_id;amount\n1;2\n"  # no booking date, no currency column
    page = _upload(empty_app, "wrong-columns.csv", bad).get_data(as_text=True)
    assert "failed" in page
    assert 'role="alert"' in page
    again = _upload(empty_app, "wrong-columns.csv", bad).get_data(as_text=True)
    assert "already uploaded" not in again  # retried, not refused as a duplicate
    with database(empty_app).transaction() as session:
        retries = session.scalars(select(AuditEvent).where(AuditEvent.action == "batch.retry"))
        assert len(retries.all()) == 1
