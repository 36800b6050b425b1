"""The worked examples of docs/howto/embed-in-your-tool.md run as written, against a live
service on loopback, and print what the page says they print."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ROOT

PAGE = ROOT / "docs" / "howto" / "embed-in-your-tool.md"
BLOCK = re.compile(r"```(\w+)\n((?:(?!```).)*)```\n\n```text\n((?:(?!```).)*)```", re.DOTALL)


def examples(lang: str) -> list[tuple[str, str]]:
    text = PAGE.read_text(encoding="utf-8")
    return [(code, out) for kind, code, out in BLOCK.findall(text) if kind == lang]


def bench_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "bench_service", ROOT / "benchmarks" / "bench_service.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = bench_module().Server()
    try:
        server.wait_ready()
        yield f"127.0.0.1:{server.port}"
    finally:
        server.stop()


def run(argv: list[str], code: str | None = None) -> str:
    result = subprocess.run(argv, input=code, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_page_has_the_examples() -> None:
    assert len(examples("sh")) == 2
    assert len(examples("js")) == 1
    assert len(examples("python")) == 2


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("index", [0, 1])
def test_curl_examples(base_url: str, index: int) -> None:
    code, expected = examples("sh")[index]
    code = code.replace("127.0.0.1:8000", base_url).replace("python3 ", f"{sys.executable} ")
    assert run(["bash", "-c", code]) == expected


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_javascript_example(base_url: str, tmp_path: Path) -> None:
    code, expected = examples("js")[0]
    script = tmp_path / "screen.mjs"
    script.write_text(code.replace("127.0.0.1:8000", base_url), encoding="utf-8")
    assert run(["node", str(script)]) == expected


@pytest.mark.parametrize("index", [0, 1])
def test_python_examples(base_url: str, index: int) -> None:
    code, expected = examples("python")[index]
    assert run([sys.executable, "-"], code.replace("127.0.0.1:8000", base_url)) == expected


def _pipe_blocks(lang: str) -> list[str]:
    text = PAGE.read_text(encoding="utf-8")
    section = text[text.index("## Through a pipe") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(rf"```{lang}\n((?:(?!```).)*)```", section, re.DOTALL)


def _with_thbscreen_on_path() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def test_pipe_examples_run_as_written() -> None:
    env = _with_thbscreen_on_path()
    (shell,) = _pipe_blocks("sh")
    done = subprocess.run(
        ["bash", "-c", shell], capture_output=True, text=True, timeout=60, cwd=ROOT, env=env
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["line"] for line in lines] == [1, 2]
    assert "assessment" in lines[0]
    assert lines[1]["error"]["title"] == "CaseDataError"
    assert done.returncode == 2  # one case refused, as the page says
    (python,) = _pipe_blocks("python")
    done = subprocess.run(
        [sys.executable, "-c", python], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "no_indication", "None"]
