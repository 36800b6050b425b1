"""``thbscreen report``, ``cards`` and ``studio`` through click's test runner."""

from __future__ import annotations

import glob
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

import thbscreen
from thbscreen._cli_common import ErrorHandlingGroup
from thbscreen.cli_report import cards, report, studio

from ..conftest import ROOT, write

FARM = str(ROOT / "examples/cases/adult/seasonal-farm-worker.yaml")


def _group() -> click.Group:
    # The commands as the main command will hold them: errors become one message, exit 2.
    group = ErrorHandlingGroup("thbscreen")
    for command in (report, cards, studio):
        group.add_command(command)
    return group


def run(*args: str) -> Result:
    return CliRunner().invoke(_group(), list(args))


@pytest.mark.parametrize("command", ["report", "cards", "studio"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"thbscreen {command}" in result.output


def test_report_writes_one_self_contained_file(tmp_path: Path) -> None:
    out = tmp_path / "farm.html"
    result = run("report", FARM, "--from", "labour_inspectorate", "--html", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "<title>Seasonal farm worker met during a labour inspection</title>" in text
    assert 'data-outcome="victim"' in text
    assert 'class="step"' in text
    assert "<script" not in text
    assert [p.name for p in tmp_path.iterdir()] == ["farm.html"]  # no temporary file left


def test_report_of_several_cases_and_a_title(tmp_path: Path) -> None:
    out = tmp_path / "all.html"
    files = sorted(glob.glob(str(ROOT / "examples/cases/*/*.yaml")))
    result = run("report", *files, "--from", "police", "--title", "All cases", "--html", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "<h1>All cases</h1>" in text
    assert text.count('class="outcome"') == len(files)
    assert "(8 cases)" in result.output


def test_report_without_from_has_no_pathway(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert run("report", FARM, "--html", str(out)).exit_code == 0
    assert "Referral pathway" not in out.read_text(encoding="utf-8")


def test_report_with_no_reachable_service_says_why(tmp_path: Path) -> None:
    # A network whose only channel never applies: the needed service cannot be reached.
    net = write(
        tmp_path,
        "net.yaml",
        """\
id: test/closed
version: "1"
title: Closed network
provenance: {source: tests, confidence: thbscreen}
outcomes: [victim, indications, no_indication]
services:
  - {id: shelter, title: Shelter, stage: first_assistance}
needs:
  - {when: outcome == "victim", services: [shelter]}
institutions:
  - {id: desk, name: Front desk, kind: NGO, first_contact: true}
  - {id: home, name: Shelter home, kind: NGO, services: [shelter]}
channels:
  - {id: desk_home, from: desk, to: home, stage: first_assistance, when: "false"}
""",
    )
    farm = next(thbscreen.load_cases(FARM))
    observed = "".join(f"  {k}: {v.value}\n" for k, v in farm.indicators.items())
    case = write(tmp_path, "case.yaml", f"id: farm\nindicators:\n{observed}")
    out = tmp_path / "r.html"
    result = run("report", str(case), "--network", str(net), "--from", "desk", "--html", str(out))
    assert result.exit_code == 0, result.output
    assert "none of the needed services (shelter) can be reached" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--html", "/no/such/folder/x.html"], "no folder"),
        (["--html", "{out}", "--lang", "sl<x"], "expected a language code"),
        (["--html", "{out}", "--network", "referral/slovenia"], "--network draws a pathway only"),
        (["--html", "{out}", "--from", "nobody"], "unknown institution 'nobody'"),
        (["--html", "{out}", "--rules", "no/such-rules"], "no bundled rule set of this name"),
    ],
)
def test_report_bad_input_exits_2_with_one_message(
    tmp_path: Path, args: list[str], message: str
) -> None:
    args = [a.replace("{out}", str(tmp_path / "x.html")) for a in args]
    result = run("report", FARM, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.html").exists()


def test_report_bad_case_file_names_the_spot(tmp_path: Path) -> None:
    case = write(
        tmp_path, "case.yaml", "id: c\nindicators:\n  coercion_at_destination.nothing: present\n"
    )
    result = run("report", str(case), "--html", str(tmp_path / "x.html"))
    assert result.exit_code == 2
    assert "coercion_at_destination.nothing" in result.output


def test_cards_writes_the_handout(tmp_path: Path) -> None:
    out = tmp_path / "cards.html"
    result = run(
        "cards", "--rules", "ilo-2012/forced-labour-11", "--html", str(out), "--lang", "sl"
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.count('<article class="card') == 11
    assert "no &#x27;sl&#x27; version" in text or "no 'sl' version" in text


def test_studio_refuses_other_hosts_and_busy_ports() -> None:
    result = run("studio", "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert "this machine only" in result.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("studio", "--port", str(port))
    assert result.exit_code == 2
    assert f"cannot listen on port {port}" in result.output
    result = run("studio", "--network", "referral/slovenia", "--from", "nobody")
    assert result.exit_code == 2
    assert "expected a first-contact institution" in result.output


@pytest.mark.slow
def test_studio_command_serves_prints_the_url_and_stops_on_ctrl_c() -> None:
    code = (
        "import sys; from thbscreen.cli_report import studio; "
        "studio.main(sys.argv[1:], prog_name='thbscreen studio')"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = first.split(": ", 1)[1].strip()
        assert url.startswith("http://127.0.0.1:")
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    assert resp.status == 200
                    assert thbscreen.DISCLAIMER in resp.read().decode("utf-8")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, err
        assert "stopped" in out
        assert err == ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
