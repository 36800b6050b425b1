"""Findings of static checks (``thbscreen lint`` on rule sets, ``network check`` on
networks): a code, a severity, a located message and a hint on how to fix it."""

from __future__ import annotations

from typing import Literal

from attrs import frozen

__all__ = ["Finding", "Severity"]

Severity = Literal["error", "warning", "info"]


@frozen
class Finding:
    """One finding, located in its file like a load :class:`~thbscreen.Problem`."""

    code: str
    severity: Severity
    message: str
    source: str | None = None
    line: int | None = None
    column: int | None = None
    path: str = "$"
    hint: str | None = None

    @property
    def location(self) -> str:
        parts = [self.source or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.location}: {self.code} {self.severity}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "hint": self.hint,
        }
