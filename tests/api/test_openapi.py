"""The OpenAPI document is generated from the routes, validates as OpenAPI 3, and keeps its
promises: every documented operation answers its documented success status to a valid
token, and 401 without one. Each operation's summary is in the catalogue."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from openapi_spec_validator import validate
from sqlalchemy import select

from aml_screen.i18n import catalogue
from aml_screen.store.accounts import get_user
from aml_screen.store.cases import open_case
from aml_screen.store.models import Alert
from tests.api.conftest import Api, make_token
from tests.store.samples import SAMPLE
from tests.web.client import database
from web.api.problems import DOCS_PATH

PATHS = 14


def _document(api: Api) -> dict[str, Any]:
    response = api.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.get_json()
    return found


def test_the_document_validates_and_names_every_route(app: Flask, supervisor: Api) -> None:
    document = _document(supervisor)
    validate(document)
    routes = {rule.rule for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.rule != DOCS_PATH}
    assert len(document["paths"]) == len(routes) == PATHS
    assert document["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http", "scheme": "bearer"}
    listing = document["paths"]["/api/v1/alerts"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "status", "list", "rule", "typology", "country", "min_risk", "max_risk", "assignee",
        "sort", "limit", "after"}
    transition = document["paths"]["/api/v1/alerts/{alert_id}/transitions"]["post"]
    assert set(transition["responses"]) == {"200", "400", "401", "403", "404", "409", "422",
                                            "429"}
    assert transition["x-scope"] == "triage"
    assert "application/problem+json" in transition["responses"]["409"]["content"]
    upload = document["paths"]["/api/v1/batches"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert document["components"]["schemas"][form["$ref"].rsplit("/")[-1]]["properties"][
        "file"] == {"type": "string", "format": "binary", "description": upload_file_text()}
    assert set(upload["responses"]) >= {"202", "413", "415", "422"}
    summaries = {spec["summary"] for operations in document["paths"].values()
                 for spec in operations.values()}
    assert len(summaries) == sum(len(ops) for ops in document["paths"].values())
    assert all(not summary.startswith("api.op.") for summary in summaries)
    assert {key for key in catalogue() if key.startswith("api.op.")} == {
        f"api.op.{spec['operationId']}" for operations in document["paths"].values()
        for spec in operations.values()}


def upload_file_text() -> str:
    from web.api.upload import BatchUpload
    found: str = BatchUpload().fields["file"].metadata["description"]
    return found


def _requests(app: Flask) -> tuple[dict[str, str], dict[str, Any]]:
    """The path parameters, and a valid body or query string for each operation that
    takes one: a case about one subject and another alert made about the same subject."""
    with database(app).transaction() as session:
        alerts = list(session.scalars(select(Alert).where(Alert.status == "new")
                                      .order_by(Alert.id)))
        moved, case_alert, added = alerts[0], alerts[1], alerts[2]
        added.subject_type, added.subject_id = case_alert.subject_type, case_alert.subject_id
        session.flush()
        case = open_case(session, get_user(session, "salif"), [case_alert.id])
        ids = {"alert_id": str(moved.id), "batch_id": "1", "case_id": str(case.id)}
        bodies = {
            "transition": {"status": "in_review", "version": moved.version},
            "match": {"name": "Mokhtar Bel Mokhtar"},
            "submit": {"file": (io.BytesIO(SAMPLE.read_bytes()), SAMPLE.name)},
            "add_case_alerts": {"alert_ids": [added.id], "version": case.version},
            "add_case_note": {"body": "Walked through the API."},
            "search_subjects": "?q=Iyad%20Ag%20Ghaly",
        }
    return ids, bodies


def _call(api: Api, method: str, url: str, spec: dict[str, Any], body: Any) -> Any:
    if isinstance(body, str):
        return api.get(url + body)
    if "multipart/form-data" in spec.get("requestBody", {}).get("content", {}):
        return api.client.post(url, data=body, content_type="multipart/form-data",
                               headers={"Authorization": f"Bearer {api.secret}"})
    return api.post(url, body) if method == "post" else api.get(url)


def test_every_documented_operation_answers_its_success_status(app: Flask) -> None:
    supervisor = Api(app.test_client(), make_token(app, "salif", "read", "triage", "submit"))
    document = _document(supervisor)
    ids, bodies = _requests(app)
    walked = 0
    for path, operations in document["paths"].items():
        for method, spec in operations.items():
            body = bodies.get(spec["operationId"])
            url = path.format(**{name: ids[name] for name in ids if f"{{{name}}}" in path})
            expected = next(code for code in spec["responses"] if code.startswith("2"))
            response = _call(supervisor, method, url, spec, body)
            assert response.status_code == int(expected), (method, url, response.get_json())
            assert response.mimetype == "application/json"
            if spec["security"]:
                anonymous = getattr(supervisor.client, method)(url)
                assert anonymous.status_code == 401
                assert anonymous.mimetype == "application/problem+json"
            walked += 1
    assert walked == PATHS
