"""Ablation: what each indicator and each dimension contributes to a rule set's results.

Dropping an indicator means observing it as absent in every case (a direct
observation wins over a derivation from facts, so derived indicators are dropped
too). Dropping a dimension drops all of its indicators. The rule set is not changed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from attrs import frozen

from ..assessment import RuleSetRef
from ..errors import CaseDataError
from ..model import Case
from ._metrics import Metrics, _check_confidence
from ._metrics import metrics as _metrics
from ._rows import (
    Labels,
    ResearchInputError,
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

__all__ = ["Ablation", "AblationRow", "ablation"]


def _delta(after: Any, before: Any) -> float | None:
    if after is None or before is None or after.value is None or before.value is None:
        return None
    return float(after.value - before.value)


@frozen
class AblationRow:
    """The results with one indicator (or one dimension's indicators) dropped."""

    #: ``indicator`` or ``dimension``.
    kind: str
    id: str
    #: Screened rows in which a dropped indicator was present.
    present: int
    #: Rows per outcome band, in the rule set's band order.
    outcomes: tuple[tuple[str, int], ...]
    #: Rows whose outcome differs from the baseline (all of them lowered or raised).
    changed: int
    lowered: int
    raised: int
    #: Accuracy against the labels, when labels were given.
    metrics: Metrics | None
    delta_sensitivity: float | None
    delta_specificity: float | None
    delta_accuracy: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "present": self.present,
            "outcomes": dict(self.outcomes),
            "changed": self.changed,
            "lowered": self.lowered,
            "raised": self.raised,
            "metrics": self.metrics.to_dict() if self.metrics else None,
            "delta_sensitivity": self.delta_sensitivity,
            "delta_specificity": self.delta_specificity,
            "delta_accuracy": self.delta_accuracy,
        }


@frozen
class Ablation:
    """The baseline and one :class:`AblationRow` per dropped indicator and dimension."""

    ruleset: RuleSetRef
    label: str | None
    positive: tuple[str, ...]
    use: str
    rows: int
    failures: tuple[RowFailure, ...]
    outcomes: tuple[tuple[str, int], ...]
    metrics: Metrics | None
    variants: tuple[AblationRow, ...]

    @property
    def screened(self) -> int:
        return self.rows - len(self.failures)

    def variant(self, kind: str, id: str) -> AblationRow:
        for v in self.variants:
            if (v.kind, v.id) == (kind, id):
                return v
        raise KeyError((kind, id))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "thbscreen-ablation/1",
            "ruleset": self.ruleset.to_dict(),
            "label": self.label,
            "positive": list(self.positive),
            "use": self.use,
            "rows": self.rows,
            "screened": self.screened,
            "failed": len(self.failures),
            "failures": [f.to_dict() for f in self.failures],
            "outcomes": dict(self.outcomes),
            "metrics": self.metrics.to_dict() if self.metrics else None,
            "variants": [v.to_dict() for v in self.variants],
        }


def _with_absent(case: Mapping[str, Any] | Case, ids: Collection[str]) -> dict[str, Any]:
    if isinstance(case, Case):
        case = {"id": case.id, "facts": case.facts, "indicators": case.indicators}
    out = dict(case)
    observed = case.get("indicators")
    indicators = dict(observed) if isinstance(observed, Mapping) else {}
    indicators.update(dict.fromkeys(ids, "absent"))
    out["indicators"] = indicators
    return out


