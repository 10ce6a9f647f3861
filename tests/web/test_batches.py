from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from aml_screen.i18n import translate
from aml_screen.jobs import stored_path
from aml_screen.store.base import utcnow
from aml_screen.store.loading import register_batch
from aml_screen.store.models import Alert, AuditEvent, Batch, QuarantineRow
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
    ("notes.docx", b"PK\x03\x04", 200, "not a batch file"),
    ("empty.csv", b"", 200, "is empty"),
    ("garbage.csv", b"\x00\x01\x02 not, a, batch", 200, "failed"),
])
def test_bad_uploads_are_explained(empty_app: Flask, name: str, data: bytes, status: int,
                                   message: str) -> None:
    """A file refused on receipt is said on the upload page, with the form to try again
    (an empty file gave a bare error page)."""
    response = _upload(empty_app, name, data)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page
    if status == 200 and message != "failed":
        assert 'name="batch"' in page


def test_a_failed_job_says_why_and_is_retried_on_upload(empty_app: Flask) -> None:
    bad = b"transaction_id;amount\n1;2\n"  # no booking date, no currency column
    page = _upload(empty_app, "wrong-columns.csv", bad).get_data(as_text=True)
    assert "failed" in page
    assert 'role="alert"' in page
    alert = page[page.index('role="alert"'):].split("</")[0]
    assert "wrong-columns.csv" in alert  # the sender's file, not the server's copy
    assert "uploads/" not in alert
    again = _upload(empty_app, "wrong-columns.csv", bad).get_data(as_text=True)
    assert "already uploaded" not in again  # retried, not refused as a duplicate
    with database(empty_app).transaction() as session:
        retries = session.scalars(select(AuditEvent).where(AuditEvent.action == "batch.retry"))
        assert len(retries.all()) == 1


def _sample_batch_id(app: Flask) -> int:
    _upload(app, "sample_batch.csv", SAMPLE.read_bytes())
    with database(app).transaction() as session:
        return session.scalars(select(Batch.id).where(
            Batch.sha256 == sample_run().sha256)).one()


def test_the_upload_is_kept_by_its_hash_without_leftovers(empty_app: Flask) -> None:
    batch_id = _sample_batch_id(empty_app)
    uploads = empty_app.extensions["aml_screen"].settings.data_dir / "uploads"
    kept = sorted(p.name for p in uploads.iterdir())
    assert f"{sample_run().sha256}.csv" in kept
    assert not [name for name in kept if name.endswith(".part")]
    assert (uploads / f"{sample_run().sha256}.csv").read_bytes() == SAMPLE.read_bytes()
    with database(empty_app).transaction() as session:
        assert session.get_one(Batch, batch_id).size_bytes == len(SAMPLE.read_bytes())


def test_rescreen_button_runs_a_rescreen_listed_on_the_page(empty_app: Flask) -> None:
    add_user(database(empty_app), "salif", "supervisor")
    batch_id = _sample_batch_id(empty_app)
    analyst = empty_app.test_client()
    login(analyst, "awa")
    assert 'id="rescreen"' not in analyst.get(f"/batches/{batch_id}").get_data(as_text=True)
    assert post(analyst, f"/batches/{batch_id}/rescreen", page="/batches").status_code == 403
    supervisor = empty_app.test_client()
    login(supervisor, "salif")
    page = supervisor.get(f"/batches/{batch_id}").get_data(as_text=True)
    assert 'id="rescreen"' in page
    assert 'id="no-rescreens"' in page
    page = post(supervisor, f"/batches/{batch_id}/rescreen", page="/batches",
                follow_redirects=True).get_data(as_text=True)
    assert "Re-screening queued" in page
    table = page.split('id="rescreen-table"')[1]
    assert "salif" in table
    assert "done" in table
    assert _counts(empty_app)[1] == sample_run().run.alerts.height
    with database(empty_app).transaction() as session:
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_id == str(batch_id), AuditEvent.object_type == "batch")).all()
    assert actions[-2:] == ["batch.rescreen_requested", "batch.rescreened"]


