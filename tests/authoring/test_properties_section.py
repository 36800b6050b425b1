"""The `properties:` section of rule files: validated at load, evaluated on assessments."""

from __future__ import annotations

from pathlib import Path

import pytest

import thbscreen
from thbscreen import ExpressionError, RuleSetError, Screener
from thbscreen.checking import compile_property
from thbscreen.loading import ruleset_from_text
from thbscreen.model import CaseSelection, Property

from ..helpers import TINY

ILO_EC = [
    "ilo-ec-2009/adult-labour",
    "ilo-ec-2009/child-labour",
    "ilo-ec-2009/child-labour-palermo",
]


def with_properties(text: str) -> str:
    return TINY + "properties:\n" + text


def problems(text: str) -> list[str]:
    with pytest.raises(RuleSetError) as info:
        ruleset_from_text(with_properties(text), "p.yaml")
    return [str(p) for p in info.value.problems]


def test_properties_load_into_the_model() -> None:
    rs = ruleset_from_text(
        with_properties(
            """\
  - name: one indicator never reaches high
    description: Two dimensions are needed.
    cases: {present_at_most: 1, absent: [b.farm], facts: {sector: agriculture}}
    holds: 'outcome != "high"'
  - name: monotone
    monotone: true
"""
        )
    )
    first, second = rs.properties
    assert first == Property(
        "one indicator never reaches high",
        holds='outcome != "high"',
        cases=CaseSelection(absent=("b.farm",), facts={"sector": "agriculture"}, present_at_most=1),
        description=thbscreen.model.Text("Two dimensions are needed."),
    )
    assert second.monotone is True
    assert second.holds is None


@pytest.mark.parametrize("name", ILO_EC)
def test_the_ilo_ec_rule_sets_declare_properties(name: str) -> None:
    rs = thbscreen.load_ruleset(name)
    kinds = {"monotone" if p.monotone else "holds" for p in rs.properties}
    assert kinds == {"monotone", "holds"}
    assert any("single indicator" in p.name for p in rs.properties)


def test_unknown_keys_are_errors() -> None:
    found = problems(
        """\
  - name: typo
    hold: 'outcome == "high"'
    cases: {present_at_mots: 1}
"""
    )
    assert any("$.properties[0].hold: unknown key 'hold'" in p for p in found)
    assert any("did you mean 'holds'" in p for p in found)
    assert any("unknown key 'present_at_mots'" in p for p in found)


def test_expressions_are_type_checked_against_the_property_scope() -> None:
    with pytest.raises(ExpressionError) as info:
        ruleset_from_text(
            with_properties(
                """\
  - {name: enum, holds: 'outcome == "hihg"'}
  - {name: type, holds: 'score and determined'}
  - {name: unknown name, holds: 'outcom == "high"'}
  - {name: counts are not in scope, holds: 'strong >= 1'}
  - {name: not bool, holds: 'score + 1'}
"""
            ),
            "p.yaml",
        )
    text = str(info.value)
    assert (
        "'outcome' is one of high, none, some; it can never be 'hihg' (did you mean 'high'?)"
        in text
    )
    assert "the left side of 'and' must be bool, got num" in text
    assert "unknown name 'outcom' (did you mean 'outcome'?)" in text
    assert "unknown name 'strong'" in text
    assert "expected a bool expression, got num" in text


def test_the_whole_scope_type_checks() -> None:
    rs = ruleset_from_text(
        with_properties(
            """\
  - name: every kind of name
    holds: >-
      outcome in ["high", "some"] or highest == "high" or lowest != "none" or determined
      or score >= 3 or a or a.one or weekly_hours > 40 or sector == "agriculture"
      or minor or arrived > date("2024-01-01")
"""
        )
    )
    assert rs.properties[0].holds is not None


def test_selections_and_kinds_are_checked() -> None:
    found = problems(
        """\
  - {name: both, holds: determined, monotone: true}
  - {name: neither}
  - {name: "off", monotone: false}
  - name: bad selection
    holds: determined
    cases:
      present: [a, zz]
      absent: [a.one]
      present_at_most: 1
      present_at_least: 2
      unknown_at_most: -1
      facts: {weekly_hours: 500, nope: 1}
  - {name: both, monotone: true}
"""
    )
    joined = "\n".join(found)
    assert "$.properties[0]: give exactly one of 'holds' and 'monotone: true'" in joined
    assert "$.properties[1]: give exactly one of 'holds' and 'monotone: true'" in joined
    assert "$.properties[2].monotone: 'monotone: false' declares nothing" in joined
    assert "$.properties[3].cases.present[1]: unknown indicator or dimension 'zz'" in joined
    assert "indicator 'a.one' is selected both present and absent" in joined
    assert "present_at_least 2 is more than present_at_most 1" in joined
    assert "unknown_at_most must be 0 or more, got -1" in joined
    assert "$.properties[3].cases.facts.weekly_hours: expected a value from 0 to 168" in joined
    assert "$.properties[3].cases.facts.nope: unknown fact 'nope'" in joined
    assert "$.properties[4].name: duplicate property name 'both'" in joined
    # Every problem points at a line and column of the file.
    assert all(p.startswith("p.yaml:") and p.split(":")[1].isdigit() for p in found)


def test_ids_that_clash_with_property_names_are_reported() -> None:
    text = TINY.replace("id: minor, type: bool", "id: outcome, type: bool") + (
        "properties:\n  - {name: m, monotone: true}\n"
    )
    with pytest.raises(RuleSetError, match="fact id 'outcome' clashes with the property name"):
        ruleset_from_text(text)
    # Without properties the id is fine, as before.
    ruleset_from_text(TINY.replace("id: minor, type: bool", "id: outcome, type: bool"))


def test_a_property_reads_the_assessment() -> None:
    rs = ruleset_from_text(
        with_properties(
            """\
  - {name: high, holds: 'outcome == "high" and highest == "high" and lowest == "high"'}
  - {name: dims, holds: 'a and b and determined and score == 10'}
  - {name: facts, holds: 'weekly_hours > 60 and b.hours'}
  - {name: unknown fact, holds: 'minor'}
"""
        )
    )
    screener = Screener(rs)
    case = {
        "facts": {"weekly_hours": 70, "sector": "agriculture"},
        "indicators": {"a.one": "present", "a.two": "present", "a.three": "absent"},
    }
    a = screener.evaluate(case)
    assert a.outcome == "high"
    for name in ("high", "dims", "facts"):
        assert compile_property(rs, name)(a, case), name
    unknown = compile_property(rs, "unknown fact")
    assert unknown.value(a, case) is None
    assert not unknown(a, case)
    other = {"facts": {"weekly_hours": 10}, "indicators": {}}
    assert compile_property(rs, "facts").value(screener.evaluate(other), other) is False


def test_the_content_hash_covers_properties(tmp_path: Path) -> None:
    plain = ruleset_from_text(TINY)
    declared = ruleset_from_text(with_properties("  - {name: m, monotone: true}\n"))
    assert plain.hash != declared.hash
    # Rule sets without properties keep the hash they had before the section existed.
    assert ruleset_from_text(TINY + "properties: []\n").hash == plain.hash


def test_a_property_name_that_is_not_declared_is_refused() -> None:
    rs = thbscreen.load_ruleset("ilo-ec-2009/adult-labour")
    with pytest.raises(ValueError, match="declares no 'holds' property"):
        compile_property(rs, "more evidence never lowers the outcome or the score")
