"""``thbscreen synth``, ``evaluate`` and ``compare`` through click's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from thbscreen.cli_research import compare, evaluate, synth

from .conftest import LABELLED, TINY_PATH, case

pytest.importorskip("numpy")

ADULT = "ilo-ec-2009/adult-labour"


def run(command: click.Command, *args: str) -> Result:
    return CliRunner().invoke(command, list(args))


def write_jsonl(path: Path, rows: list[object]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("synth") / "cases.jsonl"
    result = run(
        synth, ADULT, "-n", "400", "--prevalence", "0.1", "--seed", "1",
        "--group", "sex=female,male", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return str(out)


@pytest.mark.parametrize(
    ("command", "name"), [(synth, "synth"), (evaluate, "evaluate"), (compare, "compare")]
)
def test_help_has_an_example(command: click.Command, name: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"thbscreen {name} " in result.output


# -- synth -------------------------------------------------------------------------------


def test_synth_writes_synthetic_json_lines(population: str, tmp_path: Path) -> None:
    rows = [json.loads(line) for line in Path(population).read_text().splitlines()]
    assert len(rows) == 400
    assert sum(r["victim"] for r in rows) == 40
    assert all(r["id"].startswith("synthetic-") and r["synthetic"] is True for r in rows)
    assert {r["sex"] for r in rows} == {"female", "male"}
    # The same arguments give the same file.
    again = tmp_path / "again.jsonl"
    result = run(
        synth, ADULT, "-n", "400", "--prevalence", "0.1", "--seed", "1",
        "--group", "sex=female,male", "--out", str(again),
    )  # fmt: skip
    assert again.read_bytes() == Path(population).read_bytes()
    assert "wrote 400 cases (40 labelled victim)" in result.output
    assert "SYNTHETIC data made up by thbscreen, not real cases" in result.output
    assert list(tmp_path.iterdir()) == [again]  # no temporary file left behind


def test_synth_to_stdout_keeps_the_notice_on_stderr(tmp_path: Path) -> None:
    params = tmp_path / "p.json"
    result = run(
        synth, "ilo-2012/forced-labour-11", "-n", "3", "--prevalence", "0.5",
        "--parameters", str(params),
    )  # fmt: skip
    assert result.exit_code == 0
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [
        "synthetic-1",
        "synthetic-2",
        "synthetic-3",
    ]
    assert "SYNTHETIC" in result.stderr
    assert json.loads(params.read_text())["synthetic"] is True


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("nope/rules", "-n", "3", "--prevalence", "0.1"), "no bundled rule set"),
        ((ADULT, "-n", "3", "--prevalence", "2"), "--prevalence"),
        ((ADULT, "-n", "3", "--prevalence", "0.1", "--group", "sex"), "NAME=VALUE"),
        ((ADULT, "-n", "3", "--prevalence", "0.1", "--victim-rate", "0.5", "0.1"), "low <= high"),
        ((ADULT, "-n", "3", "--prevalence", "0.1", "--label", "id"), "cannot be named"),
    ],
)
def test_synth_bad_input_exits_2(args: tuple[str, ...], fragment: str) -> None:
    result = run(synth, *args)
    assert result.exit_code == 2
    assert fragment in result.output + result.stderr
    assert "Traceback" not in result.output


# -- evaluate ----------------------------------------------------------------------------


def test_evaluate_text_report(population: str) -> None:
    result = run(
        evaluate, ADULT, population, "--label", "victim", "--positive", "victim",
        "--by", "sex", "--prevalence", "0.02", "--bootstrap", "300",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Evaluation of ilo-ec-2009/adult-labour")
    assert "NOTE: all 400 rows are SYNTHETIC" in out
    assert "At a stated prevalence of 2.0%" in out
    assert "By sex" in out
    assert "Rows: 400 given, 400 screened, 0 failed." in out


def test_evaluate_json_and_markdown(population: str, tmp_path: Path) -> None:
    result = run(
        evaluate, ADULT, population, "--label", "victim", "--positive", "victim,indications",
        "--format", "json", "--rows", "--bootstrap", "0",
    )  # fmt: skip
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["positive"] == ["victim", "indications"]
    assert data["synthetic"] == 400
    assert len(data["results"]) == 400
    out = tmp_path / "report.md"
    result = run(
        evaluate, ADULT, population, "--label", "victim", "--positive", "victim",
        "--format", "markdown", "--out", str(out), "--bootstrap", "0",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.output == ""
    assert out.read_text().startswith("## Evaluation of ilo-ec-2009/adult-labour")


def test_evaluate_failed_rows_exit_1_with_lines(tmp_path: Path) -> None:
    rows: list[object] = [*LABELLED, case("nolabel")]
    path = tmp_path / "c.jsonl"
    text = "".join(json.dumps(r) + "\n" for r in rows) + "\n{broken\n"
    path.write_text(text, encoding="utf-8")
    result = run(evaluate, str(TINY_PATH), str(path), "--label", "victim", "--positive", "refer")
    assert result.exit_code == 1
    assert "Rows: 9 given, 7 screened, 2 failed (listed below)." in result.output
    assert "line 8: no label: the row has no field 'victim'" in result.output
    assert "line 10: invalid JSON" in result.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--positive", "victm"), "has no outcome band 'victm' (did you mean 'victim'?)"),
        (("--positive", "victim", "--prevalence", "0"), "--prevalence"),
        (("--positive", "victim", "--use", "best"), "--use"),
    ],
)
def test_evaluate_bad_options_exit_2(population: str, args: tuple[str, ...], fragment: str) -> None:
    result = run(evaluate, ADULT, population, "--label", "victim", *args)
    assert result.exit_code == 2
    assert fragment in result.output + result.stderr
    assert "Traceback" not in result.output


def test_evaluate_bad_files_exit_2(tmp_path: Path) -> None:
    result = run(
        evaluate, ADULT, str(tmp_path / "missing.jsonl"), "--label", "v", "--positive", "victim"
    )
    assert result.exit_code == 2
    assert "missing.jsonl: $: cannot read file" in result.stderr
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    result = run(evaluate, ADULT, str(empty), "--label", "v", "--positive", "victim")
    assert result.exit_code == 2
    assert "no rows" in result.output + result.stderr


# -- compare -----------------------------------------------------------------------------


def test_compare_variants_on_synthetic_data(tmp_path: Path) -> None:
    cases = tmp_path / "child.jsonl"
    made = run(
        synth, "ilo-ec-2009/child-labour-palermo", "-n", "1000", "--prevalence", "0.1",
        "--seed", "2", "--out", str(cases),
    )  # fmt: skip
    assert made.exit_code == 0
    result = run(
        compare, "ilo-ec-2009/child-labour", "ilo-ec-2009/child-labour-palermo", str(cases),
        "--label", "victim", "--positive", "victim", "--ignore-undeclared", "--bootstrap", "0",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    pair = data["pairs"][0]
    # The Palermo variant accepts the act alone as the first element: it only adds positives.
    assert pair["a_only"] == 0
    assert pair["b_only"] > 0
    assert len(data["disagreements"]) == pair["b_only"]
    strict = run(
        compare, "ilo-ec-2009/child-labour", "ilo-ec-2009/child-labour-palermo", str(cases),
        "--label", "victim", "--positive", "victim",
    )  # fmt: skip
    assert strict.exit_code == 1
    assert "unknown indicator 'act.recruited_transported_harboured_or_received'" in strict.output


def test_compare_text_and_usage_errors(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", list(LABELLED))
    result = run(
        compare, str(TINY_PATH), str(TINY_PATH), path, "--label", "victim", "--positive", "refer"
    )
    assert result.exit_code == 0
    assert "The rule sets give the same screen result on every row." in result.output
    result = run(compare, str(TINY_PATH), path, "--label", "victim", "--positive", "refer")
    assert result.exit_code == 2
    assert "at least two rule sets" in result.output + result.stderr


def test_without_numpy_the_commands_name_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import importlib.util

    real = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> object:
        return None if name == "numpy" else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    result = run(synth, ADULT, "-n", "3", "--prevalence", "0.1")
    assert result.exit_code == 2
    assert "synthesize needs NumPy" in result.stderr
    assert "pip install 'thbscreen[research]'" in result.stderr
    path = write_jsonl(tmp_path / "c.jsonl", list(LABELLED))
    args = (str(TINY_PATH), path, "--label", "victim", "--positive", "refer")
    result = run(evaluate, *args)
    assert result.exit_code == 2
    assert "a bootstrap interval needs NumPy" in result.stderr
    assert run(evaluate, *args, "--bootstrap", "0").exit_code == 0


def test_a_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    from thbscreen import cli_research

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    rows = list(range(500))
    with cli_research._progress(rows, "screening") as plain:
        assert plain is rows
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with cli_research._progress(rows, "screening") as bar:
        assert list(bar) == rows
    assert "screening" in terminal.getvalue()
    with cli_research._progress(rows[:10], "screening") as few:
        assert few == rows[:10]
