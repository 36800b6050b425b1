"""Run a rule set's embedded example tests."""

from __future__ import annotations

from typing import Any

from attrs import frozen

from .assessment import Assessment
from .errors import ThbscreenError
from .model import RuleSet
from .screening import Screener

__all__ = ["ExampleResult", "run_examples"]


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
