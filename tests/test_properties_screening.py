"""Invariants of screening, checked through the public API."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import thbscreen
from thbscreen import CaseDataError, Screener

from .strategies import cases

RECRUITMENT = (
    "deceptive_recruitment",
    "coercive_recruitment",
    "recruitment_abuse_of_vulnerability",
)
DESTINATION = ("coercion_at_destination", "abuse_of_vulnerability_at_destination")
BANDS = ("victim", "indications", "no_indication")  # most severe first

ADULT = thbscreen.load_ruleset("ilo-ec-2009/adult-labour")
CHILD = thbscreen.load_ruleset("ilo-ec-2009/child-labour")
SCREENERS = {"adult": Screener(ADULT), "child": Screener(CHILD)}


def delphi(s: int, m: int, w: int) -> bool:
    return s >= 2 or (s >= 1 and m + w >= 1) or m >= 3 or (m >= 2 and w >= 1)


def reference(
    rs: thbscreen.RuleSet, case: dict[str, Any], profile: str
) -> tuple[dict[str, str], str, str, str]:
    """The published rule, written out by hand, three-valued as the issue specifies."""
    present: dict[str, list[int]] = {d.id: [0, 0, 0] for d in rs.dimensions}
    possible: dict[str, list[int]] = {d.id: [0, 0, 0] for d in rs.dimensions}
    for ind in rs.indicators:
        value = case["indicators"].get(ind.id)
        k = ("strong", "medium", "weak").index(ind.strength.value)  # type: ignore[union-attr]
        if value in ("present", True):
            present[ind.dimension][k] += 1
            possible[ind.dimension][k] += 1
        elif value not in ("absent", False):
            possible[ind.dimension][k] += 1
    status = {}
    for d in present:
        if delphi(*present[d]):
            status[d] = "positive"
        elif not delphi(*possible[d]):
            status[d] = "negative"
        else:
            status[d] = "undetermined"

    def band(ok: set[str]) -> str:
        victim = any(d in ok for d in RECRUITMENT) and "exploitative_conditions_of_work" in ok
        if profile == "adult":
            victim = victim and any(d in ok for d in DESTINATION)
        if victim:
            return "victim"
        return "indications" if ok else "no_indication"

    positive = {d for d, s in status.items() if s == "positive"}
    maybe = {d for d, s in status.items() if s != "negative"}
    return status, band(positive), band(positive), band(maybe)


@pytest.mark.parametrize("profile", ["adult", "child"])
@given(data=st.data())
def test_statuses_and_outcomes_follow_the_three_valued_rule(
    profile: str, data: st.DataObject
) -> None:
    screener = SCREENERS[profile]
    case = data.draw(cases(screener))
    a = screener.evaluate(case)
    status, outcome, low, high = reference(screener.ruleset, case, profile)
    assert {d: r.status for d, r in a.dimensions.items()} == status
    assert a.outcome == outcome
    assert (a.outcome_range.low, a.outcome_range.high) == (low, high)
    assert a.determined == (low == high)


def _rank(band: str) -> int:
    return len(BANDS) - BANDS.index(band)


@pytest.mark.parametrize("profile", ["adult", "child"])
@given(data=st.data())
def test_turning_an_indicator_present_never_lowers_outcome_or_score(
    profile: str, data: st.DataObject
) -> None:
    screener = SCREENERS[profile]
    assert screener.monotone
    case = data.draw(cases(screener))
    target = data.draw(st.sampled_from([ind.id for ind in screener.ruleset.indicators]))
    before = screener.evaluate(case)
    raised = {**case, "indicators": {**case["indicators"], target: "present"}}
    after = screener.evaluate(raised)
    assert _rank(after.outcome) >= _rank(before.outcome)
    assert after.score >= before.score
    assert _rank(after.outcome_range.low) >= _rank(before.outcome_range.low)


@pytest.mark.parametrize("profile", ["adult", "child"])
@given(data=st.data())
def test_range_contains_outcome_and_score(profile: str, data: st.DataObject) -> None:
    screener = SCREENERS[profile]
    a = screener.evaluate(data.draw(cases(screener)))
    assert _rank(a.outcome_range.low) <= _rank(a.outcome) <= _rank(a.outcome_range.high)
    assert a.score_range[0] <= a.score <= a.score_range[1]


@pytest.mark.parametrize("profile", ["adult", "child"])
@given(data=st.data())
@settings(max_examples=30)
def test_answers_to_unknowns_stay_inside_the_range(profile: str, data: st.DataObject) -> None:
    # Soundness: whatever the unknowns turn out to be, the outcome lies in the range.
    screener = SCREENERS[profile]
    case = data.draw(cases(screener))
    a = screener.evaluate(case)
    answers = {i: data.draw(st.sampled_from(["present", "absent"])) for i in a.unknown}
    b = screener.evaluate({**case, "indicators": {**case["indicators"], **answers}})
    assert b.determined
    assert _rank(a.outcome_range.low) <= _rank(b.outcome) <= _rank(a.outcome_range.high)


@given(data=st.data())
def test_json_form_is_deterministic(data: st.DataObject) -> None:
    screener = SCREENERS["adult"]
    case = data.draw(cases(screener))
    assert screener.evaluate(case).to_json() == Screener(ADULT).evaluate(dict(case)).to_json()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
ids = st.sampled_from([ind.id for ind in ADULT.indicators])


@given(
    st.one_of(
        json_values,
        st.dictionaries(
            st.sampled_from(["id", "facts", "indicators", "extra"]), json_values, max_size=4
        ),
        st.fixed_dictionaries(
            {"indicators": st.dictionaries(ids | st.text(max_size=5), json_values, max_size=5)}
        ),
        st.fixed_dictionaries(
            {"facts": st.dictionaries(st.text(max_size=5), json_values, max_size=3)}
        ),
    )
)
def test_arbitrary_mappings_raise_only_case_data_errors(value: Any) -> None:
    with contextlib.suppress(CaseDataError):
        SCREENERS["adult"].evaluate(value)


@pytest.mark.parametrize("profile", ["adult", "child"])
@given(data=st.data())
@settings(max_examples=25)
def test_next_questions_say_what_each_answer_would_do(profile: str, data: st.DataObject) -> None:
    screener = SCREENERS[profile]
    case = data.draw(cases(screener))
    a = screener.evaluate(case)
    questions = a.next_questions
    assert sorted(q.indicator for q in questions) == sorted(a.unknown)
    for q in data.draw(st.lists(st.sampled_from(questions), max_size=3)) if questions else []:
        yes = screener.evaluate(
            {**case, "indicators": {**case["indicators"], q.indicator: "present"}}
        )
        no = screener.evaluate(
            {**case, "indicators": {**case["indicators"], q.indicator: "absent"}}
        )
        assert q.outcome_if_present == yes.outcome
        assert q.outcome_range_if_present == yes.outcome_range
        assert q.outcome_range_if_absent == no.outcome_range
        if q.impact == 0:
            assert yes.outcome == a.outcome
            assert yes.outcome_range == no.outcome_range == a.outcome_range


@given(data=st.data())
@settings(max_examples=40)
def test_next_questions_of_random_rule_sets_match_answering_each(data: st.DataObject) -> None:
    from thbscreen import testing

    ruleset = data.draw(
        testing.rulesets(facts=data.draw(st.booleans()), monotone=data.draw(st.booleans()))
    )
    warm = Screener(ruleset)
    case = data.draw(testing.cases(warm))
    for other in data.draw(st.lists(testing.cases(warm), max_size=3)):
        _ = warm.evaluate(other).next_questions  # memos filled by other cases
    a = warm.evaluate(case)
    questions = a.next_questions
    # Memos never change an answer: a fresh screener gives the same questions.
    assert questions == Screener(ruleset).evaluate(case).next_questions
    assert sorted(q.indicator for q in questions) == sorted(a.unknown)
    file_order = {ind.id: k for k, ind in enumerate(ruleset.indicators)}
    assert [q.impact for q in questions] == sorted((q.impact for q in questions), reverse=True)
    observed = dict(case.get("indicators") or {})
    for q in questions:
        yes = warm.evaluate({**case, "indicators": {**observed, q.indicator: "present"}})
        no = warm.evaluate({**case, "indicators": {**observed, q.indicator: "absent"}})
        assert q.outcome_if_present == yes.outcome
        assert q.outcome_range_if_present == yes.outcome_range
        assert q.outcome_range_if_absent == no.outcome_range
    ties = [(q.impact, file_order[q.indicator]) for q in questions]
    assert len(set(ties)) == len(ties)
