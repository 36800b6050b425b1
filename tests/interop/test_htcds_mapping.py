"""HTCDS mapping files: the bundled ones fit their rule sets; bad files get located errors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

import thbscreen
from thbscreen.interop import htcds
from thbscreen.interop._htcds_vocabulary import METHODS_OF_CONTROL
from thbscreen.loading import ruleset_from_text
from thbscreen.model import Confidence

from ..conftest import ROOT, write
from ..helpers import TINY

SCHEMA = ROOT / "rules" / "schema" / "htcds-mapping.schema.json"
BUNDLED = ["htcds/adult-labour", "htcds/child-labour", "htcds/forced-labour-11"]


def test_bundled_mappings_are_listed_and_not_taken_for_rule_sets() -> None:
    assert htcds.bundled_mappings() == BUNDLED
    assert not any("interop" in name for name in thbscreen.bundled_rulesets())


@pytest.mark.parametrize("name", BUNDLED)
def test_every_mapped_indicator_exists_in_its_rule_set(name: str) -> None:
    mapping = htcds.load_mapping(name)
    ruleset = thbscreen.load_ruleset(mapping.rules)
    ids = {ind.id for ind in ruleset.indicators}
    mapped = [ind for fm in mapping.fields for vm in fm.values for ind in vm.indicators]
    assert mapped, "a bundled mapping maps something"
    assert set(mapped) <= ids
    assert mapping.hash.startswith("sha256:")
    assert mapping.source is not None
    assert mapping.source.endswith(name.split("/")[1] + ".yaml")


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_mappings_cover_the_reference_vocabulary_with_labels(name: str) -> None:
    mapping = htcds.load_mapping(name)
    (field,) = mapping.fields
    assert field.field == "vic_MethodsOfControl"
    # Every method of control the reference names is decided, mapped or explicitly not.
    assert [vm.value for vm in field.values] == list(METHODS_OF_CONTROL)
    for vm in field.values:
        assert vm.confidence is Confidence.THBSCREEN
        if not vm.indicators:
            assert vm.note, f"{vm.value}: an unmapped value says why"
    assert mapping.provenance.source
    assert "HTCDS" in mapping.provenance.source
    assert mapping.provenance.note
    assert "DRAFT" in mapping.provenance.note


def test_committed_schema_is_the_generated_one_and_validates_the_bundled_files() -> None:
    generated = htcds.mapping_schema()
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == generated
    for path in sorted((ROOT / "rules" / "interop" / "htcds").glob("*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), generated)
    assert "source" not in generated["$defs"]["HtcdsMapping"]["properties"]


GOOD = """\
id: test/m
version: "1"
title: Test mapping
rules: ilo-ec-2009/adult-labour
provenance: {source: tests, confidence: thbscreen}
fields:
  - field: vic_MethodsOfControl
    values:
      - {value: DebtBondage, indicators: [coercion_at_destination.debt_bondage], confidence: thbscreen}
