"""Replaying an exercise: the case as it stands after each scene, and its assessment.

Scene k's case is every fact and indicator revealed in scenes 1..k; a later reveal of
the same indicator (or fact) replaces the earlier one, as a story corrects itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from ..assessment import Assessment
from ..errors import CaseDataError, Problem, ThbscreenError
from ..model import Case, Observation
from ..referral.pathway import Pathway, pathway
from .model import Exercise, Reveal

__all__ = ["Replay", "ReplayError", "SceneState", "Shown", "replay"]

#: How many next questions a summary lists.
QUESTIONS_SHOWN = 5


class ReplayError(CaseDataError):
    """A scene's case does not fit the rule set or the network; ``scene`` is its index."""

    def __init__(self, problems: Problem | tuple[Problem, ...], scene: int) -> None:
        super().__init__(problems)
        self.scene = scene


@frozen
class Shown:
    """The latest reveal of one indicator so far, and the scene (0-based) it came in."""

    scene: int
    reveal: Reveal

    @property
    def observation(self) -> Observation:
        return self.reveal.observation


@frozen
class SceneState:
    """The case after one scene, and what the rule set makes of it."""

    index: int
    scene: str
    shown: Mapping[str, Shown] = field(hash=False, repr=False)
    facts: Mapping[str, Any] = field(hash=False, repr=False)
    assessment: Assessment = field(repr=False)

    def ids(self, observation: Observation) -> tuple[str, ...]:
        """Indicators whose latest reveal has this observation, in the order revealed."""
        return tuple(i for i, s in self.shown.items() if s.observation is observation)

    @property
    def present(self) -> tuple[str, ...]:
        return self.ids(Observation.PRESENT)

    @property
    def case(self) -> Case:
        return Case(None, dict(self.facts), {i: s.observation for i, s in self.shown.items()})

    def to_dict(self) -> dict[str, Any]:
        a = self.assessment
        return {
            "scene": self.scene,
            "present": list(self.present),
            "absent": list(self.ids(Observation.ABSENT)),
            "left_open": list(self.ids(Observation.UNKNOWN)),
            "outcome": a.outcome,
            "outcome_range": a.outcome_range.to_list(),
            "determined": a.determined,
            "score": a.score,
            "dimensions": {d.id: d.status for d in a.dimension_results},
            "next_questions": [
                {"indicator": q.indicator, "question": q.question}
                for q in a.next_questions
                if q.impact > 0
            ][:QUESTIONS_SHOWN],
        }


@frozen
class Replay:
    """Every scene's state, and the referral pathway after the last one (if the exercise
    names a network and a start)."""

    exercise: str
    states: tuple[SceneState, ...]
    pathway: Pathway | None = None

    @property
    def final(self) -> SceneState:
        return self.states[-1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "scenes": [s.to_dict() for s in self.states],
            "pathway": self.pathway.to_dict() if self.pathway is not None else None,
        }


def replay(exercise: Exercise) -> Replay:
    """Screen the case after each scene; the pathway from the expected start at the end.

    Raises :class:`~thbscreen.CaseDataError` when a scene's facts do not fit the rule
    set or the network (the loader reports it at the scene's location).
    """
    screener, network = exercise.context()
    allow = network.fact_ids if network is not None else frozenset()
    ruleset_facts = {f.id for f in screener.ruleset.facts}
    shown: dict[str, Shown] = {}
    facts: dict[str, Any] = {}
    states: list[SceneState] = []
    for k, scene in enumerate(exercise.scenes):
        facts.update(scene.facts)
        for reveal in scene.reveals:
            shown.pop(reveal.indicator, None)  # re-insert: order follows the latest reveal
            shown[reveal.indicator] = Shown(k, reveal)
        case = Case(exercise.id, dict(facts), {i: s.observation for i, s in shown.items()})
        try:
            assessment = screener.evaluate(case, allow_facts=allow)
            if network is not None:  # the network's facts are checked by the network
                network.facts.vector(exercise.id, facts, allow=ruleset_facts)
        except ThbscreenError as exc:
            raise ReplayError(
                tuple(
                    Problem(p.message, source=f"scene {scene.id}", path=p.path)
                    for p in exc.problems
                ),
                k,
            ) from None
        states.append(SceneState(k, scene.id, dict(shown), dict(facts), assessment))
    path = None
    expected = exercise.expect.pathway
    if network is not None and expected is not None and states:
        path = pathway(network, states[-1].assessment, states[-1].case, start=expected.start)
    return Replay(exercise.id, tuple(states), path)
