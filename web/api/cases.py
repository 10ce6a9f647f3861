"""Cases through the API: the list (the web's filters, page by page), one case with its
alerts, notes and evidence packages, and two changes — alerts added (with the case version
the client read: stale is a 409) and a note appended. The changes call the store's own
operations (``store.cases``), so their rules, audit and the voiding of evidence packages
prepared from an earlier version are the web's; the answer lists the packages voided and,
when one was approved, says so in words, as the case page warns before such a change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from aml_screen.i18n import number, plural
from aml_screen.store import cases
from aml_screen.store.accounts import usernames
from aml_screen.store.evidence_packages import live_packages
from aml_screen.store.models import Case, CaseNote
from web.api import case_schemas
from web.api.blueprint import bp, caller, caller_user
from web.api.endpoints import operation
from web.api.problems import api_language
from web.api.schemas import AlertSummary, attributes
from web.services import services


def _case(case: Case, assignee: str | None, alerts: int) -> dict[str, Any]:
    return {**attributes(case, case_schemas.CaseSummary), "assignee": assignee,
            "alerts": alerts}


def _note(note: CaseNote, author: str) -> dict[str, Any]:
    return {"id": note.id, "author": author, "body": note.body, "created_at": note.created_at}


@operation(bp, "/cases", "get", scope="read", permission="cases.view",
           query=case_schemas.CaseQuery, response=case_schemas.CasePage)
def list_cases(query: dict[str, Any]) -> dict[str, Any]:
    """Cases, filtered as on the web's case list, one page at a time.

    Most recently changed first; ``status`` open (default), closed or all; ``assignee`` a
    user name, me or none; ``subject`` text in the subject's name or identifier or in the
    title.
    """
    status = query["status"]
    flt = cases.CaseFilter(status=None if status == "all" else status,
                           assignee=query.get("assignee") or None, viewer_id=caller().user_id,
                           subject=(query.get("subject") or "").strip() or None,
                           page=query["page"], per_page=query["per_page"])
    with services().database.transaction() as db:
        page = cases.list_cases(db, flt)
    return {"items": [_case(row.case, row.assignee, row.alerts) for row in page.items],
            "page": page.page, "per_page": page.per_page, "total": page.total,
            "pages": page.pages}


@operation(bp, "/cases/<id:case_id>", "get", scope="read", permission="cases.view",
           response=case_schemas.CaseDetail)
def get_case(case_id: int) -> dict[str, Any]:
    """One case with its alerts, notes and evidence packages.

    Audited as a view of the case, as opening its page is.
    """
    with services().database.transaction() as db:
        found = cases.view_case(db, case_id, caller_user(db))
        return {
            **_case(found.case, found.assignee, len(found.alerts)),
            "narrative": found.case.narrative, "created_by": found.created_by,
            "alerts": [{**attributes(a.alert, AlertSummary), "assignee": a.assignee}
                       for a in found.alerts],
            "notes": [_note(note, author) for note, author in found.notes],
            "packages": [{**attributes(package, case_schemas.PackageOut),
                          "prepared_by": preparer, "approved_by": approver}
                         for package, preparer, approver in found.packages],
        }


def _change(db: Session, case: Case, before: dict[int, str],
            note: dict[str, Any] | None = None) -> dict[str, Any]:
    """The case as saved, and the packages of ``before`` the change voided, with a warning
    in words when an approved one is among them."""
    after = live_packages(db, case.id)
    voided = [{"id": package_id, "was": status} for package_id, status in sorted(before.items())
              if package_id not in after]
    approved = [str(v["id"]) for v in voided if v["was"] == "approved"]
    lang = api_language()
    names = usernames(db, {case.assignee_id} if case.assignee_id else set())
    return {"case": _case(case, names.get(case.assignee_id) if case.assignee_id else None,
                          len(cases.case_alert_ids(db, case.id))),
            "note": note, "voided_packages": voided,
            "warning": plural("api.case.voided", lang, len(approved),
                              count=number(len(approved), lang), ids=", #".join(approved))
            if approved else None}


@operation(bp, "/cases/<id:case_id>/alerts", "post", scope="triage", permission="cases.edit",
           body=case_schemas.AddAlertsBody, response=case_schemas.CaseChange,
           problems=(409,))
def add_case_alerts(case_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Add alerts to an open case, as the case page does.

    Each alert must be about the case's subject (or resolved to the same person) and not
    in the case yet; ``version`` must be the case's as last read, else 409. All are added
    or none. Evidence packages prepared from an earlier version are voided, and listed.
    """
    with services().database.transaction() as db:
        actor = caller_user(db)
        before = live_packages(db, case_id)
        version = body["version"]
        for alert_id in body["alert_ids"]:  # each add bumps the version the next one checks
            version = cases.add_alert(db, case_id, actor, alert_id, version).version
        return _change(db, cases.get_case(db, case_id), before)


@operation(bp, "/cases/<id:case_id>/notes", "post", scope="triage", permission="cases.edit",
           body=case_schemas.NoteBody, response=case_schemas.CaseChange, status=201)
def add_case_note(case_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Add a note to an open case, as the case page does.

    A note is appended, so it needs no version; it still changes the case: its version goes
    up and its evidence packages are voided (an approved one too: the answer says so).
    """
    with services().database.transaction() as db:
        actor = caller_user(db)
        before = live_packages(db, case_id)
        note = cases.add_note(db, case_id, actor, body["body"])
        return _change(db, cases.get_case(db, case_id), before, _note(note, actor.username))
