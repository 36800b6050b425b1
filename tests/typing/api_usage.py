"""Real API usage that must type-check under mypy --strict (run by `make test`)."""

from __future__ import annotations

import thbscreen


def screen_one() -> str:
    screener: thbscreen.Screener = thbscreen.Screener(
        thbscreen.load_ruleset("ilo-ec-2009/adult-labour")
    )
    assessment: thbscreen.Assessment = screener.evaluate(
        {"id": "c1", "indicators": {"coercion_at_destination.debt_bondage": "present"}}
    )
    low, high = assessment.outcome_range
    status: str = assessment.dimensions["coercion_at_destination"].status
    first: thbscreen.NextQuestion | None = next(iter(assessment.next_questions), None)
    data: dict[str, object] = assessment.to_dict()
    try:
        screener.evaluate(thbscreen.Case(indicators={"x": thbscreen.Observation.PRESENT}))
    except thbscreen.CaseDataError as exc:
        where: str = exc.path
        del where
    del data, first
    return f"{assessment.outcome} {low}..{high} {status} {assessment.determined}"
