"""Results of screening: immutable, with a stable, versioned JSON form.

Case data stays out of every ``repr``: an assessment's repr shows the outcome, never
the observations (facts appear only in the evidence of derived indicators, in
``to_dict()``, which the caller asked for).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

if TYPE_CHECKING:
    from .screening import Screener

__all__ = [
    "ASSESSMENT_FORMAT",
    "Assessment",
    "DimensionResult",
    "Evidence",
    "FiredIndicator",
    "NextQuestion",
    "OutcomeRange",
    "RuleSetRef",
]

ASSESSMENT_FORMAT = "thbscreen-assessment/1"

POSITIVE = "positive"
NEGATIVE = "negative"
UNDETERMINED = "undetermined"


@frozen
class RuleSetRef:
    id: str
    version: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "hash": self.hash}


class OutcomeRange(tuple[str, str]):
    """The lowest and the highest band that some answer to the unknowns could reach.

    A pair ``(low, high)``: it compares equal to the tuple of the two band ids, and
    ``band in outcome_range`` asks whether ``band`` lies between them in the rule set's
    band order (so ``assessment.outcome in assessment.outcome_range`` always holds).
    """

    _order: tuple[str, ...]

    def __new__(cls, low: str, high: str, order: tuple[str, ...] = ()) -> OutcomeRange:
        self = super().__new__(cls, (low, high))
        self._order = order  # bands, most severe first, fallback last
        return self

    @property
    def low(self) -> str:
        return self[0]

    @property
    def high(self) -> str:
        return self[1]

    @property
    def bands(self) -> tuple[str, ...]:
        """Every band from high to low, in the rule set's order."""
        if not self._order:
            return (self.high,) if self.high == self.low else (self.high, self.low)
        return self._order[self._order.index(self.high) : self._order.index(self.low) + 1]

    def __contains__(self, band: object) -> bool:
        return band in self.bands

    def __repr__(self) -> str:
        return f"OutcomeRange(low={self.low!r}, high={self.high!r})"

    def __getnewargs__(self) -> tuple[str, str, tuple[str, ...]]:
        return self.low, self.high, self._order

    def to_list(self) -> list[str]:
        return [self.low, self.high]


@frozen
class Evidence:
    """Why an indicator counts as present: observed directly, or derived from facts."""

    kind: str  # "observed" or "derived"
    expression: str | None = None
    facts: tuple[tuple[str, Any], ...] = field(default=(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "observed":
            return {"kind": "observed", "observation": "present"}
        return {"kind": "derived", "expression": self.expression, "facts": dict(self.facts)}


@frozen
class FiredIndicator:
    id: str
    dimension: str
    strength: str | None
    weight: float
    text: str
    evidence: Evidence

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dimension": self.dimension,
            "strength": self.strength,
            "weight": self.weight,
            "text": self.text,
            "evidence": self.evidence.to_dict(),
        }


@frozen
class DimensionResult:
    id: str
    title: str
    status: str  # positive, negative, undetermined
    #: The part of the combination rule that holds, when positive.
    combination: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "combination": self.combination}


@frozen
class NextQuestion:
    """An unknown indicator worth asking about, and what each answer would do."""

    indicator: str
    question: str
    dimension: str
    impact: int
    outcome_if_present: str
    outcome_range_if_present: OutcomeRange
    outcome_range_if_absent: OutcomeRange

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "question": self.question,
            "dimension": self.dimension,
            "impact": self.impact,
            "outcome_if_present": self.outcome_if_present,
            "outcome_range_if_present": self.outcome_range_if_present.to_list(),
            "outcome_range_if_absent": self.outcome_range_if_absent.to_list(),
        }


class DimensionResults(Mapping[str, DimensionResult]):
    """Read-only mapping of dimension id to result, in the rule set's order."""

    __slots__ = ("_items",)

    def __init__(self, items: tuple[DimensionResult, ...]) -> None:
        self._items = items

    def __getitem__(self, key: str) -> DimensionResult:
        for item in self._items:
            if item.id == key:
                return item
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (item.id for item in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{d.id!r}: {d.status!r}" for d in self._items) + "}"


