"""Property-based tests of the API against its own OpenAPI document (schemathesis).

Every operation gets valid and invalid (negative) requests generated from the document;
no response may be a server error, and every response must conform to the document.
Oversized bodies are covered by the explicit limit tests in test_api.py and by an extra
request per operation here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from thbscreen.service import ServiceConfig, create_app, openapi_document

from .conftest import Client

APP = create_app(ServiceConfig(max_body_bytes=16 * 1024, max_batch=5))
CONFIG = SchemathesisConfig.from_dict(
    {"generation": {"mode": "all", "max-examples": 25, "database": "none"}}
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    # A request the document calls invalid must be refused. (The converse cannot hold:
    # which indicator ids a case may name depends on the rule set, so a schema-valid
    # case can still be refused with 422, by design.)
    negative_data_rejection,
]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_openapi_document(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)


POST_PATHS = [path for path, item in openapi_document()["paths"].items() if "post" in item]


@pytest.mark.parametrize("path", POST_PATHS)
def test_oversized_bodies_are_413_problems_on_every_post(path: str) -> None:
    body = json.dumps({"padding": "x" * 20_000})
    response = Client(APP).post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/body-too-large")
