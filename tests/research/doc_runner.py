"""Run the commands and code of a documentation page and collect their output.

Markers in the Markdown (HTML comments, invisible on the site) say what to do with
the fenced block that follows:

- ``<!-- file: NAME -->``: write the block to NAME;
- ``<!-- run -->``: run each ``thbscreen synth|evaluate|compare ...`` line (a trailing
  backslash continues a line) with click's test runner;
- ``<!-- python -->``: execute the block, capturing what it prints;
- ``<!-- output -->``: the output of the step before. A first line ``...`` means
  "ends with", a last line ``...`` means "starts with"; otherwise the whole output.

Run it as a script to print every step's output (to update a page by hand):
``python -m tests.research.doc_runner docs/howto/evaluate-a-rule-set.md``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

from click.testing import CliRunner

from thbscreen.cli_research import compare, evaluate, synth

COMMANDS = {"synth": synth, "evaluate": evaluate, "compare": compare}
BLOCK = re.compile(
    r"<!-- (file: (?P<name>\S+)|run|python|output) -->\n+```[a-z]*\n(?P<body>.*?)```", re.S
)


def steps(markdown: str) -> Iterator[tuple[str, str | None, str]]:
    """(kind, file name, block text) for every marked block, in order."""
    for m in BLOCK.finditer(markdown):
        marker = m.group(1)
        kind = "file" if marker.startswith("file:") else marker
        yield kind, m.group("name"), m.group("body")


def run_command(line: str) -> tuple[str, int]:
    words = shlex.split(line)
    assert words[0] == "thbscreen", line
    result = CliRunner().invoke(COMMANDS[words[1]], words[2:])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.stdout, result.exit_code


def run_page(markdown: str, where: Path) -> list[tuple[str, str]]:
    """Run the page in ``where``; return (expected, actual) for every output block."""
    checks: list[tuple[str, str]] = []
    last = ""
    namespace: dict[str, object] = {}
    old = Path.cwd()
    os.chdir(where)
    try:
        for kind, name, body in steps(markdown):
            if kind == "file":
                assert name is not None
                Path(name).write_text(body, encoding="utf-8")
            elif kind == "run":
                last = ""
                for line in body.replace("\\\n", " ").splitlines():
                    if line.startswith("thbscreen "):
                        out, _ = run_command(line)
                        last += out
            elif kind == "python":
                buffer = io.StringIO()
                with contextlib.redirect_stdout(buffer):
                    exec(compile(body, "<doc>", "exec"), namespace)
                last = buffer.getvalue()
            else:
                checks.append((body, last))
    finally:
        os.chdir(old)
    return checks


def matches(expected: str, actual: str) -> bool:
    lines = expected.rstrip("\n").split("\n")
    if lines and lines[-1] == "...":
        return actual.startswith("\n".join(lines[:-1]) + "\n")
    if lines and lines[0] == "...":
        return actual.rstrip("\n").endswith("\n".join(lines[1:]))
    return actual.rstrip("\n") == expected.rstrip("\n")


if __name__ == "__main__":  # pragma: no cover - a helper for writing the docs
    import tempfile

    page = Path(sys.argv[1]).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        for n, (expected, actual) in enumerate(run_page(page, Path(tmp))):
            print(f"===== output {n}: {'OK' if matches(expected, actual) else 'DIFFERS'}")
            print(actual, end="")
