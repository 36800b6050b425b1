"""Hypothesis strategies for well-typed expression trees."""

from __future__ import annotations

from hypothesis import strategies as st

from thbscreen._language.ast import Binary, Call, ListLit, Literal, Name, Node, Unary
from thbscreen._language.parser import KEYWORDS

_ident = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(lambda s: s not in KEYWORDS)
names = st.builds(lambda parts: ".".join(parts), st.lists(_ident, min_size=1, max_size=3))
numbers = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
)
strings = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


def _num(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.builds(Binary, st.sampled_from(["+", "-", "*"]), children, children),
        st.builds(Unary, st.just("-"), children),
    )


def trees() -> st.SearchStrategy[Node]:
    """Syntactically valid trees (not necessarily well-typed): for round trips."""
    leaves: st.SearchStrategy[Node] = st.one_of(
        st.builds(Literal, numbers),
        st.builds(Literal, st.booleans()),
        st.builds(Literal, strings),
        st.builds(Name, names),
    )

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        lists = st.builds(
            lambda xs: ListLit(tuple(Literal(x) for x in xs)),
            st.lists(st.one_of(numbers, strings), max_size=3),
        )
        return st.one_of(
            st.builds(
                Binary,
                st.sampled_from(["and", "or", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*"]),
                children,
                children,
            ),
            st.builds(Binary, st.sampled_from(["in", "not in"]), children, lists),
            st.builds(Unary, st.sampled_from(["not", "-"]), children),
            st.builds(
                Call,
                st.sampled_from(["count", "any", "all"]),
                st.lists(children, min_size=1, max_size=3).map(tuple),
            ),
        )

    return st.recursive(leaves, extend, max_leaves=12)
