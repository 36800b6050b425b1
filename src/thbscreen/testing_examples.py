"""Run a rule set's embedded example tests."""

from __future__ import annotations

from typing import Any

from attrs import frozen

from .assessment import Assessment
from .errors import ThbscreenError
from .model import RuleSet
from .screening import Screener

__all__ = ["Coverage", "ExampleResult", "coverage", "run_examples"]


@frozen
class ExampleResult:
    """One embedded example: what was expected, what came out, and the differences."""

    ruleset: str
    name: str
    passed: bool
    #: (field, expected, actual) for each expectation that failed.
    differences: tuple[tuple[str, Any, Any], ...] = ()
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ruleset": self.ruleset,
            "name": self.name,
            "passed": self.passed,
            "differences": [
                {"field": f, "expected": e, "actual": a} for f, e, a in self.differences
            ],
            "error": self.error,
        }


def _compare(assessment: Assessment, expect: Any) -> list[tuple[str, Any, Any]]:
    diffs: list[tuple[str, Any, Any]] = []

    def check(name: str, want: Any, got: Any) -> None:
        if want is not None and want != got:
            diffs.append((name, want, got))

    check("outcome", expect.outcome, assessment.outcome)
    if expect.outcome_range is not None:
        check("outcome_range", list(expect.outcome_range), assessment.outcome_range.to_list())
    check("determined", expect.determined, assessment.determined)
    for dim, status in (expect.dimensions or {}).items():
        check(f"dimensions.{dim}", status, assessment.dimensions[dim].status)
    check("score", expect.score, assessment.score)
    if expect.score_range is not None:
        check("score_range", list(expect.score_range), list(assessment.score_range))
    check("score_band", expect.score_band, assessment.score_band)
    return diffs


def run_examples(ruleset: RuleSet, screener: Screener | None = None) -> list[ExampleResult]:
    """Evaluate every embedded example of ``ruleset`` and compare with its expectations."""
    screener = screener or Screener(ruleset)
    results = []
    for test in ruleset.tests:
        try:
            assessment = screener.evaluate(test.case)
        except ThbscreenError as exc:
            results.append(ExampleResult(ruleset.id, test.name, False, error=str(exc)))
            continue
        diffs = _compare(assessment, test.expect)
        results.append(ExampleResult(ruleset.id, test.name, not diffs, tuple(diffs)))
    return results


@frozen
class Coverage:
    """What a rule set's embedded examples exercise.

    Each part is a pair ``(covered, missing)`` of ids, in the rule set's order:
    ``indicators`` present in at least one example (observed or derived),
    ``patterns`` the parts of each dimension's rule (``"<dimension>: <part>"``, the parts
    joined by a top-level ``or``) that held as the first true part at least once, and
    ``bands`` the outcome bands (the fallback included) reached. Examples whose case is
    refused count for nothing.
    """

    ruleset: str
    indicators: tuple[tuple[str, ...], tuple[str, ...]]
    patterns: tuple[tuple[str, ...], tuple[str, ...]]
    bands: tuple[tuple[str, ...], tuple[str, ...]]
    examples: int

    @property
    def covered(self) -> int:
        return sum(len(c) for c, _ in (self.indicators, self.patterns, self.bands))

    @property
    def total(self) -> int:
        return sum(len(c) + len(m) for c, m in (self.indicators, self.patterns, self.bands))

    @property
    def percent(self) -> float:
        """Covered items of all three kinds together, as a percentage (100 when empty)."""
        return 100.0 * self.covered / self.total if self.total else 100.0

    def to_dict(self) -> dict[str, Any]:
        def part(pair: tuple[tuple[str, ...], tuple[str, ...]]) -> dict[str, Any]:
            covered, missing = pair
            return {
                "covered": len(covered),
                "total": len(covered) + len(missing),
                "missing": list(missing),
            }

        return {
            "ruleset": self.ruleset,
            "examples": self.examples,
            "percent": round(self.percent, 1),
            "indicators": part(self.indicators),
            "dimension_patterns": part(self.patterns),
            "bands": part(self.bands),
        }


def coverage(ruleset: RuleSet, screener: Screener | None = None) -> Coverage:
    """Which indicators, dimension-rule parts and bands the embedded examples exercise."""
    screener = screener or Screener(ruleset)
    present: set[str] = set()
    patterns: set[str] = set()
    bands: set[str] = set()
    evaluated = 0
    for test in ruleset.tests:
        try:
            a = screener.evaluate(test.case)
        except ThbscreenError:
            continue
        evaluated += 1
        present.update(f.id for f in a.fired)
        bands.add(a.outcome)
        for dim in a.dimension_results:
            if dim.combination is not None:
                patterns.add(f"{dim.id}: {dim.combination}")

    def split(items: list[str], seen: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return tuple(x for x in items if x in seen), tuple(x for x in items if x not in seen)

    all_patterns = [
        f"{dim.id}: {part}"
        for dim, parts in zip(ruleset.dimensions, screener._program.combinations, strict=True)
        for part in dict.fromkeys(parts)
    ]
    all_bands = [b.id for b in ruleset.outcomes.bands] + [ruleset.outcomes.fallback.id]
    return Coverage(
        ruleset.id,
        split([i.id for i in ruleset.indicators], present),
        split(all_patterns, patterns),
        split(all_bands, bands),
        evaluated,
    )
