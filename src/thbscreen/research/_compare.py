"""Compare rule sets on the same labelled cases: agreement, kappa, McNemar's test."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from attrs import field, frozen

from ..assessment import RuleSetRef
from ..errors import CaseDataError
from ._metrics import Estimate, Metrics, _binary, _check_confidence, _check_prevalence, _wilson
from ._metrics import metrics as _metrics
from ._rows import (
    Labels,
    ResearchInputError,
    RowFailure,
    RowProblem,
    RowReader,
    Rules,
    Undeclared,
    UndeclaredId,
    Use,
    as_screener,
    band_order,
    check_use,
    outcome_used,
    positive_bands,
    rows_of,
    ruleset_ref,
)

__all__ = [
    "Comparison",
    "Disagreement",
    "McNemarResult",
    "PairComparison",
    "cohen_kappa",
    "compare",
    "mcnemar",
]

#: Below this many discordant pairs McNemar's test is exact (binomial).
EXACT_BELOW = 25


@frozen
class McNemarResult:
    """McNemar's test on paired binary results.

    ``b`` and ``c`` are the two discordant counts; under the null hypothesis (both
    screens equally often right, or equally often positive) each discordant pair is
    equally likely to fall either way.
    """

    b: int
    c: int
    #: ``exact`` (two-sided binomial) or ``chi2`` (with continuity correction).
    method: str
    #: The chi-square statistic; ``None`` for the exact test.
    statistic: float | None
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "b": self.b,
            "c": self.c,
            "method": self.method,
            "statistic": self.statistic,
            "p_value": self.p_value,
        }


def mcnemar(b: int, c: int, *, exact_below: int = EXACT_BELOW) -> McNemarResult:
    """McNemar's test from the discordant counts ``b`` and ``c``.

    With fewer than ``exact_below`` discordant pairs, the exact two-sided binomial
    test; otherwise chi-square with continuity correction, (|b - c| - 1)^2 / (b + c),
    on one degree of freedom.

    >>> round(mcnemar(10, 2).p_value, 5)
    0.03857
    >>> round(mcnemar(30, 10).statistic, 3), round(mcnemar(30, 10).p_value, 5)
    (9.025, 0.00266)
    """
    for name, value in (("b", b), ("c", c)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ResearchInputError.of("mcnemar", name, f"expected a count >= 0, got {value!r}")
    n = b + c
    if n < exact_below:
        if n == 0:
            return McNemarResult(b, c, "exact", None, 1.0)
        k = min(b, c)
        tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
        return McNemarResult(b, c, "exact", None, min(1.0, 2 * tail))
    statistic = max(abs(b - c) - 1, 0) ** 2 / n
    return McNemarResult(b, c, "chi2", statistic, math.erfc(math.sqrt(statistic / 2)))


def _kappa(both: int, a_only: int, b_only: int, neither: int) -> float | None:
    n = both + a_only + b_only + neither
    if not n:
        return None
    observed = (both + neither) / n
    a_yes = (both + a_only) / n
    b_yes = (both + b_only) / n
    expected = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
    if expected >= 1:
        return None  # both screens constant and equal: kappa is undefined
    return (observed - expected) / (1 - expected)


def cohen_kappa(a: Iterable[Any], b: Iterable[Any]) -> float | None:
    """Cohen's kappa of two paired sequences of 0/1 results; ``None`` when undefined.

    >>> cohen_kappa([1] * 20 + [1] * 5 + [0] * 10 + [0] * 15, [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15)
    0.4
    """
    x = _binary(a, "cohen_kappa", "a")
    y = _binary(b, "cohen_kappa", "b")
    if len(x) != len(y):
        raise ResearchInputError.of("cohen_kappa", "b", f"got {len(x)} and {len(y)} results")
    both = sum(1 for i, j in zip(x, y, strict=True) if i and j)
    a_only = sum(1 for i, j in zip(x, y, strict=True) if i and not j)
    b_only = sum(1 for i, j in zip(x, y, strict=True) if j and not i)
    kappa = _kappa(both, a_only, b_only, len(x) - both - a_only - b_only)
    return None if kappa is None else round(kappa, 12)


@frozen
class PairComparison:
    """Two rule sets on the same rows: how often they agree, and whether they differ.

    ``mcnemar_positive`` compares how often each screens positive (b: only ``a``
    positive, c: only ``b`` positive); ``mcnemar_sensitivity`` compares them on the
    rows labelled positive (b: only ``a`` right) and ``mcnemar_specificity`` on the
    rows labelled negative (b: only ``a`` right).
    """

    a: str
    b: str
    both_positive: int
    a_only: int
    b_only: int
    both_negative: int
    agreement: Estimate
    kappa: float | None
    mcnemar_positive: McNemarResult
    mcnemar_sensitivity: McNemarResult
    mcnemar_specificity: McNemarResult
    #: Rows per pair of outcome bands (band of ``a``, band of ``b``, count).
    crosstab: tuple[tuple[str, str, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "both_positive": self.both_positive,
            "a_only": self.a_only,
            "b_only": self.b_only,
            "both_negative": self.both_negative,
            "agreement": self.agreement.to_dict(),
            "kappa": self.kappa,
            "mcnemar_positive": self.mcnemar_positive.to_dict(),
            "mcnemar_sensitivity": self.mcnemar_sensitivity.to_dict(),
            "mcnemar_specificity": self.mcnemar_specificity.to_dict(),
            "crosstab": [{"a": x, "b": y, "count": k} for x, y, k in self.crosstab],
        }


@frozen
class Disagreement:
    """A row on which the rule sets do not all give the same screen result."""

    index: int
    case_id: str | None
    label: bool
    #: (rule-set name, outcome band, positive screen) for each rule set.
    outcomes: tuple[tuple[str, str, bool], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "case_id": self.case_id,
            "label": self.label,
            "outcomes": {name: {"outcome": o, "positive": p} for name, o, p in self.outcomes},
        }


@frozen
class Comparison:
    """Several rule sets screened on the rows every one of them could screen."""

    names: tuple[str, ...]
    rulesets: tuple[RuleSetRef, ...]
    positive: tuple[tuple[str, ...], ...]
    label: str | None
    use: str
    rows: int
    failures: tuple[RowFailure, ...]
    metrics: tuple[Metrics, ...]
    pairs: tuple[PairComparison, ...]
    #: Labels by case id: case data, kept out of the repr.
    disagreements: tuple[Disagreement, ...] = field(repr=False)
    synthetic: int = 0

    @property
    def compared(self) -> int:
        return self.rows - len(self.failures)

    def pair(self, a: str, b: str) -> PairComparison:
        for p in self.pairs:
            if (p.a, p.b) == (a, b):
                return p
        raise KeyError((a, b))

    def agreement_matrix(self) -> list[list[float | None]]:
        """Share of rows with the same screen result, for every pair (1 on the diagonal)."""
        return self._matrix(lambda p: p.agreement.value)

    def kappa_matrix(self) -> list[list[float | None]]:
        """Cohen's kappa for every pair (1 on the diagonal)."""
        return self._matrix(lambda p: p.kappa)

    def _matrix(self, value: Any) -> list[list[float | None]]:
        k = len(self.names)
        out: list[list[float | None]] = [
            [1.0 if i == j else None for j in range(k)] for i in range(k)
        ]
        for p in self.pairs:
            i, j = self.names.index(p.a), self.names.index(p.b)
            out[i][j] = out[j][i] = value(p)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "thbscreen-comparison/1",
            "rulesets": [
                {"name": name, **ref.to_dict(), "positive": list(pos), "metrics": m.to_dict()}
                for name, ref, pos, m in zip(
                    self.names, self.rulesets, self.positive, self.metrics, strict=True
                )
            ],
            "label": self.label,
            "use": self.use,
            "rows": self.rows,
            "compared": self.compared,
            "failed": len(self.failures),
            "synthetic": self.synthetic,
            "failures": [f.to_dict() for f in self.failures],
            "agreement_matrix": self.agreement_matrix(),
            "kappa_matrix": self.kappa_matrix(),
            "pairs": [p.to_dict() for p in self.pairs],
            "disagreements": [d.to_dict() for d in self.disagreements],
        }


