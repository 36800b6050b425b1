"""Code generation from the checked AST: Kleene three-valued logic over intervals.

Every value of the language is a pair ``(lo, hi)``:

* a bool is ``(False, False)`` false, ``(True, True)`` true, ``(False, True)`` unknown;
* a number or a date (as an ordinal) is the interval of values it may still take;
* a string is ``(s, s)``, or ``(None, None)`` when unknown.

Operations map intervals to intervals soundly (whatever the unknowns turn out to be,
the true value lies inside), and exactly for expressions that are monotone in each
unknown, which is what screening rules are. The generated text contains only
generated identifiers and indices chosen by the compiler: every value that came
from a rule file (numbers, strings, dates, lists) is bound as a constant in the
function's namespace, never spliced into the source.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable

from .ast import Binary, Call, ListLit, Literal, Name, Node, Unary

__all__ = ["CodeBuilder", "compile_functions", "gen"]

_CLAMP = 1e300


def _mul(alo: float, ahi: float, blo: float, bhi: float) -> tuple[float, float]:
    products = (alo * blo, alo * bhi, ahi * blo, ahi * bhi)
    # Unbounded unknowns are +-1e300; clamp so later sums never meet inf - inf.
    lo = max(min(products), -_CLAMP)
    hi = min(max(products), _CLAMP)
    return lo, hi


def _in_interval(lo: float, hi: float, values: Iterable[float]) -> bool:
    return any(lo <= v <= hi for v in values)


HELPERS: dict[str, object] = {"_mul": _mul, "_inr": _in_interval}


class CodeBuilder:
    """Collects generated statements and the constants they refer to."""

    _SIMPLE = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])?|\(S\[\d+\] [=!]= [01]\))$")

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.consts: dict[str, object] = {}
        self._const_ids: dict[tuple[type, object], str] = {}
        self._n = 0

    def const(self, value: object) -> str:
        key = (type(value), value)
        name = self._const_ids.get(key)
        if name is None:
            name = f"_k{len(self.consts)}"
            self.consts[name] = value
            self._const_ids[key] = name
        return name

    def temp(self) -> str:
        self._n += 1
        return f"t{self._n}"

    def emit(self, line: str, indent: int = 1) -> None:
        self.lines.append("    " * indent + line)

    def pair(self, lo: str, hi: str) -> tuple[str, str]:
        """Bind a ``(lo, hi)`` pair to two fresh temporaries."""
        t = self.temp()
        self.emit(f"{t}l = {lo}")
        self.emit(f"{t}h = {hi}")
        return f"{t}l", f"{t}h"

    def assign(self, text: str, name: str | None = None) -> str:
        """Bind ``text`` to a variable (reusing simple ones) so it can be used twice."""
        if name is None and self._SIMPLE.match(text):
            return text
        var = name or self.temp()
        self.emit(f"{var} = {text}")
        return var


Resolver = Callable[[str], tuple[str, str]]
Types = Callable[[Node], str]


def gen(node: Node, b: CodeBuilder, resolve: Resolver, types: Types) -> tuple[str, str]:
    """Python expressions for ``node``'s ``(lo, hi)``; helper statements go to ``b``.

    Each child's ``lo`` and ``hi`` text appears at most once in the parent's pair, so
    inlining never blows up; where an operation needs a value twice it is bound first.
    """
    if isinstance(node, Literal):
        c = b.const(node.value)
        return c, c
    if isinstance(node, Name):
        return resolve(node.name)
    if isinstance(node, Unary):
        lo, hi = gen(node.operand, b, resolve, types)
        if node.op == "not":
            return f"(not {hi})", f"(not {lo})"
        return f"(-{hi})", f"(-{lo})"
    if isinstance(node, Call):
        return _call(node, b, resolve, types)
    if isinstance(node, ListLit):  # pragma: no cover - the checker allows lists only after 'in'
        raise AssertionError("list outside 'in'")
    return _binary(node, b, resolve, types)


def _binary(node: Binary, b: CodeBuilder, resolve: Resolver, types: Types) -> tuple[str, str]:
    op = node.op
    if op in ("in", "not in"):
        assert isinstance(node.right, ListLit)
        xl, xh = gen(node.left, b, resolve, types)
        xl, xh = b.assign(xl), b.assign(xh)
        s = b.const(frozenset(item.value for item in node.right.items))
        if types(node.left) == "str":
            lo, hi = f"({xl} is not None and {xl} in {s})", f"({xl} is None or {xl} in {s})"
        else:
            lo, hi = f"({xl} == {xh} and {xl} in {s})", f"_inr({xl}, {xh}, {s})"
        if op == "not in":
            return f"(not {hi})", f"(not {lo})"
        return lo, hi
    al, ah = gen(node.left, b, resolve, types)
    bl, bh = gen(node.right, b, resolve, types)
    if op in ("and", "or", "+"):
        return f"({al} {op} {bl})", f"({ah} {op} {bh})"
    if op == "-":
        return f"({al} - {bh})", f"({ah} - {bl})"
    if op == "*":
        t = b.assign(f"_mul({al}, {ah}, {bl}, {bh})", b.temp())
        return f"{t}[0]", f"{t}[1]"
    if op in (">=", ">"):
        return f"({al} {op} {bh})", f"({ah} {op} {bl})"
    if op in ("<=", "<"):
        return f"({ah} {op} {bl})", f"({al} {op} {bh})"
    al, ah, bl, bh = b.assign(al), b.assign(ah), b.assign(bl), b.assign(bh)
    kind = types(node.left)
    if kind == "str":
        eq_lo = f"({al} is not None and {bl} is not None and {al} == {bl})"
        eq_hi = f"({al} is None or {bl} is None or {al} == {bl})"
    elif kind == "bool":
        known = f"{al} == {ah} and {bl} == {bh}"
        eq_lo = f"({known} and bool({al}) == bool({bl}))"
        eq_hi = f"(not ({known} and bool({al}) != bool({bl})))"
    else:
        eq_lo = f"({al} == {ah} == {bl} == {bh})"
        eq_hi = f"({al} <= {bh} and {bl} <= {ah})"
    if op == "==":
        return eq_lo, eq_hi
    return f"(not {eq_hi})", f"(not {eq_lo})"


def _call(node: Call, b: CodeBuilder, resolve: Resolver, types: Types) -> tuple[str, str]:
    if node.func == "date":
        literal = node.args[0]
        assert isinstance(literal, Literal)
        assert isinstance(literal.value, str)
        c = b.const(_dt.date.fromisoformat(literal.value).toordinal())
        return c, c
    args = node.args[1:] if node.func == "at_least" else node.args
    pairs = [gen(a, b, resolve, types) for a in args]
    los = [p[0] for p in pairs]
    his = [p[1] for p in pairs]
    if node.func == "any":
        return "(" + " or ".join(los) + ")", "(" + " or ".join(his) + ")"
    if node.func == "all":
        return "(" + " and ".join(los) + ")", "(" + " and ".join(his) + ")"
    lo_sum = "(" + " + ".join(f"bool({x})" for x in los) + ")"
    hi_sum = "(" + " + ".join(f"bool({x})" for x in his) + ")"
    if node.func == "count":
        return lo_sum, hi_sum
    first = node.args[0]
    assert isinstance(first, Literal)
    n = b.const(first.value)
    return f"({lo_sum} >= {n})", f"({hi_sum} >= {n})"


def compile_functions(
    source: str, consts: dict[str, object], filename: str, helpers: dict[str, object] | None = None
) -> dict[str, object]:
    """Compile generated module text; every constant is bound in its namespace.

    Scalar code needs only ``bool`` and ``any``; vector code calls into numpy, which
    needs the ordinary builtins, so ``helpers`` (given by the vector compiler) brings them.
    """
    namespace: dict[str, object] = {"__builtins__": {"bool": bool, "any": any}}
    if helpers is not None:
        import builtins

        namespace["__builtins__"] = builtins
        namespace.update(helpers)
    namespace.update(HELPERS)
    namespace.update(consts)
    code = compile(source, filename, "exec")
    exec(code, namespace)
    return namespace
