"""The bundled rule sets are faithful to the reference they cite."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import thbscreen

REFERENCE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "reference"
    / "delphi-2009-labour-indicators.yaml"
)
BUNDLED_REFERENCE = Path(__file__).resolve().parent / "data" / "delphi-2009-labour-indicators.yaml"
POSITIVE = (
    "strong >= 2 or strong >= 1 and medium + weak >= 1 or medium >= 3 or medium >= 2 and weak >= 1"
)


def _reference() -> dict[str, object]:
    # The shared reference sits beside the checkout; a copy in tests/data keeps the
    # test meaningful where shared/ is absent, and a test below keeps the copy exact.
    path = REFERENCE if REFERENCE.is_file() else BUNDLED_REFERENCE
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_reference_copy_is_exact() -> None:
    if not REFERENCE.is_file():
        pytest.skip("shared/reference is not beside this checkout")
    assert BUNDLED_REFERENCE.read_bytes() == REFERENCE.read_bytes()


@pytest.mark.parametrize(
    ("name", "profile", "count"),
    [
        ("ilo-ec-2009/adult-labour", "adult_labour", 67),
        ("ilo-ec-2009/child-labour", "child_labour", 65),
    ],
)
def test_labour_profiles_match_the_reference_item_by_item(
    name: str, profile: str, count: int
) -> None:
    reference = _reference()
    expected = [
        (f"{item['dimension']}.{item['id']}", item["dimension"], item["strength"], item["text"])
        for item in reference["indicators"]  # type: ignore[attr-defined]
        if item["key"].startswith(profile + ".")
    ]
    rs = thbscreen.load_ruleset(name)
    actual = [
        (i.id, i.dimension, i.strength.value if i.strength else None, i.text.en)
        for i in rs.indicators
    ]
    assert len(actual) == count
    assert actual == expected
    assert [d.id for d in rs.dimensions] == [d["id"] for d in reference["dimensions"]]  # type: ignore[index]


@pytest.mark.parametrize(
    "name",
    ["ilo-ec-2009/adult-labour", "ilo-ec-2009/child-labour", "ilo-ec-2009/child-labour-palermo"],
)
def test_delphi_combination_rule_and_confidence_labels(name: str) -> None:
    from thbscreen._language.parser import parse

    rs = thbscreen.load_ruleset(name)
    for dim in rs.dimensions:
        if dim.id == "act":
            continue
        assert parse(dim.positive) == parse(POSITIVE), dim.id
        assert rs.provenance_of(dim).confidence.value == "secondary"  # type: ignore[union-attr]
    for ind in rs.indicators:
        expected = "thbscreen" if ind.dimension == "act" else "secondary"
        assert rs.provenance_of(ind).confidence.value == expected  # type: ignore[union-attr]
    bands = {b.id: b for b in rs.outcomes.bands}
    assert list(bands) == ["victim", "indications"]
    assert rs.outcomes.fallback.id == "no_indication"
    assert rs.provenance_of(bands["victim"]).confidence.value == "unconfirmed"  # type: ignore[union-attr]
    assert rs.provenance_of(bands["indications"]).confidence.value == "thbscreen"  # type: ignore[union-attr]
    assert rs.scoring is not None
    assert rs.provenance_of(rs.scoring).confidence.value == "thbscreen"  # type: ignore[union-attr]


def test_victim_rules_as_published() -> None:
    from thbscreen._language.parser import parse

    recruitment = (
        "(deceptive_recruitment or coercive_recruitment or recruitment_abuse_of_vulnerability)"
    )
    adult = thbscreen.load_ruleset("ilo-ec-2009/adult-labour").outcomes.bands[0].when
    child = thbscreen.load_ruleset("ilo-ec-2009/child-labour").outcomes.bands[0].when
    assert parse(adult) == parse(
        f"{recruitment} and exploitative_conditions_of_work and (coercion_at_destination or abuse_of_vulnerability_at_destination)"
    )
    assert parse(child) == parse(f"{recruitment} and exploitative_conditions_of_work")


def test_every_bundled_rule_set_cites_its_source() -> None:
    for name in thbscreen.bundled_rulesets():
        rs = thbscreen.load_ruleset(name)
        assert rs.provenance.source
        assert rs.provenance.confidence is not None
        for ind in rs.indicators:
            assert ind.question is not None, (name, ind.id)
