"""Property-based tests (Hypothesis) of the API's input validation: for every documented
operation that takes a JSON body or query parameters, any JSON body and any parameter
values give a 2xx answer or a 4xx problem document — never a 500, never a stack trace.

The operations are read from the OpenAPI document, so a new operation is fuzzed as soon
as it is documented. Bodies are drawn both as any JSON value and as objects with some of
the operation's own fields holding any value (which gets past "unknown field" to the checks
of each field, and to the store); query strings likewise. The rate limit is set out of the
way, so that it is not what answers."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aml_screen.store.accounts import get_user
from aml_screen.store.cases import open_case
from aml_screen.store.models import Alert
from tests.api.conftest import make_token
from tests.store.samples import add_user, load_sample
from tests.web.client import database, running_app
from web.api import views as _api_views  # noqa: F401 (its operations fill the document)
from web.api.spec import openapi_document

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=10)
"""Any JSON value, small."""
VALUES = st.text(max_size=30) | st.integers().map(str) | st.sampled_from(
    ["", "0", "-1", "99999999999999999999", "1e400", "NaN", "null", "true", "me", "none"])
"""Any query-string value, with the edge cases a number or a name field meets."""
FIELD_VALUES = JSON | st.integers(min_value=-5, max_value=10**12) | st.lists(
    st.integers(min_value=-5, max_value=10**12), max_size=60) | st.text(max_size=300)
"""Any value of a body's field, with the numbers, lists and long texts its checks bound."""
UNKNOWN = st.dictionaries(st.text(max_size=8), VALUES, max_size=3)
EXAMPLES = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.fixture(scope="module")
def spec_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The app with the sample batch and one case, its rate limit out of the way."""
    with running_app(tmp_path_factory.mktemp("fuzz"), api_rate_limit=100_000) as app:
        add_user(database(app), "salif", "supervisor")
        load_sample(database(app))
        with database(app).transaction() as session:
            alert = session.query(Alert).order_by(Alert.id).first()
            assert alert is not None
            open_case(session, get_user(session, "salif"), [alert.id])
        yield app


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, operations in openapi_document()["paths"].items():
        for method, spec in operations.items():
            takes_json = "application/json" in spec.get("requestBody", {}).get("content", {})
            takes_query = any(p["in"] == "query" for p in spec.get("parameters", ()))
            if takes_json or takes_query:
                found.append((method, path.format(alert_id=1, batch_id=1, case_id=1), spec))
    return found


def _body_fields(app: Flask, spec: dict[str, Any]) -> list[str]:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    ref = spec["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return list(document["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"])


def _check(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)
    assert 200 <= response.status_code < 300 or (
        response.mimetype == "application/problem+json"
        and response.get_json()["status"] == response.status_code)
    assert "Traceback" not in response.get_data(as_text=True)


OPERATIONS = _operations()


def test_every_operation_with_input_is_fuzzed() -> None:
    assert {spec["operationId"] for _, _, spec in OPERATIONS} == {
        "list_alerts", "transition", "get_quarantine", "match", "list_cases",
        "add_case_alerts", "add_case_note", "search_subjects"}


@pytest.mark.parametrize(("method", "url", "spec"), OPERATIONS,
                         ids=[spec["operationId"] for _, _, spec in OPERATIONS])
def test_any_input_is_answered_without_a_server_error(spec_app: Flask, method: str, url: str,
                                                      spec: dict[str, Any]) -> None:
    client = spec_app.test_client()
    headers = {"Authorization": f"Bearer {make_token(spec_app, 'salif', 'read', 'triage')}"}
    names = [p["name"] for p in spec.get("parameters", ()) if p["in"] == "query"]
    query = st.fixed_dictionaries({}, optional=dict.fromkeys(names, VALUES)) | UNKNOWN
    if method == "get":
        @EXAMPLES
        @given(query)
        def ask(params: dict[str, str]) -> None:
            _check(client.get(url, query_string=params, headers=headers))
    else:
        fields = _body_fields(spec_app, spec)
        bodies = JSON | st.fixed_dictionaries({}, optional=dict.fromkeys(fields,
                                                                         FIELD_VALUES))

        @EXAMPLES
        @given(bodies)
        def ask(body: Any) -> None:
            _check(client.post(url, json=body, headers=headers))
    ask()
