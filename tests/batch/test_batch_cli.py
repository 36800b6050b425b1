"""``thbscreen batch`` on the command line: exit codes, summaries, and interrupted runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

from click.testing import CliRunner  # noqa: E402

import thbscreen  # noqa: E402
from thbscreen.cli_batch import batch  # noqa: E402

from ._data import expected, random_rows, read_output, write_rows  # noqa: E402

ADULT_NAME = "ilo-ec-2009/adult-labour"
ADULT = thbscreen.load_ruleset(ADULT_NAME)
COLUMNS = ["id", *(i.id for i in ADULT.indicators)]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(batch, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    rows = random_rows(ADULT, 40, seed=1)
    rows[5][ADULT.indicators[3].id] = "perhaps"
    return write_rows(tmp_path / "cases.csv", rows, COLUMNS)


def test_rejects_make_the_run_fail_unless_allowed(tmp_path: Path, cases: Path) -> None:
    out = tmp_path / "out.parquet"
    code, stdout, stderr = run(str(cases), "--rules", ADULT_NAME, "--out", str(out))
    assert code == 1
    assert (
        f"read 40 rows: 39 written to {out}, 1 rejected to {tmp_path / 'out.rejects.parquet'}"
        in stdout
    )
    assert "1 row rejected" in stderr
    assert "--allow-rejects" in stderr
    assert out.is_file()
    [rej] = read_output(tmp_path / "out.rejects.parquet")
    assert rej["row"] == 6
    assert rej["column"] == ADULT.indicators[3].id
    code, stdout, _ = run(
        str(cases), "--rules", ADULT_NAME, "--out", str(out), "--allow-rejects", "--format", "json"
    )
    assert code == 0
    summary = json.loads(stdout)
    assert (summary["read"], summary["written"], summary["rejected"]) == (40, 39, 1)
    assert summary["ok"] is True


def test_a_clean_file_exits_0_and_matches_screener_evaluate(tmp_path: Path) -> None:
    rows = random_rows(ADULT, 30, seed=9)
    inp = write_rows(tmp_path / "cases.jsonl", rows, COLUMNS)
    out = tmp_path / "out.csv"
    rej = tmp_path / "elsewhere.csv"
    code, _, stderr = run(
        str(inp),
        "--rules",
        ADULT_NAME,
        "--out",
        str(out),
        "--rejects",
        str(rej),
        "--batch-size",
        "7",
    )
    assert code == 0, stderr
    assert stderr == ""  # no progress bar when stdout is not a terminal
    screener = thbscreen.Screener(ADULT)
    assert read_output(out) == [expected(screener, r, i + 1) for i, r in enumerate(rows)]
    assert read_output(rej) == []


def test_whole_file_problems_exit_2_and_write_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,not_an_indicator\nx,present\n", encoding="utf-8")
    code, _, stderr = run(str(bad), "--rules", ADULT_NAME, "--out", str(tmp_path / "o.csv"))
    assert code == 2
    assert "unknown column 'not_an_indicator'" in stderr
    assert "Traceback" not in stderr
    code, _, stderr = run(str(bad), "--rules", "no/such-rules", "--out", str(tmp_path / "o.csv"))
    assert code == 2
    code, _, stderr = run(
        str(tmp_path / "missing.csv"), "--rules", ADULT_NAME, "--out", str(tmp_path / "o.csv")
    )
    assert code == 2
    assert "no such file" in stderr
    code, _, stderr = run(str(bad), "--rules", ADULT_NAME, "--out", str(tmp_path / "o.txt"))
    assert code == 2
    assert "suffix '.txt'" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]
    code, _, stderr = run(
        str(bad), "--rules", ADULT_NAME, "--out", str(tmp_path / "o.csv"),
        "--ignore-column", "not_an_indicator",
    )  # fmt: skip
    assert code == 0, stderr


def test_help_names_every_option() -> None:
    code, stdout, _ = run("--help")
    assert code == 0
    for option in ("--rules", "--out", "--rejects", "--allow-rejects", "--resume", "--format",
                   "--batch-size", "--lists", "--ignore-column", "--dask"):  # fmt: skip
        assert option in stdout


def _big_input(path: Path, rows: int) -> Path:
    rng = np.random.default_rng(0)
    words = pa.array(["absent", "present", "unknown"])
    cols = {
        ind.id: pa.DictionaryArray.from_arrays(
            pa.array(rng.integers(0, 3, rows).astype(np.int8)), words
        )
        for ind in ADULT.indicators
    }
    import pyarrow.parquet as pq

    pq.write_table(pa.table(cols), path, row_group_size=5_000)
    return path


def _start(tmp_path: Path, inp: Path, out: Path) -> subprocess.Popen[bytes]:
    code = "from thbscreen.cli_batch import batch; batch()"
    args = [str(inp), "--rules", ADULT_NAME, "--out", str(out), "--batch-size", "5000"]
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for_temp_files(folder: Path, proc: subprocess.Popen[bytes]) -> list[Path]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        temps = [p for p in folder.iterdir() if p.name.endswith(".tmp") and p.stat().st_size > 0]
        if len(temps) >= 1 or proc.poll() is not None:
            return temps
        time.sleep(0.05)
    raise AssertionError("the run never started writing")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_run_leaves_no_output_file(tmp_path: Path, sig: signal.Signals) -> None:
    inp = _big_input(tmp_path / "big.parquet", 150_000)
    out = tmp_path / "out.csv"  # ids lists in CSV: slow enough to be caught mid-way
    proc = _start(tmp_path, inp, out)
    temps = _wait_for_temp_files(tmp_path, proc)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    assert temps
    time.sleep(0.2)
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=60)
    names = sorted(p.name for p in tmp_path.iterdir())
    # Nothing by the final names, ever.
    assert "out.csv" not in names
    assert "out.rejects.csv" not in names
    if sig == signal.SIGKILL:
        # Only the clearly named hidden temporary files can remain.
        left = [n for n in names if n != "big.parquet"]
        assert left
        for n in left:
            assert n.startswith((".out.csv.", ".out.rejects.csv.")), n
            assert n.endswith(".tmp"), n
    else:
        # SIGTERM ends the run like Ctrl-C: temporary files removed, exit 130.
        assert proc.returncode == 130
        assert names == ["big.parquet"]
        assert b"interrupted" in err


@pytest.mark.slow
def test_resume_from_the_command_line(tmp_path: Path) -> None:
    rows = random_rows(ADULT, 50, seed=5)
    inp = write_rows(tmp_path / "cases.parquet", rows, COLUMNS)
    out = tmp_path / "out.jsonl"
    code, _, stderr = run(str(inp), "--rules", ADULT_NAME, "--out", str(out), "--resume")
    assert code == 0, stderr
    assert not (tmp_path / ".out.jsonl.resume").exists()
    assert len(read_output(out)) == 50
    code, _, stderr = run(
        str(inp), "--rules", ADULT_NAME, "--out", str(out), "--resume", "--dask", "local"
    )
    assert code == 2
    assert "--resume cannot be combined with --dask" in stderr
