"""Type checker: resolves every name against the rule set's declarations.

Types are ``bool`` (three-valued), ``num``, ``str`` and ``date``. Enum facts are
strings with a closed set of values, so comparing one with a value it cannot take is
a type error with a "did you mean".
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping

from attrs import frozen

from .ast import COMPARISONS, Binary, Call, ListLit, Literal, Name, Node, Unary
from .suggest import did_you_mean
from .where import Where

__all__ = ["Symbol", "check", "names_in"]


@frozen
class Symbol:
    """What a name means in an expression's scope."""

    kind: str  # "fact", "indicator", "dimension", "count", "score"
    type: str  # "bool", "num", "str", "date"
    values: frozenset[str] | None = None  # enum facts


def names_in(node: Node) -> set[str]:
    from .ast import walk

    return {n.name for n in walk(node) if isinstance(n, Name)}


def _literal_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "num"
    return "str"


class _Checker:
    def __init__(self, scope: Mapping[str, Symbol], where: Where, types: dict[int, str]) -> None:
        self.scope = scope
        self.where = where
        self.types = types

    def fail(self, message: str, node: Node) -> Exception:
        return self.where.error(message, node.pos)

    def type_of(self, node: Node) -> str:
        got = self._type_of(node)
        self.types[id(node)] = got
        return got

    def _type_of(self, node: Node) -> str:
        if isinstance(node, Literal):
            return _literal_type(node.value)
        if isinstance(node, Name):
            sym = self.scope.get(node.name)
            if sym is None:
                hint = did_you_mean(node.name, self.scope)
                raise self.fail(f"unknown name {node.name!r}{hint}", node)
            return sym.type
        if isinstance(node, Unary):
            want = "bool" if node.op == "not" else "num"
            got = self.type_of(node.operand)
            if got != want:
                raise self.fail(f"'{node.op}' needs a {want} operand, got {got}", node)
            return want
        if isinstance(node, ListLit):
            raise self.fail("a list may only stand on the right of 'in' or 'not in'", node)
        if isinstance(node, Call):
            return self.call(node)
        return self.binary(node)

    def want(self, node: Node, want: str, what: str) -> None:
        got = self.type_of(node)
        if got != want:
            raise self.fail(f"{what} must be {want}, got {got}", node)

    def binary(self, node: Binary) -> str:
        op = node.op
        if op in ("and", "or"):
            self.want(node.left, "bool", f"the left side of '{op}'")
            self.want(node.right, "bool", f"the right side of '{op}'")
            return "bool"
        if op in ("in", "not in"):
            return self.membership(node)
        left = self.type_of(node.left)
        right = self.type_of(node.right)
        if op in COMPARISONS:
            ordered = op not in ("==", "!=")
            if left != right:
                raise self.fail(f"cannot compare {left} with {right} using '{op}'", node)
            if ordered and left not in ("num", "date"):
                raise self.fail(f"'{op}' compares numbers or dates, got {left}", node)
            self.enum_literal(node.left, node.right)
            self.enum_literal(node.right, node.left)
            return "bool"
        if op == "-" and left == "date" and right == "date":
            return "num"
        if op in ("+", "-") and left == "date" and right == "num":
            return "date"
        if op == "+" and left == "num" and right == "date":
            return "date"
        if left != "num" or right != "num":
            raise self.fail(f"'{op}' needs numbers, got {left} and {right}", node)
        return "num"

    def enum_literal(self, name: Node, lit: Node) -> None:
        if not (isinstance(name, Name) and isinstance(lit, Literal)):
            return
        sym = self.scope.get(name.name)
        if sym is None or sym.values is None or not isinstance(lit.value, str):
            return
        if lit.value not in sym.values:
            hint = did_you_mean(lit.value, sym.values)
            raise self.fail(
                f"{name.name!r} is one of {', '.join(sorted(sym.values))}; "
                f"it can never be {lit.value!r}{hint}",
                lit,
            )

    def membership(self, node: Binary) -> str:
        left = self.type_of(node.left)
        if left not in ("num", "str"):
            raise self.fail(f"'{node.op}' tests numbers or strings, got {left}", node)
        if not isinstance(node.right, ListLit):
            raise self.fail(f'the right side of \'{node.op}\' must be a list like ["a", "b"]', node)
        for item in node.right.items:
            got = self.type_of(item)
            if got != left:
                raise self.fail(f"list item must be {left}, got {got}", item)
            self.enum_literal(node.left, item)
        return "bool"

    def call(self, node: Call) -> str:
        args = node.args
        if node.func == "date":
            if (
                len(args) != 1
                or not isinstance(args[0], Literal)
                or not isinstance(args[0].value, str)
            ):
                raise self.fail('date() takes one string literal, e.g. date("2024-01-31")', node)
            try:
                _dt.date.fromisoformat(args[0].value)
            except ValueError:
                raise self.fail(
                    f"date() expects YYYY-MM-DD, got {args[0].value!r}", args[0]
                ) from None
            return "date"
        bools = args
        if node.func == "at_least":
            if not args or not isinstance(args[0], Literal) or type(args[0].value) is not int:
                raise self.fail(
                    "at_least() takes a whole number first, e.g. at_least(2, a, b, c)", node
                )
            if args[0].value < 0:
                raise self.fail("at_least() needs a number >= 0", args[0])
            bools = args[1:]
        if not bools:
            raise self.fail(f"{node.func}() needs at least one condition", node)
        for arg in bools:
            self.want(arg, "bool", f"an argument of {node.func}()")
        return "num" if node.func == "count" else "bool"


def check(
    node: Node,
    scope: Mapping[str, Symbol],
    where: Where,
    want: str | None = "bool",
    types: dict[int, str] | None = None,
) -> str:
    """Return the type of ``node``; raise :class:`ExpressionError` where it is ill-typed.

    ``types``, when given, receives the type of every node, keyed by ``id(node)``.
    """
    # Depth is bounded by the parser (MAX_TREE_DEPTH), so recursion here is safe.
    got = _Checker(scope, where, {} if types is None else types).type_of(node)
    if want is not None and got != want:
        raise where.error(f"expected a {want} expression, got {got}", node.pos)
    return got
