"""The research tools cost nothing until used: no NumPy, pandas or matplotlib at import."""

from __future__ import annotations

import subprocess
import sys

import thbscreen.research as research


def test_importing_thbscreen_and_the_research_commands_loads_no_heavy_library() -> None:
    code = (
        "import sys, thbscreen, thbscreen.research, thbscreen.cli_research;"
        "print(sorted(m for m in ('numpy', 'pandas', 'polars', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_thbscreen_itself_does_not_import_the_research_package() -> None:
    code = "import sys, thbscreen; print('thbscreen.research' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_all_is_sorted_and_complete() -> None:
    def kind(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert list(research.__all__) == sorted(research.__all__, key=kind)
    for name in research.__all__:
        assert hasattr(research, name)
    public = {n for n in dir(research) if not n.startswith("_")}
    assert public == set(research.__all__)


def test_the_docstring_examples_run() -> None:
    import doctest
    import importlib.util

    from thbscreen.research import _compare, _curves, _metrics, _synth

    modules = [research, _metrics, _curves, _compare]
    if importlib.util.find_spec("numpy") is not None:
        modules.append(_synth)
    for module in modules:
        result = doctest.testmod(module)
        assert result.failed == 0, module.__name__
        assert result.attempted > 0, module.__name__
