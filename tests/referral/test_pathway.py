"""Pathways on the Slovenian network, checked by hand against the reference, and invariants."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import thbscreen
from thbscreen import NetworkError, NoReferralPath
from thbscreen.referral import ReferralNetwork

from ..conftest import write

NET = thbscreen.load_network("referral/slovenia")
ADULT = thbscreen.Screener(thbscreen.load_ruleset("ilo-ec-2009/adult-labour"))
CHILD = thbscreen.Screener(thbscreen.load_ruleset("ilo-ec-2009/child-labour"))
ADULT_VICTIM = {
    "deceptive_recruitment.deceived_wages": "present",
    "deceptive_recruitment.deceived_conditions_of_work": "present",
    "deceptive_recruitment.deceived_housing": "present",
    "exploitative_conditions_of_work.excessive_working_days_hours": "present",
    "exploitative_conditions_of_work.bad_living_conditions": "present",
    "coercion_at_destination.confiscation_of_documents": "present",
    "coercion_at_destination.debt_bondage": "present",
}


def _assess(screener: thbscreen.Screener, indicators: dict[str, str]) -> thbscreen.Assessment:
    return screener.evaluate({"indicators": indicators})


def test_adult_victim_found_by_labour_inspectorate_reaches_police_and_crisis_accommodation() -> (
    None
):
    a = _assess(ADULT, ADULT_VICTIM)
    assert a.outcome == "victim"
    p = thbscreen.pathway(
        NET, a, {"facts": {"age": 34, "legal_status": "citizen"}}, start="labour_inspectorate"
    )
    routes = {r.service: r for r in p.routes}
    assert routes["formal_identification"].institution == "police"
    assert routes["crisis_accommodation"].institution == "caritas_crisis_accommodation"
    assert routes["crisis_accommodation"].channels[0] == routes["formal_identification"].channels[0]
    assert "police" in p.institutions
    # Every step's channel leaves an institution already on the pathway.
    seen = {p.start}
    for step in p.steps:
        assert step.from_ in seen
        seen.add(step.to)


def test_child_reaches_a_centre_for_social_work() -> None:
    a = CHILD.evaluate(
        {
            "indicators": {
                "coercive_recruitment.abduction_forced_marriage_adoption_sale": "present",
                "coercive_recruitment.threat_violence_victim": "present",
                "exploitative_conditions_of_work.excessive_working_days_hours": "present",
                "exploitative_conditions_of_work.no_access_to_education": "present",
            }
        }
    )
    assert a.outcome == "victim"
    p = thbscreen.pathway(NET, a, {"facts": {"age": 15}}, start="labour_inspectorate")
    routes = {r.service: r.institution for r in p.routes}
    assert routes["child_protection"] == "centres_for_social_work"
    assert "crisis_accommodation" not in p.needed  # adult accommodation is not for a child


def test_indications_reach_counselling_without_formal_identification() -> None:
    a = _assess(
        ADULT,
        {k: v for k, v in ADULT_VICTIM.items() if not k.startswith("coercion")}
        | {
            "coercion_at_destination.confiscation_of_documents": "absent",
        },
    )
    assert a.outcome == "indications"
    p = thbscreen.pathway(
        NET, a, {"facts": {"age": 30, "legal_status": "citizen"}}, start="labour_inspectorate"
    )
    assert "counselling" in p.needed
    assert "formal_identification" not in p.needed
    assert {r.service for r in p.routes} >= {"counselling"}
    assert all(s.to != "police" or "formal_identification" not in s.services for s in p.steps)


def test_consent_required_channels_are_flagged() -> None:
    a = _assess(ADULT, ADULT_VICTIM)
    p = thbscreen.pathway(
        NET, a, {"facts": {"age": 34, "legal_status": "citizen"}}, start="labour_inspectorate"
    )
    assert p.consent_needed
    for ch in p.consent_needed:
        assert NET.channels[ch].consent
    assert p.to_dict()["consent_needed"] == list(p.consent_needed)


def test_unknown_facts_never_let_a_person_through_and_are_named() -> None:
    a = _assess(ADULT, ADULT_VICTIM)
    p = thbscreen.pathway(NET, a, None, start="labour_inspectorate")
    open_ = {u.service: u for u in p.unreached if u.kind == "undetermined"}
    assert open_
    assert all(u.deciding_facts for u in open_.values())


def test_unknown_start_and_bad_facts() -> None:
    a = _assess(ADULT, ADULT_VICTIM)
    with pytest.raises(NetworkError, match="did you mean 'labour_inspectorate'"):
        thbscreen.pathway(NET, a, None, start="labour_inspectorat")
    with pytest.raises(thbscreen.CaseDataError, match="unknown fact"):
        thbscreen.pathway(NET, a, {"facts": {"agee": 3}}, start="police")
    with pytest.raises(thbscreen.CaseDataError, match="expected a whole number"):
        thbscreen.pathway(NET, a, {"facts": {"age": "old"}}, start="police")


def test_no_indication_needs_nothing() -> None:
    a = ADULT.evaluate({"indicators": {ind.id: "absent" for ind in ADULT.ruleset.indicators}})
    p = thbscreen.pathway(NET, a, {"facts": {"age": 40}}, start="police")
    assert p.needed == ()
    assert p.steps == ()


SMALL = """\
id: test/small
version: "1"
title: Small
provenance: {source: tests, confidence: thbscreen}
outcomes: [victim, indications, no_indication]
facts: [{id: age, type: int, min: 0, max: 120}]
services:
  - {id: shelter, title: Shelter, stage: first_assistance}
  - {id: id_check, title: Identification, stage: identification}
