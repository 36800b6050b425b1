"""html_report() and the --plots/--html options: one self-contained page, nothing fetched."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import click
import pytest
from click.testing import CliRunner, Result

import thbscreen
from thbscreen.cli_research import compare as compare_command
from thbscreen.cli_research import evaluate as evaluate_command
from thbscreen.research import compare, evaluate, html_report

from .conftest import LABELLED, TINY_PATH, case

pytest.importorskip("matplotlib")

SVG_NS = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")


def run(command: click.Command, *args: str) -> Result:
    return CliRunner().invoke(command, list(args))


def write_jsonl(path: Path, rows: list[Any]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def synthetic_rows() -> list[dict[str, Any]]:
    return [{**r, "id": f"synthetic-{r['id']}"} for r in LABELLED]


def assert_self_contained(page: str) -> None:
    lower = page.lower()
    assert "<script" not in lower
    assert "<link" not in lower
    assert "<iframe" not in lower
    assert "@import" not in lower
    assert not re.search(r"""src\s*=\s*["']?\s*(https?:)?//""", lower)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", lower)
    # The only URLs are the SVG namespace names in xmlns attributes.
    for match in re.finditer(r"https?://", page):
        before = page[max(0, match.start() - 20) : match.start()]
        assert re.search(r'xmlns(:\w+)?="$', before), page[match.start() - 60 : match.end() + 40]
    assert set(re.findall(r'xmlns(?::\w+)?="(https?://[^"]*)"', page)) <= set(SVG_NS)


def inline_svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)


def test_an_evaluation_page_has_everything_and_loads_nothing() -> None:
    e = evaluate(TINY_PATH, LABELLED, label="victim", positive="refer", bootstrap=0, by="sex")
    page = html_report(e)
    assert page.startswith("<!DOCTYPE html>")
    assert_self_contained(page)
    assert "SYNTHETIC" not in page
    assert thbscreen.DISCLAIMER in page
    assert "@media print" in page
    assert "Sensitivity" in page
    assert "33.3%" in page
    assert "Wilson" in page or "wilson" in page
    assert "ROC curve (AUC 0.750)" in page
    assert "Precision-recall curve" in page
    assert "Score distribution by label" in page
    assert "<h2>By sex</h2>" in page
    assert "(missing)" in page
    assert "0 row failures" in page
    svgs = inline_svgs(page)
    assert len(svgs) == 3
    for svg in svgs:
        ElementTree.fromstring(svg)  # each figure is well-formed XML


def test_synthetic_data_are_named_in_the_title() -> None:
    e = evaluate(TINY_PATH, synthetic_rows(), label="victim", positive="refer", bootstrap=0)
    page = html_report(e)
    title = re.search(r"<title>(.*?)</title>", page)
    assert title is not None
    assert "SYNTHETIC" in title.group(1)
    assert re.search(r"<h1>[^<]*SYNTHETIC", page)
    assert_self_contained(page)


def test_failures_are_counted_and_one_class_has_no_curves() -> None:
    rows: list[Any] = [case("a", ("threats",), victim=True), case("bad")]
    e = evaluate(TINY_PATH, rows, label="victim", positive="refer", bootstrap=0)
    page = html_report(e)
    assert "1 row failures" in page
    assert "labels need both classes" in page
    assert len(inline_svgs(page)) == 1  # only the score distribution
    assert_self_contained(page)


def test_a_comparison_adds_its_chart_and_pairs() -> None:
    e = evaluate(TINY_PATH, LABELLED, label="victim", positive="refer", bootstrap=0)
    c = compare(
        {"first": TINY_PATH, "second": TINY_PATH},
        LABELLED,
        label="victim",
        positive="refer",
        bootstrap=0,
    )
    page = html_report(e, c)
    assert "Comparison of rule sets" in page
    assert "first vs second" in page
    assert len(inline_svgs(page)) == 4
    assert_self_contained(page)


# -- command line ---------------------------------------------------------------------------


def test_evaluate_writes_plots_and_html(tmp_path: Path) -> None:
    cases = write_jsonl(tmp_path / "cases.jsonl", synthetic_rows())
    figs = tmp_path / "figs"
    page = tmp_path / "report.html"
    result = run(
        evaluate_command, str(TINY_PATH), cases, "--label", "victim", "--positive", "refer",
        "--bootstrap", "0", "--plots", str(figs), "--html", str(page),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in figs.iterdir()) == ["pr.svg", "roc.svg", "scores.svg"]
    for svg in figs.iterdir():
        assert ElementTree.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    text = page.read_text(encoding="utf-8")
    assert "SYNTHETIC" in text
    assert_self_contained(text)
    # Written atomically: no temporary files left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl", "figs", "report.html"]


def test_compare_writes_html_with_the_chart(tmp_path: Path) -> None:
    cases = write_jsonl(tmp_path / "cases.jsonl", LABELLED)
    page = tmp_path / "report.html"
    result = run(
        compare_command, str(TINY_PATH), str(TINY_PATH), cases, "--label", "victim",
        "--positive", "refer", "--bootstrap", "0", "--html", str(page),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert "Comparison of rule sets" in text
    assert "Sensitivity, specificity and PPV per rule set" in text
    assert_self_contained(text)


def test_failed_rows_still_give_a_report_and_exit_1(tmp_path: Path) -> None:
    cases = write_jsonl(tmp_path / "cases.jsonl", [*LABELLED, case("bad")])
    page = tmp_path / "report.html"
    result = run(
        evaluate_command, str(TINY_PATH), cases, "--label", "victim", "--positive", "refer",
        "--bootstrap", "0", "--html", str(page),
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "1 row failures" in page.read_text(encoding="utf-8")


def test_without_matplotlib_the_options_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> Any:
        return None if name.split(".")[0] == "matplotlib" else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    cases = write_jsonl(tmp_path / "cases.jsonl", LABELLED)
    common = ("--label", "victim", "--positive", "refer", "--bootstrap", "0")
    for command, args in (
        (evaluate_command, [str(TINY_PATH), cases, *common, "--plots", str(tmp_path / "f")]),
        (evaluate_command, [str(TINY_PATH), cases, *common, "--html", str(tmp_path / "r.html")]),
        (
            compare_command,
            [str(TINY_PATH), str(TINY_PATH), cases, *common, "--html", str(tmp_path / "r.html")],
        ),
    ):
        result = run(command, *args)
        assert result.exit_code == 2, result.output
        assert "pip install 'thbscreen[plots]'" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl"]
    # Without the options, the commands still work.
    assert run(evaluate_command, str(TINY_PATH), cases, *common).exit_code == 0
