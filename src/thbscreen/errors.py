"""One exception hierarchy. Every error carries where it happened.

The message always has the form ``source:line:column: path: what was expected, what came``
so that editors and terminals can jump to the spot. Case values never appear in the
message unless the caller put them there (see :class:`CaseDataError`).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "CaseDataError",
    "ExpressionError",
    "NetworkError",
    "Problem",
    "RuleSetError",
    "ThbscreenError",
]


class Problem:
    """One located problem; errors that collect several keep a tuple of these."""

    __slots__ = ("column", "line", "message", "path", "source")

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        path: str = "$",
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.path = path

    @property
    def location(self) -> str:
        parts = [self.source or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.path}: {self.message}"

    def __repr__(self) -> str:
        return f"Problem({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
        }


class ThbscreenError(Exception):
    """Root of every error thbscreen raises on purpose.

    ``problems`` holds every problem found; the first one also fills ``source``,
    ``line``, ``column`` and ``path`` for callers that want a single location.
    """

    def __init__(self, problems: Problem | Sequence[Problem]) -> None:
        if isinstance(problems, Problem):
            problems = (problems,)
        if not problems:
            problems = (Problem("unspecified error"),)
        self.problems: tuple[Problem, ...] = tuple(problems)
        first = self.problems[0]
        self.source = first.source
        self.line = first.line
        self.column = first.column
        self.path = first.path
        super().__init__(self._text())

    @classmethod
    def at(
        cls,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        path: str = "$",
    ) -> ThbscreenError:
        return cls(Problem(message, source=source, line=line, column=column, path=path))

    def _text(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems:"]
        lines.extend(f"  {p}" for p in self.problems)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "error": type(self).__name__,
            "message": str(self),
            "problems": [p.to_dict() for p in self.problems],
        }


class RuleSetError(ThbscreenError):
    """A rule-set file (or a case file) is malformed, ill-typed or too large."""


class ExpressionError(RuleSetError):
    """An expression does not parse, does not type-check or exceeds a limit."""


class CaseDataError(ThbscreenError):
    """A case given to a screener does not fit the rule set (unknown ids, wrong types)."""


class NetworkError(ThbscreenError):
    """A referral-network file is malformed or inconsistent."""
