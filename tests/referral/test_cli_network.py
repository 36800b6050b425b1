"""``thbscreen network ...`` through click's test runner: exit status and output."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner, Result

import thbscreen
from thbscreen.cli_network import network

from ..conftest import write
from .test_analysis import SMALL

SLOVENIA = "referral/slovenia"


def run(*args: str) -> Result:
    return CliRunner().invoke(network, list(args))


@pytest.mark.parametrize("command", ["check", "coverage", "bottlenecks", "export", "draw"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"thbscreen network {command}" in result.output


def test_check_passes_on_slovenia() -> None:
    result = run("check", SLOVENIA)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "referral/slovenia 0.1.0: 0 errors, 0 warnings, 2 info"
    assert "slovenia.yaml:" in result.output
    assert "NET005 info" in result.output


def test_check_fails_with_exit_1_on_an_error_finding(tmp_path: Path) -> None:
    text = SMALL.replace(
        "needs:\n",
        "  - {id: interpreting, title: Interpreting, stage: first_assistance}\nneeds:\n"
        "  - {when: 'outcome == \"victim\"', services: [interpreting]}\n",
    )
    path = str(write(tmp_path, "n.yaml", text))
    result = run("check", path, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["format"] == "thbscreen-network-check/1"
    assert data["counts"] == {"error": 1, "warning": 0, "info": 0}
    (finding,) = data["findings"]
    assert finding["code"] == "NET002"
    assert finding["line"] is not None
    md = run("check", path, "--format", "markdown")
    assert md.exit_code == 1
    assert "| error | NET002 |" in md.output


def test_coverage_text_and_json() -> None:
    text = run("coverage", SLOVENIA)
    assert text.exit_code == 0, text.output
    assert "144 profiles x 8 starting institutions" in text.output
    data = json.loads(run("coverage", SLOVENIA, "--from", "police", "--format", "json").output)
    assert data["starts"] == ["police"]
    assert len(data["rows"]) == len(data["profiles"]) == 144
    assert run("coverage", SLOVENIA, "--format", "markdown").output.startswith("### Coverage")


def test_coverage_with_a_profile_file_and_fail_on_gap(tmp_path: Path) -> None:
    net = str(write(tmp_path, "n.yaml", SMALL))
    profiles = write(tmp_path, "p.yaml", "- {outcome: victim, facts: {}, label: age unknown}\n")
    result = run("coverage", net, "--profiles", str(profiles), "--from", "police")
    assert result.exit_code == 0
    assert "police cannot reach shelter for 1 profile: age unknown" in result.output
    assert "depends on facts the profiles do not give: child_care, legal_aid" in result.output
    assert run("coverage", net, "--profiles", str(profiles), "--fail-on-gap").exit_code == 1
    assert run("coverage", net, "--fail-on-gap").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["coverage", SLOVENIA, "--from", "polica"], "did you mean 'police'"),
        (["check", "no/such-network"], "no bundled referral network of this name"),
        (["coverage", SLOVENIA, "--profiles", "{profiles}"], "expected a list of profiles"),
        (["export", SLOVENIA, "--format", "png"], "Invalid value for '--format'"),
        (["draw", SLOVENIA], "Missing option '-o'"),
    ],
)
def test_bad_input_exits_2_with_one_message(tmp_path: Path, args: list[str], message: str) -> None:
    profiles = write(tmp_path, "p.yaml", "outcome: victim\n")
    result = run(*[a.replace("{profiles}", str(profiles)) for a in args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_bottlenecks_text_and_json() -> None:
    text = run("bottlenecks", SLOVENIA, "--top", "1")
    assert text.exit_code == 0
    assert "Articulation points: caritas_crisis_accommodation, police" in text.output
    assert "Betweenness centrality (exact), top 1:\n  police: 0.2253" in text.output
    assert "labour_inspectorate: police -> formal_identification (sole provider)" in text.output
    data = json.loads(run("bottlenecks", SLOVENIA, "--samples", "5", "--format", "json").output)
    assert data["betweenness_samples"] == 5
    assert len(data["betweenness"]) <= 10


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "graphml", "json"])
def test_export_to_stdout_and_file(tmp_path: Path, fmt: str) -> None:
    net = thbscreen.load_network(SLOVENIA)
    result = run("export", SLOVENIA, "--format", fmt)
    assert result.exit_code == 0
    out = tmp_path / f"slovenia.{fmt}"
    assert run("export", SLOVENIA, "--format", fmt, "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == result.output
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left
    if fmt == "graphml":
        assert nx.read_graphml(io.BytesIO(out.read_bytes())).number_of_nodes() == len(
            net.institutions
        )
    if fmt == "json":
        assert len(json.loads(result.output)["edges"]) == len(net.channels)


def test_draw_without_graphviz_exits_2_saying_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    out = tmp_path / "n.svg"
    result = run("draw", SLOVENIA, "-o", str(out))
    assert result.exit_code == 2
    assert "Graphviz" in result.output
    assert "apt-get install graphviz" in result.output
    assert not out.exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_draw_with_graphviz(tmp_path: Path) -> None:
    out = tmp_path / "n.svg"
    assert run("draw", SLOVENIA, "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg", "<!DOCTYPE"))
