from __future__ import annotations

import pytest

from thbscreen import ExpressionError
from thbscreen._language.ast import Binary, Call, ListLit, Literal, Name, Unary
from thbscreen._language.checker import Symbol, check
from thbscreen._language.parser import MAX_DEPTH, MAX_LENGTH, parse
from thbscreen._language.printer import pretty
from thbscreen._language.where import Where


def test_precedence_and_associativity() -> None:
    assert parse("a or b and not c") == Binary(
        "or", Name("a"), Binary("and", Name("b"), Unary("not", Name("c")))
    )
    assert parse("a - b - c") == Binary("-", Binary("-", Name("a"), Name("b")), Name("c"))
    assert parse("strong >= 1 and medium + weak >= 1") == Binary(
        "and",
        Binary(">=", Name("strong"), Literal(1)),
        Binary(">=", Binary("+", Name("medium"), Name("weak")), Literal(1)),
    )


def test_dotted_names_calls_lists_and_literals() -> None:
    assert parse("coercion_at_destination.debt_bondage") == Name(
        "coercion_at_destination.debt_bondage"
    )
    assert parse("at_least(2, a, b)") == Call("at_least", (Literal(2), Name("a"), Name("b")))
    assert parse('x not in ["a", "b"]') == Binary(
        "not in", Name("x"), ListLit((Literal("a"), Literal("b")))
    )
    assert parse("-3") == Literal(-3)
    assert parse("- x") == Unary("-", Name("x"))
    assert parse("1.5e3") == Literal(1500.0)
    assert parse(r'"a\"b\n"') == Literal('a"b\n')
    assert parse("true and false") == Binary("and", Literal(True), Literal(False))


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("a and", 6, "expected a value"),
        ("a >= >= 2", 6, "expected a value"),
        ("(a and b", 9, "expected ')'"),
        ("a < b < c", 7, "cannot be chained"),
        ("a $ b", 3, "unexpected character"),
        ("cuont(a)", 1, "did you mean 'count'"),
        ("", 1, "got nothing"),
        ("a b", 3, "expected an operator or the end"),
        ('"abc', 1, "unexpected character"),
    ],
)
def test_syntax_errors_point_at_the_column(text: str, column: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert fragment in str(info.value)
    assert info.value.column == column
    assert info.value.line == 1


def test_columns_are_offset_into_the_file() -> None:
    where = Where("rules/x.yaml", 42, 15, "$.dimensions[2].positive")
    with pytest.raises(ExpressionError) as info:
        parse("strong >= 2 or", where)
    err = info.value
    assert (err.source, err.line, err.column, err.path) == (
        "rules/x.yaml",
        42,
        29,
        "$.dimensions[2].positive",
    )
    assert str(err).startswith("rules/x.yaml:42:29: $.dimensions[2].positive: ")


def test_limits() -> None:
    with pytest.raises(ExpressionError, match="nested deeper"):
        parse("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(ExpressionError, match="nested deeper"):
        parse("not " * 100 + "a")
    with pytest.raises(ExpressionError, match="longer than"):
        parse("a or " * (MAX_LENGTH // 4) + "a")
    with pytest.raises(ExpressionError, match="nested deeper"):
        parse(" or ".join(f"x{i}" for i in range(400)))
    with pytest.raises(ExpressionError, match="too large"):
        parse("1" * 40)
    with pytest.raises(ExpressionError, match="too large"):
        parse("1e999")
    with pytest.raises(ExpressionError, match="string longer"):
        parse('"' + "x" * 5000 + '"')
    assert parse("count(" + ", ".join(f"x{i}" for i in range(150)) + ") >= 2")


def test_pretty_prints_only_needed_brackets() -> None:
    for text in [
        "a or b and c",
        "(a or b) and c",
        "not (a and b)",
        "a - (b - c)",
        "-(1)",
        "-x * 2",
        "(not a) == b",
        "strong >= 2 or strong >= 1 and medium + weak >= 1",
        'x in ["a", "b"]',
    ]:
        assert pretty(parse(text)) == text


SCOPE = {
    "age": Symbol("fact", "num"),
    "sector": Symbol("fact", "str", frozenset({"agriculture", "construction"})),
    "ind.a": Symbol("indicator", "bool"),
    "arrived": Symbol("fact", "date"),
}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("age > 18 and ind.b", "unknown name 'ind.b' (did you mean 'ind.a'?)"),
        ("sector == 'agriculure'", "did you mean 'agriculture'"),
        ("age and ind.a", "must be bool, got num"),
        ("age == 'x'", "cannot compare num with str"),
        ("sector > 'x'", "compares numbers or dates"),
        ("age + 1", "expected a bool expression, got num"),
        ("ind.a in [1]", "tests numbers or strings"),
        ("age in ['a']", "list item must be num"),
        ("at_least(x, ind.a)", "whole number first"),
        ("date('2024-13-01') < arrived", "expects YYYY-MM-DD"),
        ("count()", "at least one condition"),
        ("[1, 2]", "a list may only stand"),
    ],
)
def test_type_errors(text: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        check(parse(text), SCOPE, Where())
    assert fragment in str(info.value)


def test_well_typed() -> None:
    for text in [
        "age >= 18 and sector == 'agriculture'",
        "arrived - date('2024-01-01') > 30",
        "count(ind.a, age > 3) >= 1",
        "at_least(1, ind.a)",
        "age in [1, 2, 3] or sector not in ['construction']",
    ]:
        assert check(parse(text), SCOPE, Where()) == "bool"
