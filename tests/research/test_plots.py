"""plot_roc() and plot_pr(): drawn without pyplot; skipped when matplotlib is missing."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

from thbscreen.research import (
    Comparison,
    Evaluation,
    ResearchInputError,
    compare,
    evaluate,
    plot_comparison,
    plot_pr,
    plot_roc,
    plot_scores,
    roc,
    save_figure,
)

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


# -- score distributions, comparison chart, save_figure ---------------------------------


def _evaluation() -> Evaluation:
    return evaluate(TINY_PATH, LABELLED, label="victim", positive="refer", bootstrap=0)


def _comparison() -> Comparison:
    return compare([TINY_PATH, TINY_PATH], LABELLED, label="victim", positive="refer", bootstrap=0)


def test_score_distributions_are_labelled_by_class() -> None:
    ax = plot_scores(_evaluation())
    legend = ax.get_legend()
    assert legend is not None
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts == ["victim negative (n=4)", "victim positive (n=3)"]
    assert ax.get_xlabel() == "score"
    # One step outline per class, in two different colours.
    assert len(ax.patches) == 2
    assert ax.patches[0].get_edgecolor() != ax.patches[1].get_edgecolor()


def test_comparison_chart_has_a_bar_per_measure_and_rule_set() -> None:
    c = _comparison()
    ax = plot_comparison(c)
    assert len(ax.patches) == 3 * len(c.names)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(c.names)
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["sensitivity", "specificity", "PPV"]
    # Wilson intervals as error bars.
    from matplotlib.container import BarContainer

    bars = [b for b in ax.containers if isinstance(b, BarContainer)]
    assert len(bars) == 3
    assert all(b.errorbar is not None for b in bars)


def test_plots_reject_the_wrong_result() -> None:
    with pytest.raises(ResearchInputError):
        plot_scores(_comparison())  # type: ignore[arg-type]
    with pytest.raises(ResearchInputError):
        plot_comparison(_evaluation())  # type: ignore[arg-type]


def test_save_figure_writes_svg_and_png_atomically(tmp_path: Path) -> None:
    ax = plot_scores(_evaluation())
    svg = save_figure(ax, tmp_path / "scores.svg")
    root = ElementTree.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    png = save_figure(ax.figure, tmp_path / "scores.png")  # type: ignore[arg-type]
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    # No temporary files left beside them.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.png", "scores.svg"]


def test_save_figure_overwrites_and_rejects_other_suffixes(tmp_path: Path) -> None:
    target = tmp_path / "roc.svg"
    target.write_text("old", encoding="utf-8")
    save_figure(plot_roc(_evaluation()), target)
    assert target.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    with pytest.raises(ResearchInputError, match=r"\.png or \.svg"):
        save_figure(plot_roc(_evaluation()), tmp_path / "roc.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roc.svg"]
