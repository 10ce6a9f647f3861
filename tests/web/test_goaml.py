"""The STR download of the case page: XML for investigators and supervisors, audited,
refused with the reason in the user's language; the link only where it can work."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from defusedxml.ElementTree import fromstring
from flask import Flask, g, render_template
from sqlalchemy import select

from aml_screen.store.models import AuditEvent, Case, User
from tests.goaml.cases import NARRATIVE, suspicious_case
from tests.store.samples import add_user, load_sample
from tests.web.client import database, login, running_app
from web.security import CurrentUser


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with running_app(tmp_path_factory.mktemp("goaml"), goaml_entity_id="2042") as flask_app:
        db = database(flask_app)
        add_user(db, "fatou", "investigator", language="fr")
        add_user(db, "awa", "analyst")
        add_user(db, "salif", "supervisor")
        load_sample(db, uploader="awa")
        yield flask_app


def test_an_investigator_downloads_the_str(app: Flask) -> None:
    case_id = suspicious_case(database(app))
    client = app.test_client()
    login(client, "fatou")
    response = client.get(f"/cases/{case_id}/str.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="str-case-{case_id}.xml"'
    root = fromstring(response.data)
    assert root.findtext("reason") == NARRATIVE
    assert root.findtext("reporting_person/last_name") == "fatou"
    with database(app).transaction() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event is not None
    assert (event.action, event.actor_name) == ("case.str_exported", "fatou")
    assert event.after is not None
    assert event.after["sha256"] == hashlib.sha256(response.data).hexdigest()


def test_an_analyst_cannot(app: Flask) -> None:
    case_id = suspicious_case(database(app))
    client = app.test_client()
    login(client, "awa")
    assert client.get(f"/cases/{case_id}/str.xml").status_code == 403


def test_a_case_not_suspicious_is_refused_in_french(app: Flask) -> None:
    case_id = suspicious_case(database(app), disposition="not_suspicious")
    client = app.test_client()
    login(client, "fatou")
    response = client.get(f"/cases/{case_id}/str.xml")
    assert response.status_code == 400
    assert "ne peut pas être exporté en DOS" in response.get_data(as_text=True)


def _link(app: Flask, username: str, disposition: str) -> str:
    with database(app).transaction() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        case = Case(id=4242, title="x", subject_type="party", subject_id="x", subject_name="x",
                    disposition=disposition, version=1)
        me = CurrentUser(user.id, user.username, user.role, user.language)
    with app.test_request_context("/"):
        g.user = me
        return render_template("goaml/_case_str.html", case=case)


@pytest.mark.parametrize(("username", "disposition", "shown"), [
    ("fatou", "suspicious_reported", True),
    ("salif", "suspicious_reported", True),
    ("awa", "suspicious_reported", False),
    ("fatou", "not_suspicious", False),
])
def test_the_case_page_link(app: Flask, username: str, disposition: str, shown: bool) -> None:
    html = _link(app, username, disposition)
    assert ('href="/cases/4242/str.xml"' in html) is shown


def test_the_link_text_is_in_the_users_language(app: Flask) -> None:
    assert "Télécharger la DOS (XML goAML)" in _link(app, "fatou", "suspicious_reported")
    assert "Download the STR (goAML XML)" in _link(app, "salif", "suspicious_reported")
