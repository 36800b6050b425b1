"""The service's requests and responses, as frozen attrs classes.

The OpenAPI document describes each body from these classes (see :mod:`.schemas`), and
:func:`parse_request` checks a request body against the same fields, so the two cannot
disagree about which keys exist, which are required and what type they have.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

import attrs
from attrs import AttrsInstance, field, frozen

from .._language.suggest import did_you_mean
from ..assessment import Assessment
from ..errors import Problem
from ..findings import Finding
from ..model import Case
from ..referral.pathway import Pathway
from .problems import BODY, ProblemLocation, ServiceError

__all__ = [
    "BatchItem",
    "BatchRequest",
    "BatchResult",
    "CaseError",
    "Health",
    "LintRequest",
    "LintResult",
    "NetworkInfo",
    "NetworkList",
    "PathwayRequest",
    "PathwayResult",
    "RuleSetInfo",
    "RuleSetList",
    "ScreenRequest",
    "parse_request",
]

T = TypeVar("T", bound=AttrsInstance)

MAX_NAME = 200
_NAME = {"min_length": 1, "max_length": MAX_NAME}
_RULES = {
    **_NAME,
    "names": "rulesets",
    "description": "A rule set's name, as GET /rulesets lists it.",
}
_NETWORK = {
    **_NAME,
    "names": "networks",
    "description": "A referral network's name, as GET /networks lists it.",
}
_CASE = {"schema": Case, "description": "One case: id, facts and indicator observations."}
_TIMESTAMP = {
    "max_length": 64,
    "description": "For the service's audit log, if it keeps one: the caller's time of the "
    "screening, ISO 8601 (default: the service's clock).",
}
_USER = {
    "max_length": MAX_NAME,
    "description": "For the service's audit log, if it keeps one: the caller's user "
    "reference (a pseudonym, never a name).",
}


# -- requests ---------------------------------------------------------------------------------
@frozen
class ScreenRequest:
    """Screen one case with a rule set."""

    rules: str = field(metadata=_RULES)
    case: Mapping[str, Any] = field(metadata=_CASE)
    timestamp: str | None = field(default=None, metadata=_TIMESTAMP)
    user: str | None = field(default=None, metadata=_USER)


@frozen
class BatchRequest:
    """Screen several cases with one rule set; each case succeeds or fails on its own."""

    rules: str = field(metadata=_RULES)
    # Items are described as "anything": each is checked on its own and a bad one gets
    # an error in its place in the result, so no item makes the request invalid.
    cases: tuple[Mapping[str, Any], ...] = field(
        metadata={
            "schema": tuple[Any, ...],
            "limit": "max_batch",
            "description": "Cases, each in the form of the Case schema (as in POST /screen). "
            "Each is checked and screened on its own: one that does not fit gets an error "
            "in its place in the results, and the others are still screened.",
        }
    )
    timestamp: str | None = field(default=None, metadata=_TIMESTAMP)
    user: str | None = field(default=None, metadata=_USER)


@frozen
class PathwayRequest:
    """Screen one case, then find its referral pathway from a first-contact institution."""

    rules: str = field(metadata=_RULES)
    network: str = field(metadata=_NETWORK)
    case: Mapping[str, Any] = field(metadata=_CASE)
    from_: str = field(
        metadata={**_NAME, "description": "The first-contact institution (an id in the network)."}
    )
    timestamp: str | None = field(default=None, metadata=_TIMESTAMP)
    user: str | None = field(default=None, metadata=_USER)


@frozen
class LintRequest:
    """Lint a rule set given as YAML or JSON text."""

    ruleset: str = field(
        metadata={"min_length": 1, "description": "The rule file's text (YAML or JSON)."}
    )
    source: str | None = field(
        default=None,
        metadata={
            "max_length": MAX_NAME,
            "description": "A name for the text in findings (default: <request body>).",
        },
    )


# -- responses --------------------------------------------------------------------------------
@frozen
class Health:
    """The service is up."""

    status: Literal["ok"]
    version: str
    disclaimer: str

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "version": self.version, "disclaimer": self.disclaimer}


@frozen
class RuleSetInfo:
    """A rule set the service can screen with."""

    name: str
    id: str
    version: str
    title: str
    #: The language the title is in (English when the asked one is missing).
    title_language: str
    confidence: str | None
    indicators: int
    languages: tuple[str, ...]
    hash: str

    def to_dict(self) -> dict[str, Any]:
        out = attrs.asdict(self)
        out["languages"] = list(self.languages)
        return out


@frozen
class RuleSetList:
    """The rule sets a request may name."""

    rulesets: tuple[RuleSetInfo, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"rulesets": [r.to_dict() for r in self.rulesets]}


@frozen
class NetworkInfo:
    """A referral network the service can find pathways in."""

    name: str
    id: str
    version: str
    title: str
    title_language: str
    institutions: int
    first_contact: tuple[str, ...]
    hash: str

    def to_dict(self) -> dict[str, Any]:
        out = attrs.asdict(self)
        out["first_contact"] = list(self.first_contact)
        return out


@frozen
class NetworkList:
    """The referral networks a request may name."""

    networks: tuple[NetworkInfo, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"networks": [n.to_dict() for n in self.networks]}


@frozen
class CaseError:
    """Why one case of a batch was not screened (a problem document without status)."""

    title: str
    detail: str
    errors: tuple[ProblemLocation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "detail": self.detail,
            "errors": [e.to_dict() for e in self.errors],
        }


@frozen
class BatchItem:
    """One case of a batch: its index in the request's cases, and its assessment or its error."""

    index: int
    # Exactly one of the two is given (and written).
    assessment: Assessment | None = field(
        default=None, metadata={"schema": Assessment, "optional": True}
    )
    error: CaseError | None = field(default=None, metadata={"schema": CaseError, "optional": True})

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index}
        if self.assessment is not None:
            out["assessment"] = self.assessment.to_dict()
        if self.error is not None:
            out["error"] = self.error.to_dict()
        return out


