"""``thbscreen serve``: loopback by default, a warning otherwise, bad input exits 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from thbscreen.cli_serve import is_loopback, serve


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import uvicorn

    calls: list[dict[str, Any]] = []

    def fake_run(app: Any, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


def test_binds_loopback_by_default(runs: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(serve, [])
    assert result.exit_code == 0, result.output
    (call,) = runs
    assert (call["host"], call["port"]) == ("127.0.0.1", 8000)
    assert "warning" not in result.output
    assert "never replaces" in result.output  # the disclaimer


def test_other_address_warns(runs: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(serve, ["--host", "0.0.0.0", "--port", "9000"])
    assert result.exit_code == 0
    assert "warning: listening on 0.0.0.0, not on loopback" in result.output
    assert runs[0]["host"] == "0.0.0.0"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.1.2.3", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("example.org", False),
        ("::", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_limits_reach_the_app(runs: list[dict[str, Any]], tmp_path: Path) -> None:
    from tests.service.conftest import Client

    result = CliRunner().invoke(serve, ["--max-batch", "3", "--max-body-bytes", "2048"])
    assert result.exit_code == 0
    client = Client(runs[0]["app"])
    r = client.post("/screen/batch", json={"rules": "ilo-ec-2009/adult-labour", "cases": [{}] * 4})
    assert r.status_code == 422
    r = client.post("/screen", content=b" " * 3000, headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_broken_rules_dir_exits_2(runs: list[dict[str, Any]], tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: x\n")
    result = CliRunner().invoke(serve, ["--rules-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "bad.yaml:1:1" in result.output
    assert "Traceback" not in result.output
    assert runs == []


def test_bad_usage_exits_2(runs: list[dict[str, Any]]) -> None:
    assert CliRunner().invoke(serve, ["--port", "70000"]).exit_code == 2
    assert CliRunner().invoke(serve, ["--max-body-bytes", "0"]).exit_code == 2
    assert runs == []


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(serve, ["--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert "thbscreen serve --port 8080" in result.output
