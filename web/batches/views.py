"""Batches: upload, list, the screening job's progress, quarantined rows as CSV."""

from __future__ import annotations

from typing import Any

import polars as pl
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from aml_screen.jobs import submit_batch
from aml_screen.outputs import neutralise_formulas
from aml_screen.store.audit import record
from aml_screen.store.models import Batch, QuarantineRow, User
from web.i18n import gettext
from web.security import current_user, require
from web.services import services

bp = Blueprint("batches", __name__, url_prefix="/batches")
NAV = [(20, "batches.index", "web.nav.batches", "batches.view")]


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
    user = current_user()
    upload = request.files.get("batch")
    if user is None or upload is None or not upload.filename:
        flash(gettext("web.upload.missing"), "error")
        return redirect(url_for("batches.index"))
    found = services()
    submission = submit_batch(found.jobs, found.database, upload.filename, upload.read(),
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


def progress_state(batch: Batch) -> dict[str, Any]:
    error = gettext(batch.error_key, **(batch.error_params or {})) if batch.error_key else None
    return {"status": batch.status, "status_label": gettext(f"web.batch.status.{batch.status}"),
            "stage": batch.progress_label, "done": batch.progress_done,
            "total": batch.progress_total, "error": error}


@bp.get("/<int:batch_id>")
@require("batches.view")
def detail(batch_id: int) -> str:
    batch, uploader = _batch(batch_id)
    return render_template("batches/detail.html", batch=batch, uploader=uploader,
                           state=progress_state(batch))


@bp.get("/<int:batch_id>/progress")
@require("batches.view")
def progress(batch_id: int) -> Response:
    batch, _ = _batch(batch_id)
    return jsonify(progress_state(batch))


@bp.get("/<int:batch_id>/quarantine.csv")
@require("batches.view")
def quarantine(batch_id: int) -> Response:
    batch, _ = _batch(batch_id)
    user = current_user()
    with services().database.transaction() as db:
        rows = db.execute(select(QuarantineRow.line_number, QuarantineRow.transaction_id,
                                 QuarantineRow.reason_code, QuarantineRow.reason,
                                 QuarantineRow.raw)
                          .where(QuarantineRow.batch_id == batch.id)
                          .order_by(QuarantineRow.line_number)).all()
        record(db, db.get(User, user.id) if user else None, "batch.quarantine_download",
               "batch", batch.id, after={"rows": len(rows)})
    frame = pl.DataFrame([tuple(r) for r in rows], orient="row", schema={
        "line_number": pl.Int64, "transaction_id": pl.String, "reason_code": pl.String,
        "reason": pl.String, "raw": pl.String})
    body = "\ufeff" + neutralise_formulas(frame).write_csv()
    name = f"quarantine-{batch.sha256[:12]}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})
