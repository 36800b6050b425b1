"""Code generation for whole columns: the same Kleene interval semantics as codegen.py,
written as numpy operations on arrays (one element per case).

Every node becomes a pair ``(lo, hi)`` of arrays (or scalars, which broadcast), bound
to temporaries; as in the scalar generator, rule-file values are bound constants.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from .ast import Binary, Call, ListLit, Literal, Name, Node, Unary
from .codegen import CodeBuilder

__all__ = ["vgen"]

Resolver = Callable[[str], tuple[str, str]]
Types = Callable[[Node], str]


def vgen(node: Node, b: CodeBuilder, resolve: Resolver, types: Types) -> tuple[str, str]:
    """Emit numpy statements computing ``node``; return the names holding ``(lo, hi)``."""
    if isinstance(node, Literal):
        c = b.const(node.value)
        return c, c
    if isinstance(node, Name):
        return resolve(node.name)
    if isinstance(node, Unary):
        lo, hi = vgen(node.operand, b, resolve, types)
        if node.op == "not":
            return b.pair(f"_np.logical_not({hi})", f"_np.logical_not({lo})")
        return b.pair(f"_np.negative({hi})", f"_np.negative({lo})")
    if isinstance(node, Call):
        return _call(node, b, resolve, types)
    if isinstance(node, ListLit):  # pragma: no cover - the checker allows lists only after 'in'
        raise AssertionError("list outside 'in'")
    return _binary(node, b, resolve, types)


def _binary(node: Binary, b: CodeBuilder, resolve: Resolver, types: Types) -> tuple[str, str]:
    op = node.op
    if op in ("in", "not in"):
        assert isinstance(node.right, ListLit)
        xl, xh = vgen(node.left, b, resolve, types)
        values = [item.value for item in node.right.items]
        s = b.const(tuple(values))
        if types(node.left) == "str":
            known = f"_np.not_equal({xl}, None)"
            member = f"_np.isin({xl}, _np.array({s}, dtype=object))"
            lo, hi = b.pair(
                f"_np.logical_and({known}, {member})",
                f"_np.logical_or(_np.logical_not({known}), {member})",
            )
        else:
            lo, hi = b.pair(
                f"_np.logical_and(_np.equal({xl}, {xh}), _np.isin({xl}, _np.array({s}, dtype=float)))",
                f"_vinr({xl}, {xh}, {s})",
            )
        if op == "not in":
            return b.pair(f"_np.logical_not({hi})", f"_np.logical_not({lo})")
        return lo, hi
    al, ah = vgen(node.left, b, resolve, types)
    bl, bh = vgen(node.right, b, resolve, types)
    if op == "and":
        return b.pair(f"_np.logical_and({al}, {bl})", f"_np.logical_and({ah}, {bh})")
    if op == "or":
        return b.pair(f"_np.logical_or({al}, {bl})", f"_np.logical_or({ah}, {bh})")
    if op == "+":
        return b.pair(f"_np.add({al}, {bl})", f"_np.add({ah}, {bh})")
    if op == "-":
        return b.pair(f"_np.subtract({al}, {bh})", f"_np.subtract({ah}, {bl})")
    if op == "*":
        t = b.temp()
        b.emit(f"{t}l, {t}h = _vmul({al}, {ah}, {bl}, {bh})")
        return f"{t}l", f"{t}h"
    fn = {">=": "greater_equal", ">": "greater", "<=": "less_equal", "<": "less"}.get(op)
    if fn is not None and op in (">=", ">"):
        return b.pair(f"_np.{fn}({al}, {bh})", f"_np.{fn}({ah}, {bl})")
    if fn is not None:
        return b.pair(f"_np.{fn}({ah}, {bl})", f"_np.{fn}({al}, {bh})")
    kind = types(node.left)
    if kind == "str":
        known = f"_np.logical_and(_np.not_equal({al}, None), _np.not_equal({bl}, None))"
        same = f"_np.equal({al}, {bl})"
        eq_lo, eq_hi = b.pair(
            f"_np.logical_and({known}, {same})", f"_np.logical_or(_np.logical_not({known}), {same})"
        )
    elif kind == "bool":
        known = f"_np.logical_and(_np.equal({al}, {ah}), _np.equal({bl}, {bh}))"
        eq_lo, eq_hi = b.pair(
            f"_np.logical_and({known}, _np.equal({al}, {bl}))",
            f"_np.logical_not(_np.logical_and({known}, _np.not_equal({al}, {bl})))",
        )
    else:
        eq_lo, eq_hi = b.pair(
            f"_np.logical_and(_np.logical_and(_np.equal({al}, {ah}), _np.equal({bl}, {bh})), _np.equal({al}, {bl}))",
            f"_np.logical_and(_np.less_equal({al}, {bh}), _np.less_equal({bl}, {ah}))",
        )
    if op == "==":
        return eq_lo, eq_hi
    return b.pair(f"_np.logical_not({eq_hi})", f"_np.logical_not({eq_lo})")


def _call(node: Call, b: CodeBuilder, resolve: Resolver, types: Types) -> tuple[str, str]:
    if node.func == "date":
        literal = node.args[0]
        assert isinstance(literal, Literal)
        assert isinstance(literal.value, str)
        c = b.const(_dt.date.fromisoformat(literal.value).toordinal())
        return c, c
    args = node.args[1:] if node.func == "at_least" else node.args
    pairs = [vgen(a, b, resolve, types) for a in args]
    los = ", ".join(p[0] for p in pairs)
    his = ", ".join(p[1] for p in pairs)
    if node.func == "any":
        return b.pair(f"_vany({los})", f"_vany({his})")
    if node.func == "all":
        return b.pair(f"_vall({los})", f"_vall({his})")
    lo, hi = b.pair(f"_vcount({los})", f"_vcount({his})")
    if node.func == "count":
        return lo, hi
    first = node.args[0]
    assert isinstance(first, Literal)
    n = b.const(first.value)
    return b.pair(f"_np.greater_equal({lo}, {n})", f"_np.greater_equal({hi}, {n})")
