"""Hostile input is refused quickly, with one clear error, without memory blow-up."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import thbscreen
from thbscreen import RuleSetError, ThbscreenError

from .conftest import write
from .helpers import TINY


@pytest.fixture(autouse=True)
def _warm(tmp_path: Path) -> None:
    # Measure the refusal, not the first-use set-up of the converter.
    thbscreen.load_ruleset(write(tmp_path, "warm.yaml", TINY))


@contextmanager
def bounded(seconds: float = 1.0, megabytes: float = 64) -> Iterator[None]:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert elapsed < seconds, f"took {elapsed:.2f}s"
        assert peak < megabytes * 2**20, f"peak {peak / 2**20:.1f} MiB"


def refused(fn: Callable[[], object], fragment: str) -> ThbscreenError:
    with bounded(), pytest.raises(ThbscreenError) as info:
        fn()
    assert fragment in str(info.value)
    assert "Traceback" not in str(info.value)
    return info.value


def test_yaml_alias_bomb(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    refused(lambda: thbscreen.load_ruleset(path), "alias bomb")


def test_ten_megabyte_rule_file(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(TINY + "#" + "x" * (10 * 2**20) + "\n")
    refused(lambda: thbscreen.load_ruleset(path), "the limit is")


def test_expression_nested_ten_thousand_deep(tmp_path: Path) -> None:
    deep = "(" * 10_000 + "a.one" + ")" * 10_000
    path = write(tmp_path, "deep.yaml", TINY.replace("when: a and b}", f"when: '{deep}'}}"))
    err = refused(lambda: thbscreen.load_ruleset(path), "nested deeper")
    assert isinstance(err, thbscreen.ExpressionError)
    assert err.path == "$.outcomes.bands[0].when"


def test_yaml_nested_ten_thousand_deep(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.yaml", "a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    refused(lambda: thbscreen.load_ruleset(path), "nest")


def test_enormous_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "n.yaml", TINY.replace("max: 168}", "max: " + "9" * 5000 + "}"))
    refused(lambda: thbscreen.load_ruleset(path), "bad value")
    path = write(tmp_path, "f.yaml", TINY.replace("max: 168}", "max: 1.0e+999}"))
    refused(lambda: thbscreen.load_ruleset(path), "finite")
    path = write(
        tmp_path, "e.yaml", TINY.replace("weekly_hours > 60", "weekly_hours > " + "9" * 100)
    )
    refused(lambda: thbscreen.load_ruleset(path), "too large")


def test_enormous_strings(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", TINY.replace("text: A one", "text: " + "x" * (3 * 2**20)))
    refused(lambda: thbscreen.load_ruleset(path), "the limit is")
    path = write(
        tmp_path,
        "e.yaml",
        TINY.replace(
            "derive: weekly_hours > 60", "derive: '" + "weekly_hours > 1 and " * 1000 + "true'"
        ),
    )
    refused(lambda: thbscreen.load_ruleset(path), "longer than")


@pytest.mark.parametrize(
    "garbage",
    [
        bytes(range(256)) * 100,
        b"\x89PNG\r\n\x1a\n" + bytes(1000),
        b"\xff\xfe" + "id: x".encode("utf-16-le"),
        b"\x00" * 10,
    ],
)
def test_binary_garbage(tmp_path: Path, garbage: bytes) -> None:
    path = tmp_path / "garbage.yaml"
    path.write_bytes(garbage)
    err = refused(lambda: thbscreen.load_ruleset(path), "")
    assert isinstance(err, RuleSetError)
    assert str(path) in str(err)


def test_huge_case_values_are_refused(adult: thbscreen.Screener) -> None:
    with bounded(), pytest.raises(thbscreen.CaseDataError):
        adult.evaluate({"indicators": {"x" * 10**6: "present"}})
    with bounded(), pytest.raises(thbscreen.CaseDataError):
        adult.evaluate({"indicators": {"coercion_at_destination.debt_bondage": "p" * 10**6}})