def names_for(screeners: Sequence[Any]) -> list[str]:
    """``id``, or ``id@version`` where ids repeat, or ``id@version#k`` where both do."""
    ids = [s.ruleset.id for s in screeners]
    names = [
        i if ids.count(i) == 1 else f"{i}@{s.ruleset.version}"
        for i, s in zip(ids, screeners, strict=True)
    ]
    return [n if names.count(n) == 1 else f"{n}#{k + 1}" for k, n in enumerate(names)]


def compare(
    rule_sets: Sequence[Rules] | Mapping[str, Rules],
    cases: Iterable[Any],
    *,
    label: Labels,
    positive: str | Collection[str] | Mapping[str, str | Collection[str]],
    use: Use = "outcome",
    undeclared: Undeclared = "error",
    prevalence: float | None = None,
    confidence: float = 0.95,
    bootstrap: int = 2000,
    seed: int = 0,
    exact_below: int = EXACT_BELOW,
) -> Comparison:
    """Screen the same labelled cases with several rule sets and compare the results.

    ``rule_sets`` is a sequence (named by rule-set id, or ``id@version`` where ids
    repeat) or a mapping of name to rule set. ``positive`` is a band or bands counted
    positive in every rule set that has them (each must have at least one), or a
    mapping of name to bands. A row that any rule set cannot screen is a failure for
    the comparison (the analysis is paired), reported with the rule set's reason.
    """
    check_use("compare", use)
    _check_confidence("compare", confidence)
    _check_prevalence("compare", prevalence)
    if isinstance(rule_sets, Mapping):
        given = list(rule_sets.items())
        screeners = [as_screener(r) for _, r in given]
        names = [str(n) for n, _ in given]
    else:
        if isinstance(rule_sets, str):
            raise ResearchInputError.of("compare", "rule_sets", "expected several rule sets")
        screeners = [as_screener(r) for r in rule_sets]
        names = names_for(screeners)
    if len(screeners) < 2:
        raise ResearchInputError.of(
            "compare", "rule_sets", f"expected at least two rule sets, got {len(screeners)}"
        )
    if isinstance(positive, Mapping):
        missing = [n for n in names if n not in positive]
        if missing:
            raise ResearchInputError.of(
                "compare", "positive", f"no positive bands given for {missing[0]!r}"
            )
        pos = [
            positive_bands("compare", s, positive[n]) for n, s in zip(names, screeners, strict=True)
        ]
    else:
        pos = [positive_bands("compare", s, positive, lenient=True) for s in screeners]
        wanted = [positive] if isinstance(positive, str) else list(positive)
        nowhere = [b for b in wanted if not any(b in p for p in pos)]
        if nowhere:
            raise ResearchInputError.of(
                "compare", "positive", f"no rule set has an outcome band {nowhere[0]!r}"
            )
    readers = [RowReader("compare", s, label, None, undeclared) for s in screeners]
    failures: list[RowFailure] = []
    kept: list[tuple[int, str | None, bool, list[str]]] = []
    rows = 0
    synthetic = 0
    for index, raw in enumerate(rows_of(cases, "compare")):
        rows += 1
        outcomes: list[str] = []
        case_id: str | None = None
        is_synthetic = False
        truth = False
        try:
            for name, screener, reader in zip(names, screeners, readers, strict=True):
                try:
                    row = reader.read(index, raw)
                except UndeclaredId as exc:
                    raise RowProblem(f"{name}: {exc.reason}", exc.case_id) from None
                case_id, truth, is_synthetic = row.case_id, bool(row.label), row.synthetic
                try:
                    outcomes.append(outcome_used(screener.evaluate(row.case), use))
                except CaseDataError as exc:
                    raise RowProblem(f"{name}: {exc}", row.case_id) from None
        except RowProblem as exc:
            line = getattr(raw, "line", None)
            failures.append(
                RowFailure(index, exc.case_id, exc.reason, line if isinstance(line, int) else None)
            )
            continue
        synthetic += is_synthetic
        kept.append((index, case_id, truth, outcomes))
    readers[0].check_count()  # the first reader sees every row; the others stop at a failure
    labels = [k[2] for k in kept]
    flags = [[o in p for o in (k[3][i] for k in kept)] for i, p in enumerate(pos)]

    def measure(truth: list[bool], screen: list[bool]) -> Metrics:
        return _metrics(
            truth, screen, prevalence, confidence=confidence, bootstrap=bootstrap, seed=seed
        )

    all_metrics = tuple(measure(labels, f) for f in flags)
    pairs = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            pairs.append(
                _pair(
                    (names[i], names[j]),
                    (flags[i], flags[j]),
                    labels,
                    [(k[3][i], k[3][j]) for k in kept],
                    (band_order(screeners[i]), band_order(screeners[j])),
                    confidence,
                    exact_below,
                )
            )
    disagreements = tuple(
        Disagreement(
            index,
            case_id,
            truth,
            tuple((names[i], outcomes[i], flags[i][k]) for i in range(len(names))),
        )
        for k, (index, case_id, truth, outcomes) in enumerate(kept)
        if len({flags[i][k] for i in range(len(names))}) > 1
    )
    return Comparison(
        tuple(names),
        tuple(ruleset_ref(s) for s in screeners),
        tuple(
            tuple(b for b in band_order(s) if b in p) for s, p in zip(screeners, pos, strict=True)
        ),
        readers[0].label_name,
        use,
        rows,
        tuple(failures),
        all_metrics,
        tuple(pairs),
        disagreements,
        synthetic,
    )


