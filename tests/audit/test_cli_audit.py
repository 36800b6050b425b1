"""``thbscreen audit ...`` and ``htcds screen --audit-log``: write, then verify a re-run."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from thbscreen.audit import load_salt, read_log
from thbscreen.cli_interop import audit, htcds

from ..conftest import ROOT, write

RECORDS = ROOT / "examples" / "htcds" / "records.json"
FARM = ROOT / "examples" / "cases" / "adult" / "seasonal-farm-worker.yaml"


def run(group: object, *args: object) -> Result:
    return CliRunner().invoke(group, [str(a) for a in args])  # type: ignore[arg-type]


@pytest.mark.parametrize("command", ["new-salt", "verify"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(audit, command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"thbscreen audit {command}" in result.output


def test_new_salt_writes_a_private_random_salt_once(tmp_path: Path) -> None:
    path = tmp_path / "audit.salt"
    assert run(audit, "new-salt", path).exit_code == 0
    salt = load_salt(path)
    assert len(salt) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert run(audit, "new-salt", path).exit_code == 2  # never replaced by accident
    assert load_salt(path) == salt
    assert run(audit, "new-salt", path, "--force").exit_code == 0
    assert load_salt(path) != salt


@pytest.fixture
def logged(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An audit log written by `htcds screen`, the salt, and the imported case files."""
    salt = tmp_path / "audit.salt"
    run(audit, "new-salt", salt)
    log = tmp_path / "audit.jsonl"
    result = run(
        htcds, "screen", RECORDS, "--audit-log", log, "--salt-file", salt,
        "--user", "w-17", "--timestamp", "2024-05-01T10:00:00Z", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    cases = tmp_path / "cases"
    assert run(htcds, "import", RECORDS, "--out-dir", cases).exit_code == 0
    return log, salt, cases


def test_screen_writes_one_record_per_assessment(logged: tuple[Path, Path, Path]) -> None:
    log, _, _ = logged
    records = list(read_log(log))
    assert len(records) == 3
    assert {r.user for r in records} == {"w-17"}
    assert {r.timestamp for r in records} == {"2024-05-01T10:00:00Z"}
    assert "DebtBondage" not in log.read_text(encoding="utf-8")


def test_verify_matches_a_rerun_of_the_same_cases(logged: tuple[Path, Path, Path]) -> None:
    log, salt, cases = logged
    args = [a for f in sorted(cases.iterdir()) for a in ("--cases", f)]
    result = run(audit, "verify", log, "--salt-file", salt, *args)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "3 of 3 records match"
    payload = json.loads(
        run(audit, "verify", log, "--salt-file", salt, *args, "--format", "json").output
    )
    assert [r["status"] for r in payload["records"]] == ["matches"] * 3


def test_verify_exits_1_on_a_changed_record_or_a_missing_case(
    logged: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    log, salt, cases = logged
    lines = log.read_text(encoding="utf-8").splitlines()
    tampered = json.loads(lines[0])
    tampered["outcome"] = "victim"
    log.write_text("\n".join([json.dumps(tampered), *lines[1:]]) + "\n", encoding="utf-8")
    only_two = sorted(cases.iterdir())[:2]
    args = [a for f in only_two for a in ("--cases", f)]
    result = run(audit, "verify", log, "--salt-file", salt, *args)
    assert result.exit_code == 1
    out = result.output.splitlines()
    assert out[0].endswith("record 1: differs (outcome)")
    assert out[2].endswith("record 3: no case")
    assert out[-1] == "1 of 3 records match"
    md = run(audit, "verify", log, "--salt-file", salt, *args, "--format", "markdown")
    assert md.exit_code == 1
    assert "| 1 | 2024-05-01T10:00:00Z | differs | outcome |" in md.output


def test_verify_with_another_salt_finds_no_case(
    logged: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    log, _, cases = logged
    other = write(tmp_path, "other.salt", "another-salt-of-enough-bytes\n")
    args = [a for f in sorted(cases.iterdir()) for a in ("--cases", f)]
    result = run(audit, "verify", log, "--salt-file", other, *args)
    assert result.exit_code == 1
    assert result.output.count("no case") == 3


def test_verify_a_bad_log_exits_2_naming_the_line(tmp_path: Path) -> None:
    salt = write(tmp_path, "s", "a-salt-of-enough-bytes\n")
    log = write(tmp_path, "a.jsonl", "{not json}\n")
    result = run(audit, "verify", log, "--salt-file", salt, "--cases", FARM)
    assert result.exit_code == 2
    assert "a.jsonl:1:2: $: not valid JSON" in result.output


def test_screen_and_the_pipe_write_audit_records_that_verify(tmp_path: Path) -> None:
    import subprocess
    import sys

    from thbscreen.cli import main

    salt = tmp_path / "audit.salt"
    run(audit, "new-salt", salt)
    log = tmp_path / "audit.jsonl"
    common = ["--audit-log", log, "--salt-file", salt, "--user", "w-3"]
    result = run(main, "screen", FARM, *common, "--timestamp", "2024-05-02T09:00:00Z")
    assert result.exit_code == 0, result.output
    case = {"id": "p1", "indicators": {"coercion_at_destination.debt_bondage": "present"}}
    piped = subprocess.run(
        [sys.executable, "-m", "thbscreen", "screen", "-", *map(str, common)],
        input=json.dumps(case) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(piped.stdout)["line"] == 1
    records = list(read_log(log))
    assert [r.user for r in records] == ["w-3", "w-3"]
    assert records[0].timestamp == "2024-05-02T09:00:00Z"
    assert records[1].timestamp != records[0].timestamp  # the clock, read by the command
    assert "debt_bondage" not in log.read_text(encoding="utf-8")
    import jsonschema

    from thbscreen._schema import audit_schema

    validator = jsonschema.Draft202012Validator(audit_schema())
    for line in log.read_text(encoding="utf-8").splitlines():
        assert not list(validator.iter_errors(json.loads(line)))
    piped_case = write(tmp_path, "p1.json", json.dumps(case))
    verified = run(
        audit, "verify", log, "--salt-file", salt, "--cases", FARM, "--cases", piped_case
    )
    assert verified.exit_code == 0, verified.output
    assert verified.output.splitlines()[-1] == "2 of 2 records match"


def test_audit_options_need_each_other() -> None:
    from thbscreen.cli import main

    assert run(main, "screen", FARM, "--audit-log", "x.jsonl").exit_code == 2
    assert run(main, "screen", FARM, "--user", "w-1").exit_code == 2
