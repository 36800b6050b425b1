"""``thbscreen htcds ...`` through click's test runner: exit status, output, files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import thbscreen
from thbscreen.cli_interop import htcds

from ..conftest import ROOT, write

RECORDS = ROOT / "examples" / "htcds" / "records.json"
CSV = ROOT / "examples" / "htcds" / "records.csv"


def run(*args: object) -> Result:
    return CliRunner().invoke(htcds, [str(a) for a in args])


@pytest.mark.parametrize("command", ["mappings", "import", "screen"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"thbscreen htcds {command}" in result.output


def test_mappings_lists_the_bundled_ones() -> None:
    result = run("mappings", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.output)] == [
        "htcds/adult-labour",
        "htcds/child-labour",
        "htcds/forced-labour-11",
    ]
    assert "| `htcds/adult-labour` |" in run("mappings", "--format", "markdown").output


def test_import_reports_unmapped_fields_and_writes_case_files(tmp_path: Path) -> None:
    result = run("import", RECORDS, "--out-dir", tmp_path / "cases")
    assert result.exit_code == 0, result.output
    assert (
        "records.json#2: case (no id): 2 indicators present, 2 values mapped, 3 unmapped"
        in result.output
    )
    assert (
        "unmapped $[1].vic_MethodsOfControl[2] (Other)" not in result.output
    )  # paths are per record
    assert "unmapped $.vic_MethodsOfControl[2] (Other): value not in the mapping" in result.output
    assert "unmapped $.vic_TypeOfLabourExploitation: field not in the mapping" in result.output
    files = sorted((tmp_path / "cases").iterdir())
    assert [f.name for f in files] == ["record-0001.json", "record-0002.json", "record-0003.json"]
    # The case files are ordinary thbscreen case files.
    (cf,) = list(thbscreen.load_cases(files[0]))
    assert cf.rules == "ilo-ec-2009/adult-labour"
    assert len(cf.indicators) == 4


def test_json_and_csv_records_give_the_same_cases() -> None:
    from_json = json.loads(run("import", RECORDS, "--format", "json").output)
    from_csv = json.loads(run("import", CSV, "--format", "json").output)
    assert [r["case"] for r in from_json] == [r["case"] for r in from_csv]
    assert len(from_json) == 3


def test_screen_writes_htcds_style_records_atomically(tmp_path: Path) -> None:
    out = tmp_path / "screened.json"
    result = run("screen", RECORDS, "--from", "labour_inspectorate", "-o", out)
    assert result.exit_code == 0, result.output
    assert thbscreen.DISCLAIMER in result.output
    records = json.loads(out.read_text(encoding="utf-8"))
    original = json.loads(RECORDS.read_text(encoding="utf-8"))
    assert len(records) == 3
    for before, after in zip(original, records, strict=True):
        assert after["vic_MethodsOfControl"] == before["vic_MethodsOfControl"]
        assert after["thbscreen_unmapped"] == {
            k: v for k, v in before.items() if k != "vic_MethodsOfControl"
        }
        assert after["thbscreen"]["referral"]["start"] == "labour_inspectorate"
    assert [p.name for p in tmp_path.iterdir()] == ["screened.json"]  # no temp file left


def test_screen_with_another_mapping_uses_its_rule_set() -> None:
    result = run("screen", CSV, "--mapping", "htcds/forced-labour-11", "--format", "json")
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)[0]["thbscreen"]
    assert first["ruleset"]["id"] == "ilo-2012/forced-labour-11"
    assert first["outcome"] == "strong_indication"


@pytest.mark.parametrize(
    ("text", "name", "fragment"),
    [
        (
            '[{"vic_MethodsOfControl": ["DebtBondage", 3]}]',
            "r.json",
            "r.json:1:43: $[0].vic_MethodsOfControl[1]: expected a value name",
        ),
        (
            "vic_MethodsOfControl: 5\n",
            "r.yaml",
            "r.yaml:1:23: $.vic_MethodsOfControl: expected a value",
        ),
        ("[1, 2]", "r.json", "r.json: $[0]: expected a record"),
        ("a,b\n1,2,3\n", "r.csv", "r.csv:2: $: more cells than column names"),
    ],
)
def test_bad_records_exit_2_with_one_located_message(
    tmp_path: Path, text: str, name: str, fragment: str
) -> None:
    result = run("import", write(tmp_path, name, text))
    assert result.exit_code == 2
    assert fragment in result.output
    assert "Traceback" not in result.output


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert run("import", RECORDS, "--mapping", "htcds/nope").exit_code == 2
    assert run("screen", RECORDS, "--audit-log", tmp_path / "a.jsonl").exit_code == 2
    assert run("screen", RECORDS, "--network", "referral/slovenia").exit_code == 2
    assert run("screen", RECORDS, "--from", "nowhere").exit_code == 2
