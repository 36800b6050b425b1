"""thbscreen lint: one broken rule set per code, the bundled sets clean, the command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

import thbscreen.lint as lint_module
from thbscreen import RuleSetError, load_ruleset
from thbscreen.cli_lint import lint as lint_cmd
from thbscreen.lint import CODES, Finding, lint, lint_path
from thbscreen.loading import bundled_rulesets
from thbscreen.model import Provenance

from ..conftest import ROOT, write

HERE = Path(__file__).parent
CLEAN = HERE / "clean.yaml"
BROKEN = sorted((HERE / "broken").glob("*.yaml"))
ICLS = "ilo-icls-2018/forced-labour-statistical"


def codes(path: str | Path) -> set[str]:
    return {f.code for f in lint_path(path)}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(lint_cmd, list(args))
    return result.exit_code, result.stdout, result.stderr


def variant(tmp_path: Path, name: str, *subs: tuple[str, str]) -> Path:
    """The clean rule set with some text replaced."""
    text = CLEAN.read_text(encoding="utf-8")
    for old, new in subs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return write(tmp_path, name, text)


# -- one file per code ------------------------------------------------------------------------


def test_the_clean_rule_set_lints_clean() -> None:
    assert list(lint_path(CLEAN)) == []


def test_every_code_has_a_broken_file() -> None:
    assert {p.name.split("-")[0] for p in BROKEN} == set(CODES)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_each_broken_file_gives_exactly_its_code(path: Path) -> None:
    findings = list(lint_path(path))
    code = path.name.split("-")[0]
    assert {f.code for f in findings} == {code}
    for f in findings:
        assert f.source == str(path)
        assert f.line is not None
        assert f.column is not None
        assert f.path.startswith("$")
        assert f.hint
        assert f.severity == CODES[code].severity


@pytest.mark.parametrize("name", bundled_rulesets())
def test_bundled_rule_sets_lint_clean(name: str) -> None:
    assert [str(f) for f in lint_path(name)] == []


def test_silencing_comment_is_what_keeps_the_statistical_set_clean(tmp_path: Path) -> None:
    source = (ROOT / "rules" / f"{ICLS}.yaml").read_text(encoding="utf-8")
    assert "# thbscreen: ignore[THB110]" in source
    unmarked = re.sub(r"  # thbscreen: ignore\[THB110\][^\n]*", "", source)
    assert [(f.code, f.message) for f in lint_path(write(tmp_path, "icls.yaml", unmarked))] == [
        ("THB110", "fact 'reference_period' is declared but no expression uses it")
    ]


# -- findings -----------------------------------------------------------------------------------


def test_finding_text_and_dict() -> None:
    (f,) = lint_path(HERE / "broken" / "THB110-unused-fact.yaml")
    assert str(f) == (
        f"{f.source}:7:10: THB110 warning: fact 'age' is declared but no expression uses it "
        f"(hint: {CODES['THB110'].hint})"
    )
    assert f.to_dict() == {
        "code": "THB110",
        "severity": "warning",
        "message": "fact 'age' is declared but no expression uses it",
        "source": f.source,
        "line": 7,
        "column": 10,
        "path": "$.facts[0].id",
        "hint": CODES["THB110"].hint,
    }
    assert str(Finding("THB100", "error", "bad")) == "<input>: THB100 error: bad"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        f.code = "THB999"  # type: ignore[misc]


def test_lint_of_a_loaded_rule_set_finds_the_file_positions() -> None:
    path = HERE / "broken" / "THB161-no-question.yaml"
    rs = load_ruleset(path)
    assert [str(f) for f in lint(rs)] == [str(f) for f in lint_path(path)]
    # Built in code (no file): same finding, without a position.
    (f,) = lint(attrs.evolve(rs, source=None))
    assert (f.code, f.source, f.line, f.path) == ("THB161", rs.id, None, "$.indicators[1].id")


def test_a_rule_set_built_in_code_that_does_not_load_gives_load_findings() -> None:
    rs = load_ruleset(CLEAN)
    broken = attrs.evolve(rs, provenance=Provenance(source="x"), source=None)
    assert [(f.code, f.message) for f in lint(broken)] == [
        ("THB160", "provenance needs a 'confidence'")
    ]


@pytest.mark.parametrize(
    ("subs", "code", "message"),
    [
        ((('when: "a or b"', 'when: "a or (b"'),), "THB100", "expected ')'"),
        (
            (
                (
                    "  - {id: a.two, dimension: a, strength: medium, text: A two, question: A two?}",
                    "  - {id: a.two, dimension: a, strength: medium, text: A two, question: A two?, "
                    "derive: a.three}\n  - {id: a.three, dimension: a, strength: medium, text: t, "
                    "question: q, derive: a.two}",
                ),
            ),
            "THB100",
            "depends on itself",
        ),
        ((("dimension: b, strength: strong", "dimension: c, strength: strong"),), "THB101", "c"),
        ((("provenance: {source: thbscreen tests, confidence: thbscreen}", ""),), "THB160", ""),
        ((("id: lint/clean", "id: Lint Clean"),), "THB100", "lower case"),
        (
            ((": A two?}", ": A two?}\n  - {id: b, dimension: b, weight: 1, text: t}"),),
            "THB103",
            "",
        ),
    ],
)
def test_load_problems_are_classified(
    tmp_path: Path, subs: tuple[tuple[str, str], ...], code: str, message: str
) -> None:
    findings = list(lint_path(variant(tmp_path, "x.yaml", *subs)))
    assert {f.code for f in findings} == {code}
    assert any(message in f.message for f in findings)


def test_unreadable_yaml_is_a_finding(tmp_path: Path) -> None:
    (f,) = lint_path(write(tmp_path, "x.yaml", "id: [unclosed\n"))
    assert (f.code, f.line) == ("THB100", 2)
    assert f.message.startswith("not valid YAML")


def test_an_unknown_name_or_path_raises() -> None:
    with pytest.raises(RuleSetError, match="no bundled rule set"):
        list(lint_path("nope/nothing"))


# -- silencing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment_line", "expected"),
    [
        (
            "  - {id: age, type: int, min: 0, max: 120, text: Age}  # thbscreen: ignore[THB110]",
            set(),
        ),
        ("  - {id: age, type: int, min: 0, max: 120, text: Age}  # thbscreen: ignore", set()),
        (
            "  # thbscreen: ignore[THB161, THB110] recorded only\n  - {id: age, type: int, text: Age}",
            set(),
        ),
        (
            "  - {id: age, type: int, min: 0, max: 120, text: Age}  # thbscreen: ignore[THB161]",
            {"THB110"},
        ),
    ],
)
def test_a_comment_silences_a_finding(
    tmp_path: Path, comment_line: str, expected: set[str]
) -> None:
    path = variant(tmp_path, "x.yaml", ("indicators:\n", f"facts:\n{comment_line}\nindicators:\n"))
    assert codes(path) == expected


# -- checks in more detail ----------------------------------------------------------------------


def test_indicators_of_an_unused_dimension_are_dead_too(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        "x.yaml",
        (
            "dimensions:\n",
            "  - {id: c.one, dimension: c, strength: strong, text: t, question: q}\ndimensions:\n",
        ),
        ("outcomes:", '  - {id: c, title: C, positive: "strong >= 1"}\noutcomes:'),
    )
    findings = {f.code: f for f in lint_path(path)}
    assert set(findings) == {"THB111", "THB120"}
    assert "dimension 'c' is used by no band" in findings["THB120"].message


def test_weight_indicators_count_only_in_present_and_weight(tmp_path: Path) -> None:
    extra = "  - {id: a.w, dimension: a, weight: 2, text: t, question: q}\n  - {id: b.one,"
    path = variant(tmp_path, "x.yaml", ("  - {id: b.one,", extra))
    assert codes(path) == {"THB120"}
    # The score reads every weighted indicator.
    path = variant(
        tmp_path,
        "y.yaml",
        ("  - {id: b.one,", extra),
        ('when: "a or b"', 'when: "a or b or score >= 2"'),
    )
    assert codes(path) == set()


def test_a_derived_indicator_makes_what_it_reads_live(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        "x.yaml",
        (
            "  - {id: b.one,",
            "  - {id: a.three, dimension: a, strength: weak, text: t, question: q}\n  - {id: b.one,",
        ),
        ("text: A two, question: A two?}", "text: A two, question: A two?, derive: a.three}"),
    )
    assert codes(path) == set()


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        (
            '[{id: minor, title: M, when: "a and age < 18"}, {id: child, title: C, when: "a and age < 16"}]',
            "band 'child' can never be the outcome: whenever `a and age < 16` holds, band 'minor' always holds too",
        ),
        (
            '[{id: farm, title: F, when: "a and sector == \\"farm\\""}, {id: farm2, title: F, when: "a and sector in [\\"farm\\"]"}]',
            "band 'farm2' can never be the outcome",
        ),
        (
            '[{id: early, title: E, when: "a and arrived < date(\\"2024-01-01\\")"}, {id: early2, title: E, when: "a and arrived <= date(\\"2023-12-31\\")"}]',
            "band 'early2' can never be the outcome",
        ),
        (
            '[{id: one, title: O, when: "a.one"}, {id: both, title: B, when: "a.one and b.one"}]',
            "band 'both' can never be the outcome: whenever `a.one and b.one` holds, band 'one' always holds too",
        ),
    ],
)
def test_shadowing_is_proven_through_facts_and_indicators(
    tmp_path: Path, bands: str, message: str
) -> None:
    facts = (
        "facts:\n  - {id: age, type: int, min: 0, max: 120}\n  - {id: sector, type: string}\n"
        "  - {id: arrived, type: date}\nindicators:\n"
    )
    text = CLEAN.read_text(encoding="utf-8")
    text = text.replace("indicators:\n", facts, 1)
    text = re.sub(r"  bands:\n(    - .*\n)+", f"  bands: {bands}\n", text)
    text = text[: text.index("tests:")]
    findings = [f for f in lint_path(write(tmp_path, "x.yaml", text)) if f.code == "THB131"]
    assert [f.severity for f in findings] == ["error"]
    assert findings[0].message.startswith(message)


def test_bands_that_are_reachable_through_facts_are_not_reported(tmp_path: Path) -> None:
    text = CLEAN.read_text(encoding="utf-8").replace(
        "indicators:\n", "facts:\n  - {id: rate, type: float}\nindicators:\n", 1
    )
    text = text.replace(
        '    - {id: some, title: Some, when: "a or b"}',
        '    - {id: above, title: A, when: "a and rate > 2.5"}\n'
        '    - {id: exactly, title: E, when: "a and rate >= 2.5 and rate <= 2.5"}\n'
        '    - {id: some, title: Some, when: "a or b"}',
    )
    assert {f.code for f in lint_path(write(tmp_path, "x.yaml", text))} == {"THB170"}


def test_a_fallback_pre_empted_by_an_always_true_band(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        "x.yaml",
        (
            '  - {id: b, title: B, positive: "strong >= 1 or medium >= 1"}',
            '  - {id: b, title: B, positive: "present >= 0"}',
        ),
    )
    messages = {(f.code, f.message) for f in lint_path(path)}
    assert (
        "THB130",
        "the fallback 'none' can never be the outcome: band 'some' always holds",
    ) in messages
    assert {code for code, _ in messages} == {"THB130", "THB141"}


def test_when_the_search_is_too_large_sampling_decides_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lint_module, "_BUDGET_DIMENSIONS", 0)
    monkeypatch.setattr(lint_module, "_BUDGET_CASES", 0)
    assert list(lint_path(CLEAN)) == []  # every outcome turns up in some sampled case
    (f,) = lint_path(HERE / "broken" / "THB131-shadowed-band.yaml")
    assert (f.code, f.severity) == ("THB131", "warning")
    assert "sampled cases" in f.message


@pytest.mark.parametrize(
    ("bands", "weights", "expected"),
    [
        (
            "[{id: a, min: 0, max: 3}, {id: b, min: 2, max: 5}]",
            "{strong: 1, medium: 1}",
            "score band 'b' overlaps 'a' on scores from 2 up to (not including) 3; the earlier band wins there",
        ),
        (
            "[{id: a, min: 0, max: 3}, {id: b, min: 3, max: 4}]",
            "{strong: 1, medium: 1}",
            "score bands leave a gap: a score of 4 falls in no band",
        ),
        (
            "[{id: a, min: 1, max: 3}, {id: b, min: 3}]",
            "{strong: 1, medium: 1}",
            "score bands leave a gap: a score of 0 falls in no band",
        ),
        (
            "[{id: a, min: 0, max: 2.5}, {id: b, min: 2.6}]",
            "{strong: 1.5, medium: 1}",
            "score bands leave a gap: scores from 2.5 to 2.6 (exclusive) fall in no band",
        ),
        ("[{id: a, min: 0, max: 2.5}, {id: b, min: 2.6}]", "{strong: 1, medium: 1}", None),
    ],
)
def test_score_band_gaps_and_overlaps(
    tmp_path: Path, bands: str, weights: str, expected: str | None
) -> None:
    path = variant(
        tmp_path, "x.yaml", ("tests:", f"scoring:\n  weights: {weights}\n  bands: {bands}\ntests:")
    )
    messages = [f.message for f in lint_path(path)]
    assert messages == ([expected] if expected else [])


# -- the command --------------------------------------------------------------------------------


def test_command_exit_status() -> None:
    assert run(str(ROOT / "rules" / "ilo-ec-2009"))[0] == 0
    assert run(str(HERE / "broken" / "THB110-unused-fact.yaml"))[0] == 0  # warnings only
    code, out, _ = run(str(HERE / "broken" / "THB180-score-gap.yaml"))
    assert code == 1
    assert "THB180 error: score bands leave a gap" in out
    assert out.endswith("1 rule set linted: 1 error, 0 warnings, 0 info\n")
    code, out, err = run("nope/nothing")
    assert code == 2
    assert out == ""
    assert err.startswith("thbscreen: ")
    assert "no bundled rule set" in err


def test_command_json_is_a_list_of_findings() -> None:
    code, out, _ = run(str(HERE / "broken"), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert isinstance(data, list)
    assert {d["code"] for d in data} == set(CODES)
    assert all(
        set(d) == {"code", "severity", "message", "source", "line", "column", "path", "hint"}
        for d in data
    )
    code, out, _ = run(str(CLEAN), "--format", "json")
    assert (code, json.loads(out)) == (0, [])


def test_command_markdown_is_a_table() -> None:
    code, out, _ = run(str(HERE / "broken" / "THB160-provenance.yaml"), "--format", "markdown")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "| location | code | severity | message | hint |"
    assert lines[2].startswith("| `")
    assert "| THB160 | error |" in lines[2]
    assert "confirmed\\|secondary" in lines[2]  # pipes escaped
    assert lines[-1] == "1 rule set linted: 1 error, 0 warnings, 0 info"


def test_command_help_has_an_example() -> None:
    code, out, _ = run("--help")
    assert code == 0
    assert "Example:" in out


# -- the documentation --------------------------------------------------------------------------


def test_the_lint_codes_page_lists_every_code_with_real_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = (ROOT / "docs" / "reference" / "lint-codes.md").read_text(encoding="utf-8")
    for code, spec in CODES.items():
        assert re.search(rf"^\| {code} \| {spec.severity}\b", page, re.M), code
    monkeypatch.chdir(ROOT)
    _, out, _ = run("tests/lint/broken/")
    examples = [line for line in page.splitlines() if line.startswith("tests/lint/broken/")]
    assert examples == [line for line in out.splitlines() if line.startswith("tests/lint/")]
    assert "17 rule sets linted: 9 errors, 8 warnings, 0 info" in page