needs:
  - {when: 'outcome == "victim"', services: [shelter, id_check]}
institutions:
  - {id: a, name: A, kind: NGO, first_contact: true}
  - {id: b, name: B, kind: LawEnforcement, services: [id_check]}
  - {id: c, name: C, kind: NGO, services: [shelter], eligibility: age >= 18}
channels:
  - {id: a_b, from: a, to: b, stage: identification, when: age >= 0}
  - {id: b_c, from: b, to: c, stage: first_assistance, consent: true}
"""


def test_eligibility_and_no_referral_path(tmp_path: Path) -> None:
    net = thbscreen.load_network(write(tmp_path, "small.yaml", SMALL))
    a = _assess(ADULT, ADULT_VICTIM)
    p = thbscreen.pathway(net, a, {"facts": {"age": 15}}, start="a")
    assert [r.service for r in p.routes] == ["id_check"]
    [u] = p.unreached
    assert u.service == "shelter"
    assert "c's eligibility excludes this person" in u.reason
    p = thbscreen.pathway(net, a, {"facts": {"age": 30}}, start="a")
    assert [s.channel for s in p.steps] == ["a_b", "b_c"]
    assert p.consent_needed == ("b_c",)
    cut = write(
        tmp_path,
        "cut.yaml",
        SMALL.replace("  - {id: a_b, from: a, to: b, stage: identification, when: age >= 0}\n", ""),
    )
    with pytest.raises(NoReferralPath):
        thbscreen.pathway(thbscreen.load_network(cut), a, {"facts": {"age": 30}}, start="a")


def test_network_errors_are_located(tmp_path: Path) -> None:
    bad = SMALL.replace("to: c, stage: first_assistance", "to: d, stage: first_asistance")
    path = write(tmp_path, "bad.yaml", bad)
    with pytest.raises(NetworkError) as info:
        thbscreen.load_network(path)
    text = str(info.value)
    assert "did you mean 'first_assistance'" in text
    assert f"{path}:18:38: $.channels[1].stage" in text


OUTCOMES = ("victim", "indications", "no_indication")
facts_strategy = st.fixed_dictionaries(
    {},
    optional={
        "age": st.integers(0, 120),
        "sex": st.sampled_from(["female", "male", "other"]),
        "legal_status": st.sampled_from(
            [
                "citizen",
                "eu_citizen",
                "regular_migrant",
                "irregular_migrant",
                "asylum_seeker",
                "refugee",
            ]
        ),
        "exploitation": st.sampled_from(
            ["labour", "sexual", "forced_marriage", "begging", "criminal_activities", "other"]
        ),
    },
)
indicator_cases = st.dictionaries(
    st.sampled_from([i.id for i in ADULT.ruleset.indicators]),
    st.sampled_from(["present", "absent"]),
    max_size=40,
)
starts = st.sampled_from([i.id for i in NET.spec.institutions if i.first_contact])


def _reached(
    net: ReferralNetwork, a: thbscreen.Assessment, facts: dict[str, Any], start: str
) -> set[str]:
    try:
        return {r.service for r in thbscreen.pathway(net, a, {"facts": facts}, start=start).routes}
    except NoReferralPath:
        return set()


@given(indicator_cases, facts_strategy, starts)
@settings(max_examples=40)
def test_every_step_follows_a_channel_whose_condition_holds(
    indicators: dict[str, str], facts: dict[str, Any], start: str
) -> None:
    a = _assess(ADULT, indicators)
    try:
        p = thbscreen.pathway(NET, a, {"facts": facts}, start=start)
    except NoReferralPath:
        return
    cond = NET.conditions_for(a, facts)
    for step in p.steps:
        assert NET.graph.has_edge(step.from_, step.to, key=step.channel)
        assert cond.channel(step.channel)[0]
        assert cond.eligible(step.to)[0]


@given(indicator_cases, facts_strategy, starts, st.data())
@settings(max_examples=30)
def test_removing_an_institution_never_adds_reachable_services(
    indicators: dict[str, str], facts: dict[str, Any], start: str, data: st.DataObject
) -> None:
    a = _assess(ADULT, indicators)
    victim = data.draw(st.sampled_from([i.id for i in NET.spec.institutions if i.id != start]))
    spec = attrs.evolve(
        NET.spec,
        institutions=tuple(i for i in NET.spec.institutions if i.id != victim),
        channels=tuple(c for c in NET.spec.channels if victim not in (c.from_, c.to)),
    )
    smaller = ReferralNetwork(spec)
    assert _reached(smaller, a, facts, start) <= _reached(NET, a, facts, start)


def test_pathway_json_is_deterministic() -> None:
    a = _assess(ADULT, ADULT_VICTIM)
    one = thbscreen.pathway(NET, a, {"facts": {"age": 34}}, start="labour_inspectorate").to_dict()
    two = thbscreen.pathway(
        thbscreen.load_network("referral/slovenia"),
        a,
        {"facts": {"age": 34}},
        start="labour_inspectorate",
    ).to_dict()
    assert one == two
    assert one["format"] == "thbscreen-pathway/1"
