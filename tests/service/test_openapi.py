"""The OpenAPI document: valid, committed as generated, and true of real results."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import thbscreen
from thbscreen.service import ServiceConfig, openapi_document
from thbscreen.service.messages import BatchItem, BatchResult, CaseError
from thbscreen.service.problems import ProblemLocation
from thbscreen.testing import cases

from ..conftest import ROOT
from .conftest import ADULT, NETWORK, Client

DOC = openapi_document()


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = {"$ref": f"#/components/schemas/{name}", "components": DOC["components"]}
    return jsonschema.Draft202012Validator(schema)


def test_every_component_is_a_valid_2020_12_schema() -> None:
    for schema in DOC["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_every_operation_has_a_documented_response_and_problem_errors() -> None:
    for path, item in DOC["paths"].items():
        for method, op in item.items():
            assert "200" in op["responses"], (method, path)
            for status, response in op["responses"].items():
                if status != "200":
                    assert "application/problem+json" in response["content"]


def test_committed_files_are_generated() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_http_api_docs.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_committed_document_equals_the_generated_one() -> None:
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == DOC


def test_served_document_reflects_the_instance(tmp_path: Any) -> None:
    (tmp_path / "mine.yaml").write_text((ROOT / "tests" / "lint" / "clean.yaml").read_text())
    served = client_for(ServiceConfig(max_batch=7, rules_dir=tmp_path)).get("/openapi.json").json()
    batch = served["components"]["schemas"]["BatchRequest"]["properties"]
    assert batch["cases"]["maxItems"] == 7
    assert "mine" in batch["rules"]["enum"]
    assert ADULT in batch["rules"]["enum"]


def client_for(config: ServiceConfig) -> Client:
    from thbscreen.service import create_app

    return Client(create_app(config))


@pytest.mark.parametrize("name", sorted(thbscreen.bundled_rulesets()))
def test_assessments_conform_to_the_schema(name: str) -> None:
    screener = thbscreen.Screener(thbscreen.load_ruleset(name))
    check = validator("Assessment")

    @given(case=cases(screener, case_id=True))
    @settings(max_examples=25, deadline=None)
    def run(case: dict[str, Any]) -> None:
        check.validate(json.loads(screener.evaluate(case).to_json()))

    run()


@given(case=cases(thbscreen.Screener(thbscreen.load_ruleset(ADULT)), known_facts=()))
@settings(max_examples=25, deadline=None)
def test_pathways_conform_to_the_schema(case: dict[str, Any]) -> None:
    screener = _screener()
    net = _network()
    case = {**case, "facts": {"age": 30}}
    a = screener.evaluate(case, allow_facts=net.fact_ids)
    try:
        path = thbscreen.pathway(net, a, case, start="police")
    except thbscreen.NoReferralPath:
        return
    validator("Pathway").validate(json.loads(json.dumps(path.to_dict())))


_CACHE: dict[str, Any] = {}


def _screener() -> thbscreen.Screener:
    if "s" not in _CACHE:
        _CACHE["s"] = thbscreen.Screener(thbscreen.load_ruleset(ADULT))
    return _CACHE["s"]  # type: ignore[no-any-return]


def _network() -> thbscreen.ReferralNetwork:
    if "n" not in _CACHE:
        _CACHE["n"] = thbscreen.load_network(NETWORK)
    return _CACHE["n"]  # type: ignore[no-any-return]


def test_batch_items_conform_both_ways() -> None:
    a = _screener().evaluate({"indicators": {}})
    error = CaseError("t", "d", (ProblemLocation("s", 1, 2, "$.x", "m"),))
    result = BatchResult((BatchItem(0, assessment=a), BatchItem(1, error=error)), 1, 1)
    validator("BatchResult").validate(json.loads(json.dumps(result.to_dict())))


@given(st.sampled_from(["assessment", "dimensions", "fired"]))
@settings(max_examples=3, deadline=None)
def test_the_schema_refuses_a_drifted_result(where: str) -> None:
    # An extra key anywhere in the JSON form is caught: the schema cannot silently lag.
    a = (
        _screener()
        .evaluate({"indicators": {"coercion_at_destination.debt_bondage": "present"}})
        .to_dict()
    )
    if where == "assessment":
        a["new_key"] = 1
    elif where == "dimensions":
        next(iter(a["dimensions"].values()))["new_key"] = 1
    else:
        a["fired"][0]["new_key"] = 1
    with pytest.raises(jsonschema.ValidationError):
        validator("Assessment").validate(a)
