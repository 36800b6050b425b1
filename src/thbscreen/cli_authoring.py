"""Authoring commands: ``thbscreen check`` and ``thbscreen diff``.

Registered on the main group in :mod:`thbscreen.cli`; each also works on its own
(for example with :class:`click.testing.CliRunner`), with the same exit statuses:
0 success, 1 a check failed, 2 bad usage or bad input.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ._cli_common import format_option
from .errors import ThbscreenError

if TYPE_CHECKING:
    from .checking import CheckResult
    from .diffing import OutcomeComparison, RuleSetDiff

__all__ = ["check", "diff"]

F = TypeVar("F", bound=Callable[..., Any])


def _fail_on_bad_input(ctx: click.Context, exc: ThbscreenError) -> None:
    click.echo(f"thbscreen: {exc}", err=True)
    ctx.exit(2)


def _yaml(data: Any, indent: str) -> str:
    import yaml

    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return "".join(indent + line + "\n" for line in text.splitlines())


# -- check -------------------------------------------------------------------------------


@contextlib.contextmanager
def _private_hypothesis_storage() -> Iterator[None]:
    """Keep hypothesis's caches out of the user's working directory during a run.

    (With ``database=None`` hypothesis stores no examples, but it still caches
    constants it reads from source files under ``./.hypothesis``.)
    """
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield
        return
    from hypothesis import configuration

    with tempfile.TemporaryDirectory(prefix="thbscreen-check-") as tmp:
        configuration.set_hypothesis_home_dir(tmp)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(None)


@click.command(
    "check",
    short_help="Check rule sets' declared properties on generated cases.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.argument("rulesets", nargs=-1, required=True)
@click.option(
    "--examples",
    type=click.IntRange(1, 100_000),
    default=100,
    show_default=True,
    metavar="N",
    help="Cases to try per check.",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    metavar="S",
    help="Seed for a reproducible run (default: new cases on every run).",
)
@format_option
@click.pass_context
def check(
    ctx: click.Context, rulesets: tuple[str, ...], examples: int, seed: int | None, fmt: str
) -> None:
    """Check rule sets on generated cases: determinism, ranges and declared properties.

    Every rule set (a bundled name, a file or a folder) is checked for determinism
    (the same case gives the same JSON) and ranges (outcome_range contains the
    outcome), and for each property in its `properties:` section. A violation is
    shrunk to a minimal counterexample case, printed as YAML (JSON with --format
    json), and the command exits 1.

    \b
    Example:
      thbscreen check rules/ilo-ec-2009
      thbscreen check my-rules.yaml --examples 500 --seed 1 --format json
    """
    from .checking import check_ruleset
    from .loading import expand_rule_paths, load_ruleset

    try:
        runs = []
        with _private_hypothesis_storage():
            for item in expand_rule_paths(rulesets):
                rs = load_ruleset(item)
                runs.append((rs, check_ruleset(rs, examples=examples, seed=seed)))
    except ThbscreenError as exc:
        _fail_on_bad_input(ctx, exc)
        return
    results = [r for _, found in runs for r in found]
    failed = [r for r in results if not r.passed]
    if fmt == "json":
        payload = {
            "passed": len(results) - len(failed),
            "failed": len(failed),
            "examples": examples,
            "seed": seed,
            "results": [r.to_dict() for r in results],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        md = fmt == "markdown"
        for rs, found in runs:
            bad = sum(not r.passed for r in found)
            head = f"{rs.id} {rs.version}: {len(found) - bad} passed, {bad} failed"
            click.echo(f"### {head}\n" if md else head)
            for r in found:
                click.echo(_check_line(r, md))
            if md:
                click.echo("")
        click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        sys.exit(1)


def _check_line(r: CheckResult, md: bool) -> str:
    label = f"{r.check}: {r.name}"
    if r.passed:
        return (
            f"- ok {label} ({r.examples} cases)" if md else f"  ok    {label} ({r.examples} cases)"
        )
    found = f"found after {r.examples} case{'s' if r.examples != 1 else ''}, shrunk"
    case = dict(r.counterexample or {})
    if md:
        lines = [f"- **FAIL** {label} ({found})", f"  {r.message}", "", "  ```yaml"]
        lines.append(_yaml(case, "  ").rstrip("\n"))
        lines.append("  ```")
        if r.indicator:
            lines.append(f"  Turned present: `{r.indicator}`")
        return "\n".join(lines)
    lines = [f"  FAIL  {label} ({found})", f"        {r.message}"]
    lines.append("        counterexample:")
    lines.append(_yaml(case, "          ").rstrip("\n"))
    if r.indicator:
        lines.append(f"        turned present: {r.indicator}")
    return "\n".join(lines)


# -- diff --------------------------------------------------------------------------------


def _case_files(paths: tuple[str, ...]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    from .loading import load_cases

    for path in paths:
        for k, cf in enumerate(load_cases(path)):
            label = f"{path}: {cf.id}" if cf.id is not None else f"{path}[{k}]"
            yield (
                label,
                {
                    "facts": dict(cf.facts),
                    "indicators": {i: o.value for i, o in cf.indicators.items()},
                },
            )


@click.command(
    "diff",
    short_help="Compare two versions of a rule set, and their outcomes.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.argument("old")
@click.argument("new")
@click.option(
    "--cases",
    "case_paths",
    multiple=True,
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Compare outcomes on the cases of this case file (repeatable) instead of generated ones.",
)
@click.option(
    "--examples",
    type=click.IntRange(1, 1_000_000),
    default=1000,
    show_default=True,
    metavar="N",
    help="Generated cases to compare outcomes on.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, metavar="S", help="Seed of the cases."
)
@format_option
@click.pass_context
def diff(
    ctx: click.Context,
    old: str,
    new: str,
    case_paths: tuple[str, ...],
    examples: int,
    seed: int,
    fmt: str,
) -> None:
    """Show what changed between two versions of a rule set, and what it does to outcomes.

    Lists the changes part by part (indicators, grades and weights, expressions
    pretty-printed, bands, scoring, properties, tests), then screens the same cases
    with both versions and shows how often the outcome moves, and how: a table of
    old -> new outcomes with counts and shares. The cases are generated (N of them,
    reproducibly from the seed) or read from --cases files. Exits 0 whatever the
    differences.

    \b
    Example:
      thbscreen diff ilo-ec-2009/adult-labour my-adult-labour.yaml
      thbscreen diff old.yaml new.yaml --cases cases.yaml --format markdown
    """
    from .diffing import diff as run_diff
    from .loading import load_ruleset

    try:
        a, b = load_ruleset(old), load_ruleset(new)
        cases = list(_case_files(case_paths)) if case_paths else None
        result = run_diff(a, b, cases=cases, examples=examples, seed=seed)
    except ThbscreenError as exc:
        _fail_on_bad_input(ctx, exc)
        return
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(_render_diff(result, old, new, fmt == "markdown"), nl=False)


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _render_diff(d: RuleSetDiff, old: str, new: str, md: bool) -> str:
    out: list[str] = []
    title = f"{d.old.id} {d.old.version} ({old}) -> {d.new.id} {d.new.version} ({new})"
    out.append(f"### Changes from {title}" if md else f"Changes from {title}:")
    if md:
        out.append("")
    if not d.changes:
        out.append("No changes in the rule set's content." if md else "  none")
    for c in d.changes:
        text = c.describe()
        if md:
            first, *rest = text.split("\n")
            out.append(f"- `{first[0]}` {first[2:]}")
            out.extend(f"    `{line.strip()}`  " for line in rest)
        else:
            out.extend("  " + line for line in text.split("\n"))
    out.append("")
    out.extend(_render_outcomes(d.outcomes, md))
    return "\n".join(out) + "\n"


def _render_outcomes(o: OutcomeComparison, md: bool) -> list[str]:
    where = (
        f"{o.cases} generated cases (seed {o.seed})"
        if o.source == "generated"
        else f"{o.cases} cases from files"
    )
    head = f"Outcomes over {where}: {o.changed} changed ({_pct(o.share)})"
    out = [f"### {head}", ""] if md else [head]
    if md:
        out += ["| old | new | cases | share |", "|---|---|---:|---:|"]
        for t in o.transitions:
            mark = " (changed)" if t.old != t.new else ""
            out.append(f"| `{t.old}` | `{t.new}`{mark} | {t.count} | {_pct(t.share)} |")
        out.append("")
    else:
        width = max([len("old"), *(len(t.old) for t in o.transitions)])
        width_new = max([len("new"), *(len(t.new) for t in o.transitions)])
        out.append(f"  {'old':<{width}}    {'new':<{width_new}}  {'cases':>7}  {'share':>6}")
        for t in o.transitions:
            mark = "  *" if t.old != t.new else ""
            out.append(
                f"  {t.old:<{width}} -> {t.new:<{width_new}}  {t.count:>7}  {_pct(t.share):>6}{mark}"
            )
    bullet = "- " if md else "  "
    out.append(
        f"{bullet}outcome range changed in {o.range_changed} cases "
        f"({_pct(o.range_changed / o.cases if o.cases else 0)}); score changed in "
        f"{o.score_changed} cases ({_pct(o.score_changed / o.cases if o.cases else 0)})"
    )
    if o.adapted:
        out.append(
            f"{bullet}{o.adapted} cases gave an indicator or fact that one version does not "
            "declare or refuses; that version screened them without it"
        )
    for label in o.changed_cases:
        out.append(f"{bullet}outcome changed: {label}")
    return out
