"""Training exercises: a story in scenes, the indicators a trainee should spot, marking.

>>> from thbscreen.exercises import load_exercise, mark, Answers, SceneAnswer
>>> ex = load_exercise("seasonal-worker-inspection")
>>> ex.replay().final.assessment.outcome
'victim'
>>> first = ex.scenes[0]
>>> m = mark(ex, Answers((SceneAnswer(first.id, (first.reveals[0].indicator,)),)))
>>> m.scenes[0].hits[0].indicator == first.reveals[0].indicator
True
"""

from .answers import load_answers
from .loading import bundled_exercises, load_exercise
from .marking import Answers, Finding, Marking, SceneAnswer, SceneMarking, mark
from .model import Exercise, Expectation, Level, PathwayExpectation, Reveal, Scene
from .replay import Replay, ReplayError, SceneState, Shown
from .schema import exercise_schema

__all__ = [
    "Answers",
    "Exercise",
    "Expectation",
    "Finding",
    "Level",
    "Marking",
    "PathwayExpectation",
    "Replay",
    "ReplayError",
    "Reveal",
    "Scene",
    "SceneAnswer",
    "SceneMarking",
    "SceneState",
    "Shown",
    "bundled_exercises",
    "exercise_schema",
    "load_answers",
    "load_exercise",
    "mark",
]
