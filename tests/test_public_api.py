from __future__ import annotations

import thbscreen

DOCUMENTED = {
    "Assessment", "Case", "CaseDataError", "CaseFile", "DISCLAIMER", "DimensionResult", "Evidence",
    "ExampleResult", "ExpressionError", "FiredIndicator", "NetworkError", "NextQuestion",
    "NoReferralPath", "Observation", "OutcomeRange", "Pathway", "ReferralNetwork", "Problem", "RuleSet", "RuleSetError", "RuleSetRef",
    "Screener", "ThbscreenError", "bundled_networks", "bundled_rulesets", "load_network", "pathway", "load_cases", "load_ruleset",
    "render",
    "run_examples",
}  # fmt: skip


def test_all_is_exactly_the_documented_api() -> None:
    assert set(thbscreen.__all__) == DOCUMENTED

    # Sorted as isort (and ruff's RUF022) sort: constants, classes, functions.
    def kind(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert list(thbscreen.__all__) == sorted(thbscreen.__all__, key=kind)
    for name in thbscreen.__all__:
        assert hasattr(thbscreen, name)


def test_error_hierarchy() -> None:
    for cls in (thbscreen.RuleSetError, thbscreen.CaseDataError, thbscreen.NetworkError):
        assert issubclass(cls, thbscreen.ThbscreenError)
    assert issubclass(thbscreen.ExpressionError, thbscreen.RuleSetError)


def test_import_does_no_work() -> None:
    import subprocess
    import sys

    code = "import thbscreen, thbscreen._convert as c; print(c.converter.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"  # no converter built, no file read at import


def test_every_public_name_is_in_the_api_reference() -> None:
    from .conftest import ROOT

    text = (ROOT / "docs" / "reference" / "api.md").read_text()
    missing = [name for name in thbscreen.__all__ if f"`{name}`" not in text]
    assert missing == []


def test_importing_thbscreen_loads_no_heavy_library() -> None:
    import subprocess
    import sys

    heavy = ["networkx", "numpy", "pyarrow", "pandas", "starlette", "uvicorn", "matplotlib"]
    code = (
        "import sys, thbscreen; "
        "s = thbscreen.Screener(thbscreen.load_ruleset('ilo-ec-2009/adult-labour')); "
        "s.evaluate({'indicators': {}}); "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
