"""`thbscreen check`: determinism, ranges, monotonicity and declared properties."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import thbscreen
from thbscreen.checking import check_ruleset
from thbscreen.cli_authoring import check

from ..conftest import write
from ..helpers import TINY

DATA = Path(__file__).parent / "data"
SEEDED = str(DATA / "single-indicator-band.yaml")
STRONG = {"conditions.excessive_hours", "coercion.documents_kept"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(check, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_seeded_violation_is_found_and_shrunk_to_one_present_indicator() -> None:
    code, out, _ = run(SEEDED, "--examples", "200", "--seed", "3", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["failed"] == 1
    (failure,) = [r for r in report["results"] if not r["passed"]]
    assert failure["check"] == "property"
    assert failure["name"] == "no single indicator alone reaches refer"
    case = failure["counterexample"]
    # Minimal: exactly one indicator, present, and a strong one (the score clause).
    assert case == {"indicators": dict.fromkeys(case["indicators"], "present")}
    (only,) = case["indicators"]
    assert only in STRONG
    assert "outcome refer" in failure["message"]
    # The counterexample is a case the screener accepts and that reaches the band.
    screener = thbscreen.Screener(thbscreen.load_ruleset(SEEDED))
    assert screener.evaluate(case).outcome == "refer"


def test_the_counterexample_is_printed_as_yaml() -> None:
    code, out, _ = run(SEEDED, "--examples", "200", "--seed", "3")
    assert code == 1
    assert "FAIL  property: no single indicator alone reaches refer (found after" in out
    block = out.split("counterexample:\n", 1)[1]
    lines = [line for line in block.splitlines() if line.startswith("          ")]
    case = yaml.safe_load("\n".join(line[10:] for line in lines))
    assert list(case) == ["indicators"]
    assert list(case["indicators"].values()) == ["present"]
    assert out.rstrip().endswith("4 passed, 1 failed")


def test_markdown_output_fences_the_counterexample() -> None:
    code, out, _ = run(SEEDED, "--examples", "100", "--seed", "3", "--format", "markdown")
    assert code == 1
    assert "### test/single-indicator-band 0.1.0: 4 passed, 1 failed" in out
    assert "- **FAIL** property: no single indicator alone reaches refer" in out
    assert "  ```yaml\n  indicators:\n" in out


def test_a_seed_makes_the_run_reproducible() -> None:
    first = run(SEEDED, "--examples", "50", "--seed", "11", "--format", "json")
    again = run(SEEDED, "--examples", "50", "--seed", "11", "--format", "json")
    assert first == again


@pytest.mark.parametrize(
    "name",
    ["ilo-ec-2009/adult-labour", "ilo-ec-2009/child-labour", "ilo-ec-2009/child-labour-palermo"],
)
def test_the_bundled_ilo_ec_properties_hold(name: str) -> None:
    code, out, err = run(name, "--examples", "60", "--seed", "0", "--format", "json")
    assert code == 0, out + err
    report = json.loads(out)
    checks = {r["check"] for r in report["results"]}
    assert checks == {"determinism", "range", "property", "monotone"}
    assert report["failed"] == 0


def test_a_folder_checks_every_rule_set_in_it() -> None:
    code, out, _ = run("rules/ilo-ec-2009", "--examples", "10", "--seed", "0")
    assert code == 0
    assert out.count(" 0 failed\n") == 4  # three rule sets and the total
    assert "  ok    monotone: more evidence never lowers the outcome or the score" in out


def test_a_monotonicity_violation_names_the_indicator(tmp_path: Path) -> None:
    text = TINY.replace(
        "    - {id: some, title: Some, when: a or b}",
        "    - {id: some, title: Some, when: a or b}\n    - {id: odd, title: Odd, when: not a.two}",
    )
    path = write(tmp_path, "odd.yaml", text + "properties:\n  - {name: mono, monotone: true}\n")
    rs = thbscreen.load_ruleset(path)
    (result,) = [r for r in check_ruleset(rs, examples=200, seed=1) if r.check == "monotone"]
    assert not result.passed
    assert result.indicator == "a.two"
    assert "lowered the outcome from odd to none" in (result.message or "")
    assert result.counterexample is not None
    assert "a.two" not in result.counterexample["indicators"]


def test_properties_over_facts_get_the_facts_they_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "facts.yaml",
        TINY
        + """properties:
  - name: long hours alone never reach high
    cases: {absent: [a]}
    holds: 'not (weekly_hours > 60) or outcome != "high"'
  - name: long hours on a farm make b positive
    cases: {facts: {sector: agriculture}, unknown: [b.hours, b.farm]}
    holds: 'weekly_hours <= 60 or b'
""",
    )
    results = check_ruleset(thbscreen.load_ruleset(path), examples=100, seed=2)
    assert all(r.passed for r in results), [r.to_dict() for r in results if not r.passed]


def test_a_false_property_over_facts_gives_a_case_with_its_facts(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "false.yaml",
        TINY + "properties:\n  - {name: short weeks, holds: 'weekly_hours < 100'}\n",
    )
    (failure,) = [
        r for r in check_ruleset(thbscreen.load_ruleset(path), examples=200, seed=0) if not r.passed
    ]
    assert failure.counterexample == {"facts": {"weekly_hours": 100}, "indicators": {}}


def test_bad_input_exits_2_with_one_message(tmp_path: Path) -> None:
    code, _, err = run("no/such/rules.yaml")
    assert code == 2
    assert err.startswith("thbscreen: ")
    bad = write(tmp_path, "bad.yaml", TINY + "properties:\n  - {name: x, holds: 'outcom'}\n")
    code, _, err = run(str(bad))
    assert code == 2
    assert "unknown name 'outcom' (did you mean 'outcome'?)" in err


def test_no_hypothesis_directory_is_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HYPOTHESIS_STORAGE_DIRECTORY", raising=False)
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(SEEDED, "--examples", "10", "--seed", "1")
    assert code == 1
    assert not (tmp_path / ".hypothesis").exists()


def test_help_shows_an_example() -> None:
    result = CliRunner().invoke(check, ["--help"])
    assert result.exit_code == 0
    assert "Example:\n    thbscreen check rules/ilo-ec-2009" in result.output
