"""The research documentation cannot drift: its commands run, its figures recompute."""

from __future__ import annotations

from pathlib import Path

import pytest

from thbscreen.research import predictive_values

from ..conftest import ROOT
from .doc_runner import matches, run_page, steps

HOWTO = ROOT / "docs" / "howto" / "evaluate-a-rule-set.md"
EXPLANATION = ROOT / "docs" / "explanation" / "predictive-values.md"


def test_the_how_to_runs_and_shows_its_real_output(tmp_path: Path) -> None:
    pytest.importorskip("numpy")
    page = HOWTO.read_text(encoding="utf-8")
    assert sum(1 for kind, _, _ in steps(page) if kind == "run") >= 4
    checks = run_page(page, tmp_path)
    assert len(checks) == 6
    for n, (expected, actual) in enumerate(checks):
        assert matches(expected, actual), f"output block {n} of {HOWTO.name} differs:\n{actual}"


def _pct(value: float | None) -> str:
    assert value is not None
    text = f"{100 * value:.1f}"
    return "100" if text == "100.0" else text


@pytest.mark.parametrize(
    ("row", "sensitivity", "specificity"),
    [
        ("| QYIT |", 0.867, 0.765),
        ("| RAFT (external validation) |", 1.0, 0.61),
        ("| Greenbaum et al. 2018 |", 0.844, 0.575),
        ("| Hurst et al. 2021 |", 0.846, 0.532),
    ],
)
def test_the_prevalence_table_recomputes(row: str, sensitivity: float, specificity: float) -> None:
    cells = []
    for p in (0.01, 0.02, 0.05, 0.10):
        ppv, npv = predictive_values(sensitivity, specificity, p)
        cells.append(f"{_pct(ppv)} / {_pct(npv)}")
    assert row + " " + " | ".join(cells) + " |" in EXPLANATION.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("sensitivity", "specificity", "prevalence", "ppv", "npv"),
    [
        (0.867, 0.765, 0.088, "26.3 %", "98.4 %"),
        (0.844, 0.575, 0.111, "19.9 %", "96.7 %"),
        (0.846, 0.532, 0.123, "20.2 %", "96.1 %"),
    ],
)
def test_the_published_instruments_table_recomputes(
    sensitivity: float, specificity: float, prevalence: float, ppv: str, npv: str
) -> None:
    got = predictive_values(sensitivity, specificity, prevalence)
    assert (f"{_pct(got[0])} %", f"{_pct(got[1])} %") == (ppv, npv)
    assert f"| {ppv} | {npv} |" in EXPLANATION.read_text(encoding="utf-8")


def test_the_pages_are_in_the_site_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in (
        "howto/evaluate-a-rule-set.md",
        "explanation/predictive-values.md",
        "reference/research-api.md",
    ):
        assert page in nav


def test_the_reference_examples_run() -> None:
    import doctest
    import re

    pytest.importorskip("numpy")
    page = (ROOT / "docs" / "reference" / "research-api.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", page, flags=re.S) if ">>>" in b]
    assert len(blocks) == 2
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for n, block in enumerate(blocks):
        runner.run(parser.get_doctest(block, {}, f"research-api-{n}", None, 0))
    assert runner.summarize(verbose=False).failed == 0
