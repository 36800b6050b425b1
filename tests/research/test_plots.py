"""plot_roc() and plot_pr(): drawn without pyplot; skipped when matplotlib is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from thbscreen.research import ResearchInputError, evaluate, plot_pr, plot_roc, roc

from .conftest import LABELLED, REFER, TINY_PATH, case

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # only once matplotlib is known to be there


def test_roc_and_pr_of_an_evaluation_are_saved(tmp_path: Path) -> None:
    e = evaluate(TINY_PATH, LABELLED, label="victim", positive="refer", bootstrap=0)
    ax = plot_roc(e)
    assert ax.get_xlabel().startswith("1 - specificity")
    # The curve, the diagonal, and one point per band cut-off.
    assert len(ax.lines) == 2 + len(e.cutoffs)
    legend = ax.get_legend()
    assert legend is not None
    assert "AUC 0.750" in legend.get_texts()[0].get_text()
    figure = ax.figure
    assert isinstance(figure, Figure)
    figure.savefig(tmp_path / "roc.png")
    figure = plot_pr(e).figure
    assert isinstance(figure, Figure)
    figure.savefig(tmp_path / "pr.png")
    assert (tmp_path / "roc.png").stat().st_size > 1000
    assert (tmp_path / "pr.png").stat().st_size > 1000


def test_a_bare_curve_on_given_axes() -> None:
    ax = Figure().add_subplot()
    assert plot_roc(roc([0, 1, 0, 1], [0.1, 0.9, 0.3, 0.4]), ax=ax) is ax
    assert len(ax.lines) == 2


def test_no_curve_without_both_classes() -> None:
    e = evaluate(TINY_PATH, [case("a", REFER, victim=True)], label="victim", positive="refer")
    with pytest.raises(ResearchInputError, match="both classes"):
        plot_roc(e)
