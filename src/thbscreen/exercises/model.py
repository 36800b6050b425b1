"""The exercise model: frozen attrs classes mirroring the exercise file format.

Serialization is the strict converter's (:mod:`thbscreen._convert`); these classes only
hold data. A loaded exercise also keeps the rule set and network it was checked against,
so that replaying it does not load them again.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from ..model import Observation, Text

if TYPE_CHECKING:
    from ..referral.network import ReferralNetwork
    from ..screening import Screener
    from .replay import Replay

__all__ = [
    "EXERCISE_FORMAT",
    "Exercise",
    "Expectation",
    "Level",
    "PathwayExpectation",
    "Reveal",
    "Scene",
]

EXERCISE_FORMAT = 1


class Level(enum.Enum):
    INTRODUCTORY = "introductory"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


@frozen
class Reveal:
    """What one scene shows about one indicator, and the passage that shows it.

    ``observation`` is what the story establishes: ``present`` (the trainee should spot
    it), ``absent`` (the story rules it out) or ``unknown`` (the story raises it and
    leaves it open). ``note`` says why the passage counts, for the debrief of a miss.
    """

    indicator: str
    passage: Text
    observation: Observation = Observation.PRESENT
    note: Text | None = None


@frozen
class Scene:
    """One step of the story; its facts and reveals add to (and override) earlier ones."""

    id: str
    title: Text
    narrative: Text
    reveals: tuple[Reveal, ...] = ()
    facts: Mapping[str, Any] = field(factory=dict, hash=False)
    #: A question put to the trainee before they mark indicators.
    prompt: Text | None = None


@frozen
class PathwayExpectation:
    """The referral pathway the network gives after the last scene, from ``start``.

    ``institutions`` are those the pathway reaches (the start included); ``services``,
    if given, the services the assessment calls for. Both compare as sets.
    """

    start: str
    institutions: tuple[str, ...]
    services: tuple[str, ...] | None = None


@frozen
class Expectation:
    """The result after the last scene: a band of the rule set, and the pathway."""

    outcome: str
    determined: bool | None = None
    pathway: PathwayExpectation | None = None


@frozen
class _Context:
    source: str
    screener: Screener
    network: ReferralNetwork | None


@frozen
class Exercise:
    """A training exercise as written in its file (load it with ``load_exercise``)."""

    id: str
    title: Text
    summary: Text
    audience: tuple[str, ...]
    level: Level
    rules: str
    scenes: tuple[Scene, ...]
    expect: Expectation
    debrief: tuple[Text, ...]
    format: int = EXERCISE_FORMAT
    languages: tuple[str, ...] = ("en",)
    network: str | None = None
    duration_minutes: int | None = None
    #: Filled by the loader: where the file was and what it was checked against.
    _loaded: list[_Context] = field(factory=list, init=False, eq=False, repr=False)

    @property
    def source(self) -> str:
        """The file the exercise came from (its id when built in code)."""
        return self._loaded[0].source if self._loaded else self.id

    def to_dict(self) -> dict[str, Any]:
        """The exercise as its file would say it (defaults and empty values left out)."""
        import json

        from .._convert import canonical_json

        data: dict[str, Any] = json.loads(canonical_json(self))
        return data

    def scene(self, scene_id: str) -> Scene:
        for scene in self.scenes:
            if scene.id == scene_id:
                return scene
        raise KeyError(scene_id)

    def context(self) -> tuple[Screener, ReferralNetwork | None]:
        """The compiled rule set and the network (loaded on first use if built in code)."""
        if not self._loaded:
            from ..loading import load_ruleset
            from ..referral.network import load_network
            from ..screening import Screener

            network = load_network(self.network) if self.network else None
            self._loaded.append(_Context(self.id, Screener(load_ruleset(self.rules)), network))
        ctx = self._loaded[0]
        return ctx.screener, ctx.network

    def replay(self) -> Replay:
        """The story scene by scene: the cumulative case and its assessment after each."""
        from .replay import replay

        return replay(self)
