"""``/api/v1``: alerts (list, one with its evidence, triage transitions), batches (summary,
quarantine), list versions, single-name match and the OpenAPI document here; batch
submission (``upload``), cases (``cases``) and subject search (``subjects``) in their own
modules, imported here so that registering this blueprint brings every operation. Each is
declared with ``operation`` (scope, permission, schemas) and calls the same store
operations as the pages, which write the audit trail."""

from __future__ import annotations

import json
import threading
from typing import Any, cast

from flask import Flask, current_app
from flask.blueprints import BlueprintSetupState

from aml_screen.i18n import translate
from aml_screen.name_lookup import lookup_name
from aml_screen.store.accounts import usernames
from aml_screen.store.alert_filter import AlertFilter
from aml_screen.store.alert_keyset import alerts_after
from aml_screen.store.alert_queue import read_alert
from aml_screen.store.batches import batch_with_uploader, latest_screened_batch, quarantine_page
from aml_screen.store.errors import NotFoundError
from aml_screen.store.models import Alert, Batch
from aml_screen.store.subject_search import record_name_lookup
from aml_screen.store.triage import add_comment, change_status
from web.admin.catalogue import lists_view
from web.api import cases, schemas, subjects, upload  # noqa: F401 (their operations)
from web.api.access import init_limiter
from web.api.blueprint import bp, caller, caller_user
from web.api.cursor import encode_cursor
from web.api.endpoints import operation
from web.api.list_index import DefaultListIndex
from web.api.problems import api_language
from web.api.spec import openapi_document
from web.services import EXTENSION, services

NAV: list[tuple[int, str, str, str]] = []
LIST_INDEX = "aml_screen_api_list_index"


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    app = cast(Flask, state.app)
    init_limiter(app)
    app.extensions[LIST_INDEX] = DefaultListIndex()


def warm_list_index(app: Flask) -> threading.Thread:
    """Start building ``app``'s index of the default lists for ``/match`` (a served
    process does it as it starts: building it costs seconds on the official lists)."""
    index: DefaultListIndex = app.extensions[LIST_INDEX]
    return index.warm(app.extensions[EXTENSION].settings)


def _summary(alert: Alert, assignee: str | None) -> dict[str, Any]:
    """An alert as ``AlertSummary`` gives it."""
    return {**schemas.attributes(alert, schemas.AlertSummary), "assignee": assignee}


@operation(bp, "/openapi.json", "get")
def openapi() -> dict[str, Any]:
    """This document: every operation, its parameters, bodies and responses."""
    return openapi_document()


@operation(bp, "/alerts", "get", scope="read", permission="alerts.view",
           query=schemas.AlertQuery, response=schemas.AlertPage)
def list_alerts(query: dict[str, Any]) -> dict[str, Any]:
    """Alerts, filtered as in the queue, one page at a time.

    The same filters and sorts as the web queue; pages follow each other by key (pass
    ``next_cursor`` as ``after``), read from the queue's indexes, never counted.
    """
    status = query["status"]
    flt = AlertFilter(
        status=None if status == "all" else status, min_risk=query.get("min_risk"),
        max_risk=query.get("max_risk"), typology=query.get("typology"),
        list_id=query.get("list_id"), rule_id=query.get("rule_id"),
        country=query.get("country"), batch_id=query.get("batch"),
        created_from=query.get("created_from"), created_to=query.get("created_to"),
        assignee=query.get("assignee"), viewer_id=caller().user_id, sort=query["sort"],
        per_page=query["limit"])
    after = query.get("after")
    with services().database.transaction() as db:
        page = alerts_after(db, flt, after[1] if after else None, query["limit"])
    return {"items": [_summary(alert, name) for alert, name in page.items],
            "next_cursor": encode_cursor(flt.sort, page.next_key) if page.next_key else None}


@operation(bp, "/alerts/<id:alert_id>", "get", scope="read", permission="alerts.view",
           response=schemas.AlertDetail)
def get_alert(alert_id: int) -> dict[str, Any]:
    """One alert with its evidence.

    Its hits beside the listed entries they hit, the rules that fired with their evidence,
    its transactions and comments. Audited as a view of the subject.
    """
    with services().database.transaction() as db:
        found = read_alert(db, alert_id, caller_user(db))
    return {
        **_summary(found.alert, found.assignee),
        "close_reason": found.alert.close_reason, "reasons": found.alert.reasons,
        "transaction_ids": found.alert.transaction_ids, "transactions": found.transactions,
        "hits": [{**{column.key: getattr(view.hit, column.key)
                     for column in view.hit.__table__.columns}, "entry": view.entry}
                 for view in found.hits],
        "rule_hits": found.rule_hits,
        "comments": [{"author": name, "body": comment.body, "created_at": comment.created_at}
                     for comment, name in found.comments],
    }


