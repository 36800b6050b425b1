"""``thbscreen exercise``: run, list and check training exercises.

Registered in :mod:`thbscreen.cli` with ``main.add_command(exercise)``. Exit status as
for every thbscreen command: 0 success; 1 checks failed (``check`` found a problem);
2 bad usage or bad input.
"""

from __future__ import annotations

import json
from typing import Any

import click

from ._cli_common import ErrorHandlingGroup, format_option, lang_option

__all__ = ["exercise"]


@click.group("exercise", cls=ErrorHandlingGroup)
def exercise() -> None:
    """Training exercises: a story in scenes; spot the indicators, see what the rules find.

    EXERCISE is a bundled exercise's name (see `thbscreen exercise list`) or a file.

    \b
    Example:
      thbscreen exercise list
      thbscreen exercise run seasonal-worker-inspection
      thbscreen exercise run seasonal-worker-inspection --answers answers.yaml --format markdown
      thbscreen exercise check examples/exercises/
    """


@exercise.command("run", short_help="Run an exercise in the terminal, or mark written answers.")
@click.argument("name", metavar="EXERCISE")
@click.option(
    "--answers",
    "answers_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Mark the written answers in this YAML/JSON file instead of asking (several trainees).",
)
@lang_option
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="With --answers: write the report to this file (atomically) instead of stdout.",
)
@click.option(
    "--html",
    "html_out",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the exercise as it unfolds (the assessment after each scene and the "
    "pathway at the end) to this self-contained HTML file, for a projector or a handout; "
    "asks nothing.",
)
@format_option
def run_cmd(
    name: str,
    answers_path: str | None,
    lang: str,
    out: str | None,
    html_out: str | None,
    fmt: str,
) -> None:
    """Run EXERCISE: each scene is shown, you mark the indicators you see, and get
    feedback: hits, misses (with the passage that shows them), over-calls (and why),
    the assessment as it stands and the next questions; a score at the end.

    With --answers, no questions are asked: every trainee's written answers are marked
    and reported as text, Markdown or JSON. The interactive run is text only. --lang
    applies to the exercise's texts too; each one shown in English is marked [en].

    \b
    Example:
      thbscreen exercise run seasonal-worker-inspection
      thbscreen exercise run my-exercise.yaml --lang sl
      thbscreen exercise run border-minibus --answers answers.yaml --format json -o marks.json
      thbscreen exercise run forced-marriage-minor --html debrief.html
    """
    from .exercises.answers import load_answers
    from .exercises.loading import load_exercise
    from .exercises.marking import mark
    from .exercises.render import exercise_localizer, report
    from .exercises.session import run_session

    if html_out is not None:
        if answers_path is not None or out is not None:
            raise click.UsageError("--html writes the exercise itself; it goes without --answers")
        _write_html(load_exercise(name), lang, html_out)
        return
    if answers_path is None:
        if fmt != "text" or out is not None:
            raise click.UsageError(
                "the interactive exercise prints text only; --format and --out go with --answers"
            )
        ex = load_exercise(name)
        try:
            run_session(ex, lang)
        except click.Abort:  # Ctrl-C or end of input at a prompt
            click.echo("\nthbscreen: exercise stopped before the end; nothing was kept", err=True)
            raise SystemExit(130) from None
        return
    ex = load_exercise(name)
    trainees = load_answers(answers_path, ex)
    story = ex.replay()
    markings = [mark(ex, answers, story) for answers in trainees]
    text = report(ex, story, markings, fmt, exercise_localizer(lang))
    if out is None:
        click.echo(text, nl=False)
        return
    from ._io import write_atomic

    write_atomic(out, text)
    click.echo(f"wrote {out}", err=True)


def _write_html(ex: Any, lang: str, path: str) -> None:
    from ._io import write_atomic
    from .referral import load_network
    from .report import exercise_report

    story = ex.replay()
    scenes = [
        (scene.title.get(lang)[0], state.assessment)
        for scene, state in zip(ex.scenes, story.states, strict=True)
    ]
    network = (
        load_network(ex.network) if ex.network is not None and story.pathway is not None else None
    )
    page = exercise_report(
        ex.title.get(lang)[0], scenes, pathway=story.pathway, network=network, lang=lang
    )
    write_atomic(path, page)
    click.echo(f"wrote {path}", err=True)


@exercise.command("list", short_help="List the bundled exercises.")
@format_option
def list_cmd(fmt: str) -> None:
    """List the bundled exercises with audience, level, rule set and scenes.

    \b
    Example:
      thbscreen exercise list
      thbscreen exercise list --format json
    """
    from .exercises.loading import bundled_exercises, load_exercise

    loaded = [(name, load_exercise(name)) for name in bundled_exercises()]
    if fmt == "json":
        rows = [
            {
                "name": name,
                "title": ex.title.en,
                "audience": list(ex.audience),
                "level": ex.level.value,
                "rules": ex.rules,
                "network": ex.network,
                "scenes": len(ex.scenes),
                "languages": list(ex.languages),
            }
            for name, ex in loaded
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(
            "| name | title | audience | level | rule set | scenes |\n|---|---|---|---|---|---|"
        )
        for name, ex in loaded:
            cells = [
                f"`{name}`",
                ex.title.en,
                ", ".join(ex.audience),
                ex.level.value,
                f"`{ex.rules}`",
                str(len(ex.scenes)),
            ]
            click.echo("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    else:
        for name, ex in loaded:
            click.echo(f"{name:<34} {ex.level.value:<13} {ex.rules:<28} {len(ex.scenes)} scenes")
            click.echo(f"  {ex.title.en} (for: {', '.join(ex.audience)})")


@exercise.command("check", short_help="Check exercise files (exit 1 on a problem).")
@click.argument("paths", nargs=-1, required=True, metavar="EXERCISES...")
@format_option
def check_cmd(paths: tuple[str, ...], fmt: str) -> None:
    """Check exercises (names, files or folders): the format, the indicators, facts and
    institutions they name, that each passage is in its scene, and that the rule set and
    the network really give the expected outcome and pathway after the last scene.

    Exits 1 when any exercise has a problem.

    \b
    Example:
      thbscreen exercise check examples/exercises/
      thbscreen exercise check my-exercise.yaml --format json
    """
    from pathlib import Path

    from .errors import Problem, ThbscreenError
    from .exercises.loading import load_exercise

    targets: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(str(f) for f in path.iterdir() if f.suffix in (".yaml", ".yml", ".json"))
            targets += found
        else:
            targets.append(p)
    if not targets:
        raise click.UsageError("no exercise files found in " + ", ".join(paths))
    results: list[tuple[str, str | None, tuple[Problem, ...]]] = []
    for target in targets:
        try:
            results.append((target, load_exercise(target).id, ()))
        except ThbscreenError as exc:
            results.append((target, None, exc.problems))
    failed = [r for r in results if r[2]]
    if fmt == "json":
        payload = [
            {
                "exercise": target,
                "id": ex_id,
                "ok": not problems,
                "problems": [problem.to_dict() for problem in problems],
            }
            for target, ex_id, problems in results
        ]
        click.echo(
            json.dumps(
                {"format": "thbscreen-exercise-check/1", "results": payload},
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for target, _, problems in results:
            status = "FAILED" if problems else "ok"
            click.echo(f"- `{target}`: {status}" if fmt == "markdown" else f"{target}: {status}")
            for problem in problems:
                click.echo(f"    {problem}")
        click.echo(f"{len(results) - len(failed)} of {len(results)} exercise(s) ok")
    if failed:
        raise SystemExit(1)


@exercise.command("schema", short_help="Print the JSON Schema of exercise or answer files.")
@click.option(
    "--kind",
    type=click.Choice(["exercise", "answers"]),
    default="exercise",
    show_default=True,
    help="Exercise files, or the answer files of --answers.",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the schema to this file (atomically) instead of stdout.",
)
def schema_cmd(kind: str, out: str | None) -> None:
    """Print the JSON Schema (draft 2020-12) of exercise files or answer files,
    generated from the model.

    \b
    Example:
      thbscreen exercise schema --out rules/schema/exercise.schema.json
      thbscreen exercise schema --kind answers --out rules/schema/answers.schema.json
    """
    from .exercises.schema import schema_text

    text = schema_text(kind)
    if out is None:
        click.echo(text, nl=False)
        return
    from ._io import write_atomic

    write_atomic(out, text)
    click.echo(f"wrote {out}", err=True)


if __name__ == "__main__":  # `python -m thbscreen.cli_exercise` before it is registered
    exercise(prog_name="thbscreen exercise")
