"""The examples of docs/reference/testing-api.md run as written."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

from ..conftest import ROOT

PAGE = ROOT / "docs" / "reference" / "testing-api.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text("utf-8"), flags=re.DOTALL)


def load(path: Path, text: str) -> Any:
    # A real file, so that hypothesis can read the source of the tests it runs.
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[path.stem]
    return module


def test_the_example_test_file_passes(tmp_path: Path) -> None:
    blocks = python_blocks()
    example = next(b for b in blocks if b.startswith('"""Property-based tests'))
    snippets = [
        b for b in blocks if b.startswith(("from thbscreen.checking", "from thbscreen.testing_"))
    ]
    assert len(snippets) == 2
    # The snippets continue the example: they use its RULES and SCREENER.
    module = load(tmp_path / "test_my_rules.py", "\n\n".join([example, *snippets]))
    tests = [getattr(module, n) for n in dir(module) if n.startswith("test_")]
    assert len(tests) == 8
    for test in tests:
        test()
    assert 0 < module.c.percent <= 100
