"""Polarity analysis: is an expression monotone (non-decreasing) in its inputs?

Screening rules should be monotone: one more indicator present never lowers the
outcome. The analysis is syntactic and conservative: it may call a monotone
expression non-monotone (``a - a``), never the other way round.
"""

from __future__ import annotations

from collections.abc import Callable

from .ast import Binary, Call, ListLit, Literal, Name, Node, Unary

__all__ = ["NEG", "POS", "polarity"]

POS = 1
NEG = 2
BOTH = POS | NEG


def _flip(p: int) -> int:
    return ((p & POS) and NEG) | ((p & NEG) and POS)


def polarity(node: Node, is_input: Callable[[str], bool]) -> int:
    """Bit set of the directions in which inputs occur: POS, NEG, both, or 0 for none."""
    if isinstance(node, Literal | ListLit):
        return 0
    if isinstance(node, Name):
        return POS if is_input(node.name) else 0
    if isinstance(node, Unary):
        return _flip(polarity(node.operand, is_input))
    if isinstance(node, Call):
        out = 0
        for arg in node.args:
            out |= polarity(arg, is_input)
        return out
    assert isinstance(node, Binary)
    left = polarity(node.left, is_input)
    right = polarity(node.right, is_input)
    op = node.op
    if op in ("and", "or", "+"):
        return left | right
    if op in (">=", ">", "-"):
        return left | _flip(right)
    if op in ("<=", "<"):
        return _flip(left) | right
    if op == "*":
        # Monotone only when the other side is a non-negative literal.
        for this, other in ((left, node.right), (right, node.left)):
            if this and not (
                isinstance(other, Literal)
                and isinstance(other.value, int | float)
                and other.value >= 0
            ):
                return BOTH
        return left | right
    # ==, !=, in, not in: inputs on either side break monotonicity.
    return BOTH if (left | right) else 0