def test_a_batch_stuck_running_can_be_requeued(empty_app: Flask) -> None:
    add_user(database(empty_app), "ibrahim", "supervisor")
    data = SAMPLE.read_bytes() + b"\n"  # same rows, another file
    settings = empty_app.extensions["aml_screen"].settings
    sha256 = hashlib.sha256(data).hexdigest()
    target = stored_path(settings, sha256, "stuck.csv")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    with database(empty_app).transaction() as session:
        batch, _ = register_batch(session, "stuck.csv", sha256, len(data), None)
        batch.status, batch.progress_label = "running", "Screening names"
        batch_id = batch.id
    client = empty_app.test_client()
    login(client, "ibrahim")
    assert 'id="requeue"' not in client.get(f"/batches/{batch_id}").get_data(as_text=True)
    empty_app.config["BATCH_STALE_MINUTES"] = 0  # "stuck" as soon as it runs
    try:
        page = client.get(f"/batches/{batch_id}").get_data(as_text=True)
        assert 'id="requeue"' in page
        page = post(client, f"/batches/{batch_id}/requeue", page="/batches",
                    follow_redirects=True).get_data(as_text=True)
    finally:
        del empty_app.config["BATCH_STALE_MINUTES"]
    assert "Screening queued again" in page
    with database(empty_app).transaction() as session:
        assert session.get_one(Batch, batch_id).status == "done"  # jobs run inline here
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "batch.requeue")).one()
        assert (event.before or {})["status"] == "running"
    again = post(client, f"/batches/{batch_id}/requeue", page="/batches",
                 follow_redirects=True).get_data(as_text=True)
    assert "is not stuck" in again


def test_a_recent_running_batch_is_not_requeued(empty_app: Flask) -> None:
    with database(empty_app).transaction() as session:
        batch, _ = register_batch(session, "busy.csv", "b" * 64, 10, None)
        batch.status = "running"
        batch_id = batch.id
    client = empty_app.test_client()
    login(client, "salif")
    assert 'id="requeue"' not in client.get(f"/batches/{batch_id}").get_data(as_text=True)
    post(client, f"/batches/{batch_id}/requeue", page="/batches")
    with database(empty_app).transaction() as session:
        assert session.get_one(Batch, batch_id).status == "running"


def _kept_batch(app: Flask, data: bytes, name: str, **state: object) -> int:
    """A batch whose file was received, in the state given (as a dead worker left it)."""
    settings = app.extensions["aml_screen"].settings
    sha256 = hashlib.sha256(data).hexdigest()
    target = stored_path(settings, sha256, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    with database(app).transaction() as session:
        batch, _ = register_batch(session, name, sha256, len(data), None)
        for column, value in state.items():
            setattr(batch, column, value)
        return batch.id


def test_a_failed_batch_offers_a_retry_button(empty_app: Flask) -> None:
    add_user(database(empty_app), "mariam", "supervisor")
    batch_id = _kept_batch(empty_app, SAMPLE.read_bytes() + b"\n\n", "abandoned.csv",
                           status="failed", attempts=3, error_key="job.abandoned",
                           error_params={"attempts": "3"})
    analyst = empty_app.test_client()
    login(analyst, "awa")
    assert 'id="retry"' not in analyst.get(f"/batches/{batch_id}").get_data(as_text=True)
    client = empty_app.test_client()
    login(client, "mariam")
    page = client.get(f"/batches/{batch_id}").get_data(as_text=True)
    assert 'id="retry"' in page
    assert "stopped 3 times without finishing it" in page
    page = post(client, f"/batches/{batch_id}/requeue", page="/batches",
                follow_redirects=True).get_data(as_text=True)
    assert "Screening queued again" in page
    assert 'id="retry"' not in page
    with database(empty_app).transaction() as session:
        batch = session.get_one(Batch, batch_id)
        assert (batch.status, batch.attempts, batch.error_key) == ("done", 1, None)
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "batch.requeue", AuditEvent.object_id == str(batch_id))).one()
        assert (event.actor_name, (event.before or {})["status"]) == ("mariam", "failed")


