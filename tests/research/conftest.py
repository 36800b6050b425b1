"""Shared cases for the research tests: the documentation's tiny rule set, hand-labelled."""

from __future__ import annotations

from typing import Any

import pytest

import thbscreen

from ..conftest import ROOT

TINY_PATH = ROOT / "docs" / "examples" / "tiny.yaml"
TINY_IDS = (
    "conditions.excessive_hours",
    "conditions.low_pay",
    "conditions.bad_housing",
    "coercion.documents_kept",
    "coercion.threats",
    "coercion.debt",
)


def case(case_id: str, present: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    """A case of the tiny rule set: ``present`` indicators present, all others absent."""
    indicators = {i: ("present" if i.split(".")[1] in present else "absent") for i in TINY_IDS}
    return {"id": case_id, **extra, "indicators": indicators}


# Outcomes under the tiny rule set (score in brackets):
#   refer        documents_kept, low_pay, excessive_hours   [8]
#   follow_up    documents_kept                             [3]
#   no_indication nothing                                   [0]
#   no_indication low_pay, bad_housing                      [3]
#   follow_up    threats, debt                              [4]
REFER = ("documents_kept", "low_pay", "excessive_hours")
FOLLOW = ("documents_kept",)
NOTHING: tuple[str, ...] = ()
WEAK = ("low_pay", "bad_housing")
THREATS = ("threats", "debt")

# With positive = refer: tp 1, fp 1, fn 2, tn 3.
LABELLED = [
    case("r0", REFER, victim=True, sex="female"),
    case("r1", REFER, victim=False, sex="male"),
    case("r2", FOLLOW, victim=True, sex="female"),
    case("r3", NOTHING, victim=False, sex="male"),
    case("r4", WEAK, victim=False, sex="female"),
    case("r5", THREATS, victim=True, sex="male"),
    case("r6", NOTHING, victim=False),
]


@pytest.fixture(scope="session")
def tiny() -> thbscreen.RuleSet:
    return thbscreen.load_ruleset(TINY_PATH)


@pytest.fixture(scope="session")
def tiny_screener(tiny: thbscreen.RuleSet) -> thbscreen.Screener:
    return thbscreen.Screener(tiny)
