"""Fixtures for the report tests: a small rule set with translations and hostile text."""

from __future__ import annotations

import pytest

import thbscreen
from thbscreen.loading import ruleset_from_text

# Some texts in Slovenian, some not; titles carry markup that must come out escaped.
MIXED = """\
id: test/mixed
version: "0.1"
title: {en: "Mixed <b>rules</b> & co", sl: "Mešana pravila"}
languages: [en, sl]
provenance: {source: "thbscreen tests <script>alert(1)</script>", confidence: thbscreen}
indicators:
  - {id: a.one, dimension: a, strength: strong, text: {en: "A one", sl: "A ena"},
     question: {en: "Is A one so?", sl: "Ali je A ena res?"}}
  - {id: a.two, dimension: a, strength: medium, text: "A two <img src=x onerror=alert(1)>",
     question: "Is A two so?"}
  - {id: b.one, dimension: b, strength: strong, text: "B one", question: "Is B one so?"}
  - {id: b.two, dimension: b, strength: weak, text: "B two"}
dimensions:
  - {id: a, title: {en: "Dimension A", sl: "Razsežnost A"}, positive: strong >= 1}
  - {id: b, title: "Dimension B \\"quoted\\"", positive: strong >= 1}
outcomes:
  bands:
    - {id: high, title: {en: "High", sl: "Visoko"}, when: a and b}
    - {id: some, title: "Some", when: a or b}
  fallback: {id: none, title: "None"}
"""


@pytest.fixture(scope="session")
def mixed_rules() -> thbscreen.RuleSet:
    return ruleset_from_text(MIXED, "mixed.yaml")


@pytest.fixture(scope="session")
def mixed(mixed_rules: thbscreen.RuleSet) -> thbscreen.Screener:
    return thbscreen.Screener(mixed_rules)


@pytest.fixture(scope="session")
def slovenia() -> thbscreen.ReferralNetwork:
    return thbscreen.load_network("referral/slovenia")
