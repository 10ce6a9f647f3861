"""Batches: upload (streamed to disk), list, the screening job's progress, quarantined rows
as CSV, re-screening against the current lists, and the retry of a failed screening or of one
whose worker died (the state changes themselves are store operations: ``store/batches.py``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from aml_screen.errors import InputError
from aml_screen.ingest.formats import ACCEPTED_SUFFIXES
from aml_screen.jobs import submit_batch
from aml_screen.outputs import neutralise_formulas
from aml_screen.store.batches import (
    batch_with_uploader,
    can_requeue,
    download_quarantine,
    recent_batches,
    requeue_batch,
)
from aml_screen.store.models import Batch, Rescreen, User
from aml_screen.store.rescreen import batch_rescreens, pending_rescreen, request_rescreen
from web.i18n import current_language, gettext
from web.security import require, signed_in
from web.services import services

bp = Blueprint("batches", __name__, url_prefix="/batches")
NAV = [(20, "batches.index", "web.nav.batches", "batches.view")]


@bp.get("")
@require("batches.view")
def index() -> str:
    with services().database.transaction() as db:
        rows = recent_batches(db)
    return render_template("batches/list.html", rows=rows, accept=",".join(ACCEPTED_SUFFIXES),
                           max_mb=services().settings.max_upload_mb)


@bp.post("")
@require("batches.upload")
def upload() -> Response:
    user = signed_in()
    upload = request.files.get("batch")
    if upload is None or not upload.filename:
        flash(gettext("web.upload.missing"), "error")
        return redirect(url_for("batches.index"))
    found = services()
    mapping = request.files.get("mapping")
    try:
        submission = submit_batch(found.jobs, found.database, upload.filename, upload.stream,
                                  user.id, mapping=mapping.read() if mapping else None,
                                  mapping_name=mapping.filename or "" if mapping else "")
    except InputError as exc:  # an empty file, a bad mapping, a format no reader knows
        flash(gettext(exc.key, **exc.params), "error")
        return redirect(url_for("batches.index"))
    if not submission.queued:
        flash(gettext("web.upload.duplicate"), "info")
    return redirect(url_for("batches.detail", batch_id=submission.batch_id))


def _batch(batch_id: int) -> tuple[Batch, str | None]:
    with services().database.transaction() as db:
        row = batch_with_uploader(db, batch_id)
    if row is None:
        abort(404)
    return row


def _pending_rescreen(batch_id: int) -> Rescreen | None:
    with services().database.transaction() as db:
        return pending_rescreen(db, batch_id)


def progress_state(batch: Batch) -> dict[str, Any]:
    """The job shown on the batch page: the screening, or a re-screen under way."""
    error = gettext(batch.error_key, **(batch.error_params or {})) if batch.error_key else None
    pending = _pending_rescreen(batch.id) if batch.status == "done" else None
    status = pending.status if pending else batch.status
    label = (gettext(f"rescreen.status.{status}") if pending
             else gettext(f"web.batch.status.{status}"))
    return {"status": status, "status_label": label, "rescreen": pending is not None,
            "stage": (gettext(batch.progress_label, **(batch.progress_params or {}))
                      if batch.progress_label else None), "done": batch.progress_done,
            "total": batch.progress_total, "error": error}


def stale_after() -> timedelta:
    """How long a job may show no sign of life before the page offers to queue it again:
    ``job_stale_seconds``, unless the app's ``BATCH_STALE_MINUTES`` says otherwise."""
    minutes = current_app.config.get("BATCH_STALE_MINUTES")
    if minutes is not None:
        return timedelta(minutes=float(minutes))
    return timedelta(seconds=services().settings.job_stale_seconds)


def stale(batch: Batch) -> bool:
    """Queued or running without a heartbeat for ``stale_after()`` (its worker most likely
    died and the reaper has not queued it again yet)."""
    return batch.status != "failed" and can_requeue(batch, stale_after())


@bp.get("/<id:batch_id>")
@require("batches.view")
def detail(batch_id: int) -> str:
    batch, uploader = _batch(batch_id)
    with services().database.transaction() as db:
        rescreens = batch_rescreens(db, batch_id)
        db.expunge_all()
    return render_template("batches/detail.html", batch=batch, uploader=uploader,
                           state=progress_state(batch), rescreens=rescreens,
                           stale=stale(batch), max_attempts=services().settings.job_max_attempts)


@bp.post("/<id:batch_id>/rescreen")
@require("rescreen.request")
def rescreen(batch_id: int) -> Response:
    found = services()
    with found.database.transaction() as db:
        rescreen_id = request_rescreen(db, batch_id, db.get_one(User, signed_in().id)).id
    found.jobs.enqueue_rescreen(rescreen_id)
    flash(gettext("rescreen.requested"), "info")
    return redirect(url_for("batches.detail", batch_id=batch_id))


@bp.post("/<id:batch_id>/requeue")
@require("rescreen.request")
def requeue(batch_id: int) -> Response:
    """The retry button: a failed batch, or one stuck with a dead worker, queued again."""
    found = services()
    with found.database.transaction() as db:
        queued = requeue_batch(db, batch_id, db.get_one(User, signed_in().id), stale_after())
    if not queued:
        flash(gettext("rescreen.not_stale"), "error")
        return redirect(url_for("batches.detail", batch_id=batch_id))
    found.jobs.enqueue_screening(batch_id)
    flash(gettext("rescreen.requeued"), "info")
    return redirect(url_for("batches.detail", batch_id=batch_id))


@bp.get("/<id:batch_id>/progress")
@require("batches.view")
def progress(batch_id: int) -> Response:
    batch, _ = _batch(batch_id)
    return jsonify(progress_state(batch))


@bp.get("/<id:batch_id>/quarantine.csv")
@require("batches.view")
def quarantine(batch_id: int) -> Response:
    batch, _ = _batch(batch_id)
    with services().database.transaction() as db:
        frame = download_quarantine(db, batch.id, db.get_one(User, signed_in().id),
                                    current_language())
    body = "\ufeff" + neutralise_formulas(frame).write_csv()
    name = f"quarantine-{batch.sha256[:12]}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})
