"""``thbscreen lint``: check rule sets for what loads but is wrong, dead or hard to trust.

Registered on the main command group in :mod:`thbscreen.cli`; it also runs on its own
(``CliRunner().invoke(lint, [...])``), so it handles its own bad input (exit 2).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .lint import Finding

__all__ = ["lint"]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 or word == "info" else f"{n} {word}s"


def _summary(findings: list[Finding], files: int) -> str:
    count = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    return (
        f"{_plural(files, 'rule set')} linted: {_plural(count['error'], 'error')}, "
        f"{_plural(count['warning'], 'warning')}, {_plural(count['info'], 'info')}"
    )


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


@click.command("lint", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("rulesets", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Output format (json: a list of findings, for editors and CI).",
)
def lint(rulesets: tuple[str, ...], fmt: str) -> None:
    """Check rule sets (names, files or folders) for mistakes that load but mislead.

    Reports unused facts and dimensions, dead indicators, bands and dimensions that
    can never (or always) hold, non-monotone rules, missing provenance and questions,
    untested outcomes and score-band gaps; a file that does not load gives its load
    problems. Each finding has a code (see the lint codes reference) and a hint.
    Exits 1 when any finding is an error, 0 otherwise, 2 when a name or path is not
    a rule set.

    \b
    Example:
      thbscreen lint rules/
      thbscreen lint my-rules.yaml --format json
    """
    from .errors import ThbscreenError
    from .lint import lint_path
    from .loading import expand_rule_paths

    findings: list[Finding] = []
    files = 0
    try:
        for item in expand_rule_paths(rulesets):
            findings.extend(lint_path(item))
            files += 1
    except ThbscreenError as exc:
        click.echo(f"thbscreen: {exc}", err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        if findings:
            click.echo("| location | code | severity | message | hint |\n|---|---|---|---|---|")
            for f in findings:
                click.echo(
                    f"| `{f.location}` | {f.code} | {f.severity} | {_markdown_cell(f.message)} "
                    f"| {_markdown_cell(f.hint or '')} |"
                )
            click.echo()
        click.echo(_summary(findings, files))
    else:
        for f in findings:
            click.echo(str(f))
        click.echo(_summary(findings, files))
    if any(f.severity == "error" for f in findings):
        sys.exit(1)
