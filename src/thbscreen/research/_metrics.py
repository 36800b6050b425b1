"""Accuracy of a binary screen against labels: the 2x2 table and what follows from it.

Proportions (sensitivity, specificity, accuracy, the observed prevalence) get Wilson
score intervals. PPV, NPV, Youden's J and the predictive values at a stated
prevalence get percentile bootstrap intervals: the rows are resampled with
replacement (a multinomial draw of the four cells, which is the same thing), seeded,
so the same call always gives the same interval.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from statistics import NormalDist
from typing import Any

from attrs import frozen

from ._rows import ResearchInputError, RowProblem, as_label, need_numpy

__all__ = [
    "Estimate",
    "Metrics",
    "PredictiveValues",
    "metrics",
    "predictive_values",
    "wilson_interval",
]


@frozen
class Estimate:
    """A value with its interval; ``None`` where the data do not define it (0/0)."""

    value: float | None
    low: float | None = None
    high: float | None = None
    #: ``wilson``, ``bootstrap``, ``bayes`` (no interval) or ``none``.
    method: str = "none"
    #: For proportions: the counts behind the value.
    numerator: int | None = None
    denominator: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "method": self.method,
        }
        if self.denominator is not None:
            out["numerator"] = self.numerator
            out["denominator"] = self.denominator
        return out

    def __str__(self) -> str:
        if self.value is None:
            return "undefined"
        if self.low is None or self.high is None:
            return f"{self.value:.3f}"
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}]"


@frozen
class PredictiveValues:
    """PPV and NPV at a stated prevalence, from sensitivity and specificity by Bayes."""

    prevalence: float
    ppv: Estimate
    npv: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {
            "prevalence": self.prevalence,
            "ppv": self.ppv.to_dict(),
            "npv": self.npv.to_dict(),
        }


@frozen
class Metrics:
    """The confusion matrix of a screen against labels, and the measures derived from it.

    ``ppv`` and ``npv`` are those of the data, so they hold at the prevalence of the
    data (``prevalence``); ``at_prevalence`` recomputes them at a prevalence you state.
    """

    tp: int
    fp: int
    tn: int
    fn: int
    prevalence: Estimate
    sensitivity: Estimate
    specificity: Estimate
    ppv: Estimate
    npv: Estimate
    accuracy: Estimate
    youden_j: Estimate
    #: Positive and negative likelihood ratios, sens / (1 - spec) and (1 - sens) / spec.
    lr_positive: float | None
    lr_negative: float | None
    at_prevalence: PredictiveValues | None
    confidence: float
    bootstrap: int
    seed: int

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    @property
    def positives(self) -> int:
        """Rows labelled positive (tp + fn)."""
        return self.tp + self.fn

    @property
    def negatives(self) -> int:
        """Rows labelled negative (tn + fp)."""
        return self.tn + self.fp

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "confusion": {"tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn},
            "prevalence": self.prevalence.to_dict(),
            "sensitivity": self.sensitivity.to_dict(),
            "specificity": self.specificity.to_dict(),
            "ppv": self.ppv.to_dict(),
            "npv": self.npv.to_dict(),
            "accuracy": self.accuracy.to_dict(),
            "youden_j": self.youden_j.to_dict(),
            "lr_positive": self.lr_positive,
            "lr_negative": self.lr_negative,
            "at_prevalence": self.at_prevalence.to_dict() if self.at_prevalence else None,
            "confidence": self.confidence,
            "bootstrap": self.bootstrap,
            "seed": self.seed,
        }


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _check_confidence(function: str, confidence: float) -> None:
    if not isinstance(confidence, int | float) or not 0 < confidence < 1:
        raise ResearchInputError.of(
            function, "confidence", f"expected a number between 0 and 1, got {confidence!r}"
        )


def _check_prevalence(function: str, prevalence: float | None) -> None:
    if prevalence is None:
        return
    if (
        isinstance(prevalence, bool)
        or not isinstance(prevalence, int | float)
        or not 0 < prevalence < 1
    ):
        raise ResearchInputError.of(
            function,
            "prevalence",
            f"expected a prevalence strictly between 0 and 1, got {prevalence!r}",
        )


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``successes / n``.

    >>> low, high = wilson_interval(8, 10)
    >>> round(low, 3), round(high, 3)
    (0.49, 0.943)
    """
    _check_confidence("wilson_interval", confidence)
    if not 0 <= successes <= n or n <= 0:
        raise ResearchInputError.of(
            "wilson_interval",
            "n",
            f"expected 0 <= successes <= n and n > 0, got {successes} of {n}",
        )
    z = _z(confidence)
    p = successes / n
    z2n = z * z / n
    denominator = 1 + z2n
    centre = (p + z2n / 2) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2n / (4 * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def predictive_values(
    sensitivity: float, specificity: float, prevalence: float
) -> tuple[float | None, float | None]:
    """PPV and NPV at ``prevalence`` (Bayes' theorem); ``None`` where undefined.

    PPV = sens p / (sens p + (1 - spec)(1 - p)); NPV = spec (1 - p) / (spec (1 - p) +
    (1 - sens) p).

    >>> ppv, npv = predictive_values(0.846, 0.532, 0.123)  # Hurst et al. 2021
    >>> round(ppv, 3), round(npv, 3)
    (0.202, 0.961)
    """
    _check_prevalence("predictive_values", prevalence)
    for name, value in (("sensitivity", sensitivity), ("specificity", specificity)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ResearchInputError.of(
                "predictive_values", name, f"expected a number from 0 to 1, got {value!r}"
            )
    p = prevalence
    tp = sensitivity * p
    fp = (1 - specificity) * (1 - p)
    tn = specificity * (1 - p)
    fn = (1 - sensitivity) * p
    return (tp / (tp + fp) if tp + fp > 0 else None, tn / (tn + fn) if tn + fn > 0 else None)


def _binary(values: Iterable[Any], function: str, argument: str) -> list[bool]:
    if isinstance(values, str | bytes):
        raise ResearchInputError.of(
            function, argument, "expected a sequence of 0/1 or true/false values, got a string"
        )
    out = []
    for i, value in enumerate(values):
        try:
            out.append(as_label(value, f"number {i}"))
        except RowProblem as exc:
            raise ResearchInputError.of(function, f"{argument}[{i}]", exc.reason) from None
    return out


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _wilson(num: int, den: int, confidence: float) -> Estimate:
    if not den:
        return Estimate(None, method="wilson", numerator=num, denominator=den)
    low, high = wilson_interval(num, den, confidence)
    return Estimate(num / den, low, high, "wilson", num, den)


def metrics(
    labels: Iterable[Any],
    predictions: Iterable[Any],
    prevalence: float | None = None,
    *,
    confidence: float = 0.95,
    bootstrap: int = 2000,
    seed: int = 0,
) -> Metrics:
    """Accuracy of a screen: ``labels`` are the truth, ``predictions`` the screen result.

    Both are sequences of 0/1 (or true/false) of the same length. ``prevalence``, if
    given, is the prevalence of the population where the screen will be used; PPV and
    NPV are then also computed at it (``at_prevalence``). ``bootstrap`` resamples
    (0: no bootstrap; PPV and NPV then get Wilson intervals and J none) use ``seed``,
    so the result is deterministic. Bootstrap intervals need NumPy.

    >>> m = metrics([1, 1, 1, 0, 0, 0, 0, 0], [1, 1, 0, 1, 0, 0, 0, 0], bootstrap=0)
    >>> (m.tp, m.fp, m.tn, m.fn), round(m.sensitivity.value, 3), m.specificity.value
    ((2, 1, 4, 1), 0.667, 0.8)
    """
    _check_confidence("metrics", confidence)
    _check_prevalence("metrics", prevalence)
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or bootstrap < 0:
        raise ResearchInputError.of(
            "metrics", "bootstrap", f"expected a whole number >= 0, got {bootstrap!r}"
        )
    truth = _binary(labels, "metrics", "labels")
    screen = _binary(predictions, "metrics", "predictions")
    if len(truth) != len(screen):
        raise ResearchInputError.of(
            "metrics",
            "predictions",
            f"got {len(truth)} labels and {len(screen)} predictions; they must pair up",
        )
    tp = sum(1 for t, s in zip(truth, screen, strict=True) if t and s)
    fp = sum(1 for t, s in zip(truth, screen, strict=True) if not t and s)
    fn = sum(1 for t, s in zip(truth, screen, strict=True) if t and not s)
    tn = len(truth) - tp - fp - fn
    return metrics_from_counts(
        tp, fp, tn, fn, prevalence, confidence=confidence, bootstrap=bootstrap, seed=seed
    )


def metrics_from_counts(
    tp: int,
    fp: int,
    tn: int,
    fn: int,
    prevalence: float | None = None,
    *,
    confidence: float = 0.95,
    bootstrap: int = 2000,
    seed: int = 0,
) -> Metrics:
    n = tp + fp + tn + fn
    sens = _ratio(tp, tp + fn)
    spec = _ratio(tn, tn + fp)
    j_value = sens + spec - 1 if sens is not None and spec is not None else None
    lr_pos = lr_neg = None
    if sens is not None and spec is not None:
        lr_pos = sens / (1 - spec) if spec < 1 else None
        lr_neg = (1 - sens) / spec if spec > 0 else None
    at_ppv = at_npv = None
    if prevalence is not None and sens is not None and spec is not None:
        at_ppv, at_npv = predictive_values(sens, spec, prevalence)

    boot: dict[str, tuple[float, float] | None] = {}
    if bootstrap and n:
        boot = _bootstrap((tp, fp, tn, fn), prevalence, confidence, bootstrap, seed)

    def booted(
        name: str,
        value: float | None,
        num: int | None = None,
        den: int | None = None,
        fallback: str = "none",
    ) -> Estimate:
        counts: dict[str, Any] = {} if den is None else {"numerator": num, "denominator": den}
        if value is None:
            return Estimate(None, method="bootstrap" if bootstrap else fallback, **counts)
        if bootstrap:
            interval = boot.get(name)
            if interval is None:
                return Estimate(value, method="bootstrap", **counts)
            return Estimate(value, interval[0], interval[1], "bootstrap", **counts)
        if fallback == "wilson":
            return _wilson(num or 0, den or 0, confidence)
        return Estimate(value, method=fallback, **counts)

    at = None
    if prevalence is not None:
        at = PredictiveValues(
            float(prevalence),
            booted("ppv_at", at_ppv, fallback="bayes"),
            booted("npv_at", at_npv, fallback="bayes"),
        )
    return Metrics(
        tp,
        fp,
        tn,
        fn,
        prevalence=_wilson(tp + fn, n, confidence),
        sensitivity=_wilson(tp, tp + fn, confidence),
        specificity=_wilson(tn, tn + fp, confidence),
        ppv=booted("ppv", _ratio(tp, tp + fp), tp, tp + fp, "wilson"),
        npv=booted("npv", _ratio(tn, tn + fn), tn, tn + fn, "wilson"),
        accuracy=_wilson(tp + tn, n, confidence),
        youden_j=booted("youden_j", j_value),
        lr_positive=lr_pos,
        lr_negative=lr_neg,
        at_prevalence=at,
        confidence=float(confidence),
        bootstrap=bootstrap,
        seed=seed,
    )


def _bootstrap(
    cells: tuple[int, int, int, int],
    prevalence: float | None,
    confidence: float,
    resamples: int,
    seed: int,
) -> dict[str, tuple[float, float] | None]:
    """Percentile intervals from multinomial resamples of the four cells (tp, fp, tn, fn)."""
    need_numpy("a bootstrap interval")
    import numpy as np

    n = sum(cells)
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, np.asarray(cells, dtype=float) / n, size=resamples)
    tp, fp, tn, fn = (draws[:, k].astype(float) for k in range(4))
    with np.errstate(divide="ignore", invalid="ignore"):
        sens = tp / (tp + fn)
        spec = tn / (tn + fp)
        stats = {
            "ppv": tp / (tp + fp),
            "npv": tn / (tn + fn),
            "youden_j": sens + spec - 1,
        }
        if prevalence is not None:
            p = prevalence
            stats["ppv_at"] = sens * p / (sens * p + (1 - spec) * (1 - p))
            stats["npv_at"] = spec * (1 - p) / (spec * (1 - p) + (1 - sens) * p)
    alpha = 1 - confidence
    out: dict[str, tuple[float, float] | None] = {}
    for name, values in stats.items():
        defined = values[np.isfinite(values)]
        if defined.size == 0:
            out[name] = None
            continue
        low, high = np.quantile(defined, [alpha / 2, 1 - alpha / 2])
        out[name] = (float(low), float(high))
    return out
