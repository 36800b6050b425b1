"""Reading HTCDS-style records into cases and writing assessments back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import thbscreen
from thbscreen.interop import htcds
from thbscreen.loading import ruleset_from_text
from thbscreen.model import Observation

from ..conftest import write
from ..helpers import TINY
from .test_htcds_mapping import FACTS

MOC = "vic_MethodsOfControl"
DOCS = "coercion_at_destination.confiscation_of_documents"
DEBT = "coercion_at_destination.debt_bondage"
HOURS = "exploitative_conditions_of_work.excessive_working_days_hours"


@pytest.fixture(scope="module")
def mapping() -> htcds.HtcdsMapping:
    return htcds.load_mapping("htcds/adult-labour")


@pytest.fixture(scope="module")
def screener(mapping: htcds.HtcdsMapping) -> thbscreen.Screener:
    return thbscreen.Screener(thbscreen.load_ruleset(mapping.rules))


@pytest.mark.parametrize(
    "value",
    [
        ["WithholdsDocuments", "DebtBondage"],
        "WithholdsDocuments;DebtBondage",
        " WithholdsDocuments ; DebtBondage;",
    ],
)
def test_a_multiselect_field_reads_as_list_or_separated_string(
    mapping: htcds.HtcdsMapping, value: Any
) -> None:
    result = htcds.read_record({MOC: value}, mapping)
    assert dict(result.case.indicators) == {DOCS: Observation.PRESENT, DEBT: Observation.PRESENT}
    assert [m.value for m in result.matches] == ["WithholdsDocuments", "DebtBondage"]
    assert result.unmapped == ()


def test_values_not_listed_stay_unknown_never_absent(
    mapping: htcds.HtcdsMapping, screener: thbscreen.Screener
) -> None:
    result = htcds.read_record({MOC: ["DebtBondage"]}, mapping)
    assessment = screener.evaluate(result.case)
    assert DOCS in assessment.unknown
    assert not assessment.determined


def test_every_field_and_value_that_does_not_map_is_reported(mapping: htcds.HtcdsMapping) -> None:
    record = {MOC: ["Threats", "DebtBondage", "Other"], "prs_Gender": "Female", "cas_Status": None}
    result = htcds.read_record(record, mapping)
    assert [(u.path, u.value, u.reason) for u in result.unmapped] == [
        (
            "$.vic_MethodsOfControl[0]",
            "Threats",
            "no indicator of ilo-ec-2009/adult-labour for this value",
        ),
        ("$.vic_MethodsOfControl[2]", "Other", "value not in the mapping"),
        ("$.prs_Gender", None, "field not in the mapping"),
        ("$.cas_Status", None, "field not in the mapping"),
    ]
    assert result.unmapped_fields == ("prs_Gender", "cas_Status")
    # Whole unmapped fields are named, never quoted: their values are case data.
    assert "Female" not in str(result.to_dict()["unmapped"])


@pytest.mark.parametrize(
    ("record", "path", "message"),
    [
        ({MOC: 3}, "$.vic_MethodsOfControl", "expected a value, a list of values"),
        (
            {MOC: ["DebtBondage", 7]},
            "$.vic_MethodsOfControl[1]",
            "expected a value name (a string), got int",
        ),
        ({MOC: [None]}, "$.vic_MethodsOfControl[0]", "got null"),
    ],
)
def test_bad_values_in_a_mapped_field_raise_one_located_error(
    mapping: htcds.HtcdsMapping, record: dict[str, Any], path: str, message: str
) -> None:
    with pytest.raises(thbscreen.CaseDataError) as info:
        htcds.read_record(record, mapping)
    assert info.value.path == path
    assert message in str(info.value)


def test_a_record_must_be_a_mapping(mapping: htcds.HtcdsMapping) -> None:
    with pytest.raises(thbscreen.CaseDataError, match="expected a record"):
        htcds.read_record(["DebtBondage"], mapping)  # type: ignore[arg-type]


def test_fact_mappings_fill_facts_and_report_unknown_values(tmp_path: Path) -> None:
    tiny = ruleset_from_text(TINY)
    mapping = htcds.load_mapping(write(tmp_path, "f.yaml", FACTS), tiny)
    result = htcds.read_record({"vic_TypeOfLabourExploitation": "Agriculture"}, mapping)
    assert dict(result.case.facts) == {"sector": "agriculture"}
    assessment = thbscreen.Screener(tiny).evaluate(result.case)
    assert "b.farm" in [f.id for f in assessment.fired]  # derived from the mapped fact
    other = htcds.read_record({"vic_TypeOfLabourExploitation": "Begging"}, mapping)
    assert dict(other.case.facts) == {}
    assert [(u.path, u.value) for u in other.unmapped] == [
        ("$.vic_TypeOfLabourExploitation", "Begging")
    ]


def test_an_id_field_gives_the_case_its_id(tmp_path: Path) -> None:
    text = FACTS.replace("fields:", "id_field: Id\nfields:")
    mapping = htcds.load_mapping(write(tmp_path, "f.yaml", text), ruleset_from_text(TINY))
    result = htcds.read_record({"Id": 17, MOC: "DebtBondage"}, mapping)
    assert result.case.id == "17"
    assert result.unmapped == ()
    with pytest.raises(thbscreen.CaseDataError, match=r"\$.Id: expected the id"):
        htcds.read_record({"Id": True}, mapping)


def test_export_keeps_the_record_and_adds_what_the_assessment_found(
    mapping: htcds.HtcdsMapping, screener: thbscreen.Screener
) -> None:
    record = {MOC: "Threats;DebtBondage", "cas_Status": "Active", "prs_Nationality": "XX"}
    imported = htcds.read_record(record, mapping)
    # The interviewer also learned of kept documents and long hours, and of violence.
    case = thbscreen.Case(
        None,
        {},
        {
            **imported.case.indicators,
            DOCS: Observation.PRESENT,
            HOURS: Observation.PRESENT,
            "coercion_at_destination.violence_on_victim": Observation.PRESENT,
        },
    )
    out = htcds.export(screener.evaluate(case), mapping=mapping, original=imported)
    # Same shape as the original (a ';' string), original values first, additions after;
    # SexualAbuse (export: false) is not claimed for violence, PhysicalAbuse is.
    assert out[MOC] == "Threats;DebtBondage;PhysicalAbuse;ExcessiveWorkingHours;WithholdsDocuments"
    assert out[htcds.UNMAPPED_KEY] == {"cas_Status": "Active", "prs_Nationality": "XX"}
    result = out[htcds.RESULT_KEY]
    assert result["disclaimer"] == thbscreen.DISCLAIMER
    assert [a["value"] for a in result["added"]] == [
        "PhysicalAbuse",
        "ExcessiveWorkingHours",
        "WithholdsDocuments",
    ]
    assert result["outcome"] == screener.evaluate(case).outcome
    assert {u["path"] for u in result["unmapped"]} == {
        "$.vic_MethodsOfControl[0]",
        "$.cas_Status",
        "$.prs_Nationality",
    }
    assert record == {MOC: "Threats;DebtBondage", "cas_Status": "Active", "prs_Nationality": "XX"}


def test_export_without_an_original_writes_only_what_was_found(
    mapping: htcds.HtcdsMapping, screener: thbscreen.Screener
) -> None:
    out = htcds.export(screener.evaluate({"indicators": {DEBT: "present"}}), mapping=mapping)
    assert out[MOC] == ["DebtBondage"]
    assert out[htcds.UNMAPPED_KEY] == {}


def test_export_refuses_an_assessment_from_another_rule_set(mapping: htcds.HtcdsMapping) -> None:
    other = thbscreen.Screener(thbscreen.load_ruleset("ilo-2012/forced-labour-11")).evaluate({})
    with pytest.raises(
        thbscreen.CaseDataError, match="the mapping is for 'ilo-ec-2009/adult-labour'"
    ):
        htcds.export(other, mapping=mapping)


def test_export_refuses_a_record_read_with_another_mapping(mapping: htcds.HtcdsMapping) -> None:
    other = htcds.load_mapping("htcds/child-labour")
    imported = htcds.read_record({MOC: "DebtBondage"}, other)
    assessment = thbscreen.Screener(thbscreen.load_ruleset(mapping.rules)).evaluate(imported.case)
    with pytest.raises(thbscreen.CaseDataError, match="read with mapping 'htcds/child-labour'"):
        htcds.export(assessment, mapping=mapping, original=imported)


VICTIM = {
    "deceptive_recruitment.deceived_nature_of_job": "present",
    "deceptive_recruitment.deceived_wages": "present",
    HOURS: "present",
    "exploitative_conditions_of_work.low_or_no_salary": "present",
    DEBT: "present",
    DOCS: "present",
}


def test_export_writes_the_outgoing_referral_from_a_pathway(
    mapping: htcds.HtcdsMapping, screener: thbscreen.Screener
) -> None:
    net = thbscreen.load_network("referral/slovenia")
    assessment = screener.evaluate({"indicators": VICTIM})
    path = thbscreen.pathway(net, assessment, {"facts": {"age": 30}}, start="labour_inspectorate")
    out = htcds.export(assessment, path, mapping=mapping, network=net)
    outgoing = [s.to for s in path.steps if s.from_ == "labour_inspectorate"]
    assert outgoing
    assert [o["thbscreen_id"] for o in out["cas_ReferredOrganisation"]] == outgoing
    assert {o["org_Type"] for o in out["cas_ReferredOrganisation"]} <= {
        "NGO",
        "LawEnforcement",
        "HealthServiceOrganisation",
        "CentralGovernmentOrganisation",
        "LocalGovernmentOrganisation",
        "ImmigrationService",
        "LegalService",
        "CorporateBusiness",
    }
    assert out["cas_ReasonForOutgoingReferral"] == "AdditionalServicesRequired"
    assert thbscreen.DISCLAIMER in out["cas_OutgoingReferralDetails"]
    assert "cas_Status" not in out  # the case's status is the organisation's to set
    referral = out[htcds.RESULT_KEY]["referral"]
    assert referral["not_written"] == []
    assert len(referral["steps"]) == len(path.steps)


def test_export_never_overwrites_referral_fields_the_record_has(
    mapping: htcds.HtcdsMapping, screener: thbscreen.Screener
) -> None:
    net = thbscreen.load_network("referral/slovenia")
    assessment = screener.evaluate({"indicators": VICTIM})
    path = thbscreen.pathway(net, assessment, {"facts": {"age": 30}}, start="labour_inspectorate")
    record = {"cas_ReferredOrganisation": "Their own choice"}
    out = htcds.export(assessment, path, mapping=mapping, original=record, network=net)
    assert "cas_ReferredOrganisation" not in out
    assert out[htcds.UNMAPPED_KEY] == record
    assert out[htcds.RESULT_KEY]["referral"]["not_written"] == ["cas_ReferredOrganisation"]
    # Without a network, organisations are named by their ids.
    bare = htcds.export(assessment, path, mapping=mapping)
    assert bare["cas_ReferredOrganisation"][0] == {"org_Name": path.steps[0].to}
