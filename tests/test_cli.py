from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from thbscreen._schema import audit_schema, case_schema, network_schema, ruleset_schema
from thbscreen.cli import main

from .conftest import ROOT, write
from .helpers import TINY

FARM = str(ROOT / "examples" / "cases" / "adult" / "seasonal-farm-worker.yaml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_screen_text_explains_and_disclaims() -> None:
    code, out, _ = run("screen", FARM)
    assert code == 0
    assert "Outcome: victim" in out
    assert "never replaces" in out
    assert "[+] Coercion at destination: positive" in out


def test_screen_json_is_the_assessment_form() -> None:
    code, out, _ = run("screen", FARM, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["format"] == "thbscreen-assessment/1"
    assert data["case_id"] == "seasonal-farm-worker"


def test_screen_markdown_and_several_cases() -> None:
    child = str(ROOT / "examples" / "cases" / "child" / "forced-marriage-minor.yaml")
    code, out, _ = run("screen", FARM, child, "--format", "markdown")
    assert code == 0
    assert out.count("### Screening of case") == 2
    code, out, _ = run("screen", FARM, child, "--format", "json")
    data = json.loads(out)
    assert [d["ruleset"]["id"] for d in data] == [
        "ilo-ec-2009/adult-labour",
        "ilo-ec-2009/child-labour",
    ]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("screen", "missing.yaml"), "missing.yaml: $: cannot read file"),
        (("screen", FARM, "--rules", "nope"), "no bundled rule set of this name"),
        (("test", "nope/x"), "no bundled rule set"),
        (("screen", FARM, "--format", "xml"), "Invalid value for '--format'"),
    ],
)
def test_bad_input_exits_2_with_one_message(args: tuple[str, ...], fragment: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert fragment in err
    assert "Traceback" not in err + out


def test_bad_case_file_names_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path, "c.yaml", "id: x\nindicators:\n  coercion_at_destination.debt_bondage: maybe\n"
    )
    code, _, err = run("screen", str(path))
    assert code == 2
    assert (
        f"{path}:3:41: $.indicators['coercion_at_destination.debt_bondage']" in err
        or f"{path}:3:41:" in err
    )


def test_bad_observation_in_a_case_exits_2(tmp_path: Path) -> None:
    path = write(
        tmp_path, "c.yaml", "id: x\nindicators:\n  coercion_at_destination.debt_bondge: present\n"
    )
    code, _, err = run("screen", str(path))
    assert code == 2
    assert "did you mean 'coercion_at_destination.debt_bondage'" in err


def test_test_command_passes_bundled_and_fails_with_a_diff(tmp_path: Path) -> None:
    code, out, _ = run("test", str(ROOT / "rules"))
    assert code == 0
    assert " 0 failed" in out
    bad = write(
        tmp_path, "bad.yaml", TINY.replace("expect: {outcome: high,", "expect: {outcome: some,")
    )
    code, out, _ = run("test", str(bad))
    assert code == 1
    assert "FAIL test/tiny: both dimensions" in out
    assert "- expected: some" in out
    assert "+ actual:   high" in out
    code, out, _ = run("test", str(bad), "--format", "json")
    assert code == 1
    assert json.loads(out)["failed"] == 1


def test_rules_lists_bundled_rule_sets() -> None:
    code, out, _ = run("rules", "--format", "json")
    assert code == 0
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["ilo-ec-2009/adult-labour"]["indicators"] == 67
    assert rows["ilo-ec-2009/adult-labour"]["confidence"] == "secondary"
    code, out, _ = run("rules", "--format", "markdown")
    assert "| `ilo-ec-2009/adult-labour` |" in out


def test_committed_schemas_are_up_to_date() -> None:
    for name, doc in (
        ("ruleset", ruleset_schema()),
        ("case", case_schema()),
        ("network", network_schema()),
        ("audit-record", audit_schema()),
    ):
        committed = json.loads((ROOT / "rules" / "schema" / f"{name}.schema.json").read_text())
        assert committed == doc, f"run `make schema` to refresh rules/schema/{name}.schema.json"


def test_schema_validates_bundled_files_and_rejects_typos() -> None:
    import jsonschema
    import yaml

    validator = jsonschema.Draft202012Validator(ruleset_schema())
    networks = jsonschema.Draft202012Validator(network_schema())
    for path in (ROOT / "rules").rglob("*.yaml"):
        if "interop" in path.parts:
            continue  # mappings have their own schema and test
        (networks if "referral" in path.parts else validator).validate(
            yaml.safe_load(path.read_text())
        )
    broken = yaml.safe_load(TINY)
    broken["indicators"][0]["strenght"] = "strong"
    assert list(validator.iter_errors(broken))
    cases = jsonschema.Draft202012Validator(case_schema())
    for path in (ROOT / "examples" / "cases").rglob("*.yaml"):
        cases.validate(yaml.safe_load(path.read_text()))


def test_schema_writes_atomically(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    code, _, _ = run("schema", "--kind", "case", "--out", str(out))
    assert code == 0
    assert json.loads(out.read_text())["title"] == "thbscreen case"
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


@pytest.mark.parametrize(
    "command",
    [
        "screen",
        "refer",
        "test",
        "schema",
        "rules",
        "lint",
        "check",
        "diff",
        "network",
        "synth",
        "evaluate",
        "compare",
        "batch",
    ],
)
def test_every_command_has_help_with_an_example(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert "Example" in out
