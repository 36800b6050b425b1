"""AST of the expression language: frozen, slotted attrs classes.

Positions (``pos``, an offset into the expression text) are kept for error messages
and excluded from equality, so that ``parse(pretty(tree)) == tree``.
"""

from __future__ import annotations

from attrs import field, frozen

__all__ = [
    "BINARY_OPS",
    "FUNCTIONS",
    "Binary",
    "Call",
    "ListLit",
    "Literal",
    "Name",
    "Node",
    "Unary",
    "walk",
]

LiteralValue = bool | int | float | str

#: Binary operators, by precedence level (higher binds tighter).
BINARY_OPS: dict[str, int] = {
    "or": 1,
    "and": 2,
    "==": 4,
    "!=": 4,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "in": 4,
    "not in": 4,
    "+": 5,
    "-": 5,
    "*": 6,
}
COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "not in"})
FUNCTIONS = frozenset({"count", "any", "all", "at_least", "date"})


@frozen
class Literal:
    value: LiteralValue
    pos: int = field(default=0, eq=False, repr=False)


@frozen
class Name:
    name: str
    pos: int = field(default=0, eq=False, repr=False)


@frozen
class Unary:
    op: str  # "not" or "-"
    operand: Node
    pos: int = field(default=0, eq=False, repr=False)


@frozen
class Binary:
    op: str
    left: Node
    right: Node
    pos: int = field(default=0, eq=False, repr=False)


@frozen
class Call:
    func: str
    args: tuple[Node, ...]
    pos: int = field(default=0, eq=False, repr=False)


@frozen
class ListLit:
    items: tuple[Literal, ...]
    pos: int = field(default=0, eq=False, repr=False)


Node = Literal | Name | Unary | Binary | Call | ListLit


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents before children, without recursion."""
    out: list[Node] = []
    stack: list[Node] = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        if isinstance(n, Unary):
            stack.append(n.operand)
        elif isinstance(n, Binary):
            stack.append(n.right)
            stack.append(n.left)
        elif isinstance(n, Call):
            stack.extend(reversed(n.args))
        elif isinstance(n, ListLit):
            stack.extend(reversed(n.items))
    return out
