"""Threshold sweeps over a score: ROC and precision-recall curves, with areas.

A case screens positive at threshold ``t`` when its score is at least ``t``. The sweep
visits every distinct score from the highest down; cases with equal scores change
class together, so ties make one diagonal step (which the trapezoid rule credits with
half, as the Mann-Whitney statistic does).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from attrs import frozen

from ._metrics import _binary
from ._rows import ResearchInputError

__all__ = ["PrCurve", "RocCurve", "pr_curve", "roc"]


def _threshold(t: float) -> float | None:
    return None if math.isinf(t) else t


@frozen
class RocCurve:
    """Points (false-positive rate, true-positive rate), one per threshold, and the area.

    ``thresholds[0]`` is ``inf`` (nobody screens positive: the point (0, 0)); the last
    threshold is the lowest score (everybody positive: (1, 1)).
    """

    thresholds: tuple[float, ...]
    fpr: tuple[float, ...]
    tpr: tuple[float, ...]
    auc: float
    positives: int
    negatives: int

    def best_threshold(self) -> tuple[float, float]:
        """The threshold with the highest Youden's J (tpr - fpr), and that J.

        Ties go to the highest threshold (the fewest positive screens).
        """
        best = max(range(len(self.thresholds)), key=lambda k: (self.tpr[k] - self.fpr[k], -k))
        return self.thresholds[best], self.tpr[best] - self.fpr[best]

    def to_dict(self) -> dict[str, Any]:
        threshold, j = self.best_threshold()
        return {
            "auc": self.auc,
            "positives": self.positives,
            "negatives": self.negatives,
            "best_threshold": _threshold(threshold),
            "best_youden_j": j,
            "points": [
                {"threshold": _threshold(t), "fpr": x, "tpr": y}
                for t, x, y in zip(self.thresholds, self.fpr, self.tpr, strict=True)
            ],
        }


@frozen
class PrCurve:
    """Points (recall, precision), one per threshold, with two summaries.

    The curve starts at (recall 0, precision 1) with threshold ``inf``, as in
    scikit-learn. ``auc`` is the trapezoid area under it; ``average_precision`` the
    step-wise sum of (change in recall) x precision, which does not interpolate.
    """

    thresholds: tuple[float, ...]
    recall: tuple[float, ...]
    precision: tuple[float, ...]
    auc: float
    average_precision: float
    positives: int
    negatives: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "auc": self.auc,
            "average_precision": self.average_precision,
            "positives": self.positives,
            "negatives": self.negatives,
            "points": [
                {"threshold": _threshold(t), "recall": r, "precision": p}
                for t, r, p in zip(self.thresholds, self.recall, self.precision, strict=True)
            ],
        }


def _sweep(
    function: str, labels: Iterable[Any], scores: Iterable[Any]
) -> tuple[list[float], list[int], list[int], int, int]:
    """Distinct thresholds (descending) with cumulative true and false positives."""
    truth = _binary(labels, function, "labels")
    if isinstance(scores, str | bytes):
        raise ResearchInputError.of(function, "scores", "expected a sequence of numbers")
    values: list[float] = []
    for i, s in enumerate(scores):
        if isinstance(s, bool) or (not isinstance(s, int | float) and not hasattr(s, "__float__")):
            raise ResearchInputError.of(function, f"scores[{i}]", "expected a number")
        f = float(s)
        if not math.isfinite(f):
            raise ResearchInputError.of(function, f"scores[{i}]", "expected a finite number")
        values.append(f)
    if len(values) != len(truth):
        raise ResearchInputError.of(
            function, "scores", f"got {len(truth)} labels and {len(values)} scores"
        )
    pairs = sorted(zip(values, truth, strict=True), key=lambda p: -p[0])
    thresholds: list[float] = []
    tps: list[int] = []
    fps: list[int] = []
    tp = fp = 0
    for k, (score, label) in enumerate(pairs):
        if label:
            tp += 1
        else:
            fp += 1
        if k + 1 == len(pairs) or pairs[k + 1][0] != score:
            thresholds.append(score)
            tps.append(tp)
            fps.append(fp)
    return thresholds, tps, fps, tp, fp


def _trapezoid(xs: Sequence[float], ys: Sequence[float]) -> float:
    return sum((xs[k] - xs[k - 1]) * (ys[k] + ys[k - 1]) / 2 for k in range(1, len(xs)))


def roc(labels: Iterable[Any], scores: Iterable[Any]) -> RocCurve:
    """The ROC curve of ``scores`` against 0/1 ``labels``, with its trapezoid area.

    Needs at least one positive and one negative label.

    >>> curve = roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> curve.auc
    0.75
    """
    thresholds, tps, fps, p, n = _sweep("roc", labels, scores)
    if not p or not n:
        raise ResearchInputError.of(
            "roc", "labels", "needs at least one positive and one negative label"
        )
    fpr = [0.0, *(f / n for f in fps)]
    tpr = [0.0, *(t / p for t in tps)]
    return RocCurve((math.inf, *thresholds), tuple(fpr), tuple(tpr), _trapezoid(fpr, tpr), p, n)


def pr_curve(labels: Iterable[Any], scores: Iterable[Any]) -> PrCurve:
    """The precision-recall curve of ``scores`` against 0/1 ``labels``.

    Needs at least one positive label.

    >>> curve = pr_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> round(curve.average_precision, 4), round(curve.auc, 4)
    (0.8333, 0.7917)
    """
    thresholds, tps, fps, p, n = _sweep("pr_curve", labels, scores)
    if not p:
        raise ResearchInputError.of("pr_curve", "labels", "needs at least one positive label")
    recall = [0.0, *(t / p for t in tps)]
    precision = [1.0, *(t / (t + f) for t, f in zip(tps, fps, strict=True))]
    ap = sum((recall[k] - recall[k - 1]) * precision[k] for k in range(1, len(recall)))
    return PrCurve(
        (math.inf, *thresholds),
        tuple(recall),
        tuple(precision),
        _trapezoid(recall, precision),
        ap,
        p,
        n,
    )