def _pair(
    names: tuple[str, str],
    results: tuple[list[bool], list[bool]],
    labels: list[bool],
    bands: list[tuple[str, str]],
    orders: tuple[tuple[str, ...], tuple[str, ...]],
    confidence: float,
    exact_below: int,
) -> PairComparison:
    x, y = results
    both = sum(1 for p, q in zip(x, y, strict=True) if p and q)
    a_only = sum(1 for p, q in zip(x, y, strict=True) if p and not q)
    b_only = sum(1 for p, q in zip(x, y, strict=True) if q and not p)
    neither = len(x) - both - a_only - b_only
    sens_b = sum(1 for p, q, t in zip(x, y, labels, strict=True) if t and p and not q)
    sens_c = sum(1 for p, q, t in zip(x, y, labels, strict=True) if t and q and not p)
    spec_b = sum(1 for p, q, t in zip(x, y, labels, strict=True) if not t and not p and q)
    spec_c = sum(1 for p, q, t in zip(x, y, labels, strict=True) if not t and not q and p)
    cells: dict[tuple[str, str], int] = {}
    for key in bands:
        cells[key] = cells.get(key, 0) + 1
    order_a, order_b = orders
    crosstab = sorted(cells.items(), key=lambda c: (order_a.index(c[0][0]), order_b.index(c[0][1])))
    kappa = _kappa(both, a_only, b_only, neither)
    return PairComparison(
        names[0],
        names[1],
        both,
        a_only,
        b_only,
        neither,
        _wilson(both + neither, len(x), confidence),
        None if kappa is None else round(kappa, 12),
        mcnemar(a_only, b_only, exact_below=exact_below),
        mcnemar(sens_b, sens_c, exact_below=exact_below),
        mcnemar(spec_b, spec_c, exact_below=exact_below),
        tuple((p, q, k) for (p, q), k in crosstab),
    )
