"""Answer files: written answers of several trainees to one exercise, for bulk marking.

```yaml
exercise: seasonal-worker-inspection     # optional; checked against the exercise
trainees:
  - trainee: group-a                      # a label, not a name: no personal data needed
    scenes:
      arrival: [deceptive_recruitment.deceived_wages]
      housing: {mark: [coercion_at_destination.confiscation_of_documents], withdraw: []}
```
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from .._analysis import Collector
from .._language.suggest import did_you_mean
from .._yaml import PathT, read_located
from ..errors import RuleSetError
from ..loading import structure
from .marking import Answers, SceneAnswer
from .model import Exercise

__all__ = ["load_answers"]


@frozen
class _Trainee:
    trainee: str
    scenes: Mapping[str, Any] = field(factory=dict, hash=False)


@frozen
class _AnswerFile:
    trainees: tuple[_Trainee, ...]
    exercise: str | None = None


def _ids(
    value: Any, path: PathT, c: Collector, known: set[str], pool: list[str]
) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        c.add("expected a list of indicator ids", path)
        return ()
    out: list[str] = []
    for k, item in enumerate(value):
        if not isinstance(item, str):
            c.add("expected an indicator id (a string)", (*path, k))
        elif item not in known:
            c.add(f"unknown indicator {item!r}{did_you_mean(item, pool)}", (*path, k))
        else:
            out.append(item)
    return tuple(out)


def load_answers(path: str | os.PathLike[str], exercise: Exercise) -> list[Answers]:
    """Read an answer file and check it against ``exercise``: scenes and indicators exist.

    Raises :class:`~thbscreen.RuleSetError` listing every problem with file, line,
    column and path.
    """
    located = read_located(path)
    data: _AnswerFile = structure(located, _AnswerFile)
    c = Collector(located.source, located)
    if data.exercise is not None and data.exercise != exercise.id:
        c.add(f"these answers are for {data.exercise!r}, not {exercise.id!r}", ("exercise",))
    if not data.trainees:
        c.add("list at least one trainee's answers", ("trainees",))
    screener, _ = exercise.context()
    pool = [ind.id for ind in screener.ruleset.indicators]
    known = set(pool)
    scenes = [s.id for s in exercise.scenes]
    labels: set[str] = set()
    out: list[Answers] = []
    for t, trainee in enumerate(data.trainees):
        base: PathT = ("trainees", t)
        if trainee.trainee in labels:
            c.add(f"duplicate trainee {trainee.trainee!r}", (*base, "trainee"))
        labels.add(trainee.trainee)
        answers: list[SceneAnswer] = []
        for scene_id, value in trainee.scenes.items():
            at: PathT = (*base, "scenes", scene_id)
            if scene_id not in scenes:
                c.add(
                    f"unknown scene {scene_id!r}; scenes: {', '.join(scenes)}"
                    + did_you_mean(scene_id, scenes),
                    at,
                    key=True,
                )
                continue
            if isinstance(value, dict):
                extra = sorted(set(value) - {"mark", "withdraw"})
                if extra:
                    c.add(
                        f"unknown key {extra[0]!r}; expected mark, withdraw",
                        (*at, extra[0]),
                        key=True,
                    )
                marks = _ids(value.get("mark"), (*at, "mark"), c, known, pool)
                withdrawn = _ids(value.get("withdraw"), (*at, "withdraw"), c, known, pool)
            else:
                marks = _ids(value, at, c, known, pool)
                withdrawn = ()
            answers.append(SceneAnswer(scene_id, marks, withdrawn))
        out.append(Answers(tuple(answers), trainee.trainee))
    if c.problems:
        raise RuleSetError(c.problems)
    return out
