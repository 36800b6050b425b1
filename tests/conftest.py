"""Shared fixtures and hypothesis profiles (fast by default; THBSCREEN_HYPOTHESIS=thorough)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import thbscreen

settings.register_profile("fast", max_examples=60, deadline=None)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("THBSCREEN_HYPOTHESIS", "fast"))

ROOT = Path(__file__).resolve().parents[1]
ADULT = "ilo-ec-2009/adult-labour"
CHILD = "ilo-ec-2009/child-labour"


@pytest.fixture(scope="session")
def adult_rules() -> thbscreen.RuleSet:
    return thbscreen.load_ruleset(ADULT)


@pytest.fixture(scope="session")
def adult(adult_rules: thbscreen.RuleSet) -> thbscreen.Screener:
    return thbscreen.Screener(adult_rules)


@pytest.fixture(scope="session")
def child() -> thbscreen.Screener:
    return thbscreen.Screener(thbscreen.load_ruleset(CHILD))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
