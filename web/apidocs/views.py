"""``/api/v1/docs``: the API reference for people, rendered on the server from the OpenAPI
document the API serves (no script, nothing from another origin), its headings and labels
in the reader's language. A web page like the others (the session's user and language, an
HTML error page), not an API operation: ``web.api.problems.in_api`` leaves it out."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.api.problems import DOCS_PATH
from web.api.spec import openapi_document
from web.apidocs.reference import entries
from web.security import require

bp = Blueprint("apidocs", __name__)


@bp.get(DOCS_PATH)
@require("session")
def reference() -> str:
    document = openapi_document()
    return render_template("apidocs/reference.html", entries=entries(document),
                           version=document["info"]["version"])