"""


def test_a_mapping_file_loads_by_path(tmp_path: Path) -> None:
    mapping = htcds.load_mapping(write(tmp_path, "m.yaml", GOOD))
    assert mapping.id == "test/m"
    assert mapping.fields[0].values[0].export is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace("DebtBondage", "DebtBondge"),
            "m.yaml:9:17: $.fields[0].values[0].value: 'DebtBondge' is not an HTCDS value of "
            "vic_MethodsOfControl",
        ),
        (
            GOOD.replace("coercion_at_destination.debt_bondage", "coercion_at_destination.debt"),
            "m.yaml:9:43: $.fields[0].values[0].indicators[0]: unknown indicator "
            "'coercion_at_destination.debt'",
        ),
        (GOOD.replace("title: Test", "titel: Test"), "$.titel: unknown key 'titel'"),
        (
            GOOD.replace("rules: ilo-ec-2009/adult-labour", "rules: ilo-2012/forced-labour-11"),
            "unknown indicator 'coercion_at_destination.debt_bondage' in rule set "
            "ilo-2012/forced-labour-11",
        ),
        (
            GOOD.replace("rules: ilo-ec-2009/adult-labour", "rules: mine/x"),
            "m.yaml:4:8: $.rules: no bundled rule set 'mine/x'",
        ),
        (
            GOOD.replace("confidence: thbscreen}", "confidence: sure}"),
            "$.fields[0].values[0].confidence",
        ),
        (
            GOOD
            + "      - {value: TakesEarnings, indicators: [coercion_at_destination.debt_bondage], confidence: thbscreen}\n",
            "$.fields[0].values[1].export: indicator 'coercion_at_destination.debt_bondage' is "
            "written back for 'DebtBondage' already",
        ),
        (
            GOOD + "  - field: vic_MethodsOfControl\n    values: []\n",
            "m.yaml:10:12: $.fields[1].field: field 'vic_MethodsOfControl' is mapped twice",
        ),
        (
            GOOD + "      - {value: DebtBondage, indicators: [], confidence: thbscreen}\n",
            "value 'DebtBondage' is mapped twice",
        ),
    ],
)
def test_bad_mapping_files_get_one_located_error(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, "m.yaml", text)
    with pytest.raises(htcds.HtcdsMappingError) as info:
        htcds.load_mapping(path)
    assert expected in str(info.value)
    assert "Traceback" not in str(info.value)


def test_typo_in_a_value_suggests_the_right_one(tmp_path: Path) -> None:
    with pytest.raises(htcds.HtcdsMappingError, match="did you mean 'DebtBondage'"):
        htcds.load_mapping(write(tmp_path, "m.yaml", GOOD.replace("DebtBondage", "DebtBondge")))


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("DebtBondage", "Nope").replace("debt_bondage]", "debt_bondag]")
    with pytest.raises(htcds.HtcdsMappingError) as info:
        htcds.load_mapping(write(tmp_path, "m.yaml", text))
    assert len(info.value.problems) == 2


def test_unknown_mapping_name_lists_the_bundled_ones() -> None:
    with pytest.raises(htcds.HtcdsMappingError, match="did you mean 'htcds/adult-labour'"):
        htcds.load_mapping("htcds/adult-labor")


def test_a_mapping_checked_against_another_rule_set_says_so(tmp_path: Path) -> None:
    tiny = ruleset_from_text(TINY)
    with pytest.raises(htcds.HtcdsMappingError, match="the rule set given is 'test/tiny'"):
        htcds.load_mapping(write(tmp_path, "m.yaml", GOOD), tiny)


FACTS = """\
id: test/facts
version: "1"
title: Facts mapping
rules: test/tiny
provenance: {source: tests, confidence: thbscreen}
fields:
  - field: vic_MethodsOfControl
    values:
      - {value: DebtBondage, indicators: [a.one], confidence: thbscreen}
facts:
  - field: vic_TypeOfLabourExploitation
    fact: sector
    confidence: thbscreen
    values: {Agriculture: agriculture, Construction: construction}
"""


def test_fact_mappings_are_checked_against_the_declared_facts(tmp_path: Path) -> None:
    tiny = ruleset_from_text(TINY)
    assert htcds.load_mapping(write(tmp_path, "f.yaml", FACTS), tiny).facts[0].fact == "sector"
    bad_value = FACTS.replace("Construction: construction", "Construction: building")
    with pytest.raises(
        htcds.HtcdsMappingError, match=r"f.yaml:14:.*values.Construction: expected one of"
    ):
        htcds.load_mapping(write(tmp_path, "f.yaml", bad_value), tiny)
    bad_fact = FACTS.replace("fact: sector", "fact: sectr")
    with pytest.raises(
        htcds.HtcdsMappingError, match=r"unknown fact 'sectr'.*did you mean 'sector'"
    ):
        htcds.load_mapping(write(tmp_path, "f.yaml", bad_fact), tiny)