@operation(bp, "/alerts/<id:alert_id>/transitions", "post", scope="triage",
           permission="alerts.triage", body=schemas.TransitionBody,
           response=schemas.AlertSummary, problems=(409,))
def transition(alert_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Move an alert to another status, as the alert page does.

    The same moves and rules as the web: closing needs a disposition and a reason
    (``comment``); ``version`` must be the alert's as last read, else 409 (someone changed
    it since). On any other move, a ``comment`` is added to the alert.
    """
    comment = (body.get("comment") or "").strip()
    with services().database.transaction() as db:
        user = caller_user(db)
        alert = change_status(db, alert_id, user, body["status"], body["version"],
                              disposition=body.get("disposition"), reason=comment)
        if comment and alert.status != "closed":
            add_comment(db, alert_id, user, comment)
        names = usernames(db, {alert.assignee_id} if alert.assignee_id else set())
    return _summary(alert, names.get(alert.assignee_id) if alert.assignee_id else None)


def _batch_out(batch: Batch, uploader: str | None) -> dict[str, Any]:
    lang = api_language()
    return {
        **schemas.attributes(batch, schemas.BatchOut),
        "uploaded_by": uploader,
        "error": translate(batch.error_key, lang, **(batch.error_params or {}))
        if batch.error_key else None,
        "progress": {"stage": translate(batch.progress_label, lang,
                                        **(batch.progress_params or {}))
                     if batch.progress_label else None,
                     "done": batch.progress_done, "total": batch.progress_total},
    }


@operation(bp, "/batches/<id:batch_id>", "get", scope="read", permission="batches.view",
           response=schemas.BatchOut)
def get_batch(batch_id: int) -> dict[str, Any]:
    """A batch: its screening's status and progress, row counts and summary."""
    with services().database.transaction() as db:
        found = batch_with_uploader(db, batch_id)
    if found is None:
        raise NotFoundError("batch.not_found", batch_id=batch_id)
    return _batch_out(*found)


@operation(bp, "/batches/<id:batch_id>/quarantine", "get", scope="read",
           permission="batches.view", query=schemas.QuarantineQuery,
           response=schemas.QuarantinePage)
def get_quarantine(batch_id: int, query: dict[str, Any]) -> dict[str, Any]:
    """The batch's rows that could not be screened, with their reasons, page by page.

    In file order; each reason in the language of ``Accept-Language``. Audited as the
    download is.
    """
    with services().database.transaction() as db:
        page = quarantine_page(db, batch_id, query.get("after"), query["limit"], caller_user(db),
                               api_language())
    return {"items": page.rows, "next_after": page.next_id}


@operation(bp, "/lists", "get", scope="read", permission="dashboard.view",
           response=schemas.Lists)
def get_lists() -> dict[str, Any]:
    """The configured lists with their stored versions, and those the last batch used.

    What the web's lists page shows, to the same roles.
    """
    view = lists_view(services().settings, api_language())
    if view.error is not None:
        raise view.error
    with services().database.transaction() as db:
        latest = latest_screened_batch(db)
    return {
        "sources": [{"id": s.id, "title": s.title, "format": s.format,
                     "screened": s.screened, "downloadable": s.downloadable,
                     "sha256": s.path_sha256, "versions": list(s.versions)}
                    for s in view.sources],
        "latest_batch": None if latest is None else {
            "id": latest.id, "file_name": latest.file_name, "finished_at": latest.finished_at,
            "list_versions": latest.list_versions or []},
    }


@operation(bp, "/match", "post", scope="read", permission="subjects.view",
           body=schemas.MatchBody, response=schemas.MatchResult)
def match(body: dict[str, Any]) -> dict[str, Any]:
    """Look one name up in the screened lists, as ``aml-screen match`` does.

    The best candidate per listed entry, with its score and explanation; a birth date,
    nationality or ID number adjusts the scores as in screening. Open to the roles that
    search subjects on the web, and audited as a search is.
    """
    details = {key: body.get(key) or None for key in ("birth_date", "nationality",
                                                      "id_number")}
    index = current_app.extensions[LIST_INDEX].get(services().settings)
    hits = lookup_name(index, body["name"], body["min_score"], body["limit"], **details)
    candidates = [{**row, "explanation": json.loads(row["explanation"])}
                  for row in hits.iter_rows(named=True)]
    with services().database.transaction() as db:
        record_name_lookup(db, caller_user(db), {"name": body["name"], **details}, len(candidates))
    return {"candidates": candidates}