def ablation(
    rules: Rules,
    cases: Iterable[Any],
    *,
    label: Labels | None = None,
    positive: str | Collection[str] | None = None,
    indicators: bool = True,
    dimensions: bool = True,
    use: Use = "outcome",
    undeclared: Undeclared = "error",
    confidence: float = 0.95,
    progress: Callable[[int, int], None] | None = None,
) -> Ablation:
    """Drop each indicator, then each dimension, and measure the change.

    Without ``label``, the change is in the outcome distribution only; with ``label``
    and ``positive``, accuracy too (Wilson intervals; no bootstrap, for speed).
    ``progress``, if given, is called with (variants done, variants in all).
    """
    check_use("ablation", use)
    _check_confidence("ablation", confidence)
    screener = as_screener(rules)
    if label is not None and positive is None:
        raise ResearchInputError.of(
            "ablation", "positive", "with labels, say which bands count as a positive screen"
        )
    pos = positive_bands("ablation", screener, positive) if positive is not None else frozenset()
    order = band_order(screener)
    rank = {b: k for k, b in enumerate(order)}  # 0 = most severe
    reader = RowReader("ablation", screener, label, None, undeclared)
    failures: list[RowFailure] = []
    # (case, label, baseline outcome, fired ids, fired and unknown ids)
    kept: list[tuple[Mapping[str, Any] | Case, bool, str, frozenset[str], frozenset[str]]] = []
    rows = 0
    for index, raw in enumerate(rows_of(cases, "ablation")):
        rows += 1
        try:
            row = reader.read(index, raw)
        except RowProblem as exc:
            line = getattr(raw, "line", None)
            failures.append(
                RowFailure(index, exc.case_id, exc.reason, line if isinstance(line, int) else None)
            )
            continue
        try:
            a = screener.evaluate(row.case)
        except CaseDataError as exc:
            failures.append(RowFailure(index, row.case_id, str(exc)))
            continue
        fired = frozenset(f.id for f in a.fired)
        kept.append(
            (row.case, bool(row.label), outcome_used(a, use), fired, fired | set(a.unknown))
        )
    reader.check_count()
    labels = [k[1] for k in kept]
    baseline = [k[2] for k in kept]

    def score(outcomes: list[str]) -> Metrics | None:
        if label is None:
            return None
        return _metrics(labels, [o in pos for o in outcomes], confidence=confidence, bootstrap=0)

    def counts(outcomes: list[str]) -> tuple[tuple[str, int], ...]:
        return tuple((b, outcomes.count(b)) for b in order)

    base_metrics = score(baseline)
    rs = screener.ruleset
    variants: list[tuple[str, str, frozenset[str]]] = []
    if indicators:
        variants += [("indicator", ind.id, frozenset({ind.id})) for ind in rs.indicators]
    if dimensions:
        variants += [
            ("dimension", d.id, frozenset(i.id for i in rs.indicators if i.dimension == d.id))
            for d in rs.dimensions
        ]
    out: list[AblationRow] = []
    for done, (kind, vid, ids) in enumerate(variants):
        outcomes: list[str] = []
        present = 0
        for case, _, before, fired, touched in kept:
            if not ids & touched:
                outcomes.append(before)  # every dropped indicator was absent already
                continue
            present += bool(ids & fired)
            outcomes.append(outcome_used(screener.evaluate(_with_absent(case, ids)), use))
        lowered = sum(1 for o, b in zip(outcomes, baseline, strict=True) if rank[o] > rank[b])
        raised = sum(1 for o, b in zip(outcomes, baseline, strict=True) if rank[o] < rank[b])
        m = score(outcomes)
        out.append(
            AblationRow(
                kind,
                vid,
                present,
                counts(outcomes),
                lowered + raised,
                lowered,
                raised,
                m,
                _delta(m.sensitivity, base_metrics.sensitivity) if m and base_metrics else None,
                _delta(m.specificity, base_metrics.specificity) if m and base_metrics else None,
                _delta(m.accuracy, base_metrics.accuracy) if m and base_metrics else None,
            )
        )
        if progress is not None:
            progress(done + 1, len(variants))
    return Ablation(
        ruleset_ref(screener),
        reader.label_name,
        tuple(b for b in order if b in pos),
        use,
        rows,
        tuple(failures),
        counts(baseline),
        base_metrics,
        tuple(out),
    )
