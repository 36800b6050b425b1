"""Marking: hits, misses, over-calls with reasons; the score; the replay under it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thbscreen import RuleSetError
from thbscreen.exercises import Answers, Exercise, SceneAnswer, load_exercise, mark
from thbscreen.exercises.marking import (
    LEFT_OPEN,
    NOT_IN_STORY,
    NOT_SHOWN_YET,
    SHOWN_ABSENT,
)
from thbscreen.model import Observation

from ._data import DEBT, HOURS, PASSPORT, PAY, VIOLENCE, write_mini


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Exercise:
    return load_exercise(write_mini(tmp_path_factory.mktemp("mini")))


def answers(*scenes: tuple[str, list[str]] | tuple[str, list[str], list[str]]) -> Answers:
    return Answers(
        tuple(SceneAnswer(s[0], tuple(s[1]), tuple(s[2]) if len(s) == 3 else ()) for s in scenes),
        "t1",
    )


def test_replay_accumulates_and_later_reveals_override(mini: Exercise) -> None:
    one, two = mini.replay().states
    assert one.present == (HOURS,)
    assert one.ids(Observation.UNKNOWN) == (DEBT,)
    assert one.ids(Observation.ABSENT) == (PASSPORT,)
    assert two.present == (HOURS, PAY, DEBT)  # the debt, first left open, is shown in scene two
    assert (one.assessment.outcome, two.assessment.outcome) == ("no_indication", "indications")
    assert two.to_dict()["dimensions"]["exploitative_conditions_of_work"] == "positive"
    assert mini.replay().pathway is not None


def test_perfect_answers_score_one(mini: Exercise) -> None:
    m = mark(mini, answers(("one", [HOURS]), ("two", [PAY, DEBT])))
    assert (m.hits, m.misses, m.overcalls, m.score) == (4, 0, 0, 1.0)


def test_no_answers_score_zero_and_every_miss_has_its_passage(mini: Exercise) -> None:
    m = mark(mini, Answers())
    assert (m.hits, m.misses, m.overcalls, m.score) == (0, 4, 0, 0.0)
    first = m.scenes[0].misses[0]
    assert first.indicator == HOURS
    assert first.shown_in == "one"
    assert first.to_dict()["passage"] == "from six in the morning until nine at night, every day"
    assert first.to_dict()["note"] == "Fifteen hours a day."


def test_over_calls_say_why(mini: Exercise) -> None:
    m = mark(
        mini,
        answers(("one", [HOURS, PASSPORT, DEBT, PAY, VIOLENCE]), ("two", [], [PASSPORT, VIOLENCE])),
    )
    scene_one = {f.indicator: (f.reason, f.shown_in) for f in m.scenes[0].overcalls}
    assert scene_one == {
        PASSPORT: (SHOWN_ABSENT, "one"),
        DEBT: (LEFT_OPEN, "one"),
        PAY: (NOT_SHOWN_YET, "two"),
        VIOLENCE: (NOT_IN_STORY, None),
    }
    assert [f.indicator for f in m.scenes[1].hits] == [HOURS, DEBT, PAY]
    assert m.scenes[1].overcalls == ()  # withdrawn
    assert (m.hits, m.misses, m.overcalls) == (4, 0, 4)
    assert m.score == round(8 / 12, 3)


def test_a_late_spot_costs_one_miss(mini: Exercise) -> None:
    m = mark(mini, answers(("two", [HOURS, PAY, DEBT])))
    assert (m.hits, m.misses, m.overcalls) == (3, 1, 0)
    assert m.score == round(6 / 7, 3)
    data = m.to_dict()
    assert data["trainee"] == "t1"
    assert data["score"] == m.score
    assert data["scenes"][0]["misses"][0]["indicator"] == HOURS


def test_unknown_scene_or_indicator_is_refused(mini: Exercise) -> None:
    with pytest.raises(RuleSetError, match="unknown scene 'three'"):
        mark(mini, answers(("three", [HOURS])))
    with pytest.raises(RuleSetError, match="unknown indicator 'nope'"):
        mark(mini, answers(("one", ["nope"])))


def test_bundled_override_from_left_open_to_present() -> None:
    ex = load_exercise("border-minibus")
    docs = "forced_labour.retention_of_identity_documents"
    m = mark(ex, answers(("the-control", [docs])))
    assert m.scenes[0].overcalls[0].reason == LEFT_OPEN
    assert docs in [f.indicator for f in m.scenes[1].hits]


@given(st.data())
def test_findings_partition_the_marks_and_the_present(mini: Exercise, data: st.DataObject) -> None:
    ex = mini
    pool = [HOURS, PAY, DEBT, PASSPORT, VIOLENCE]
    scenes = tuple(
        SceneAnswer(
            s.id,
            tuple(data.draw(st.lists(st.sampled_from(pool), unique=True))),
            tuple(data.draw(st.lists(st.sampled_from(pool), unique=True))),
        )
        for s in ex.scenes
    )
    story = ex.replay()
    m = mark(ex, Answers(scenes), story)
    for sm, state in zip(m.scenes, story.states, strict=True):
        assert {f.indicator for f in (*sm.hits, *sm.overcalls)} == set(sm.marked)
        assert {f.indicator for f in (*sm.hits, *sm.misses)} == set(state.present)
    assert 0.0 <= m.score <= 1.0
