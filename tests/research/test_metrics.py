"""metrics(), wilson_interval() and predictive_values(): hand-computed and published figures."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thbscreen import ThbscreenError
from thbscreen.research import (
    ResearchInputError,
    metrics,
    predictive_values,
    wilson_interval,
)


def table(tp: int, fp: int, tn: int, fn: int) -> tuple[list[int], list[int]]:
    """Labels and predictions with exactly these four cells."""
    labels = [1] * tp + [0] * fp + [0] * tn + [1] * fn
    predictions = [1] * tp + [1] * fp + [0] * tn + [0] * fn
    return labels, predictions


def pct(value: float | None) -> float:
    assert value is not None
    return round(100 * value, 1)


# -- hand-computed ---------------------------------------------------------------------


def test_a_small_table_by_hand() -> None:
    m = metrics([1, 1, 1, 0, 0, 0, 0, 0], [1, 1, 0, 1, 0, 0, 0, 0], bootstrap=0)
    assert (m.tp, m.fp, m.tn, m.fn, m.n) == (2, 1, 4, 1, 8)
    assert m.sensitivity.value == pytest.approx(2 / 3)
    assert m.specificity.value == pytest.approx(0.8)
    assert m.ppv.value == pytest.approx(2 / 3)
    assert m.npv.value == pytest.approx(0.8)
    assert m.accuracy.value == pytest.approx(0.75)
    assert m.youden_j.value == pytest.approx(2 / 3 + 0.8 - 1)
    assert m.lr_positive == pytest.approx((2 / 3) / 0.2)
    assert m.lr_negative == pytest.approx((1 / 3) / 0.8)
    assert m.prevalence.value == pytest.approx(3 / 8)
    assert (m.sensitivity.numerator, m.sensitivity.denominator) == (2, 3)
    assert (m.ppv.numerator, m.ppv.denominator) == (2, 3)
    assert m.at_prevalence is None


def test_booleans_and_numpy_values_are_accepted() -> None:
    np = pytest.importorskip("numpy")
    a = metrics([True, False, True], [True, True, False], bootstrap=0)
    b = metrics(np.array([1, 0, 1]), np.array([True, True, False]), bootstrap=0)
    assert a.to_dict() == b.to_dict()


def test_undefined_measures_are_none_not_nan() -> None:
    # No positive labels: sensitivity, NPV's complement and J are undefined.
    m = metrics([0, 0, 0], [0, 1, 0], prevalence=0.1)
    assert m.sensitivity.value is None
    assert m.youden_j.value is None
    assert m.specificity.value == pytest.approx(2 / 3)
    assert m.at_prevalence is not None
    assert m.at_prevalence.ppv.value is None
    json.dumps(m.to_dict(), allow_nan=False)


def test_empty_input_gives_an_all_undefined_result() -> None:
    m = metrics([], [])
    assert m.n == 0
    assert m.sensitivity.value is None
    assert m.accuracy.value is None
    json.dumps(m.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    ("labels", "predictions", "argument"),
    [
        ([1, 0], [1], "predictions"),
        ([1, 2], [1, 0], "labels[1]"),
        (["1", 0], [1, 0], "labels[0]"),
        ([1, 0], [0.5, 1], "predictions[0]"),
        ("10", "10", "labels"),
    ],
)
def test_bad_input_is_refused_with_the_argument_named(
    labels: object, predictions: object, argument: str
) -> None:
    with pytest.raises(ResearchInputError) as info:
        metrics(labels, predictions)  # type: ignore[arg-type]
    assert f"$.{argument}" in str(info.value)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, ThbscreenError)


@pytest.mark.parametrize(
    "kwargs",
    [{"prevalence": 0}, {"prevalence": 1.5}, {"confidence": 1}, {"bootstrap": -1}],
)
def test_bad_options_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ResearchInputError):
        metrics([1, 0], [1, 0], **kwargs)  # type: ignore[arg-type]


# -- Wilson ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (8, 10, 0.4902, 0.9433),
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3.
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_reference_values(
    successes: int, n: int, low: float, high: float
) -> None:
    got = wilson_interval(successes, n)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_wilson_interval_at_another_confidence_is_wider() -> None:
    low95, high95 = wilson_interval(8, 10)
    low99, high99 = wilson_interval(8, 10, 0.99)
    assert low99 < low95
    assert high99 > high95


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_holds_the_proportion(pair: tuple[int, int]) -> None:
    k, n = pair
    low, high = wilson_interval(k, n)
    assert 0 <= low <= k / n <= high <= 1


def test_wilson_refuses_impossible_counts() -> None:
    with pytest.raises(ResearchInputError):
        wilson_interval(3, 2)
    with pytest.raises(ResearchInputError):
        wilson_interval(0, 0)


# -- published screening figures (reference README section 4) --------------------------


def test_hurst_2021_six_item_screen_predictive_values_at_12_3_percent() -> None:
    # Sensitivity 84.6 %, specificity 53.2 % at prevalence 12.3 %: PPV 20.2 %, NPV 96.1 %.
    ppv, npv = predictive_values(0.846, 0.532, 0.123)
    assert pct(ppv) == 20.2
    assert pct(npv) == 96.1


def test_hurst_2021_counts_reproduce_every_published_figure() -> None:
    # n = 212 at prevalence 12.3 %: 26 positive (22 screened positive), 186 negative (99 not).
    labels, predictions = table(tp=22, fp=87, tn=99, fn=4)
    m = metrics(labels, predictions, prevalence=0.123, bootstrap=500)
    assert m.n == 212
    assert pct(m.prevalence.value) == 12.3
    assert pct(m.sensitivity.value) == 84.6
    assert pct(m.specificity.value) == 53.2
    assert pct(m.ppv.value) == 20.2
    assert pct(m.npv.value) == 96.1
    assert m.at_prevalence is not None
    assert pct(m.at_prevalence.ppv.value) == 20.2
    assert pct(m.at_prevalence.npv.value) == 96.1


def test_greenbaum_2018_counts() -> None:
    # n = 810, prevalence 11.1 % (90), sensitivity 84.4 % (76/90), specificity 57.5 % (414/720).
    labels, predictions = table(tp=76, fp=306, tn=414, fn=14)
    m = metrics(labels, predictions, bootstrap=0)
    assert pct(m.prevalence.value) == 11.1
    assert pct(m.sensitivity.value) == 84.4
    assert pct(m.specificity.value) == 57.5
    assert pct(m.ppv.value) == 19.9
    assert pct(m.npv.value) == 96.7


def test_qyit_predictive_values_at_8_8_percent() -> None:
    # Chisolm-Straker et al. 2019: sensitivity 86.7 %, specificity 76.5 %, prevalence 8.8 %.
    ppv, npv = predictive_values(0.867, 0.765, 0.088)
    assert ppv == pytest.approx(0.0763 / (0.0763 + 0.235 * 0.912), abs=1e-4)
    assert pct(ppv) == 26.3
    assert pct(npv) == 98.4


def test_raft_predictive_values_at_emergency_department_prevalence() -> None:
    # External validation: sensitivity 100 %, specificity 61 %, prevalence 1.1-1.4 %.
    low_ppv, low_npv = predictive_values(1.0, 0.61, 0.011)
    high_ppv, high_npv = predictive_values(1.0, 0.61, 0.014)
    assert pct(low_ppv) == 2.8
    assert pct(high_ppv) == 3.5
    assert low_npv == high_npv == 1.0


def test_predictive_values_edges() -> None:
    assert predictive_values(0.0, 1.0, 0.1) == (None, 0.9)
    with pytest.raises(ResearchInputError):
        predictive_values(1.2, 0.5, 0.1)
    with pytest.raises(ResearchInputError):
        predictive_values(0.9, 0.5, 1.0)


@given(st.integers(1, 60), st.integers(0, 60), st.integers(1, 60), st.integers(0, 60))
def test_bayes_at_the_data_prevalence_gives_the_data_predictive_values(
    tp: int, fp: int, tn: int, fn: int
) -> None:
    m = metrics(*table(tp, fp, tn, fn), bootstrap=0)
    assert m.sensitivity.value is not None
    assert m.specificity.value is not None
    prevalence = (tp + fn) / m.n
    if not 0 < prevalence < 1:
        return
    ppv, npv = predictive_values(m.sensitivity.value, m.specificity.value, prevalence)
    assert ppv == pytest.approx(m.ppv.value)
    assert npv == pytest.approx(m.npv.value)


# -- bootstrap -------------------------------------------------------------------------


def test_bootstrap_is_deterministic_for_a_seed() -> None:
    pytest.importorskip("numpy")
    labels, predictions = table(tp=22, fp=87, tn=99, fn=4)
    a = metrics(labels, predictions, prevalence=0.05, seed=3)
    b = metrics(labels, predictions, prevalence=0.05, seed=3)
    c = metrics(labels, predictions, prevalence=0.05, seed=4)
    assert a.to_dict() == b.to_dict()
    assert a.ppv.low != c.ppv.low or a.npv.low != c.npv.low


def test_bootstrap_intervals_surround_the_estimates() -> None:
    pytest.importorskip("numpy")
    labels, predictions = table(tp=22, fp=87, tn=99, fn=4)
    m = metrics(labels, predictions, prevalence=0.02)
    assert m.at_prevalence is not None
    for e in (m.ppv, m.npv, m.youden_j, m.at_prevalence.ppv, m.at_prevalence.npv):
        assert e.method == "bootstrap"
        assert e.low is not None
        assert e.high is not None
        assert e.value is not None
        assert e.low <= e.value <= e.high
    assert m.sensitivity.method == "wilson"
    # A percentile bootstrap of a proportion lands close to its Wilson interval.
    assert m.ppv.low == pytest.approx(wilson_interval(22, 109)[0], abs=0.03)
    assert m.ppv.high == pytest.approx(wilson_interval(22, 109)[1], abs=0.03)


def test_without_bootstrap_ppv_gets_wilson_and_j_no_interval() -> None:
    labels, predictions = table(tp=22, fp=87, tn=99, fn=4)
    m = metrics(labels, predictions, prevalence=0.02, bootstrap=0)
    assert m.ppv.method == "wilson"
    assert (m.ppv.low, m.ppv.high) == pytest.approx(wilson_interval(22, 109))
    assert m.youden_j.low is None
    assert m.youden_j.method == "none"
    assert m.at_prevalence is not None
    assert m.at_prevalence.ppv.method == "bayes"


def test_to_dict_is_plain_json() -> None:
    pytest.importorskip("numpy")
    m = metrics(*table(5, 3, 10, 2), prevalence=0.1)
    data = json.loads(json.dumps(m.to_dict(), allow_nan=False))
    assert data["confusion"] == {"tp": 5, "fp": 3, "tn": 10, "fn": 2}
    assert data["sensitivity"]["method"] == "wilson"
    assert data["at_prevalence"]["prevalence"] == 0.1
    assert all(not isinstance(v, float) or math.isfinite(v) for v in data["ppv"].values())
