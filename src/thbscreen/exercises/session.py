"""The interactive exercise in a terminal: scene, marks, feedback; a score at the end.

Plain line input through ``click.prompt`` (no screen control), so it works in any
terminal, over a pseudo-terminal, and with answers piped on standard input. The
marking itself is :func:`~thbscreen.exercises.marking.mark`, as for written answers.
Nothing the trainee types is logged or stored.
"""

from __future__ import annotations

import re

import click

from ..i18n import Localizer
from ..model import RuleSet
from .marking import Answers, Marking, SceneAnswer, mark
from .model import Exercise
from .render import (
    exercise_localizer,
    feedback_text,
    final_text,
    indicator_list,
    intro_text,
    numbering,
    scene_text,
)

__all__ = ["run_session"]

PROMPT = "Indicators (numbers, /word, -N, l, ? for help; empty line: done)"
HELP = (
    "  3 12 40   mark indicators 3, 12 and 40\n"
    "  -12       withdraw the mark on indicator 12\n"
    "  /passport list the indicators whose text contains 'passport'\n"
    "  l         list every indicator\n"
    "  m         show what you have marked\n"
    "  (empty)   done with this scene: see the feedback"
)
_TOKEN = re.compile(r"^(-?)(\d+)$")


def _search(ruleset: RuleSet, word: str, lang: Localizer) -> list[str]:
    needle = word.casefold()
    return [
        ind.id
        for ind in ruleset.indicators
        if needle in ind.id.casefold()
        or needle in ind.text.en.casefold()
        or needle in lang(ind.text, marked=False).casefold()
    ]


def _read_marks(ruleset: RuleSet, marked: dict[str, None], lang: Localizer) -> None:
    """Read lines until an empty one, updating ``marked`` in place."""
    ids = [ind.id for ind in ruleset.indicators]
    while True:
        line = click.prompt(PROMPT, default="", show_default=False).strip()
        if not line:
            return
        if line.startswith("/"):
            found = _search(ruleset, line[1:].strip(), lang)
            click.echo(indicator_list(ruleset, lang, found) if found else "  nothing found")
            continue
        if line in ("l", "list"):
            click.echo(indicator_list(ruleset, lang))
            continue
        if line in ("?", "h", "help"):
            click.echo(HELP)
            continue
        if line == "m":
            click.echo(_marked_line(ruleset, marked))
            continue
        for token in line.replace(",", " ").split():
            match = _TOKEN.match(token)
            number = int(match.group(2)) if match else 0
            if match is None or not 1 <= number <= len(ids):
                click.echo(f"  not understood: {token!r} (type ? for help)")
                continue
            indicator = ids[number - 1]
            if match.group(1):
                marked.pop(indicator, None)
            else:
                marked[indicator] = None
        click.echo(_marked_line(ruleset, marked))


def _marked_line(ruleset: RuleSet, marked: dict[str, None]) -> str:
    numbers = numbering(ruleset)
    shown = " ".join(str(numbers[i]) for i in marked)
    return f"  marked: {shown or 'nothing'}"


def run_session(exercise: Exercise, lang: str = "en") -> Marking:
    """Run the exercise with the trainee at the terminal; return their marking."""
    language = exercise_localizer(lang)
    ruleset = exercise.context()[0].ruleset
    story = exercise.replay()
    click.echo(intro_text(exercise, language))
    click.echo("")
    click.echo(indicator_list(ruleset, language))
    marked: dict[str, None] = {}
    answers: list[SceneAnswer] = []
    result = mark(exercise, Answers(), story)
    for k, scene in enumerate(exercise.scenes):
        click.echo("")
        click.echo(scene_text(exercise, k, language))
        click.echo("")
        before = dict(marked)
        _read_marks(ruleset, marked, language)
        answers.append(
            SceneAnswer(
                scene.id,
                tuple(i for i in marked if i not in before),
                tuple(i for i in before if i not in marked),
            )
        )
        # Later scenes have no answers yet; the marking of scene k does not depend on them.
        result = mark(exercise, Answers(tuple(answers)), story)
        click.echo("")
        click.echo(feedback_text(exercise, result.scenes[k], language))
    click.echo("")
    click.echo(final_text(exercise, result, story, language))
    return result
