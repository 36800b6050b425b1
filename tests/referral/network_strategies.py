"""Hypothesis strategies for random, valid referral networks (in the file format)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

import thbscreen
from thbscreen.referral import ReferralNetwork

STAGES = [
    "detection",
    "identification",
    "first_assistance",
    "residence",
    "long_term_assistance",
    "return",
    "proceedings",
]
KINDS = ["NGO", "LawEnforcement", "HealthServiceOrganisation", "CentralGovernmentOrganisation"]
LEGAL = ["citizen", "irregular_migrant", "asylum_seeker"]
CONDITIONS = [
    None,
    'outcome == "victim"',
    'outcome in ["victim", "indications"]',
    "age < 18",
    "age >= 18",
    'legal_status == "asylum_seeker"',
    'outcome != "no_indication" and age >= 18',
    'highest == "victim"',
    "not determined",
    'legal_status != "citizen" or age < 18',
]
#: Printable text with the characters exports must escape: quotes, backslash, <&>, |, #.
NAMES = st.text(
    alphabet=st.sampled_from(list("abcXYZ čšž-_ '\"\\<>&|#;{}[]()\n")),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() != "")

NETWORK_HEAD: dict[str, Any] = {
    "id": "test/random",
    "version": "1",
    "title": "Random test network",
    "provenance": {"source": "thbscreen tests", "confidence": "thbscreen"},
    "outcomes": ["victim", "indications", "no_indication"],
    "facts": [
        {"id": "age", "type": "int", "min": 0, "max": 120},
        {"id": "legal_status", "type": "enum", "values": LEGAL},
    ],
}


@st.composite
def network_data(
    draw: st.DrawFn, max_institutions: int = 8, max_channels: int = 16
) -> dict[str, Any]:
    """A network as file data: random services, needs, institutions and channels."""
    n_services = draw(st.integers(1, 5))
    services = [
        {"id": f"s{k}", "title": f"Service {k}", "stage": draw(st.sampled_from(STAGES))}
        for k in range(n_services)
    ]
    service_ids = [s["id"] for s in services]
    needs = [
        {
            "when": draw(st.sampled_from([c for c in CONDITIONS if c is not None])),
            "services": draw(
                st.lists(st.sampled_from(service_ids), min_size=1, max_size=3, unique=True)
            ),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    n = draw(st.integers(1, max_institutions))
    first = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    if not any(first):
        first[0] = True
    institutions = []
    for k in range(n):
        inst: dict[str, Any] = {
            "id": f"i{k}",
            "name": draw(NAMES),
            "kind": draw(st.sampled_from(KINDS)),
            "services": draw(st.lists(st.sampled_from(service_ids), max_size=2, unique=True)),
            "first_contact": first[k],
        }
        eligibility = draw(st.sampled_from([None, None, *CONDITIONS[1:]]))
        if eligibility is not None:
            inst["eligibility"] = eligibility
        if draw(st.booleans()):
            inst["provenance"] = {"confidence": draw(st.sampled_from(["confirmed", "unconfirmed"]))}
        institutions.append(inst)
    channels = []
    if n > 1:
        pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(
            lambda p: p[0] != p[1]
        )
        for k, (u, v) in enumerate(draw(st.lists(pairs, max_size=max_channels))):
            ch: dict[str, Any] = {
                "id": f"c{k}",
                "from": f"i{u}",
                "to": f"i{v}",
                "stage": draw(st.sampled_from(STAGES)),
                "consent": draw(st.booleans()),
            }
            when = draw(st.sampled_from(CONDITIONS))
            if when is not None:
                ch["when"] = when
            if draw(st.booleans()):
                ch["notification"] = {
                    "duty": draw(NAMES),
                    "deadline_days": draw(st.none() | st.integers(0, 30)),
                }
            if draw(st.booleans()):
                ch["provenance"] = {
                    "confidence": draw(st.sampled_from(["confirmed", "unconfirmed"]))
                }
            channels.append(ch)
    return {
        **NETWORK_HEAD,
        "services": services,
        "needs": needs,
        "institutions": institutions,
        "channels": channels,
    }


def load_data(data: dict[str, Any]) -> ReferralNetwork:
    """Write network data to a temporary YAML file and load it as a user's file would be."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "network.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return thbscreen.load_network(path)


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    """A case profile for the random networks: some facts may be missing (unknown)."""
    facts: dict[str, Any] = {}
    if draw(st.booleans()):
        facts["age"] = draw(st.integers(0, 120))
    if draw(st.booleans()):
        facts["legal_status"] = draw(st.sampled_from(LEGAL))
    outcome = draw(st.sampled_from(["victim", "indications", "no_indication"]))
    return {
        "outcome": outcome,
        "facts": facts,
        "highest": draw(st.sampled_from(["victim", outcome])),
        "determined": draw(st.booleans()),
    }
