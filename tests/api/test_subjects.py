"""``GET /api/v1/subjects/search``: the results of ``aml-screen search QUERY --json`` (the
same function, the same fields), audited as the web's search is, to the same roles."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from aml_screen.cli import main
from aml_screen.store.models import AuditEvent
from aml_screen.store.subject_search import search_subjects
from tests.api.conftest import Api, make_token
from tests.web.client import database
from web.services import EXTENSION


@pytest.mark.parametrize(("query", "limit"), [("Iyad Ag Ghaly", 20), ("iyad ag gali", 1),
                                              ("Amadou Kouffa", 5), ("nobody at all", 20)])
def test_the_results_are_the_commands(app: Flask, supervisor: Api, query: str,
                                      limit: int) -> None:
    with database(app).transaction() as session:
        expected = [result.as_json() for result in search_subjects(session, query, limit)]
    response = supervisor.client.get("/api/v1/subjects/search",
                                     query_string={"q": query, "limit": limit},
                                     headers={"Authorization": f"Bearer {supervisor.secret}"})
    assert response.status_code == 200
    assert response.get_json() == {"results": expected}
    if query != "nobody at all":
        assert expected
        assert expected[0]["names"]


def test_the_command_prints_the_same_json(app: Flask, supervisor: Api) -> None:
    url = app.extensions[EXTENSION].settings.database_url
    printed = CliRunner().invoke(main, ["search", "Iyad Ag Ghaly", "--json"],
                                 env={"AML_SCREEN_DATABASE_URL": url})
    assert printed.exit_code == 0, printed.output
    answered = supervisor.get("/api/v1/subjects/search?q=Iyad%20Ag%20Ghaly").get_json()
    assert answered["results"] == json.loads(printed.output) != []


def test_a_search_is_audited_and_bounded(app: Flask, supervisor: Api) -> None:
    assert supervisor.get("/api/v1/subjects/search?q=Kouffa").status_code == 200

    with database(app).transaction() as session:
        last = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "subject.search").order_by(AuditEvent.seq.desc())).first()
        assert last is not None
        assert (last.actor_name, (last.after or {})["query"]) == ("salif", "Kouffa")
    for query in ("", "q=", "q=x&limit=0", "q=x&limit=501", "q=" + "x" * 201, "q=x&page=2"):
        assert supervisor.get(f"/api/v1/subjects/search?{query}").status_code == 422


def test_the_admin_does_not_search_subjects(app: Flask) -> None:
    admin = Api(app.test_client(), make_token(app, "root", "read"))
    assert admin.get("/api/v1/subjects/search?q=Kouffa").status_code == 403
