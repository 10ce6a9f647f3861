"""Batches: upload (streamed to disk), list, the screening job's progress, quarantined rows
as CSV, re-screening against the current lists, and re-queueing a job whose worker died."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import polars as pl
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
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from aml_screen.jobs import submit_batch
from aml_screen.outputs import neutralise_formulas
from aml_screen.store.audit import record
from aml_screen.store.base import utcnow
from aml_screen.store.models import AuditEvent, Batch, QuarantineRow, Rescreen, User
from aml_screen.store.rescreen import batch_rescreens, request_rescreen
from web.i18n import gettext
from web.security import require, signed_in
from web.services import services

bp = Blueprint("batches", __name__, url_prefix="/batches")
NAV = [(20, "batches.index", "web.nav.batches", "batches.view")]
STALE_MINUTES = 60
"""Default of ``app.config["BATCH_STALE_MINUTES"]``: how long a batch may stay ``running``
before it is considered abandoned (its worker died) and may be re-queued."""


@bp.get("")
@require("batches.view")
def index() -> str:
    with services().database.transaction() as db:
        rows = db.execute(select(Batch, User.username)
                          .outerjoin(User, User.id == Batch.uploaded_by_id)
                          .order_by(Batch.uploaded_at.desc(), Batch.id.desc()).limit(100)).all()
    return render_template("batches/list.html", rows=rows,
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
    submission = submit_batch(found.jobs, found.database, upload.filename, upload.stream,
                              user.id)
    if not submission.queued:
        flash(gettext("web.upload.duplicate"), "info")
    return redirect(url_for("batches.detail", batch_id=submission.batch_id))


def _batch(batch_id: int) -> tuple[Batch, str | None]:
    with services().database.transaction() as db:
        row = db.execute(select(Batch, User.username)
                         .outerjoin(User, User.id == Batch.uploaded_by_id)
                         .where(Batch.id == batch_id)).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def _pending_rescreen(batch_id: int) -> Rescreen | None:
    with services().database.transaction() as db:
        return db.scalars(select(Rescreen).where(
            Rescreen.batch_id == batch_id, Rescreen.status.in_(("queued", "running")))
            .order_by(Rescreen.id.desc())).first()


def progress_state(batch: Batch) -> dict[str, Any]:
    """The job shown on the batch page: the screening, or a re-screen under way."""
    error = gettext(batch.error_key, **(batch.error_params or {})) if batch.error_key else None
    pending = _pending_rescreen(batch.id) if batch.status == "done" else None
    status = pending.status if pending else batch.status
    label = (gettext(f"rescreen.status.{status}") if pending
             else gettext(f"web.batch.status.{status}"))
    return {"status": status, "status_label": label, "rescreen": pending is not None,
            "stage": batch.progress_label, "done": batch.progress_done,
            "total": batch.progress_total, "error": error}


QUEUED_ACTIONS = ("batch.upload", "batch.retry", "batch.requeue")
"""Audited events after which a batch's screening job (re)starts."""


def stale(batch: Batch) -> bool:
    """Running for longer than the configured time since it was last queued (upload, retry
    or re-queue): its worker most likely died. The batch row keeps no progress time, so
    the last queueing is the earliest the current run can have started."""
    if batch.status != "running":
        return False
    minutes = int(current_app.config.get("BATCH_STALE_MINUTES", STALE_MINUTES))
    with services().database.transaction() as db:
        queued = db.scalar(select(func.max(AuditEvent.at)).where(
            AuditEvent.object_type == "batch", AuditEvent.object_id == str(batch.id),
            AuditEvent.action.in_(QUEUED_ACTIONS)))
    started = max(batch.uploaded_at, queued) if queued else batch.uploaded_at
    return started < utcnow() - timedelta(minutes=minutes)


@bp.get("/<id:batch_id>")
@require("batches.view")
def detail(batch_id: int) -> str:
    batch, uploader = _batch(batch_id)
    with services().database.transaction() as db:
        rescreens = batch_rescreens(db, batch_id)
        db.expunge_all()
    return render_template("batches/detail.html", batch=batch, uploader=uploader,
                           state=progress_state(batch), rescreens=rescreens,
                           stale=stale(batch))


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
    batch, _ = _batch(batch_id)
    if not stale(batch):
        flash(gettext("rescreen.not_stale"), "error")
        return redirect(url_for("batches.detail", batch_id=batch_id))
    found = services()
    with found.database.transaction() as db:
        row = db.get_one(Batch, batch_id, with_for_update=True)
        if not stale(row):  # the job moved on (or finished) since the page was read
            return redirect(url_for("batches.detail", batch_id=batch_id))
        before = {"status": row.status, "progress_label": row.progress_label,
                  "progress_done": row.progress_done}
        row.status, row.progress_label, row.progress_done = "queued", None, 0
        record(db, db.get_one(User, signed_in().id), "batch.requeue", "batch",
               batch_id, before=before, after={"status": "queued"})
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
        rows = db.execute(select(QuarantineRow.line_number, QuarantineRow.transaction_id,
                                 QuarantineRow.reason_code, QuarantineRow.reason,
                                 QuarantineRow.raw)
                          .where(QuarantineRow.batch_id == batch.id)
                          .order_by(QuarantineRow.line_number)).all()
        record(db, db.get_one(User, signed_in().id), "batch.quarantine_download",
               "batch", batch.id, after={"rows": len(rows)})
    frame = pl.DataFrame([tuple(r) for r in rows], orient="row", schema={
        "line_number": pl.Int64, "transaction_id": pl.String, "reason_code": pl.String,
        "reason": pl.String, "raw": pl.String})
    body = "\ufeff" + neutralise_formulas(frame).write_csv()
    name = f"quarantine-{batch.sha256[:12]}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})
