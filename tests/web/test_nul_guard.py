"""Text holding a NUL character, refused at the door (on PostgreSQL a comment holding one
was a 500): a page answers 400 in the user's language and stores nothing; the API answers a
422 problem naming the field."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from aml_screen.store.models import Alert
from aml_screen.store.models.alerts import Comment
from tests.api.conftest import bearer, make_token
from tests.web.client import database, login, post


def _first_alert(app: Flask) -> int:
    with database(app).transaction() as session:
        found = session.scalars(select(Alert.id).order_by(Alert.id)).first()
        assert found is not None
        return found


def _comments(app: Flask) -> int:
    with database(app).transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Comment)) or 0)


def test_a_comment_holding_a_nul_is_refused_and_nothing_is_stored(app: Flask) -> None:
    client = app.test_client()
    login(client, "moussa")
    page = f"/alerts/{_first_alert(app)}"
    before = _comments(app)
    response = post(client, f"{page}/comments", {"body": "bonjour\x00monde"}, page=page)
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert _comments(app) == before
    kept = post(client, f"{page}/comments", {"body": "bonjour monde"}, page=page)
    assert kept.status_code == 302
    assert _comments(app) == before + 1


def test_a_search_holding_a_nul_is_refused_in_the_users_language(app: Flask) -> None:
    client = app.test_client()
    login(client, "aminata")
    post(client, "/language", {"lang": "fr"})
    try:
        response = client.get("/search?q=Iyad%00Ghali")
    finally:
        post(client, "/language", {"lang": "en"})
    assert response.status_code == 400
    assert "contient un caractère NUL" in response.get_data(as_text=True)


def test_an_api_query_holding_a_nul_is_a_problem_naming_the_field(app: Flask) -> None:
    secret = make_token(app, "salif", "read")
    response = app.test_client().get("/api/v1/subjects/search?q=Iyad%00",
                                     headers=bearer(secret, **{"Accept-Language": "fr"}))
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["status"] == 422
    assert [error["field"] for error in problem["errors"]] == ["q"]
    assert "caractère NUL" in problem["errors"][0]["message"]
