"""Exports for auditors and supervisors: a form with the filters, and the download.

The download is a GET (the form's query string), so a report can be bookmarked and
fetched again; it changes nothing but the audit trail. CSV streams as the store is read;
XLSX and PDF are built in a temporary file first, then streamed and removed."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from aml_screen.errors import InputError
from aml_screen.exports.filters import FORMATS, KINDS, check_format, check_kind, make_filter
from aml_screen.exports.info import ExportInfo
from aml_screen.exports.pdf_writer import PDF_MAX_ROWS
from aml_screen.exports.service import stream_csv, stream_file, temporary_export
from aml_screen.store.alert_queue import filter_choices
from aml_screen.store.batches import batch_choices
from aml_screen.store.models import ALERT_STATUSES, DISPOSITIONS
from web.dates import parse_day
from web.i18n import current_language, gettext
from web.security import require, signed_in
from web.services import services

bp = Blueprint("exports", __name__, url_prefix="/exports")
NAV = [(60, "exports.index", "exports.nav", "exports.download")]
MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FIELDS = ("kind", "format", "from", "to", "batch", "list", "rule", "typology", "status",
          "disposition")


def _form(values: dict[str, str], error: str | None = None) -> tuple[str, int]:
    with services().database.transaction() as db:
        choices = filter_choices(db)
        batches = batch_choices(db)
    return render_template("exports/form.html", values=values, error=error, choices=choices,
                           batches=batches, kinds=KINDS, formats=FORMATS,
                           statuses=ALERT_STATUSES, dispositions=DISPOSITIONS,
                           pdf_cap=PDF_MAX_ROWS), 400 if error else 200


@bp.get("")
@require("exports.download")
def index() -> tuple[str, int]:
    return _form({key: request.args.get(key, "") for key in FIELDS})


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@bp.get("/download")
@require("exports.download")
def download() -> Any:
    values = {key: request.args.get(key, "").strip() for key in FIELDS}
    me = signed_in()
    try:
        kind = check_kind(values["kind"] or "hits")
        fmt = check_format(values["format"] or "csv")
        days = {key: parse_day(values[key]) for key in ("from", "to")}
        flt = make_filter(date_from=_iso(days["from"]), date_to=_iso(days["to"]),
                          batch=values["batch"], list_id=values["list"],
                          rule_id=values["rule"], typology=values["typology"],
                          status=values["status"], disposition=values["disposition"])
    except InputError as exc:
        return _form(values, gettext(exc.key, **exc.params))
    info = ExportInfo(kind, flt, me.username, current_language())
    database = services().database
    headers = {"Content-Disposition": f'attachment; filename="{info.file_name(fmt)}"'}
    if fmt == "csv":
        body = stream_csv(database, info, me.id)
    else:
        path, _result = temporary_export(database, fmt, info, me.id)
        body = stream_file(path)
    return Response(body, mimetype=MIME[fmt], headers=headers, direct_passthrough=True)