@frozen
class BatchResult:
    """Every case of a batch, in order, with counts."""

    results: tuple[BatchItem, ...]
    screened: int
    failed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "results": [r.to_dict() for r in self.results],
            "screened": self.screened,
            "failed": self.failed,
        }


@frozen
class PathwayResult:
    """The assessment and the referral pathway it leads to."""

    assessment: Assessment
    pathway: Pathway

    def to_dict(self) -> dict[str, Any]:
        return {"assessment": self.assessment.to_dict(), "pathway": self.pathway.to_dict()}


@frozen
class LintResult:
    """Every lint finding on the posted rule set, with counts by severity."""

    findings: tuple[Finding, ...]
    errors: int
    warnings: int
    infos: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.infos,
        }


# -- checking a request against its class -------------------------------------------------------
def parse_request(data: Any, cls: type[T], limits: Mapping[str, int]) -> T:
    """``cls`` built from a decoded JSON body, or a :class:`ServiceError` naming every problem.

    Cases are only checked to be objects here: the screener checks their content.
    """
    if not isinstance(data, dict):
        raise _invalid([_problem("$", f"expected a JSON object, got {_kind(data)}")])
    fields, hints = _layout(cls)
    problems: list[Problem] = []
    for key in data:
        if key not in fields:
            shown = key if len(key) <= 80 else key[:77] + "..."
            problems.append(
                _problem(
                    f"$.{shown}" if shown.replace("_", "").isalnum() else f"$[{shown!r}]",
                    f"unknown key {shown!r}{did_you_mean(key, fields)}; expected "
                    + ", ".join(fields),
                )
            )
    values: dict[str, Any] = {}
    too_many: Problem | None = None
    for key, a in fields.items():
        if key not in data:
            if a.default is attrs.NOTHING:
                problems.append(_problem("$", f"missing required key {key!r}"))
            continue
        value = data[key]
        message = _check(value, hints[a.name], a.metadata)
        if message is not None:
            problems.append(_problem(f"$.{key}", message))
            continue
        limit = limits.get(a.metadata.get("limit", ""))
        if limit is not None and len(value) > limit:
            too_many = _problem(f"$.{key}", f"{len(value)} items; the limit is {limit}")
        values[a.name] = tuple(value) if isinstance(value, list) else value
    if problems:
        raise _invalid(problems)
    if too_many is not None:
        # 422, not 413: the body is within its size; its content breaks the batch limit,
        # which the document states as maxItems.
        raise ServiceError(422, "batch-too-large", "Too many items in the request", too_many)
    return cls(**values)


@functools.cache
def _layout(cls: type[AttrsInstance]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON keys of a request class and its field types (resolved once per class)."""
    return {a.name.rstrip("_"): a for a in attrs.fields(cls)}, typing.get_type_hints(cls)


def _check(value: Any, hint: Any, meta: Mapping[str, Any]) -> str | None:
    origin = typing.get_origin(hint)
    if origin is tuple:
        return None if isinstance(value, list) else f"expected an array, got {_kind(value)}"
    if origin is Mapping:
        return None if isinstance(value, dict) else f"expected an object, got {_kind(value)}"
    if value is None and type(None) in typing.get_args(hint):
        return None
    if hint is str or str in typing.get_args(hint):
        if not isinstance(value, str):
            return f"expected a string, got {_kind(value)}"
        if len(value) < meta.get("min_length", 0):
            return "expected a non-empty string"
        if len(value) > meta.get("max_length", len(value)):
            return f"expected at most {meta['max_length']} characters, got {len(value)}"
        return None
    raise TypeError(f"no request check for {hint!r}")  # pragma: no cover - classes above only


def _kind(value: object) -> str:
    # Only the kind: the value is case data.
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "true/false"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def _problem(path: str, message: str) -> Problem:
    return Problem(message, source=BODY, path=path)


def _invalid(problems: list[Problem]) -> ServiceError:
    return ServiceError(422, "invalid-request", "The request is not valid", problems)
