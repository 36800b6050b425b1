"""ROC and precision-recall plots with matplotlib (the ``plots`` extra), imported when used."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from ._curves import PrCurve, RocCurve
from ._evaluate import Evaluation
from ._rows import ResearchInputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_pr", "plot_roc"]


def _need_matplotlib() -> None:
    if importlib.util.find_spec("matplotlib") is None:
        raise ImportError("plots need matplotlib; install it with: pip install 'thbscreen[plots]'")


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    # A Figure not tied to pyplot: no global state, no GUI backend needed.
    return Figure(figsize=(4.5, 4.5)).add_subplot()


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
