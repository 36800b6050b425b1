"""Properties of the language: round trips, Kleene truth tables, no foreign errors."""

from __future__ import annotations

import contextlib
import itertools

from hypothesis import given
from hypothesis import strategies as st

from thbscreen import ExpressionError
from thbscreen._language.ast import Node
from thbscreen._language.codegen import CodeBuilder, compile_functions, gen
from thbscreen._language.parser import parse
from thbscreen._language.printer import pretty

from .strategies import trees


@given(trees())
def test_pretty_then_parse_gives_the_same_tree(tree: Node) -> None:
    assert parse(pretty(tree)) == tree


@given(st.text(max_size=200))
def test_arbitrary_text_raises_only_expression_errors(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        parse(text)


@given(st.text(alphabet="()[]notandor <>=!+-*,.\"'0123456789abc_", max_size=300))
def test_operator_soup_raises_only_expression_errors(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        parse(text)


T, F, U = (True, True), (False, False), (False, True)
KLEENE_AND = {
    (T, T): T,
    (T, F): F,
    (T, U): U,
    (F, T): F,
    (F, F): F,
    (F, U): F,
    (U, T): U,
    (U, F): F,
    (U, U): U,
}
KLEENE_OR = {
    (T, T): T,
    (T, F): T,
    (T, U): T,
    (F, T): T,
    (F, F): F,
    (F, U): U,
    (U, T): T,
    (U, F): U,
    (U, U): U,
}
KLEENE_NOT = {T: F, F: T, U: U}


def _evaluate(text: str, values: dict[str, tuple[object, object]]) -> tuple[bool, bool]:
    names = sorted(values)
    b = CodeBuilder()
    b.lines.append("def f(V):")

    def resolve(name: str) -> tuple[str, str]:
        i = names.index(name)
        return f"V[{2 * i}]", f"V[{2 * i + 1}]"

    types = {"a": "bool", "b": "bool", "x": "num", "y": "num"}

    def node_type(node: Node) -> str:
        from thbscreen._language.ast import Name

        return types[node.name] if isinstance(node, Name) else "num"

    lo, hi = gen(parse(text), b, resolve, node_type)
    b.emit(f"return bool({lo}), bool({hi})")
    fn = compile_functions("\n".join(b.lines) + "\n", b.consts, "<test>")["f"]
    flat = [v for name in names for v in values[name]]
    return fn(flat)  # type: ignore[operator,no-any-return]


def test_kleene_truth_tables() -> None:
    for x, y in itertools.product((T, F, U), repeat=2):
        assert _evaluate("a and b", {"a": x, "b": y}) == KLEENE_AND[(x, y)]
        assert _evaluate("a or b", {"a": x, "b": y}) == KLEENE_OR[(x, y)]
        assert _evaluate("a == b", {"a": x, "b": y}) == (U if U in (x, y) else (T if x == y else F))
    for x in (T, F, U):
        assert _evaluate("not a", {"a": x}) == KLEENE_NOT[x]


@given(
    st.integers(-50, 50), st.integers(0, 20), st.integers(-50, 50), st.integers(0, 20),
    st.sampled_from([">=", ">", "<=", "<", "==", "!="]),
)  # fmt: skip
def test_interval_comparisons_are_sound_and_exact(
    xl: int, xw: int, yl: int, yw: int, op: str
) -> None:
    # The pair (lo, hi) must say "certainly" / "possibly" exactly as brute force over
    # every value in the intervals does.
    lo, hi = _evaluate(f"x {op} y", {"x": (xl, xl + xw), "y": (yl, yl + yw)})
    import operator

    fn = {
        ">=": operator.ge,
        ">": operator.gt,
        "<=": operator.le,
        "<": operator.lt,
        "==": operator.eq,
        "!=": operator.ne,
    }[op]
    outcomes = {fn(a, b) for a in range(xl, xl + xw + 1) for b in range(yl, yl + yw + 1)}
    assert lo == (outcomes == {True})
    assert hi == (True in outcomes)


@given(
    st.integers(-20, 20),
    st.integers(0, 6),
    st.integers(-20, 20),
    st.integers(0, 6),
    st.sampled_from(["+", "-", "*"]),
)
def test_interval_arithmetic_contains_every_result(
    xl: int, xw: int, yl: int, yw: int, op: str
) -> None:
    lo, hi = _evaluate(f"x {op} y >= 0", {"x": (xl, xl + xw), "y": (yl, yl + yw)})
    import operator

    fn = {"+": operator.add, "-": operator.sub, "*": operator.mul}[op]
    outcomes = {fn(a, b) >= 0 for a in range(xl, xl + xw + 1) for b in range(yl, yl + yw + 1)}
    assert lo == (outcomes == {True})
    assert hi == (True in outcomes)
