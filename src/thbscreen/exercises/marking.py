"""Marking a trainee's answers against an exercise: a pure function, shared by the
interactive session and by bulk marking of written answers.

Marks accumulate: what a trainee marks in a scene stays marked in later scenes unless
withdrawn. After each scene the marked set is compared with the indicators the story
has shown present so far:

- a **hit** is marked and shown present;
- a **miss** is shown present and not marked (with the passage that shows it);
- an **over-call** is marked and not shown present, with the reason: the story shows
  it absent, leaves it open, shows it only in a later scene, or never mentions it.

The score is F1 over every scene: ``2·hits / (2·hits + misses + over-calls)``, from
0 to 1. It is 1 when every indicator is marked in the scene that shows it and nothing
else is marked; an indicator spotted one scene late costs one miss, a premature call
one over-call.
"""

from __future__ import annotations

from typing import Any

from attrs import field, frozen

from ..errors import Problem, RuleSetError
from ..model import Observation, Text
from .model import Exercise, Reveal
from .replay import Replay, SceneState

__all__ = [
    "HIT",
    "LEFT_OPEN",
    "MISS",
    "NOT_IN_STORY",
    "NOT_SHOWN_YET",
    "OVERCALL",
    "SHOWN_ABSENT",
    "Answers",
    "Finding",
    "Marking",
    "SceneAnswer",
    "SceneMarking",
    "mark",
]

HIT = "hit"
MISS = "miss"
OVERCALL = "overcall"
#: Why a mark is an over-call.
SHOWN_ABSENT = "shown_absent"
LEFT_OPEN = "left_open"
NOT_SHOWN_YET = "not_shown_yet"
NOT_IN_STORY = "not_in_story"


@frozen
class SceneAnswer:
    """What a trainee marks (and withdraws) in one scene."""

    scene: str
    mark: tuple[str, ...] = ()
    withdraw: tuple[str, ...] = ()


@frozen
class Answers:
    """One trainee's answers to one exercise; scenes not listed add no mark."""

    scenes: tuple[SceneAnswer, ...] = ()
    trainee: str | None = None


@frozen
class Finding:
    """One indicator judged in one scene.

    ``reason`` explains an over-call (``shown_absent``, ``left_open``,
    ``not_shown_yet``, ``not_in_story``); ``reveal`` is the reveal it rests on and
    ``shown_in`` the scene of that reveal, where the story has one.
    """

    indicator: str
    kind: str
    reason: str | None = None
    shown_in: str | None = None
    reveal: Reveal | None = field(default=None, repr=False)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        def text(t: Text | None) -> str | None:
            return t.get(lang)[0] if t is not None else None

        return {
            "indicator": self.indicator,
            "kind": self.kind,
            "reason": self.reason,
            "shown_in": self.shown_in,
            "passage": text(self.reveal.passage) if self.reveal else None,
            "note": text(self.reveal.note) if self.reveal else None,
        }


@frozen
class SceneMarking:
    scene: str
    marked: tuple[str, ...]
    hits: tuple[Finding, ...]
    misses: tuple[Finding, ...]
    overcalls: tuple[Finding, ...]
    state: SceneState = field(repr=False)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "scene": self.scene,
            "marked": list(self.marked),
            "hits": [f.to_dict(lang) for f in self.hits],
            "misses": [f.to_dict(lang) for f in self.misses],
            "overcalls": [f.to_dict(lang) for f in self.overcalls],
            "outcome": self.state.assessment.outcome,
        }


@frozen
class Marking:
    """A trainee's result: each scene's findings and the score (see the module doc)."""

    exercise: str
    trainee: str | None
    scenes: tuple[SceneMarking, ...]

    @property
    def hits(self) -> int:
        return sum(len(s.hits) for s in self.scenes)

    @property
    def misses(self) -> int:
        return sum(len(s.misses) for s in self.scenes)

    @property
    def overcalls(self) -> int:
        return sum(len(s.overcalls) for s in self.scenes)

    @property
    def score(self) -> float:
        """F1 over every scene, rounded to 3 places; 1.0 when there was nothing to find
        and nothing was marked."""
        denominator = 2 * self.hits + self.misses + self.overcalls
        return round(2 * self.hits / denominator, 3) if denominator else 1.0

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "trainee": self.trainee,
            "score": self.score,
            "hits": self.hits,
            "misses": self.misses,
            "overcalls": self.overcalls,
            "scenes": [s.to_dict(lang) for s in self.scenes],
        }


def _check(exercise: Exercise, answers: Answers) -> None:
    screener, _ = exercise.context()
    known = {ind.id for ind in screener.ruleset.indicators}
    scenes = [s.id for s in exercise.scenes]
    who = f"answers of {answers.trainee}" if answers.trainee else "answers"
    problems: list[Problem] = []
    seen: set[str] = set()
    for k, ans in enumerate(answers.scenes):
        if ans.scene not in scenes:
            problems.append(
                Problem(
                    f"unknown scene {ans.scene!r}; scenes: {', '.join(scenes)}",
                    source=who,
                    path=f"$.scenes[{k}]",
                )
            )
        if ans.scene in seen:
            problems.append(
                Problem(f"scene {ans.scene!r} answered twice", source=who, path=f"$.scenes[{k}]")
            )
        seen.add(ans.scene)
        for ind in (*ans.mark, *ans.withdraw):
            if ind not in known:
                problems.append(
                    Problem(f"unknown indicator {ind!r}", source=who, path=f"$.scenes[{k}]")
                )
    if problems:
        raise RuleSetError(problems)


def _judge(indicator: str, state: SceneState, replay: Replay) -> Finding:
    shown = state.shown.get(indicator)
    if shown is not None:
        where = replay.states[shown.scene].scene
        if shown.observation is Observation.PRESENT:
            return Finding(indicator, HIT, None, where, shown.reveal)
        reason = SHOWN_ABSENT if shown.observation is Observation.ABSENT else LEFT_OPEN
        return Finding(indicator, OVERCALL, reason, where, shown.reveal)
    for later in replay.states[state.index + 1 :]:
        found = later.shown.get(indicator)
        if found is not None and found.scene == later.index:
            return Finding(indicator, OVERCALL, NOT_SHOWN_YET, later.scene, found.reveal)
    return Finding(indicator, OVERCALL, NOT_IN_STORY)


def mark(exercise: Exercise, answers: Answers, replay: Replay | None = None) -> Marking:
    """Mark one trainee's answers, scene by scene (see the module doc for the rules).

    ``replay`` may be passed to mark many trainees without replaying the story again.
    Raises :class:`~thbscreen.RuleSetError` for an unknown scene or indicator.
    """
    _check(exercise, answers)
    story = replay if replay is not None else exercise.replay()
    by_scene = {a.scene: a for a in answers.scenes}
    marked: dict[str, None] = {}  # insertion-ordered set
    out: list[SceneMarking] = []
    for state in story.states:
        ans = by_scene.get(state.scene)
        if ans is not None:
            for ind in ans.withdraw:
                marked.pop(ind, None)
            for ind in ans.mark:
                marked[ind] = None
        judged = [_judge(ind, state, story) for ind in marked]
        hits = tuple(f for f in judged if f.kind == HIT)
        overcalls = tuple(f for f in judged if f.kind == OVERCALL)
        misses = tuple(
            Finding(
                ind, MISS, None, story.states[state.shown[ind].scene].scene, state.shown[ind].reveal
            )
            for ind in state.present
            if ind not in marked
        )
        out.append(SceneMarking(state.scene, tuple(marked), hits, misses, overcalls, state))
    return Marking(exercise.id, answers.trainee, tuple(out))
