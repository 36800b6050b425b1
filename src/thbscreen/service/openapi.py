"""The OpenAPI 3.1 document of the service, built from the same classes it answers with.

Bodies are described by :mod:`.messages` and the library's result classes through
:class:`.schemas.SchemaBuilder`; the limits of the given configuration (batch size) go
into the schemas. ``docs/openapi.json`` is this document for the default configuration.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..assessment import Assessment
from ..explain import DISCLAIMER
from ..loading import bundled_networks, bundled_rulesets
from .config import ServiceConfig
from .messages import (
    BatchRequest,
    BatchResult,
    Health,
    LintRequest,
    LintResult,
    NetworkList,
    PathwayRequest,
    PathwayResult,
    RuleSetList,
    ScreenRequest,
)
from .problems import PROBLEM_MEDIA_TYPE, ProblemDocument
from .schemas import SchemaBuilder

__all__ = ["LANG_PATTERN", "openapi_document"]

LANG_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$"

_ABOUT = f"""\
Screen cases against bundled indicator rule sets, find referral pathways and lint rule
sets, over JSON on a local address. The service is stateless: it stores nothing, logs no
request body and sends nothing anywhere.

{DISCLAIMER}

Every error is an RFC 9457 problem document (`{PROBLEM_MEDIA_TYPE}`) whose `errors` give
the source, line, column and path of each problem, as the command line does."""

_ERRORS = {
    "400": "The body is not JSON (with the line and column where reading stopped).",
    "413": "The body is larger than the service accepts.",
    "415": "The body is not sent as application/json.",
    "422": "The request is JSON but not valid: a missing or unknown key, an unknown name, "
    "more cases than the batch limit, a case that does not fit the rule set.",
}


# Worked examples for the reference (and the first requests schemathesis sends).
_CASE = {
    "id": "case-17",
    "facts": {"age": 34},
    "indicators": {
        "deceptive_recruitment.deceived_wages": "present",
        "deceptive_recruitment.deceived_conditions_of_work": "present",
        "exploitative_conditions_of_work.excessive_working_days_hours": "present",
        "coercion_at_destination.confiscation_of_documents": "present",
        "coercion_at_destination.debt_bondage": "unknown",
    },
}
_ADULT = "ilo-ec-2009/adult-labour"
_SCREEN = {"rules": _ADULT, "case": {k: v for k, v in _CASE.items() if k != "facts"}}
_EXAMPLES: dict[str, dict[str, Any]] = {
    "/screen": _SCREEN,
    "/screen/batch": {
        "rules": _ADULT,
        "cases": [_SCREEN["case"], {"id": "case-18", "indicators": {}}],
    },
    "/pathway": {
        "rules": _ADULT,
        "network": "referral/slovenia",
        "from": "labour_inspectorate",
        "case": _CASE,
    },
    "/lint": {"ruleset": "id: my-rules\nversion: 0.1.0\n", "source": "my-rules.yaml"},
}


def _json(ref: dict[str, Any], example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": ref}
    if example is not None:
        media["example"] = example
    return {"application/json": media}


def openapi_document(
    config: ServiceConfig | None = None,
    *,
    rulesets: list[str] | None = None,
    networks: list[str] | None = None,
) -> dict[str, Any]:
    """The OpenAPI 3.1 document for a service with ``config`` (default limits if None).

    ``rulesets`` and ``networks`` are the names the service accepts (default: the
    bundled ones); the document lists them as the only values of those fields.
    """
    config = config or ServiceConfig()
    names = {
        "rulesets": sorted(bundled_rulesets() if rulesets is None else rulesets),
        "networks": sorted(bundled_networks() if networks is None else networks),
    }
    b = SchemaBuilder({"max_batch": config.max_batch}, names)
    problem = b.ref(ProblemDocument)
    problem_response = {
        "description": "",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": problem}},
    }

    def responses(ok: dict[str, Any], what: str, codes: tuple[str, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {"200": {"description": what, "content": _json(ok)}}
        for code in codes:
            out[code] = {**problem_response, "description": _ERRORS[code]}
        return out

    def post(
        path: str, summary: str, op_id: str, request: type, ok: dict[str, Any], what: str
    ) -> dict[str, Any]:
        body = _json(b.ref(request, request=True), _EXAMPLES[path])
        return {
            "post": {
                "operationId": op_id,
                "summary": summary,
                "requestBody": {"required": True, "content": body},
                "responses": responses(ok, what, ("400", "413", "415", "422")),
            }
        }

    lang = {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "Language of titles (English where a title has no such translation).",
        "schema": {"type": "string", "pattern": LANG_PATTERN, "maxLength": 35},
    }
    paths: dict[str, Any] = {
        "/health": {
            "get": {
                "operationId": "health",
                "summary": "Whether the service is up, its version and the disclaimer.",
                "responses": {"200": {"description": "Up.", "content": _json(b.ref(Health))}},
            }
        },
        "/rulesets": {
            "get": {
                "operationId": "listRuleSets",
                "summary": "The rule sets a request may name.",
                "parameters": [lang],
                "responses": responses(b.ref(RuleSetList), "The rule sets.", ("422",)),
            }
        },
        "/networks": {
            "get": {
                "operationId": "listNetworks",
                "summary": "The referral networks a request may name.",
                "parameters": [lang],
                "responses": responses(b.ref(NetworkList), "The networks.", ("422",)),
            }
        },
        "/screen": post(
            "/screen",
            "Screen one case.",
            "screen",
            ScreenRequest,
            b.ref(Assessment),
            "The assessment in its JSON form (format thbscreen-assessment/1).",
        ),
        "/screen/batch": post(
            "/screen/batch",
            "Screen a batch of cases with one rule set.",
            "screenBatch",
            BatchRequest,
            b.ref(BatchResult),
            "Each case's assessment or error, in order.",
        ),
        "/pathway": post(
            "/pathway",
            "Screen one case and find its referral pathway.",
            "pathway",
            PathwayRequest,
            b.ref(PathwayResult),
            "The assessment and the pathway (format thbscreen-pathway/1).",
        ),
        "/lint": post(
            "/lint",
            "Lint a rule set given as text.",
            "lint",
            LintRequest,
            b.ref(LintResult),
            "Every finding; line and column count within the posted text.",
        ),
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "responses": {
                    "200": {"description": "OpenAPI 3.1.", "content": _json({"type": "object"})}
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "thbscreen HTTP API",
            "version": __version__,
            "description": _ABOUT,
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "paths": paths,
        "components": {"schemas": b.finish()},
    }
