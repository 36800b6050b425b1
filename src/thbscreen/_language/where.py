"""Where an expression sits in its file, so errors inside it point at the right column."""

from __future__ import annotations

from attrs import frozen

from ..errors import ExpressionError, Problem

__all__ = ["Where"]


@frozen
class Where:
    source: str | None = None
    line: int | None = None
    column: int | None = None
    path: str = "$"
    #: True when the text sits on one line of the file starting at ``column`` (plain or
    #: quoted scalars), so an offset in the text maps to a column; False for block scalars.
    inline: bool = True

    def problem(self, message: str, pos: int | None = None) -> Problem:
        column = self.column
        if pos is not None and self.inline and column is not None:
            column += pos
        return Problem(message, source=self.source, line=self.line, column=column, path=self.path)

    def error(self, message: str, pos: int | None = None) -> ExpressionError:
        return ExpressionError(self.problem(message, pos))


EXPRESSION = Where(source="<expression>", line=1, column=1)
