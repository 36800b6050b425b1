"""`thbscreen test --coverage`: what the embedded examples exercise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import thbscreen
from thbscreen.cli import main
from thbscreen.testing_examples import coverage

from ..conftest import write
from ..helpers import TINY


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write(tmp_path, "tiny.yaml", TINY)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["test", *args])
    return result.exit_code, result.stdout


def test_coverage_counts_indicators_patterns_and_bands(tiny: Path) -> None:
    c = coverage(thbscreen.load_ruleset(tiny))
    # The one example: a.one and a.two observed, b.hours and b.farm derived from the facts.
    assert c.indicators == (("a.one", "a.two", "b.hours", "b.farm"), ("a.three", "b.other"))
    assert c.patterns == (
        ("a: strong >= 1 and medium + weak >= 1", "b: strong >= 1 and medium >= 1"),
        ("a: medium >= 2", "b: medium >= 2"),
    )
    assert c.bands == (("high",), ("some", "none"))
    assert (c.covered, c.total, c.examples) == (7, 13, 1)
    assert c.percent == pytest.approx(100 * 7 / 13)


def test_text_report(tiny: Path) -> None:
    code, out = run(str(tiny), "--coverage")
    assert code == 0
    assert (
        "coverage test/tiny: 53.8% (indicators 4/6, dimension patterns 2/4, bands 1/3)\n"
        "  indicators never present (2): a.three; b.other\n"
        "  dimension patterns never the first to hold (2): a: medium >= 2; b: medium >= 2\n"
        "  bands never reached (2): some; none\n"
    ) in out


def test_json_report(tiny: Path) -> None:
    code, out = run(str(tiny), "--coverage", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["passed"] == 1
    assert report["coverage"] == [
        {
            "ruleset": "test/tiny",
            "examples": 1,
            "percent": 53.8,
            "indicators": {"covered": 4, "total": 6, "missing": ["a.three", "b.other"]},
            "dimension_patterns": {
                "covered": 2,
                "total": 4,
                "missing": ["a: medium >= 2", "b: medium >= 2"],
            },
            "bands": {"covered": 1, "total": 3, "missing": ["some", "none"]},
        }
    ]
    assert report["below_min_coverage"] == []


def test_min_coverage_fails_below_the_threshold(tiny: Path) -> None:
    code, out = run(str(tiny), "--min-coverage", "60")
    assert code == 1
    assert "coverage of test/tiny is 53.8%, below --min-coverage 60%" in out
    code, out = run(str(tiny), "--min-coverage", "50", "--format", "json")
    assert code == 0
    assert json.loads(out)["min_coverage"] == 50
    code, out = run(str(tiny), "--min-coverage", "99", "--format", "json")
    assert code == 1
    assert json.loads(out)["below_min_coverage"] == ["test/tiny"]


def test_bundled_rule_sets_report_their_coverage() -> None:
    code, out = run("rules/", "--coverage", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert len(report["coverage"]) == len(thbscreen.bundled_rulesets())
    for entry in report["coverage"]:
        assert entry["bands"]["missing"] == []  # every bundled band is reached by an example


def test_without_coverage_the_json_form_is_unchanged(tiny: Path) -> None:
    code, out = run(str(tiny), "--format", "json")
    assert code == 0
    assert set(json.loads(out)) == {"passed", "failed", "results"}


def test_markdown_report(tiny: Path) -> None:
    code, out = run(str(tiny), "--coverage", "--format", "markdown")
    assert code == 0
    assert (
        "**coverage test/tiny: 53.8% (indicators 4/6, dimension patterns 2/4, bands 1/3)**" in out
    )
    assert "- indicators never present (2): `a.three`, `b.other`" in out


def test_a_refused_example_counts_for_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", TINY.replace("weekly_hours: 70", "weekly_hours: 700"))
    c = coverage(thbscreen.load_ruleset(path))
    assert c.examples == 0
    assert c.covered == 0
