"""Columnar evaluation gives the same results as Screener.evaluate, row for row."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")

import thbscreen  # noqa: E402
from thbscreen import testing  # noqa: E402
from thbscreen.batch.columnar import ColumnarEvaluator, evaluate_table  # noqa: E402


def _table(screener: thbscreen.Screener, cases: list[dict[str, Any]]) -> dict[str, list[Any]]:
    table: dict[str, list[Any]] = {
        i.id: [c.get("indicators", {}).get(i.id) for c in cases]
        for i in screener.ruleset.indicators
    }
    for fact in screener.ruleset.facts:
        table[fact.id] = [c.get("facts", {}).get(fact.id) for c in cases]
    return table


EVALUATORS = {
    name: ColumnarEvaluator(thbscreen.Screener(thbscreen.load_ruleset(name)))
    for name in thbscreen.bundled_rulesets()
}


def _assert_same(
    screener: thbscreen.Screener,
    cases: list[dict[str, Any]],
    evaluator: ColumnarEvaluator | None = None,
) -> None:
    result, bad, _ = evaluate_table(evaluator or screener, _table(screener, cases))
    assert not bad.any()
    outcome, low, high, dims = (
        result.outcome,
        result.outcome_low,
        result.outcome_high,
        result.dimensions,
    )
    expanded = result.to_arrow(expand=True)
    for k, case in enumerate(cases):
        a = screener.evaluate(case)
        assert expanded["fired"][k].as_py() == ";".join(f.id for f in a.fired)
        assert expanded["unknown"][k].as_py() == ";".join(a.unknown)
        assert a.outcome == outcome[k]
        assert a.outcome_range == (low[k], high[k])
        assert a.determined == result.determined[k]
        assert a.score == result.score[k]
        assert tuple(a.score_range) == (result.score_min[k], result.score_max[k])
        for d in dims:
            assert a.dimensions[d].status == dims[d][k]
        assert tuple(f.id for f in a.fired) == result.fired(k)
        assert a.unknown == result.unknown(k)


@pytest.mark.parametrize("name", thbscreen.bundled_rulesets())
@given(data=st.data())
@settings(max_examples=10)
def test_bundled_rule_sets_match_case_by_case(name: str, data: st.DataObject) -> None:
    evaluator = EVALUATORS[name]
    cases = data.draw(st.lists(testing.cases(evaluator.screener), min_size=1, max_size=25))
    _assert_same(evaluator.screener, cases, evaluator)


@given(data=st.data())
@settings(max_examples=25)
def test_random_rule_sets_and_tables_match_case_by_case(data: st.DataObject) -> None:
    ruleset = data.draw(
        testing.rulesets(facts=data.draw(st.booleans()), monotone=data.draw(st.booleans()))
    )
    screener = thbscreen.Screener(ruleset)
    cases = data.draw(st.lists(testing.cases(screener), min_size=1, max_size=12))
    _assert_same(screener, cases)


def test_arrow_pandas_and_polars_inputs_agree() -> None:
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    screener = thbscreen.Screener(thbscreen.load_ruleset("ilo-ec-2009/adult-labour"))
    ids = [i.id for i in screener.ruleset.indicators[:10]]
    columns = {i: ["present", None, "absent", "unknown"] for i in ids}
    expected = evaluate_table(screener, columns)[0].outcome.tolist()
    for table in (pa.table(columns), pd.DataFrame(columns), pl.DataFrame(columns, strict=False)):
        assert evaluate_table(screener, table)[0].outcome.tolist() == expected


def test_bad_values_are_flagged_with_their_column() -> None:
    screener = thbscreen.Screener(thbscreen.load_ruleset("ilo-icls-2018/forced-labour-statistical"))
    fact = screener.ruleset.facts[0].id
    _, bad, reasons = evaluate_table(screener, {fact: [True, "maybe", None]})
    assert bad.tolist() == [False, True, False]
    assert reasons[1] == f"bad value in column {fact!r}"
    with pytest.raises(thbscreen.CaseDataError, match="unknown column"):
        evaluate_table(screener, {"nonsense": [1]})


def test_a_million_rows_in_memory_use_the_tables() -> None:
    screener = thbscreen.Screener(thbscreen.load_ruleset("ilo-ec-2009/adult-labour"))
    evaluator = ColumnarEvaluator(screener)
    assert evaluator._tables is not None  # count-only dimensions, dimension-only bands
    rng = np.random.default_rng(0)
    n = 20_000
    codes = {i.id: rng.integers(0, 3, n).astype(np.uint8) for i in screener.ruleset.indicators}
    result = evaluator.evaluate(codes, None, n)
    assert len(result) == n
    assert set(result.outcome.tolist()) <= {"victim", "indications", "no_indication"}
    arrow = result.to_arrow(expand=True)
    assert arrow.num_rows == n
    assert arrow.column("fired")[0].as_py() == ";".join(result.fired(0))


@given(
    codes=st.integers(1, 40).flatmap(
        lambda k: st.tuples(
            st.just(k),
            st.lists(st.lists(st.integers(0, 2), min_size=k, max_size=k), max_size=40),
            st.permutations(range(k)),
        )
    )
)
def test_packed_rows_match_numpy_packbits(codes: tuple[int, list[list[int]], list[int]]) -> None:
    from thbscreen.batch.bits import FIRED, UNKNOWN, row_bytes

    k, rows, order = codes
    matrix = np.array(rows, dtype=np.uint8).reshape(len(rows), k).T.copy()
    for bit, code in ((FIRED, 1), (UNKNOWN, 2)):
        flags = (matrix[order] == code).T.reshape(len(rows), k)
        want = np.packbits(flags, axis=1, bitorder="little")
        assert np.array_equal(row_bytes(matrix, order, bit), want)


def test_fractional_weights_take_the_float_path_and_agree() -> None:
    from thbscreen.loading import ruleset_from_text

    from ..helpers import TINY

    text = TINY.replace("{strong: 3, medium: 2, weak: 1}", "{strong: 1.5, medium: 0.25, weak: 1}")
    rs = ruleset_from_text(text.split("tests:")[0], "fractions.yaml")
    screener = thbscreen.Screener(rs)
    evaluator = ColumnarEvaluator(screener)
    assert evaluator._int_weights is None
    ids = [i.id for i in rs.indicators]
    cases = [
        {"indicators": {i: ("present", "absent", None)[(j + r) % 3] for j, i in enumerate(ids)}}
        for r in range(9)
    ]
    _assert_same(screener, cases, evaluator)
