"""Evaluate a rule set on labelled cases: accuracy overall and by subgroup, score sweeps."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from attrs import field, frozen

from ..assessment import RuleSetRef
from ..errors import CaseDataError
from ._curves import PrCurve, RocCurve, pr_curve, roc
from ._metrics import Metrics, _check_confidence, _check_prevalence, metrics
from ._rows import (
    Labels,
    RowFailure,
    RowProblem,
    RowReader,
    Rules,
    Undeclared,
    Use,
    as_screener,
    band_order,
    check_use,
    outcome_used,
    positive_bands,
    rows_of,
    ruleset_ref,
)

__all__ = ["BandCount", "Cutoff", "Evaluation", "RowResult", "evaluate"]

MISSING_GROUP = "(missing)"


@frozen
class RowResult:
    """One screened row: what the rule set said and what the label says."""

    index: int
    case_id: str | None
    label: bool
    outcome: str
    positive: bool
    determined: bool
    #: Whether some answer to the unknowns could make a negative screen positive.
    could_be_positive: bool
    score: float
    group: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "case_id": self.case_id,
            "label": self.label,
            "outcome": self.outcome,
            "positive": self.positive,
            "determined": self.determined,
            "could_be_positive": self.could_be_positive,
            "score": self.score,
            "group": self.group,
        }


@frozen
class BandCount:
    """How many rows of each label reached an outcome band."""

    band: str
    positive_screen: bool
    label_positive: int
    label_negative: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "band": self.band,
            "positive_screen": self.positive_screen,
            "label_positive": self.label_positive,
            "label_negative": self.label_negative,
        }


@frozen
class Cutoff:
    """Accuracy if every band at least as severe as ``band`` counted as positive."""

    band: str
    sensitivity: float | None
    specificity: float | None

    @property
    def youden_j(self) -> float | None:
        if self.sensitivity is None or self.specificity is None:
            return None
        return self.sensitivity + self.specificity - 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "band": self.band,
            "sensitivity": self.sensitivity,
            "specificity": self.specificity,
            "youden_j": self.youden_j,
        }


@frozen
class Evaluation:
    """A rule set's accuracy on labelled rows, accounting for every row.

    ``rows`` rows were given; ``failures`` lists those that could not be screened
    (with index and reason); ``metrics`` and the rest describe the others.
    """

    ruleset: RuleSetRef
    #: The label field, or ``None`` when the labels came as a separate sequence.
    label: str | None
    positive: tuple[str, ...]
    use: str
    rows: int
    failures: tuple[RowFailure, ...]
    metrics: Metrics
    by: str | None
    groups: tuple[tuple[str, Metrics], ...]
    outcomes: tuple[BandCount, ...]
    cutoffs: tuple[Cutoff, ...]
    #: ROC over the rule set's score (``None`` if one label class is missing).
    roc: RocCurve | None
    pr: PrCurve | None
    #: Area under the ROC curve over the outcome bands, as an ordinal score.
    band_auc: float | None
    #: Rows marked synthetic (id starting ``synthetic-`` or ``"synthetic": true``).
    synthetic: int
    #: Undeclared indicator and fact ids left out (``undeclared="ignore"``), with counts.
    ignored: tuple[tuple[str, int], ...]
    #: Each screened row's label and outcome: case data, kept out of the repr.
    results: tuple[RowResult, ...] = field(repr=False)

    @property
    def screened(self) -> int:
        return self.rows - len(self.failures)

    @property
    def determined(self) -> int:
        """Screened rows whose outcome no answer to the unknowns could change."""
        return sum(r.determined for r in self.results)

    @property
    def could_be_positive(self) -> int:
        """Negative screens that some answer to the unknowns would turn positive."""
        return sum(r.could_be_positive for r in self.results)

    def group(self, value: str) -> Metrics:
        for name, m in self.groups:
            if name == value:
                return m
        raise KeyError(value)

    def to_dict(self, *, results: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": "thbscreen-evaluation/1",
            "ruleset": self.ruleset.to_dict(),
            "label": self.label,
            "positive": list(self.positive),
            "use": self.use,
            "rows": self.rows,
            "screened": self.screened,
            "failed": len(self.failures),
            "synthetic": self.synthetic,
            "failures": [f.to_dict() for f in self.failures],
            "metrics": self.metrics.to_dict(),
            "determined": self.determined,
            "could_be_positive": self.could_be_positive,
            "outcomes": [b.to_dict() for b in self.outcomes],
            "cutoffs": [c.to_dict() for c in self.cutoffs],
            "score_roc": self.roc.to_dict() if self.roc else None,
            "score_pr": self.pr.to_dict() if self.pr else None,
            "band_auc": self.band_auc,
            "by": self.by,
            "groups": {name: m.to_dict() for name, m in self.groups},
            "ignored": dict(self.ignored),
        }
        if results:
            out["results"] = [r.to_dict() for r in self.results]
        return out


def evaluate(
    rules: Rules,
    cases: Iterable[Any],
    *,
    label: Labels,
    positive: str | Collection[str],
    by: str | None = None,
    prevalence: float | None = None,
    use: Use = "outcome",
    undeclared: Undeclared = "error",
    confidence: float = 0.95,
    bootstrap: int = 2000,
    seed: int = 0,
) -> Evaluation:
    """Screen labelled cases with a rule set and measure the screen against the labels.

    ``rules`` is a rule set, a screener, or a bundled name or path. ``cases`` yields
    case mappings (``id``, ``facts``, ``indicators``) that may carry further fields:
    ``label`` names the field holding the truth (true/false or 1/0), or is a sequence
    of labels, one per case. ``positive`` is the band (or bands) counted as a positive
    screen. ``by`` names a field (or a fact) to break the metrics down by.

    ``use`` picks the band compared with the label: ``outcome`` (on present evidence,
    the default), ``range_high`` (the most severe band the unknowns allow) or
    ``range_low``. ``undeclared="ignore"`` leaves out indicator and fact ids the rule
    set does not declare (counted in ``ignored``) instead of failing the row.

    A row that cannot be screened (bad data, missing label) becomes a
    :class:`RowFailure`; it is counted, never dropped silently.
    """
    check_use("evaluate", use)
    _check_confidence("evaluate", confidence)
    _check_prevalence("evaluate", prevalence)
    screener = as_screener(rules)
    pos = positive_bands("evaluate", screener, positive)
    order = band_order(screener)
    rank = {b: len(order) - 1 - k for k, b in enumerate(order)}
    reader = RowReader("evaluate", screener, label, by, undeclared)
    failures: list[RowFailure] = []
    results: list[RowResult] = []
    ignored: dict[str, int] = {}
    synthetic = 0
    rows = 0
    for index, raw in enumerate(rows_of(cases, "evaluate")):
        rows += 1
        try:
            row = reader.read(index, raw)
        except RowProblem as exc:
            failures.append(RowFailure(index, exc.case_id, exc.reason, _line(raw)))
            continue
        try:
            assessment = screener.evaluate(row.case)
        except CaseDataError as exc:
            failures.append(RowFailure(index, row.case_id, str(exc)))
            continue
        synthetic += row.synthetic
        for key in row.ignored:
            ignored[key] = ignored.get(key, 0) + 1
        outcome = outcome_used(assessment, use)
        is_positive = outcome in pos
        results.append(
            RowResult(
                index,
                row.case_id,
                bool(row.label),
                outcome,
                is_positive,
                assessment.determined,
                not is_positive and any(b in pos for b in assessment.outcome_range.bands),
                float(assessment.score),
                row.group,
            )
        )
    reader.check_count()

    def measure(truth: list[bool], screen: list[bool]) -> Metrics:
        return metrics(
            truth, screen, prevalence, confidence=confidence, bootstrap=bootstrap, seed=seed
        )

    labels = [r.label for r in results]
    overall = measure(labels, [r.positive for r in results])
    groups: list[tuple[str, Metrics]] = []
    if by is not None:
        names = sorted({r.group for r in results if r.group is not None})
        if any(r.group is None for r in results):
            names.append(MISSING_GROUP)
        for name in names:
            mine = [r for r in results if (MISSING_GROUP if r.group is None else r.group) == name]
            groups.append((name, measure([r.label for r in mine], [r.positive for r in mine])))
    outcomes = tuple(
        BandCount(
            band,
            band in pos,
            sum(1 for r in results if r.outcome == band and r.label),
            sum(1 for r in results if r.outcome == band and not r.label),
        )
        for band in order
    )
    both_classes = any(labels) and not all(labels)
    cutoffs: list[Cutoff] = []
    p = sum(labels)
    n = len(labels) - p
    for k, band in enumerate(order[:-1]):
        at_least = set(order[: k + 1])
        tp = sum(1 for r in results if r.label and r.outcome in at_least)
        tn = sum(1 for r in results if not r.label and r.outcome not in at_least)
        cutoffs.append(Cutoff(band, tp / p if p else None, tn / n if n else None))
    score_roc = score_pr = None
    band_auc = None
    if both_classes:
        scores = [r.score for r in results]
        score_roc = roc(labels, scores)
        score_pr = pr_curve(labels, scores)
        band_auc = roc(labels, [rank[r.outcome] for r in results]).auc
    return Evaluation(
        ruleset_ref(screener),
        reader.label_name,
        tuple(b for b in order if b in pos),
        use,
        rows,
        tuple(failures),
        overall,
        by,
        tuple(groups),
        outcomes,
        tuple(cutoffs),
        score_roc,
        score_pr,
        band_auc,
        synthetic,
        tuple(sorted(ignored.items())),
        tuple(results),
    )


def _line(raw: Any) -> int | None:
    line = getattr(raw, "line", None)
    return line if isinstance(line, int) else None