def test_uploading_a_stuck_batch_again_queues_it_again(empty_app: Flask) -> None:
    data = SAMPLE.read_bytes() + b"\n\n\n"
    long_ago = utcnow() - timedelta(hours=1)
    batch_id = _kept_batch(empty_app, data, "stuck-upload.csv", status="running",
                           attempts=1, heartbeat_at=long_ago, claim_token="0" * 32)
    page = _upload(empty_app, "stuck-upload.csv", data).get_data(as_text=True)
    assert "already uploaded" not in page
    with database(empty_app).transaction() as session:
        batch = session.get_one(Batch, batch_id)
        assert (batch.status, batch.attempts) == ("done", 1)
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "batch.retry", AuditEvent.object_id == str(batch_id))).one()
        assert (event.before or {})["status"] == "running"
    live = SAMPLE.read_bytes() + b"\n\n\n\n"
    busy_id = _kept_batch(empty_app, live, "busy-upload.csv", status="running",
                          attempts=1, heartbeat_at=utcnow(), claim_token="1" * 32)
    page = _upload(empty_app, "busy-upload.csv", live).get_data(as_text=True)
    assert "already uploaded" in page  # its worker is alive: left alone
    with database(empty_app).transaction() as session:
        assert session.get_one(Batch, busy_id).status == "running"


def test_a_quarantine_reason_stored_during_a_french_upload_reads_in_english(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Reasons and job stages travel as codes with their values and are told in the
    reader's language (they were stored as sentences in the language of the upload)."""
    with running_app(tmp_path_factory.mktemp("fr-upload"), language="fr") as app:
        add_user(database(app), "awa", "analyst", language="en")
        add_user(database(app), "mariam", "analyst", language="fr")
        _upload(app, "sample_batch.csv", SAMPLE.read_bytes())
        with database(app).transaction() as session:
            batch = session.scalars(select(Batch)).one()
            batch_id, stage = batch.id, batch.progress_label
            stored = session.scalars(select(QuarantineRow.reason).where(
                QuarantineRow.reason_code == "bad_amount")).one()
        assert stored == "le montant « douze mille » est absent ou n'est pas un nombre"
        assert stage == "store.stage.alerts"
        for user, expected, said in (
                ("awa", 'amount "douze mille" is missing or not a number',
                 translate(stage, "en")),
                ("mariam", stored, translate(stage, "fr"))):
            client = app.test_client()
            login(client, user)
            text = client.get(f"/batches/{batch_id}/quarantine.csv").get_data(as_text=True)
            rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
            assert [r["reason"] for r in rows if r["reason_code"] == "bad_amount"] == [expected]
            assert client.get(f"/batches/{batch_id}/progress").get_json()["stage"] == said


BANK_EXPORT = ("op_ref;quand;combien;monnaie;de;vers\n"
               "BK-1;03/03/2025 09:15;150000;XOF;Moussa Traoré;Awa Sangaré\n"
               "BK-2;04/03/2025 11:40;2500000;XOF;Iyad Ag Ghaly;Ets Bétail du Gourma\n")
BANK_MAPPING = ("columns:\n  transaction_id: op_ref\n  booked_at: quand\n  amount: combien\n"
                "  currency: monnaie\n  originator_name: de\n  beneficiary_name: vers\n")


def test_unrecognised_headers_are_offered_a_column_mapping(empty_app: Flask) -> None:
    """The failure names the sender's file and the batch page offers to send it again with
    a mapping, which screens it (the advice to 'give a column mapping' had no field)."""
    page = _upload(empty_app, "releve-banque.csv", BANK_EXPORT.encode()).get_data(as_text=True)
    assert 'id="mapping-form"' in page
    assert "releve-banque.csv" in page
    client = empty_app.test_client()
    login(client, "awa")
    again = post(client, "/batches", {"batch": (io.BytesIO(BANK_EXPORT.encode()), "releve.csv"),
                                      "mapping": (io.BytesIO(BANK_MAPPING.encode()), "m.yaml")},
                 page="/batches", content_type="multipart/form-data", follow_redirects=True)
    assert again.status_code == 200
    with database(empty_app).transaction() as session:
        batch = session.scalars(select(Batch).where(Batch.file_name == "releve-banque.csv")).one()
    assert (batch.status, batch.rows_loaded) == ("done", 2)


def test_a_bad_mapping_is_refused_naming_the_senders_file(empty_app: Flask) -> None:
    client = empty_app.test_client()
    login(client, "awa")
    page = post(client, "/batches", {"batch": (io.BytesIO(BANK_EXPORT.encode()), "b.csv"),
                                     "mapping": (io.BytesIO(b"colonnes: [1"), "ma-banque.yaml")},
                page="/batches", content_type="multipart/form-data",
                follow_redirects=True).get_data(as_text=True)
    assert "ma-banque.yaml" in page
    assert "uploads/" not in page
