"""Research commands: ``thbscreen synth``, ``thbscreen evaluate`` and ``thbscreen compare``.

Registered on the main group in :mod:`thbscreen.cli`; each also works on its own
(``CliRunner().invoke(evaluate, [...])``), with the same exit statuses: 0 success,
1 some rows could not be screened (the report lists them), 2 bad usage or bad input.
Importing this module imports neither NumPy nor the research package.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from ._cli_common import format_option
from .errors import ThbscreenError

if TYPE_CHECKING:
    from .research import Comparison, Evaluation, RowFailure

__all__ = ["compare", "evaluate", "synth"]

F = TypeVar("F", bound=Callable[..., Any])
_SETTINGS = {"help_option_names": ["-h", "--help"]}
_USES = click.Choice(["outcome", "range_high", "range_low"])


def _out_option(f: F) -> F:
    return click.option(
        "--out",
        type=click.Path(dir_okay=False),
        default=None,
        metavar="FILE",
        help="Write the report to FILE (atomically) instead of stdout.",
    )(f)


def _labelled_options(f: F) -> F:
    """Options shared by evaluate and compare."""
    options = [
        click.option(
            "--label",
            required=True,
            metavar="FIELD",
            help="The field of each row that holds the truth (true/false or 1/0).",
        ),
        click.option(
            "--positive",
            "positive",
            multiple=True,
            required=True,
            metavar="BAND",
            help="An outcome band counted as a positive screen (repeat, or separate by commas).",
        ),
        click.option(
            "--prevalence",
            type=click.FloatRange(0, 1, min_open=True, max_open=True),
            default=None,
            metavar="P",
            help="Also give PPV and NPV at this prevalence (Bayes' theorem).",
        ),
        click.option(
            "--use",
            type=_USES,
            default="outcome",
            show_default=True,
            help="Band compared with the label: the outcome on present evidence, or the "
            "most (range_high) or least (range_low) severe band the unknowns allow.",
        ),
        click.option(
            "--ignore-undeclared",
            is_flag=True,
            help="Leave out indicator and fact ids the rule set does not declare (counted "
            "in the report) instead of failing the row.",
        ),
        click.option(
            "--bootstrap",
            type=click.IntRange(0, 1_000_000),
            default=2000,
            show_default=True,
            metavar="N",
            help="Bootstrap resamples for the PPV, NPV and J intervals (0: none).",
        ),
        click.option(
            "--seed",
            type=click.IntRange(0),
            default=0,
            show_default=True,
            metavar="S",
            help="Seed of the bootstrap.",
        ),
        click.option(
            "--confidence",
            type=click.FloatRange(0, 1, min_open=True, max_open=True),
            default=0.95,
            show_default=True,
            metavar="C",
            help="Confidence level of the intervals.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _fail(exc: BaseException) -> NoReturn:
    click.echo(f"thbscreen: {exc}", err=True)
    sys.exit(2)


def _bands(values: tuple[str, ...]) -> list[str]:
    return [b.strip() for v in values for b in v.split(",") if b.strip()]


@contextlib.contextmanager
def _progress(rows: list[Any], label: str) -> Iterator[Any]:
    if sys.stderr.isatty() and len(rows) > 200:
        with click.progressbar(rows, label=label, file=sys.stderr) as bar:
            yield bar
    else:
        yield rows


def _emit(text: str, out: str | None) -> None:
    if out:
        from ._io import write_atomic

        write_atomic(out, text)
    else:
        click.echo(text, nl=False)


def _with_lines(failures: Sequence[RowFailure], lines: list[int]) -> tuple[RowFailure, ...]:
    import attrs

    return tuple(
        attrs.evolve(f, line=lines[f.index]) if f.index < len(lines) else f for f in failures
    )


def _need_plots(*wanted: object) -> None:
    """Exit 2 before any work if a plot or HTML option is given without matplotlib."""
    import importlib.util

    if any(wanted) and importlib.util.find_spec("matplotlib") is None:
        click.echo(
            "thbscreen: --plots and --html need matplotlib; install it with: "
            "pip install 'thbscreen[plots]'",
            err=True,
        )
        sys.exit(2)


def _write_plots(result: Evaluation, directory: str) -> None:
    from pathlib import Path

    from .research import plot_pr, plot_roc, plot_scores, save_figure

    where = Path(directory)
    where.mkdir(parents=True, exist_ok=True)
    if result.roc is not None:
        save_figure(plot_roc(result), where / "roc.svg")
    if result.pr is not None:
        save_figure(plot_pr(result), where / "pr.svg")
    if result.results:
        save_figure(plot_scores(result), where / "scores.svg")


def _html_option(f: F) -> F:
    return click.option(
        "--html",
        type=click.Path(dir_okay=False),
        default=None,
        metavar="FILE",
        help="Also write a self-contained HTML report with figures to FILE (atomically; "
        "needs matplotlib).",
    )(f)


def _read(path: str) -> tuple[list[Any], list[int]]:
    from .research._rows import read_rows

    try:
        rows, lines = read_rows(path)
    except ThbscreenError as exc:
        _fail(exc)
    if not rows:
        raise click.UsageError(f"{path}: no rows (expected one JSON object per line)")
    return rows, lines


def _measured(
    run: Any,
    target: Any,
    rows: Any,
    lines: list[int],
    errors: tuple[type[BaseException], ...],
    **options: Any,
) -> Any:
    """``run(target, rows, **options)`` with failures pointing at their input lines;
    exit 2 with one message on any of ``errors``."""
    import attrs

    try:
        result = run(target, rows, **options)
    except errors as exc:
        _fail(exc)
    return attrs.evolve(result, failures=_with_lines(result.failures, lines))


def _labelled(
    label: str,
    prevalence: float | None,
    use: str,
    ignore_undeclared: bool,
    confidence: float,
    bootstrap: int,
    seed: int,
) -> dict[str, Any]:
    """The options every labelled-data command passes to the research functions."""
    return {
        "label": label,
        "prevalence": prevalence,
        "use": use,
        "undeclared": "ignore" if ignore_undeclared else "error",
        "confidence": confidence,
        "bootstrap": bootstrap,
        "seed": seed,
    }


# -- synth --------------------------------------------------------------------------------


def _groups(values: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for value in values:
        name, sep, rest = value.partition("=")
        choices = [v.strip() for v in rest.split(",") if v.strip()]
        if not sep or not name.strip() or len(choices) < 2:
            raise click.BadParameter(
                f"expected NAME=VALUE,VALUE[,...], got {value!r}", param_hint="--group"
            )
        out[name.strip()] = choices
    return out


@click.command("synth", context_settings=_SETTINGS)
@click.argument("ruleset")
@click.option("-n", "n", type=click.IntRange(0, 10_000_000), required=True, help="Number of cases.")
@click.option(
    "--prevalence",
    type=click.FloatRange(0, 1),
    required=True,
    metavar="P",
    help="Share of victims (round(n * P) cases).",
)
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True, metavar="S")
@click.option(
    "--unknown-rate",
    type=click.FloatRange(0, 1),
    default=0.1,
    show_default=True,
    metavar="R",
    help="Chance that an observation is unknown.",
)
@click.option(
    "--correlation",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    metavar="RHO",
    help="Latent correlation of two indicators of one dimension.",
)
@click.option(
    "--case-correlation",
    type=click.FloatRange(0, 1),
    default=0.3,
    show_default=True,
    metavar="RHO",
    help="Latent correlation of two indicators of different dimensions (at most --correlation).",
)
@click.option(
    "--victim-rate",
    type=(click.FloatRange(0, 1), click.FloatRange(0, 1)),
    default=(0.2, 0.6),
    show_default=True,
    metavar="LOW HIGH",
    help="Range of the indicator rates among victims.",
)
@click.option(
    "--nonvictim-rate",
    type=(click.FloatRange(0, 1), click.FloatRange(0, 1)),
    default=(0.02, 0.1),
    show_default=True,
    metavar="LOW HIGH",
    help="Range of the indicator rates among non-victims.",
)
@click.option(
    "--label", default="victim", show_default=True, metavar="FIELD", help="Name of the label field."
)
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="NAME=V1,V2,...",
    help="Add a subgroup field with equally likely values, independent of all else (repeatable).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Write the cases to FILE (JSON Lines, atomically) instead of stdout.",
)
@click.option(
    "--parameters",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Also write the generator's parameters and drawn rates to FILE (JSON).",
)
def synth(
    ruleset: str,
    n: int,
    prevalence: float,
    seed: int,
    unknown_rate: float,
    correlation: float,
    case_correlation: float,
    victim_rate: tuple[float, float],
    nonvictim_rate: tuple[float, float],
    label: str,
    groups: tuple[str, ...],
    out: str | None,
    parameters: str | None,
) -> None:
    """Generate SYNTHETIC labelled cases for a rule set's indicators (JSON Lines).

    The cases are made up by a simple random model (see the how-to guide "Evaluate a
    rule set on your data"): they are never real data, every id starts with
    "synthetic-" and every row has "synthetic": true. The same arguments and seed
    give the same file. Needs NumPy (pip install 'thbscreen[research]').

    \b
    Example:
      thbscreen synth ilo-ec-2009/adult-labour -n 1000 --prevalence 0.1 --seed 1 --out cases.jsonl
      thbscreen synth ilo-ec-2009/adult-labour -n 500 --prevalence 0.05 --group sex=female,male --out c.jsonl
    """
    from .research import synthesize

    try:
        pop = synthesize(
            ruleset,
            n,
            prevalence=prevalence,
            seed=seed,
            unknown_rate=unknown_rate,
            correlation=correlation,
            case_correlation=case_correlation,
            victim_rate=victim_rate,
            nonvictim_rate=nonvictim_rate,
            label=label,
            groups=_groups(groups),
        )
    except (ThbscreenError, ImportError) as exc:
        _fail(exc)
    from ._io import write_atomic

    text = pop.to_jsonl()
    if out:
        write_atomic(out, text)
    else:
        click.echo(text, nl=False)
    if parameters:
        write_atomic(parameters, json.dumps(pop.parameters(), indent=2) + "\n")
    where = f" to {out}" if out else ""
    click.echo(
        f"thbscreen: wrote {pop.n} cases ({pop.victims} labelled {label}) for "
        f"{pop.ruleset.id} {pop.ruleset.version}, seed {seed}{where}. {pop.notice}",
        err=not out,
    )


# -- evaluate -----------------------------------------------------------------------------


@click.command("evaluate", context_settings=_SETTINGS)
@click.argument("ruleset")
@click.argument("cases", type=click.Path(dir_okay=False))
@_labelled_options
@click.option(
    "--by",
    default=None,
    metavar="FIELD",
    help="Also give the metrics for each value of this field (or fact).",
)
@click.option(
    "--rows",
    "with_rows",
    is_flag=True,
    help="With --format json, include every row's outcome and label.",
)
@click.option(
    "--plots",
    type=click.Path(file_okay=False),
    default=None,
    metavar="DIR",
    help="Also write roc.svg, pr.svg and scores.svg to DIR (needs matplotlib).",
)
@_html_option
@format_option
@_out_option
def evaluate(
    ruleset: str,
    cases: str,
    label: str,
    positive: tuple[str, ...],
    prevalence: float | None,
    use: str,
    ignore_undeclared: bool,
    bootstrap: int,
    seed: int,
    confidence: float,
    by: str | None,
    with_rows: bool,
    plots: str | None,
    html: str | None,
    fmt: str,
    out: str | None,
) -> None:
    """Measure a rule set against labelled cases (JSON Lines, one case per line).

    Each row is a case (id, facts, indicators) with a label field and, optionally,
    subgroup fields. Reports sensitivity, specificity, PPV, NPV (also at
    --prevalence), Youden's J and accuracy with intervals, the outcome bands by
    label, ROC and PR areas over the score, and the same by subgroup (--by). Rows
    that cannot be screened are listed with their line and reason; the command then
    exits 1. --plots DIR writes the ROC, PR and score figures as SVG; --html FILE a
    self-contained HTML report (both need matplotlib).

    \b
    Example:
      thbscreen evaluate ilo-ec-2009/adult-labour cases.jsonl --label victim --positive victim
      thbscreen evaluate ilo-ec-2009/adult-labour cases.jsonl --label victim --positive victim --plots figs --html report.html
      thbscreen evaluate my-rules.yaml cases.jsonl --label victim --positive victim,indications --by sex --prevalence 0.02 --format markdown
    """
    _need_plots(plots, html)
    from .research import evaluate as run
    from .research import render

    common = _labelled(label, prevalence, use, ignore_undeclared, confidence, bootstrap, seed)
    rows, lines = _read(cases)
    with _progress(rows, "screening") as bar:
        result: Evaluation = _measured(
            run,
            ruleset,
            bar,
            lines,
            (ThbscreenError, ImportError),
            positive=_bands(positive),
            by=by,
            **common,
        )
    if fmt == "json":
        text = json.dumps(result.to_dict(results=with_rows), indent=2, ensure_ascii=False) + "\n"
    else:
        text = render(result, fmt)
    _emit(text, out)
    try:
        if plots:
            _write_plots(result, plots)
        if html:
            from ._io import write_atomic
            from .research import html_report

            write_atomic(html, html_report(result))
    except (ThbscreenError, ImportError, OSError) as exc:
        _fail(exc)
    if result.failures:
        sys.exit(1)


# -- compare ------------------------------------------------------------------------------


@click.command("compare", context_settings=_SETTINGS)
@click.argument("args", nargs=-1, required=True, metavar="RULESET RULESET... CASES")
@_labelled_options
@_html_option
@format_option
@_out_option
def compare(
    args: tuple[str, ...],
    label: str,
    positive: tuple[str, ...],
    prevalence: float | None,
    use: str,
    ignore_undeclared: bool,
    bootstrap: int,
    seed: int,
    confidence: float,
    html: str | None,
    fmt: str,
    out: str | None,
) -> None:
    """Compare rule sets on the same labelled cases (JSON Lines, the last argument).

    Reports each rule set's accuracy, and for each pair the agreement, Cohen's kappa
    and McNemar's test (exact below 25 discordant rows) on sensitivity and
    specificity, and the rows where the screen results differ. --positive bands
    apply to every rule set that has them. Rows that some rule set cannot screen are
    listed; the command then exits 1.

    --html FILE also writes a self-contained HTML page: the first rule set's
    evaluation with figures, and a chart of every rule set's accuracy.

    \b
    Example:
      thbscreen compare ilo-ec-2009/child-labour ilo-ec-2009/child-labour-palermo cases.jsonl --label victim --positive victim
      thbscreen compare old.yaml new.yaml cases.jsonl --label victim --positive victim --format json
      thbscreen compare old.yaml new.yaml cases.jsonl --label victim --positive victim --html report.html
    """
    if len(args) < 3:
        raise click.UsageError("expected at least two rule sets and a case file")
    _need_plots(html)
    from .research import compare as run
    from .research import render

    *rulesets, cases = args
    common = _labelled(label, prevalence, use, ignore_undeclared, confidence, bootstrap, seed)
    rows, lines = _read(cases)
    with _progress(rows, "screening") as bar:
        result: Comparison = _measured(
            run,
            rulesets,
            bar,
            lines,
            (ThbscreenError, ImportError),
            positive=_bands(positive),
            **common,
        )
    _emit(render(result, fmt), out)
    if html:
        # The page's ROC, PR and score figures are of the first rule set.
        from ._io import write_atomic
        from .research import evaluate as run_one
        from .research import html_report

        first: Evaluation = _measured(
            run_one,
            rulesets[0],
            rows,
            lines,
            (ThbscreenError, ImportError, OSError),
            positive=list(result.positive[0]),
            **common,
        )
        try:
            write_atomic(html, html_report(first, result))
        except (ThbscreenError, ImportError, OSError) as exc:
            _fail(exc)
    if result.failures:
        sys.exit(1)
