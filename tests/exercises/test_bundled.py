"""Every bundled exercise: loads, shows what it says, and expects what the tools give."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

import thbscreen
from thbscreen.exercises import bundled_exercises, exercise_schema, load_exercise
from thbscreen.exercises.loading import exercises_dir
from thbscreen.model import Observation

from ..conftest import ROOT

NAMES = bundled_exercises()


def test_six_bundled_exercises_for_the_programmes_audiences() -> None:
    assert len(NAMES) >= 6
    audiences = {a for name in NAMES for a in load_exercise(name).audience}
    for needed in (
        "labour_inspectors",
        "border_police",
        "asylum_centre_staff",
        "social_workers",
        "school_staff",
        "young_people",
    ):
        assert needed in audiences
    rules = {load_exercise(name).rules for name in NAMES}
    assert rules == {
        "ilo-ec-2009/adult-labour",
        "ilo-ec-2009/child-labour",
        "ilo-2012/forced-labour-11",
    }


@pytest.mark.parametrize("name", NAMES)
def test_expected_outcome_and_pathway_are_what_the_tools_give(name: str) -> None:
    # Recomputed here from the public API, not through the loader's own check.
    ex = load_exercise(name)
    screener = thbscreen.Screener(thbscreen.load_ruleset(ex.rules))
    network = thbscreen.load_network(ex.network) if ex.network else None
    facts: dict[str, object] = {}
    indicators: dict[str, Observation] = {}
    for scene in ex.scenes:
        facts.update(scene.facts)
        indicators.update({r.indicator: r.observation for r in scene.reveals})
    case = {"facts": facts, "indicators": {k: v.value for k, v in indicators.items()}}
    allow = network.fact_ids if network else frozenset()
    a = screener.evaluate(case, allow_facts=allow)
    assert a.outcome == ex.expect.outcome
    if ex.expect.determined is not None:
        assert a.determined == ex.expect.determined
    if ex.expect.pathway is not None:
        assert network is not None
        path = thbscreen.pathway(network, a, case, start=ex.expect.pathway.start)
        assert set(path.institutions) == set(ex.expect.pathway.institutions)
        if ex.expect.pathway.services is not None:
            assert set(path.needed) == set(ex.expect.pathway.services)


@pytest.mark.parametrize("name", NAMES)
def test_every_passage_is_quoted_from_its_scene_and_the_story_unfolds(name: str) -> None:
    ex = load_exercise(name)
    for scene in ex.scenes:
        narrative = " ".join(scene.narrative.en.split()).casefold()
        for reveal in scene.reveals:
            assert " ".join(reveal.passage.en.split()).casefold() in narrative, (
                scene.id,
                reveal.indicator,
            )
    present = [r for s in ex.scenes for r in s.reveals if r.observation is Observation.PRESENT]
    assert len(present) >= 5
    states = ex.replay().states
    # The assessment changes as the story unfolds: not every scene gives the final result.
    assert {(s.assessment.outcome, s.assessment.outcome_range) for s in states} != {
        (states[-1].assessment.outcome, states[-1].assessment.outcome_range)
    }
    assert ex.languages == ("en",)  # English only: no checked translation yet


def test_forced_marriage_debrief_says_what_the_indicators_do_not_cover() -> None:
    ex = load_exercise("forced-marriage-minor")
    assert ex.rules == "ilo-ec-2009/child-labour"
    text = " ".join(n.en for n in ex.debrief)
    assert "do not cover" in text
    assert "2024/1712" in text


def test_committed_schema_is_the_generated_one() -> None:
    committed = json.loads((ROOT / "rules" / "schema" / "exercise.schema.json").read_text("utf-8"))
    assert committed == exercise_schema(), (
        "run `thbscreen exercise schema --out rules/schema/exercise.schema.json`"
    )


def test_schema_validates_bundled_exercises_and_rejects_a_typo() -> None:
    validator = jsonschema.Draft202012Validator(exercise_schema())
    for path in sorted(exercises_dir().glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        assert not list(validator.iter_errors(data)), path
    data["scenes"][0]["revels"] = []
    assert list(validator.iter_errors(data))


def test_module_doctest_and_to_dict_round_trip() -> None:
    import doctest

    import thbscreen.exercises
    from thbscreen._convert import converter
    from thbscreen.exercises import Exercise

    assert doctest.testmod(thbscreen.exercises).failed == 0
    ex = load_exercise("border-minibus")
    again = converter().structure(ex.to_dict(), Exercise)
    assert again == ex


def test_answers_schema_is_committed_and_matches_what_the_loader_takes() -> None:
    from thbscreen.exercises.schema import answers_schema

    committed = json.loads((ROOT / "rules" / "schema" / "answers.schema.json").read_text("utf-8"))
    assert committed == answers_schema()
    validator = jsonschema.Draft202012Validator(answers_schema())
    good = yaml.safe_load(
        """
exercise: seasonal-worker-inspection
trainees:
  - trainee: group-a
    scenes:
      arrival: [deceptive_recruitment.deceived_wages]
      housing: {mark: [coercion_at_destination.confiscation_of_documents], withdraw: []}
"""
    )
    assert not list(validator.iter_errors(good))
    bad = json.loads(json.dumps(good))
    bad["trainees"][0]["scenes"]["housing"] = {"marks": []}
    assert list(validator.iter_errors(bad))
    del bad["trainees"]
    assert list(validator.iter_errors(bad))
