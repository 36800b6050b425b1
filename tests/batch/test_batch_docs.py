"""The batch how-to guide shows what the code does."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

from click.testing import CliRunner

from thbscreen.cli_batch import batch

from ..conftest import ROOT

PAGE = ROOT / "docs" / "howto" / "batch-screening.md"
CASES = """\
id,coercion_at_destination.debt_bondage,coercion_at_destination.confiscation_of_documents,exploitative_conditions_of_work.excessive_working_days_hours,deceptive_recruitment.deceived_wages
2024-0193,present,present,true,
2024-0194,absent,unknown,false,absent
2024-0195,present,yes,,present
"""


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", PAGE.read_text("utf-8"), flags=re.DOTALL)


@pytest.mark.parametrize("number", range(len(blocks("python"))))
def test_the_python_examples_print_what_the_page_says(
    number: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.csv").write_text(CASES, encoding="utf-8")
    code = blocks("python")[number]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(PAGE), "exec"), {})
    text = PAGE.read_text("utf-8")
    shown = text[text.index(code) + len(code) :].split("```text\n", 1)[1].split("```")[0]
    assert out.getvalue() == shown


def test_the_command_examples_print_what_the_page_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.csv").write_text(CASES, encoding="utf-8")
    texts = blocks("text")
    result = CliRunner().invoke(
        batch, ["cases.csv", "--rules", "ilo-ec-2009/adult-labour", "--out", "results.csv"]
    )
    assert result.exit_code == 1
    summary = texts[0].splitlines()
    assert result.stdout.splitlines()[0] == summary[0]
    assert result.stdout.splitlines()[2] == summary[2]
    assert result.stderr.strip() == summary[3]
    rejects = (tmp_path / "results.rejects.csv").read_text("utf-8")
    assert rejects == next(t for t in texts if t.startswith('"row"'))
    (tmp_path / "bad.csv").write_text(
        CASES.replace("deceived_wages", "deceived_about_wages"), encoding="utf-8"
    )
    result = CliRunner().invoke(
        batch, ["bad.csv", "--rules", "ilo-ec-2009/adult-labour", "--out", "results.csv"]
    )
    assert result.exit_code == 2
    shown = next(t for t in texts if "unknown column" in t).replace("cases.csv", "bad.csv")
    assert result.stderr.replace("$.columns[4]", "$.columns[2]") == shown
