"""``GET /cases/<id>/str.xml``: the goAML STR of a case closed as suspicious, named after the
signed-in user as reporting person; each download is audited (``case.str_exported``)."""

from __future__ import annotations

from flask import Blueprint, abort
from werkzeug.wrappers import Response

from aml_screen.goaml.case import export_case
from aml_screen.store.models import User
from web.security import current_user, require
from web.services import services

bp = Blueprint("goaml", __name__)


@bp.get("/cases/<id:case_id>/str.xml")
@require("goaml.export")
def case_str(case_id: int) -> Response:
    me = current_user()
    if me is None:
        abort(403)
    found = services()
    with found.database.transaction() as session:
        body = export_case(session, case_id, found.settings, session.get_one(User, me.id))
    return Response(body, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="str-case-{case_id}.xml"'})
