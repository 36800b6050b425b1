"""Refresh (or, with --check, verify) the ``--help`` blocks in docs/reference/cli.md.

Every fenced block whose first line is ``$ thbscreen ... --help`` is replaced by what
that command prints now, so the reference never drifts from the code.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

from click.testing import CliRunner

from thbscreen.cli import main

DOC = Path(__file__).resolve().parent.parent / "docs" / "reference" / "cli.md"
BLOCK = re.compile(r"```text\n\$ (thbscreen [^\n]*--help)\n.*?```", re.S)


def _help(command: str) -> str:
    args = shlex.split(command)[1:]
    result = CliRunner().invoke(main, args, prog_name="thbscreen", terminal_width=78)
    if result.exit_code != 0:
        raise SystemExit(f"{command} failed: {result.output}")
    return f"```text\n$ {command}\n{result.output.rstrip()}\n```"


def refreshed(text: str) -> str:
    return BLOCK.sub(lambda m: _help(m.group(1)), text)


def main_() -> int:
    text = DOC.read_text(encoding="utf-8")
    new = refreshed(text)
    if "--check" in sys.argv[1:]:
        if new != text:
            print(f"{DOC} is out of date: run python tools/gen_cli_help.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
