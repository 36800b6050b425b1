"""roc() and pr_curve(): areas on hand cases, ties, and agreement with Mann-Whitney."""

from __future__ import annotations

import json
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thbscreen.research import ResearchInputError, pr_curve, roc


def mann_whitney_auc(labels: list[int], scores: list[float]) -> float:
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def test_perfect_separation_has_area_one() -> None:
    labels = [0, 0, 0, 1, 1]
    scores = [0.1, 0.2, 0.3, 0.8, 0.9]
    curve = roc(labels, scores)
    assert curve.auc == 1.0
    assert curve.best_threshold() == (0.8, 1.0)
    pr = pr_curve(labels, scores)
    assert pr.auc == 1.0
    assert pr.average_precision == 1.0


def test_reversed_separation_has_area_zero() -> None:
    assert roc([1, 1, 0, 0], [1, 2, 3, 4]).auc == 0.0


def test_one_tied_score_for_everybody_is_the_diagonal() -> None:
    curve = roc([0, 1, 0, 1, 1], [5, 5, 5, 5, 5])
    assert curve.auc == 0.5
    assert curve.fpr == (0.0, 1.0)
    assert curve.tpr == (0.0, 1.0)
    assert curve.thresholds == (math.inf, 5.0)


def test_ties_between_classes_count_half() -> None:
    assert roc([0, 1, 0, 1], [1, 1, 2, 2]).auc == 0.5
    # Pairs (pos, neg): 0.5>0.1, 0.5=0.5 (half), 0.9>0.1, 0.9>0.5 -> 3.5 / 4.
    assert roc([0, 0, 1, 1], [0.1, 0.5, 0.5, 0.9]).auc == 0.875


def test_random_scores_are_near_one_half() -> None:
    rng = random.Random(7)
    labels = [rng.random() < 0.3 for _ in range(4000)]
    scores = [rng.random() for _ in labels]
    assert roc(labels, scores).auc == pytest.approx(0.5, abs=0.03)
    # Under random scores the precision stays near the prevalence.
    pr = pr_curve(labels, scores)
    assert pr.average_precision == pytest.approx(sum(labels) / len(labels), abs=0.03)


def test_the_scikit_learn_documentation_example() -> None:
    # sklearn.metrics.roc_auc_score / average_precision_score docs: y [0,0,1,1],
    # scores [0.1, 0.4, 0.35, 0.8] -> ROC AUC 0.75, AP 0.8333; auc(recall, precision) 0.7917.
    labels = [0, 0, 1, 1]
    scores = [0.1, 0.4, 0.35, 0.8]
    curve = roc(labels, scores)
    assert curve.auc == 0.75
    assert curve.fpr == (0.0, 0.0, 0.5, 0.5, 1.0)
    assert curve.tpr == (0.0, 0.5, 0.5, 1.0, 1.0)
    pr = pr_curve(labels, scores)
    assert pr.average_precision == pytest.approx(5 / 6)
    assert pr.auc == pytest.approx(0.5 + 0.5 * (0.5 + 2 / 3) / 2)
    assert pr.recall == (0.0, 0.5, 0.5, 1.0, 1.0)
    assert pr.precision == pytest.approx((1.0, 1.0, 0.5, 2 / 3, 0.5))


@given(
    st.lists(st.tuples(st.booleans(), st.integers(0, 6)), min_size=2, max_size=40).filter(
        lambda rows: 0 < sum(y for y, _ in rows) < len(rows)
    )
)
def test_roc_area_is_the_mann_whitney_statistic(rows: list[tuple[bool, int]]) -> None:
    labels = [int(y) for y, _ in rows]
    scores = [float(s) for _, s in rows]
    curve = roc(labels, scores)
    assert curve.auc == pytest.approx(mann_whitney_auc(labels, scores))
    assert curve.fpr[0] == curve.tpr[0] == 0.0
    assert curve.fpr[-1] == curve.tpr[-1] == 1.0
    assert list(curve.fpr) == sorted(curve.fpr)
    assert list(curve.tpr) == sorted(curve.tpr)


def test_needs_both_classes() -> None:
    with pytest.raises(ResearchInputError, match="one positive and one negative"):
        roc([1, 1], [0.2, 0.3])
    with pytest.raises(ResearchInputError, match="positive"):
        pr_curve([0, 0], [0.2, 0.3])
    assert pr_curve([1, 1], [0.2, 0.3]).average_precision == 1.0


@pytest.mark.parametrize("scores", [[0.1, float("nan")], [0.1, "x"], [0.1, True], [0.1]])
def test_bad_scores_are_refused(scores: list[object]) -> None:
    with pytest.raises(ResearchInputError, match="scores"):
        roc([0, 1], scores)


def test_to_dict_is_json_with_null_for_the_infinite_threshold() -> None:
    curve = roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    data = json.loads(json.dumps(curve.to_dict(), allow_nan=False))
    assert data["points"][0] == {"threshold": None, "fpr": 0.0, "tpr": 0.0}
    assert data["best_threshold"] == 0.8
    pr = json.loads(json.dumps(pr_curve([0, 1], [0.1, 0.8]).to_dict(), allow_nan=False))
    assert pr["points"][0]["threshold"] is None
