"""The OpenAPI document is generated from the routes, validates as OpenAPI 3, and keeps its
promises: every documented operation answers its documented success status to a valid
token, and 401 without one."""

from __future__ import annotations

from typing import Any

from flask import Flask
from openapi_spec_validator import validate

from aml_screen.store.models import Alert
from tests.api.conftest import Api
from tests.web.client import database


def _document(api: Api) -> dict[str, Any]:
    response = api.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.get_json()
    return found


def test_the_document_validates_and_names_every_route(app: Flask, supervisor: Api) -> None:
    document = _document(supervisor)
    validate(document)
    routes = {rule.rule for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/")}
    assert len(document["paths"]) == len(routes) == 8
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


def _bodies(app: Flask) -> dict[str, Any]:
    """A valid body for each operation that takes one."""
    with database(app).transaction() as session:
        alert = session.query(Alert).filter(Alert.status == "new").order_by(Alert.id).first()
        assert alert is not None
        alert_id, version = alert.id, alert.version
    return {"transition": (alert_id, {"status": "in_review", "version": version}),
            "match": (None, {"name": "Mokhtar Bel Mokhtar"})}


def test_every_documented_operation_answers_its_success_status(app: Flask,
                                                               supervisor: Api) -> None:
    document = _document(supervisor)
    bodies = _bodies(app)
    walked = 0
    for path, operations in document["paths"].items():
        for method, spec in operations.items():
            alert_id, body = bodies.get(spec["operationId"], (1, None))
            url = path.replace("{alert_id}", str(alert_id)).replace("{batch_id}", "1")
            expected = next(code for code in spec["responses"] if code.startswith("2"))
            response = (supervisor.post(url, body) if method == "post"
                        else supervisor.get(url))
            assert response.status_code == int(expected), (method, url, response.get_json())
            assert response.mimetype == "application/json"
            if spec["security"]:
                anonymous = getattr(supervisor.client, method)(url, json=body)
                assert anonymous.status_code == 401
                assert anonymous.mimetype == "application/problem+json"
            walked += 1
    assert walked == 8
