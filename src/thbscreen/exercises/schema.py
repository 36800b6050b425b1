"""JSON Schema of the exercise file format, generated from the model like the others."""

from __future__ import annotations

from typing import Any

from .._schema import _document
from .model import Exercise

__all__ = ["answers_schema", "exercise_schema", "schema_text"]


def exercise_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of exercise files, generated from :class:`Exercise`."""
    doc = _document(
        Exercise, "thbscreen exercise", "https://thbscreen.invalid/schema/exercise.schema.json"
    )
    doc["$defs"]["Exercise"]["description"] = (
        "A thbscreen training exercise: a story in scenes, the indicators each scene "
        "shows (with the passage), the expected outcome and pathway, and debrief notes."
    )
    return doc


def answers_schema() -> dict[str, Any]:
    """JSON Schema of answer files (``exercise run --answers``), generated from their model.

    The model keeps each scene's answer loose (the loader names every problem with its
    place); the schema states the two forms it accepts, so that editors can check them.
    """
    from .answers import _AnswerFile

    doc = _document(
        _AnswerFile,
        "thbscreen exercise answers",
        "https://thbscreen.invalid/schema/answers.schema.json",
    )
    ids = {"type": "array", "items": {"type": "string"}}
    scene_answer = {
        "description": "The indicator ids marked in this scene: a list, or marks and "
        "withdrawals of earlier marks.",
        "anyOf": [
            ids,
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {"mark": ids, "withdraw": ids},
            },
        ],
    }
    defs = doc["$defs"]
    defs["_Trainee"]["properties"]["scenes"] = {
        "type": "object",
        "description": "Scene id to the trainee's answer in that scene.",
        "additionalProperties": scene_answer,
    }
    defs["_AnswerFile"]["description"] = (
        "Written answers of several trainees to one exercise, for marking in bulk."
    )
    return doc


def schema_text(kind: str = "exercise") -> str:
    """The schema as committed in ``rules/schema/<kind>.schema.json``."""
    import json

    doc = answers_schema() if kind == "answers" else exercise_schema()
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
