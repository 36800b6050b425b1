"""The public strategies of thbscreen.testing: valid cases, invalid cases, random rule sets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import thbscreen
from thbscreen import CaseDataError, Screener
from thbscreen._convert import canonical_json
from thbscreen.loading import ruleset_from_text
from thbscreen.testing import INVALID_KINDS, cases, invalid_cases, property_cases, rulesets

from ..helpers import TINY

BUNDLED = thbscreen.bundled_rulesets()
SCREENERS = {name: Screener(thbscreen.load_ruleset(name)) for name in BUNDLED}
TINY_RULES = ruleset_from_text(TINY)
TINY_SCREENER = Screener(TINY_RULES)
# rulesets() composes many draws; building a rule set can be slow for hypothesis' taste.
SLOW_OK = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def band_order(screener: Screener) -> list[str]:
    rs = screener.ruleset
    return [b.id for b in rs.outcomes.bands] + [rs.outcomes.fallback.id]


def assert_range_holds(screener: Screener, case: Any) -> None:
    a = screener.evaluate(case)
    order = band_order(screener)
    high, low = order.index(a.outcome_range.high), order.index(a.outcome_range.low)
    assert high <= order.index(a.outcome) <= low
    assert a.score_range[0] <= a.score <= a.score_range[1]


@pytest.mark.parametrize("name", [*BUNDLED, "tiny"])
@given(data=st.data())
def test_every_generated_case_evaluates(name: str, data: st.DataObject) -> None:
    screener = TINY_SCREENER if name == "tiny" else SCREENERS[name]
    case = data.draw(cases(screener.ruleset, case_id=True))
    assert_range_holds(screener, case)


@pytest.mark.parametrize("name", [*BUNDLED, "tiny"])
@given(data=st.data())
def test_every_invalid_case_is_refused(name: str, data: st.DataObject) -> None:
    screener = TINY_SCREENER if name == "tiny" else SCREENERS[name]
    case = data.draw(invalid_cases(screener))
    with pytest.raises(CaseDataError):
        screener.evaluate(case)


@pytest.mark.parametrize("kind", INVALID_KINDS)
@given(data=st.data())
@settings(max_examples=25)
def test_each_kind_of_invalid_case_is_refused(kind: str, data: st.DataObject) -> None:
    case = data.draw(invalid_cases(TINY_RULES, kinds=[kind]))
    with pytest.raises(CaseDataError):
        TINY_SCREENER.evaluate(case)


@given(data=st.data())
@SLOW_OK
def test_random_rule_sets_load_and_their_ranges_contain_the_outcome(data: st.DataObject) -> None:
    rs = data.draw(rulesets(facts=data.draw(st.booleans())))
    assert 1 <= len(rs.dimensions) <= 4
    assert all(1 <= sum(i.dimension == d.id for i in rs.indicators) <= 8 for d in rs.dimensions)
    screener = Screener(rs)
    for case in data.draw(st.lists(cases(rs), min_size=1, max_size=5)):
        assert_range_holds(screener, case)
    with pytest.raises(CaseDataError):
        screener.evaluate(data.draw(invalid_cases(rs)))


@given(rulesets(facts=True, monotone=False))
@SLOW_OK
def test_random_rule_sets_round_trip_through_the_file_format(rs: thbscreen.RuleSet) -> None:
    loaded = ruleset_from_text(canonical_json(rs))
    assert loaded == rs
    assert loaded.hash == rs.hash


@given(rulesets(monotone=True), st.data())
@SLOW_OK
def test_monotone_random_rule_sets_are_monotone(rs: thbscreen.RuleSet, data: st.DataObject) -> None:
    screener = Screener(rs)
    assert screener.monotone
    case = data.draw(cases(rs))
    target = data.draw(st.sampled_from([i.id for i in rs.indicators]))
    before = screener.evaluate(case)
    after = screener.evaluate({**case, "indicators": {**case["indicators"], target: "present"}})
    order = band_order(screener)
    assert order.index(after.outcome) <= order.index(before.outcome)
    assert after.score >= before.score


@given(cases(TINY_RULES, present_at_most=1, unknown_at_most=0, facts=False))
def test_count_bounds_are_kept(case: dict[str, Any]) -> None:
    observed = case["indicators"]
    assert sum(v == "present" for v in observed.values()) <= 1
    # Derived indicators left out are derived, not unknown; all others are answered.
    derived = {i.id for i in TINY_RULES.indicators if i.derive}
    answered = {k for k, v in observed.items() if v in ("present", "absent")}
    assert {i.id for i in TINY_RULES.indicators} - derived <= answered
    assert case["facts"] == {}


@given(cases(TINY_RULES, present_at_least=4, present=0.0))
def test_present_at_least_adds_indicators(case: dict[str, Any]) -> None:
    assert sum(v == "present" for v in case["indicators"].values()) >= 4


@given(
    cases(
        TINY_RULES,
        fixed_indicators={"a": "absent", "b.other": True, "b.farm": None},
        fixed_facts={"sector": "agriculture", "minor": None},
        known_facts=["weekly_hours"],
    )
)
def test_profiles_fix_observations_and_facts(case: dict[str, Any]) -> None:
    observed = case["indicators"]
    assert [observed[i] for i in ("a.one", "a.two", "a.three")] == ["absent"] * 3
    assert observed["b.other"] == "present"
    assert observed["b.farm"] == "unknown"  # so it is derived from the sector
    assert case["facts"]["sector"] == "agriculture"
    assert "minor" not in case["facts"]
    assert 0 <= case["facts"]["weekly_hours"] <= 168
    assert TINY_SCREENER.evaluate(case).dimensions["b"].status == "positive"


@given(cases(TINY_RULES, unknown_facts=0.0))
def test_facts_stay_within_their_declarations(case: dict[str, Any]) -> None:
    facts = case["facts"]
    assert set(facts) == {"weekly_hours", "sector", "minor", "arrived"}
    assert type(facts["weekly_hours"]) is int
    assert 0 <= facts["weekly_hours"] <= 168
    assert facts["sector"] in ("agriculture", "construction", "domestic_work")
    assert type(facts["minor"]) is bool
    dt.date.fromisoformat(facts["arrived"])


def test_rates_shape_the_cases() -> None:
    from thbscreen.testing import _sample_cases

    adult = SCREENERS["ilo-ec-2009/adult-labour"].ruleset
    drawn = _sample_cases([adult], 300, seed=1, present=0.5, absent=0.5, unknown=0.0)
    values = [v for case in drawn for v in case["indicators"].values()]
    assert len(values) == 300 * len(adult.indicators)  # nothing left out
    share = sum(v == "present" for v in values) / len(values)
    assert 0.45 < share < 0.55
    assert _sample_cases([adult], 5, seed=7) == _sample_cases([adult], 5, seed=7)


@given(
    property_cases(
        SCREENERS["ilo-ec-2009/child-labour"].ruleset,
        "a child case never needs the destination element",
    )
)
def test_property_cases_follow_the_selection(case: dict[str, Any]) -> None:
    child = SCREENERS["ilo-ec-2009/child-labour"].ruleset
    for ind in child.indicators:
        if ind.dimension in ("coercion_at_destination", "abuse_of_vulnerability_at_destination"):
            assert case["indicators"][ind.id] == "absent"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"present": 0.8, "absent": 0.5}, "at most 1"),
        ({"present": -0.1}, "from 0 to 1"),
        ({"fixed_indicators": {"a.onne": "present"}}, "did you mean 'a.one'"),
        ({"fixed_indicators": {"a.one": "maybe"}}, "fixed_indicators"),
        ({"fixed_facts": {"weekly_hours": 500}}, "outside"),
        ({"known_facts": ["hours"]}, "unknown fact"),
        ({"present_at_most": 2, "present_at_least": 3}, "present_at_most"),
        ({"fixed_indicators": {"a": "present"}, "present_at_most": 2}, "fixed present"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cases(TINY_RULES, **kwargs)


def test_bad_arguments_of_the_other_strategies_are_refused() -> None:
    adult = SCREENERS["ilo-ec-2009/adult-labour"].ruleset
    with pytest.raises(ValueError, match="declares no fact"):
        invalid_cases(adult, kinds=["wrong_fact_type"])
    with pytest.raises(ValueError, match="unknown kind"):
        invalid_cases(adult, kinds=["unknown_indicatr"])
    with pytest.raises(ValueError, match="declares no property"):
        property_cases(adult, "no such property")
    with pytest.raises(ValueError, match="min_dimensions"):
        rulesets(min_dimensions=3, max_dimensions=2)
    with pytest.raises(TypeError, match="RuleSet or a Screener"):
        cases("ilo-ec-2009/adult-labour")  # type: ignore[arg-type]
