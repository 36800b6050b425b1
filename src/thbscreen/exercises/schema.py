"""JSON Schema of the exercise file format, generated from the model like the others."""

from __future__ import annotations

from typing import Any

from .._schema import _document
from .model import Exercise

__all__ = ["exercise_schema"]


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


def schema_text() -> str:
    """The schema as committed in ``rules/schema/exercise.schema.json``."""
    import json

    return json.dumps(exercise_schema(), indent=2, ensure_ascii=False) + "\n"
