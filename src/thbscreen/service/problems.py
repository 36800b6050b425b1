"""Errors as RFC 9457 problem documents, located like the command line locates them.

Every error response is ``application/problem+json`` with ``type``, ``title``,
``status``, ``detail`` and ``errors``: the library's :class:`~thbscreen.Problem` objects
(source, line, column, path, message). Problems found in a request body are re-pointed at
the body: their path becomes a path in the body (``$.cases[3].indicators['x']``) and,
where the body can be read as a document with positions, they get its line and column.
Nothing of the body other than ids already in the library's messages goes into a problem.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from attrs import frozen

from .._yaml import Located, PathT, read_located
from ..errors import CaseDataError, NetworkError, Problem, RuleSetError, ThbscreenError
from ..referral.pathway import NoReferralPath

__all__ = [
    "BODY",
    "PROBLEM_MEDIA_TYPE",
    "ProblemDocument",
    "ProblemLocation",
    "ServiceError",
    "document_for",
    "locate",
    "rebase",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://thbscreen.invalid/problems/"
BODY = "<request body>"


@frozen
class ProblemLocation:
    """Where one problem is: the same fields as :meth:`thbscreen.Problem.to_dict`."""

    source: str | None
    line: int | None
    column: int | None
    path: str
    message: str

    @classmethod
    def of(cls, problem: Problem) -> ProblemLocation:
        return cls(problem.source, problem.line, problem.column, problem.path, problem.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
        }


@frozen
class ProblemDocument:
    """An RFC 9457 problem document; ``type`` names the kind of problem."""

    type: str
    title: str
    status: int
    detail: str
    errors: tuple[ProblemLocation, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "errors": [e.to_dict() for e in self.errors],
        }


class ServiceError(ThbscreenError):
    """A request the service refuses, with the HTTP status and the kind of problem."""

    def __init__(
        self, status: int, kind: str, title: str, problems: Problem | Sequence[Problem]
    ) -> None:
        super().__init__(problems)
        self.status = status
        self.kind = kind
        self.title = title


# Library errors raised while answering a request: all are the caller's input.
_KINDS: tuple[tuple[type[ThbscreenError], str, str], ...] = (
    (NoReferralPath, "no-referral-path", "No service the assessment calls for can be reached"),
    (CaseDataError, "case-data", "The case does not fit the rule set"),
    (NetworkError, "network", "The referral request does not fit the network"),
    (RuleSetError, "rule-set", "The rule set is not valid"),
)


def document_for(exc: ThbscreenError, problems: Sequence[Problem] | None = None) -> ProblemDocument:
    """The problem document of an error: a :class:`ServiceError`'s own status, else 422.

    ``problems`` replaces the error's own (the same ones, located in the body).
    """
    problems = exc.problems if problems is None else problems
    if isinstance(exc, ServiceError):
        status, kind, title = exc.status, exc.kind, exc.title
    else:
        status, kind, title = 422, "invalid-request", "The request is not valid"
        for cls, k, t in _KINDS:
            if isinstance(exc, cls):
                kind, title = k, t
                break
    errors = tuple(ProblemLocation.of(p) for p in problems)
    detail = str(problems[0]) if len(problems) == 1 else f"{len(problems)} problems; see errors"
    return ProblemDocument(TYPE_BASE + kind, title, status, detail, errors)


def rebase(problems: Sequence[Problem], prefix: str) -> list[Problem]:
    """Problems about a part of the body (a case), with paths from the body's root."""
    out = []
    for p in problems:
        rest = p.path[1:] if p.path.startswith("$") else "." + p.path
        out.append(Problem(p.message, source=BODY, path=prefix + rest))
    return out


_STEP = re.compile(r"\.([A-Za-z0-9_]+)|\[(\d+)\]|\['([^'\\]*)'\]|\[\"([^\"\\]*)\"\]")


def _parse_path(path: str) -> PathT | None:
    """``$.cases[2].indicators['a.b']`` as a tuple of keys; None for what we cannot read."""
    if not path.startswith("$"):
        return None
    out: list[str | int] = []
    at = 1
    while at < len(path):
        m = _STEP.match(path, at)
        if m is None:
            return tuple(out)  # the readable prefix still points near the spot
        name, index, single, double = m.groups()
        out.append(int(index) if index is not None else (name or single or double or ""))
        at = m.end()
    return tuple(out)


def locate(raw: bytes, problems: Sequence[Problem]) -> list[Problem]:
    """Add the body's line and column to problems whose source is the body.

    Only called when answering with an error, so the slower reader with positions is
    paid for by bad requests alone.
    """
    if not any(p.source == BODY and p.line is None for p in problems):
        return list(problems)
    try:
        located: Located | None = read_located(raw, BODY)
    except ThbscreenError:
        located = None
    out = []
    for p in problems:
        path = _parse_path(p.path) if located is not None and p.source == BODY else None
        if located is None or path is None or p.line is not None:
            out.append(p)
            continue
        mark = located.mark(path)
        out.append(
            Problem(
                p.message,
                source=p.source,
                line=mark.line if mark else None,
                column=mark.column if mark else None,
                path=p.path,
            )
        )
    return out
