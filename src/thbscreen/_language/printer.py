"""Pretty-printer: the shortest text, with only needed brackets, that parses back to the tree."""

from __future__ import annotations

from .ast import BINARY_OPS, Binary, Call, ListLit, Literal, Name, Node, Unary
from .parser import NEG_PREC, NOT_PREC

__all__ = ["pretty"]

_ATOM = 9


def _literal(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        out = ['"']
        for c in value:
            if c == "\\":
                out.append("\\\\")
            elif c == '"':
                out.append('\\"')
            elif c == "\n":
                out.append("\\n")
            elif c == "\t":
                out.append("\\t")
            elif c == "\r":
                out.append("\\r")
            elif ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029\x85":
                out.append(f"\\u{ord(c):04x}")
            else:
                out.append(c)
        out.append('"')
        return "".join(out)
    return repr(value)


def _prec(node: Node) -> int:
    if isinstance(node, Binary):
        return BINARY_OPS[node.op]
    if isinstance(node, Unary):
        return NOT_PREC if node.op == "not" else NEG_PREC
    return _ATOM


def pretty(node: Node) -> str:
    """Render ``node`` as expression text; ``parse(pretty(n)) == n`` for every valid tree."""
    # Iterative, with an explicit stack, because trees built by code may be deep.
    out: list[str] = []
    stack: list[tuple[Node | str, int]] = [(node, 0)]
    while stack:
        item, min_prec = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        prec = _prec(item)
        close = prec < min_prec
        todo: list[tuple[Node | str, int]] = []
        if close:
            todo.append(("(", 0))
        if isinstance(item, Literal):
            todo.append((_literal(item.value), 0))
        elif isinstance(item, Name):
            todo.append((item.name, 0))
        elif isinstance(item, Unary):
            todo.append(("not " if item.op == "not" else "-", 0))
            # "-(1)": a minus sign straight before a number would merge into the literal.
            operand_min = _ATOM + 1 if item.op == "-" and _is_plain_number(item.operand) else prec
            todo.append((item.operand, operand_min))
        elif isinstance(item, Binary):
            if prec == BINARY_OPS["=="]:
                left_min, right_min = prec + 1, prec + 1
            else:
                left_min, right_min = prec, prec + 1
            todo += [(item.left, left_min), (f" {item.op} ", 0), (item.right, right_min)]
        elif isinstance(item, Call):
            todo.append((f"{item.func}(", 0))
            for i, arg in enumerate(item.args):
                if i:
                    todo.append((", ", 0))
                todo.append((arg, 0))
            todo.append((")", 0))
        elif isinstance(item, ListLit):
            todo.append(("[", 0))
            for i, lit in enumerate(item.items):
                if i:
                    todo.append((", ", 0))
                todo.append((lit, 0))
            todo.append(("]", 0))
        if close:
            todo.append((")", 0))
        stack.extend(reversed(todo))
    return "".join(out)


def _is_plain_number(node: Node) -> bool:
    return (
        isinstance(node, Literal)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
        and not str(node.value).startswith("-")
    )
