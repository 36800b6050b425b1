"""`thbscreen diff`: what changed between two rule sets, and how outcomes move."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import thbscreen
from thbscreen.cli_authoring import diff
from thbscreen.diffing import Change, compare_outcomes, diff_rulesets
from thbscreen.loading import bundled_rules_dir, ruleset_from_text
from thbscreen.testing import _sample_cases

from ..conftest import write
from ..helpers import TINY

ADULT = "ilo-ec-2009/adult-labour"
WAGES = "deceptive_recruitment.deceived_wages"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(diff, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def regraded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """adult-labour with one grade changed: deceived about wages, medium -> strong."""
    text = (bundled_rules_dir() / "ilo-ec-2009" / "adult-labour.yaml").read_text("utf-8")
    old = f"  - id: {WAGES}\n    dimension: deceptive_recruitment\n    strength: medium\n"
    assert text.count(old) == 1
    new = old.replace("medium", "strong")
    return write(tmp_path_factory.mktemp("diff"), "adult-regraded.yaml", text.replace(old, new))


def test_a_changed_grade_is_reported_with_the_share_of_moved_outcomes(regraded: Path) -> None:
    code, out, _ = run(ADULT, str(regraded), "--examples", "2000", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["changes"] == [
        {"kind": "changed", "part": "indicator", "id": WAGES, "field": "strength", "old": "medium", "new": "strong"},
        {"kind": "changed", "part": "indicator", "id": WAGES, "field": "score weight", "old": 3 - 1, "new": 3},
    ]  # fmt: skip
    outcomes = report["outcomes"]
    assert outcomes["source"] == "generated"
    assert outcomes["cases"] == 2000
    moved = sum(t["count"] for t in outcomes["transitions"] if t["old"] != t["new"])
    assert moved == outcomes["changed"]
    assert 0 < outcomes["share"] < 0.1
    assert outcomes["share"] == outcomes["changed"] / 2000
    assert sum(t["count"] for t in outcomes["transitions"]) == 2000
    # A stronger grade can only make outcomes more severe.
    order = ["victim", "indications", "no_indication"]
    assert all(order.index(t["new"]) <= order.index(t["old"]) for t in outcomes["transitions"])

    # The same count, recomputed by hand over the same cases.
    old, new = thbscreen.load_ruleset(ADULT), thbscreen.load_ruleset(regraded)
    s_old, s_new = thbscreen.Screener(old), thbscreen.Screener(new)
    drawn = _sample_cases([old, new], 2000, seed=0)
    by_hand = sum(s_old.evaluate(c).outcome != s_new.evaluate(c).outcome for c in drawn)
    assert by_hand == outcomes["changed"]


def test_text_output_shows_the_change_and_the_transition_table(regraded: Path) -> None:
    code, out, _ = run(ADULT, str(regraded), "--examples", "2000")
    assert code == 0
    assert f"  ~ indicator {WAGES}: strength medium -> strong\n" in out
    assert f"  ~ indicator {WAGES}: score weight 2 -> 3\n" in out
    head = next(line for line in out.splitlines() if line.startswith("Outcomes over"))
    assert head.startswith("Outcomes over 2000 generated cases (seed 0): ")
    assert "changed (" in head
    assert "  indications   -> victim " in out
    assert out.count("  *\n") >= 1  # changed rows are marked


def test_markdown_output_is_a_table(regraded: Path) -> None:
    code, out, _ = run(ADULT, str(regraded), "--examples", "300", "--format", "markdown")
    assert code == 0
    assert f"- `~` indicator {WAGES}: strength medium -> strong" in out
    assert "| old | new | cases | share |" in out
    assert "| `victim` | `victim` |" in out


def test_identical_rule_sets_have_no_changes() -> None:
    code, out, _ = run(ADULT, ADULT, "--examples", "100")
    assert code == 0
    assert "  none\n" in out
    assert "Outcomes over 100 generated cases (seed 0): 0 changed (0.0%)" in out


TINY_CHANGED = (
    TINY.replace("{id: high, title: High, when: a and b}", "{id: high, title: High, when: '(a)  and  (b)'}")
    .replace("{id: some, title: Some, when: a or b}", "{id: some, title: Some, when: a or b or score >= 9}")
    .replace("positive: strong >= 1 and medium + weak >= 1 or medium >= 2}", "positive: strong >= 1 or medium >= 2}")
    .replace("  - {id: a.three, dimension: a, strength: weak, text: A three}\n", "")
    .replace("{id: b.other, dimension: b, strength: medium,", "{id: b.other, dimension: a, strength: medium,")
    .replace("{id: weekly_hours, type: int, min: 0, max: 168}", "{id: weekly_hours, type: int, min: 0, max: 100}")
    .replace("weights: {strong: 3, medium: 2, weak: 1}", "weights: {strong: 4, medium: 2, weak: 1}")
    .replace("    - {id: raised, min: 4}", "    - {id: raised, min: 4, max: 8}\n    - {id: top, min: 8}")
    .replace("version: \"0.1\"", "version: \"0.2\"")
    .replace("determined: true, score: 10}", "determined: true, score: 11}")
)  # fmt: skip


def test_every_kind_of_change_is_listed() -> None:
    old, new = ruleset_from_text(TINY), ruleset_from_text(TINY_CHANGED)
    changes = diff_rulesets(old, new)
    lines = [c.describe() for c in changes]
    assert "~ ruleset: version 0.1 -> 0.2" in lines
    assert "~ fact weekly_hours: max 168 -> 100" in lines
    assert "- indicator a.three (a, weak)" in lines
    assert "~ indicator a.one: score weight 3 -> 4" in lines
    assert "~ indicator b.other: dimension b -> a" in lines
    assert (
        "~ dimension a: positive\n"
        "    - strong >= 1 and medium + weak >= 1 or medium >= 2\n"
        "    + strong >= 1 or medium >= 2"
    ) in lines
    assert "~ band some: when\n    - a or b\n    + a or b or score >= 9" in lines
    assert "~ scoring: weights.strong 3 -> 4" in lines
    assert "~ score_band raised: range 4 to no limit -> 4 to 8" in lines
    assert "+ score_band top (8 to no limit)" in lines
    # Layout and brackets alone are no change.
    assert not [c for c in changes if c.part == "band" and c.id == "high"]
    assert "~ test both dimensions: case or expectation changed" in lines


def test_bands_added_removed_and_reordered() -> None:
    old = ruleset_from_text(TINY)
    new = ruleset_from_text(
        TINY.replace(
            "    - {id: high, title: High, when: a and b}\n    - {id: some, title: Some, when: a or b}",
            "    - {id: some, title: Some, when: a or b}\n    - {id: high, title: High, when: a and b}\n"
            "    - {id: extra, title: Extra, when: a}",
        )
    )
    changes = diff_rulesets(old, new)
    assert Change("added", "band", "extra", new="a") in changes
    assert Change("reordered", "bands", "", "order", ("high", "some"), ("some", "high")) in changes
    assert "~ bands order: [high, some] -> [some, high]" in [c.describe() for c in changes]
    back = diff_rulesets(new, old)
    assert Change("removed", "band", "extra", old="a") in back


def test_properties_changes_are_listed() -> None:
    old = ruleset_from_text(TINY + "properties:\n  - {name: p, holds: 'outcome != \"high\"'}\n")
    new = ruleset_from_text(
        TINY
        + "properties:\n  - {name: p, holds: 'highest != \"high\"'}\n  - {name: m, monotone: true}\n"
    )
    lines = [c.describe() for c in diff_rulesets(old, new)]
    assert '~ property p: holds\n    - outcome != "high"\n    + highest != "high"' in lines
    assert "+ property m (monotone)" in lines


def test_case_files_are_compared_case_by_case(tmp_path: Path) -> None:
    old = write(tmp_path, "old.yaml", TINY)
    new = write(
        tmp_path,
        "new.yaml",
        TINY.replace(
            "{id: high, title: High, when: a and b}", "{id: high, title: High, when: a}"
        ).replace(
            "  - {id: b.other,",
            "  - {id: b.new, dimension: b, strength: weak, text: New}\n  - {id: b.other,",
        ),
    )
    cases = write(
        tmp_path,
        "cases.yaml",
        """\
