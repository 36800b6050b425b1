"""Plots with matplotlib (the ``plots`` extra), imported when used.

ROC and precision-recall curves, score distributions, a comparison chart, and
:func:`save_figure` (PNG or SVG, written atomically).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ._compare import Comparison
from ._curves import PrCurve, RocCurve
from ._evaluate import Evaluation
from ._metrics import Estimate
from ._rows import ResearchInputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["figure_svg", "plot_comparison", "plot_pr", "plot_roc", "plot_scores", "save_figure"]

MATPLOTLIB_MISSING = "plots need matplotlib; install it with: pip install 'thbscreen[plots]'"

#: Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#009E73"
ORANGE = "#E69F00"


def _need_matplotlib() -> None:
    if importlib.util.find_spec("matplotlib") is None:
        raise ImportError(MATPLOTLIB_MISSING)


def _axes(ax: Axes | None, size: tuple[float, float] = (4.5, 4.5)) -> Axes:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    # A Figure not tied to pyplot: no global state, no GUI backend needed.
    return Figure(figsize=size).add_subplot()


def plot_roc(result: Evaluation | RocCurve, ax: Axes | None = None) -> Axes:
    """Draw the ROC curve of the score; for an evaluation, also the bands' cut-offs.

    Returns the axes (a new figure's, unless ``ax`` is given): save it with
    ``ax.figure.savefig("roc.png")``.
    """
    _need_matplotlib()
    curve = result.roc if isinstance(result, Evaluation) else result
    if not isinstance(curve, RocCurve):
        raise ResearchInputError.of(
            "plot_roc", "result", "no ROC curve: the labels need both classes"
        )
    ax = _axes(ax)
    ax.plot(curve.fpr, curve.tpr, drawstyle="default", label=f"score (AUC {curve.auc:.3f})")
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", linewidth=1)
    if isinstance(result, Evaluation):
        for c in result.cutoffs:
            if c.sensitivity is not None and c.specificity is not None:
                ax.plot([1 - c.specificity], [c.sensitivity], marker="o", linestyle="none")
                ax.annotate(
                    f"≥ {c.band}",
                    (1 - c.specificity, c.sensitivity),
                    textcoords="offset points",
                    xytext=(6, -10),
                    fontsize="small",
                )
        ax.set_title(f"{result.ruleset.id} {result.ruleset.version}", fontsize="medium")
    ax.set_xlabel("1 - specificity (false-positive rate)")
    ax.set_ylabel("sensitivity (true-positive rate)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_pr(result: Evaluation | PrCurve, ax: Axes | None = None) -> Axes:
    """Draw the precision-recall curve of the score, with the prevalence as baseline."""
    _need_matplotlib()
    curve = result.pr if isinstance(result, Evaluation) else result
    if not isinstance(curve, PrCurve):
        raise ResearchInputError.of(
            "plot_pr", "result", "no precision-recall curve: the labels need a positive"
        )
    ax = _axes(ax)
    ax.plot(
        curve.recall,
        curve.precision,
        label=f"score (AP {curve.average_precision:.3f})",
    )
    base = curve.positives / (curve.positives + curve.negatives)
    ax.axhline(base, linestyle=":", color="grey", linewidth=1, label=f"prevalence {base:.3f}")
    if isinstance(result, Evaluation):
        ax.set_title(f"{result.ruleset.id} {result.ruleset.version}", fontsize="medium")
    ax.set_xlabel("recall (sensitivity)")
    ax.set_ylabel("precision (PPV)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_scores(evaluation: Evaluation, ax: Axes | None = None) -> Axes:
    """Draw the distribution of the score among rows labelled positive and negative.

    Two overlaid step histograms on the same bins, in colour-blind-safe colours.
    """
    _need_matplotlib()
    if not isinstance(evaluation, Evaluation):
        raise ResearchInputError.of("plot_scores", "evaluation", "expected an Evaluation")
    pos = [r.score for r in evaluation.results if r.label]
    neg = [r.score for r in evaluation.results if not r.label]
    if not pos and not neg:
        raise ResearchInputError.of("plot_scores", "evaluation", "no screened rows")
    ax = _axes(ax)
    scores = pos + neg
    low, high = min(scores), max(scores)
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    k = 20
    bins = [low + (high - low) * i / k for i in range(k + 1)]
    name = evaluation.label or "label"
    for values, colour, style, text in (
        (neg, BLUE, "-", f"{name} negative (n={len(neg)})"),
        (pos, VERMILLION, "--", f"{name} positive (n={len(pos)})"),
    ):
        if values:
            ax.hist(
                values,
                bins=bins,
                histtype="step",
                color=colour,
                linestyle=style,
                linewidth=1.6,
                label=text,
            )
    ax.set_title(
        f"{evaluation.ruleset.id} {evaluation.ruleset.version}: score by label",
        fontsize="medium",
    )
    ax.set_xlabel("score")
    ax.set_ylabel("rows")
    ax.legend(loc="upper right", fontsize="small")
    return ax


def _bar(e: Estimate) -> tuple[float, float, float]:
    """Value and the distances down and up to the interval's ends (0 without one)."""
    if not isinstance(e, Estimate) or e.value is None:
        return 0.0, 0.0, 0.0
    if e.low is None or e.high is None:
        return e.value, 0.0, 0.0
    return e.value, max(e.value - e.low, 0.0), max(e.high - e.value, 0.0)


def plot_comparison(comparison: Comparison, ax: Axes | None = None) -> Axes:
    """Draw sensitivity, specificity and PPV for each rule set as grouped bars.

    Error bars show the intervals where the estimate has one (Wilson for these
    proportions); an undefined estimate is drawn as an empty bar.
    """
    _need_matplotlib()
    if not isinstance(comparison, Comparison):
        raise ResearchInputError.of("plot_comparison", "comparison", "expected a Comparison")
    ax = _axes(ax, size=(max(4.5, 1.6 * len(comparison.names) + 2), 4.5))
    measures = (
        ("sensitivity", BLUE, "sensitivity"),
        ("specificity", ORANGE, "specificity"),
        ("PPV", GREEN, "ppv"),
    )
    width = 0.8 / len(measures)
    xs = list(range(len(comparison.names)))
    for k, (text, colour, attribute) in enumerate(measures):
        bars = [_bar(getattr(m, attribute)) for m in comparison.metrics]
        ax.bar(
            [x - 0.4 + width * (k + 0.5) for x in xs],
            [b[0] for b in bars],
            width,
            yerr=[[b[1] for b in bars], [b[2] for b in bars]],
            capsize=3,
            color=colour,
            edgecolor="black",
            linewidth=0.5,
            label=text,
        )
    ax.set_xticks(xs, list(comparison.names), fontsize="small")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("proportion")
    ax.set_title(f"{comparison.compared} rows compared", fontsize="medium")
    ax.legend(loc="upper center", fontsize="small", ncols=3, bbox_to_anchor=(0.5, -0.12))
    return ax


def _figure(what: Axes | Figure) -> Figure:
    from matplotlib.figure import Figure, SubFigure

    if isinstance(what, Figure):
        return what
    fig = what.figure
    while isinstance(fig, SubFigure):
        fig = fig.figure
    if not isinstance(fig, Figure):
        raise ResearchInputError.of("save_figure", "axes_or_figure", "not on a figure")
    return fig


def figure_svg(axes_or_figure: Axes | Figure) -> str:
    """The figure as SVG text, for inlining in HTML (no XML prolog, no DOCTYPE)."""
    _need_matplotlib()
    import matplotlib

    buffer = io.StringIO()
    fig = _figure(axes_or_figure)
    # Text as <text> (small, searchable, no glyph ids to clash between inlined figures).
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    start = text.find("<svg")
    text = text[start:] if start >= 0 else text
    # The RDF metadata block names vocabularies by URL: leave it out of the page.
    return re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)


def save_figure(axes_or_figure: Axes | Figure, path: str | os.PathLike[str]) -> Path:
    """Write the figure to ``path`` as PNG or SVG (by suffix), atomically.

    The figure goes to a temporary file in the same directory, renamed over ``path``
    when complete: a reader never sees half a file. Returns the path.
    """
    _need_matplotlib()
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ResearchInputError.of(
            "save_figure", "path", f"expected a .png or .svg file, got {str(target)!r}"
        )
    fig = _figure(axes_or_figure)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent if str(target.parent) else "."
    )
    try:
        with os.fdopen(fd, "wb") as fh:
            fig.savefig(fh, format=fmt, bbox_inches="tight", metadata=_metadata(fmt))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return target


def _metadata(fmt: str) -> dict[str, str | None]:
    # No timestamps: the same figure gives the same file.
    return {"Date": None} if fmt == "svg" else {}