@frozen(eq=False, repr=False)
class Assessment:
    """The result of screening one case.

    ``outcome`` is the band reached on present evidence (unknowns counted as not
    present); ``outcome_range`` the lowest and highest band that answers to the
    unknowns could reach; ``determined`` tells whether they are the same.
    """

    ruleset: RuleSetRef
    case_id: str | None
    outcome: str
    outcome_range: OutcomeRange
    score: float
    score_range: tuple[float, float]
    score_band: str | None
    dimension_results: tuple[DimensionResult, ...]
    fired: tuple[FiredIndicator, ...]
    unknown: tuple[str, ...] = field(repr=False)
    # Kept to compute next questions on first access; never shown. ``lazy`` holds the
    # case's codes, its facts and the kernel's result, then the questions once asked
    # (one list, not four fields: evaluate() builds an Assessment per case).
    _screener: Screener = field(repr=False, alias="screener")
    _lazy: list[Any] = field(repr=False, alias="lazy")

    @property
    def determined(self) -> bool:
        return self.outcome_range.low == self.outcome_range.high

    @property
    def dimensions(self) -> DimensionResults:
        return DimensionResults(self.dimension_results)

    @property
    def next_questions(self) -> tuple[NextQuestion, ...]:
        """Unknown indicators ranked by how much an answer could change the outcome."""
        lazy = self._lazy
        if len(lazy) == 3:
            lazy.append(self._screener._next_questions(lazy[0], lazy[1], lazy[2]))
        questions: tuple[NextQuestion, ...] = lazy[3]
        return questions

    def __repr__(self) -> str:
        # The outcome only: which indicators were observed is case data.
        return (
            f"Assessment(ruleset={self.ruleset.id!r}, case_id={self.case_id!r}, "
            f"outcome={self.outcome!r}, outcome_range=({self.outcome_range.low!r}, "
            f"{self.outcome_range.high!r}), determined={self.determined}, score={self.score!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Assessment):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        """The stable, versioned JSON form (``format: thbscreen-assessment/1``)."""
        return {
            "format": ASSESSMENT_FORMAT,
            "ruleset": self.ruleset.to_dict(),
            "case_id": self.case_id,
            "outcome": self.outcome,
            "outcome_range": self.outcome_range.to_list(),
            "determined": self.determined,
            "score": self.score,
            "score_range": list(self.score_range),
            "score_band": self.score_band,
            "dimensions": {d.id: d.to_dict() for d in self.dimension_results},
            "fired": [f.to_dict() for f in self.fired],
            "unknown": list(self.unknown),
            "next_questions": [q.to_dict() for q in self.next_questions],
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """JSON text; the same rule set and case give byte-identical text on any machine."""
        return json.dumps(
            self.to_dict(), indent=indent, ensure_ascii=False, sort_keys=False, allow_nan=False
        )

    def _repr_html_(self) -> str:
        from .explain import render_html_fragment

        return render_html_fragment(self)

    def _repr_markdown_(self) -> str:
        from .explain import render_markdown

        return render_markdown(self)


# Screening builds one Assessment per case; attrs' frozen __init__ sets each field
# through a generic setattr, which costs a tenth of evaluate(). This constructor sets
# the slots through their descriptors directly (the same effect: no field has a
# default, validator or converter), about twice as fast. A test checks that it sets
# exactly the class's fields, in order, so a new field cannot be forgotten here.
_FIELDS = (
    "ruleset",
    "case_id",
    "outcome",
    "outcome_range",
    "score",
    "score_range",
    "score_band",
    "dimension_results",
    "fired",
    "unknown",
    "_screener",
    "_lazy",
)
(
    _s_ruleset,
    _s_case_id,
    _s_outcome,
    _s_outcome_range,
    _s_score,
    _s_score_range,
    _s_score_band,
    _s_dimension_results,
    _s_fired,
    _s_unknown,
    _s_screener,
    _s_lazy,
) = (Assessment.__dict__[name].__set__ for name in _FIELDS)
_new = object.__new__


def _assessment(
    ruleset: RuleSetRef,
    case_id: str | None,
    outcome: str,
    outcome_range: OutcomeRange,
    score: float,
    score_range: tuple[float, float],
    score_band: str | None,
    dimension_results: tuple[DimensionResult, ...],
    fired: tuple[FiredIndicator, ...],
    unknown: tuple[str, ...],
    screener: Screener,
    lazy: list[Any],
) -> Assessment:
    """``Assessment(...)`` with every field given, for screening's inner loop."""
    a: Assessment = _new(Assessment)
    _s_ruleset(a, ruleset)
    _s_case_id(a, case_id)
    _s_outcome(a, outcome)
    _s_outcome_range(a, outcome_range)
    _s_score(a, score)
    _s_score_range(a, score_range)
    _s_score_band(a, score_band)
    _s_dimension_results(a, dimension_results)
    _s_fired(a, fired)
    _s_unknown(a, unknown)
    _s_screener(a, screener)
    _s_lazy(a, lazy)
    return a
