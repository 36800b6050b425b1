"""Hypothesis strategies for cases of a given rule set."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

import thbscreen

OBSERVATIONS = st.sampled_from(["present", "absent", "unknown", True, False, None, "omit"])


def cases(screener: thbscreen.Screener) -> st.SearchStrategy[dict[str, Any]]:
    ids = [ind.id for ind in screener.ruleset.indicators]

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        weights = draw(st.tuples(*(st.integers(0, 5) for _ in range(4))))
        pool = ["present", "absent", "unknown", "omit"]
        choose = st.sampled_from(
            [w for w, n in zip(pool, weights, strict=True) for _ in range(n)] or ["omit"]
        )
        indicators = {}
        for i in ids:
            value = draw(choose)
            if value != "omit":
                indicators[i] = value
        return {"id": draw(st.text(max_size=5)), "indicators": indicators}

    return build()