- id: moves
  facts: {}
  indicators: {a.one: present, a.two: present}
- id: stays
  indicators: {a.one: absent, b.new: present}
- indicators: {b.other: present}
""",
    )
    code, out, _ = run(str(old), str(new), "--cases", str(cases), "--format", "json")
    assert code == 0
    outcomes = json.loads(out)["outcomes"]
    assert outcomes["source"] == "files"
    assert outcomes["seed"] is None
    assert outcomes["cases"] == 3
    assert outcomes["changed"] == 1
    assert outcomes["changed_cases"] == [f"{cases}: moves"]
    assert {"old": "some", "new": "high", "count": 1, "share": 1 / 3} in outcomes["transitions"]
    assert outcomes["adapted"] == 1  # the old version does not know b.new

    code, out, _ = run(str(old), str(new), "--cases", str(cases))
    assert "Outcomes over 3 cases from files: 1 changed (33.3%)" in out
    assert f"  outcome changed: {cases}: moves" in out
    assert "1 cases gave an indicator or fact that one version does not declare" in out


def test_compare_outcomes_leaves_out_what_a_version_refuses() -> None:
    old = ruleset_from_text(TINY)
    new = ruleset_from_text(TINY.replace("max: 168}", "max: 100}"))
    result = compare_outcomes(old, new, [("c", {"facts": {"weekly_hours": 150}, "indicators": {}})])
    assert result.adapted == 1
    assert result.cases == 1


def test_bad_input_exits_2() -> None:
    code, _, err = run(ADULT, "no/such/file.yaml")
    assert code == 2
    assert err.startswith("thbscreen: ")
    assert "no file at this path" in err


def test_the_same_seed_gives_the_same_report(regraded: Path) -> None:
    assert run(ADULT, str(regraded), "--examples", "200", "--seed", "5") == run(
        ADULT, str(regraded), "--examples", "200", "--seed", "5"
    )
