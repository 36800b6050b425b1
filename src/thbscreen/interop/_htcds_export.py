"""Write an assessment (and a referral pathway) back as HTCDS-style case and referral fields.

Nothing of the original record is lost: mapped fields stay where they were, with values
the assessment adds appended; fields the mapping does not know are carried, untouched,
under ``thbscreen_unmapped``; the screening result itself goes under ``thbscreen``,
with the disclaimer, because HTCDS has no field for it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..assessment import Assessment
from ..errors import CaseDataError, Problem
from ..explain import DISCLAIMER
from ._htcds_import import ImportResult, read_record, split_values
from ._htcds_model import HtcdsMapping
from ._htcds_vocabulary import (
    OUTGOING_REFERRAL_DETAILS_FIELD,
    OUTGOING_REFERRAL_REASON_FIELD,
    REFERRED_ORGANISATION_FIELD,
)

if TYPE_CHECKING:
    from ..referral import Pathway, ReferralNetwork

__all__ = ["EXPORT_FORMAT", "RESULT_KEY", "UNMAPPED_KEY", "export"]

EXPORT_FORMAT = "thbscreen-htcds-export/1"
RESULT_KEY = "thbscreen"
UNMAPPED_KEY = "thbscreen_unmapped"
# thbscreen's choice: a pathway exists to reach services the assessment calls for, and
# of the HTCDS reasons for an outgoing referral only this one says so.
_REFERRAL_REASON = "AdditionalServicesRequired"


def export(
    assessment: Assessment,
    pathway: Pathway | None = None,
    *,
    mapping: HtcdsMapping,
    original: ImportResult | Mapping[str, Any] | None = None,
    network: ReferralNetwork | None = None,
) -> dict[str, Any]:
    """The HTCDS-style record for ``assessment`` (and ``pathway``), built on ``original``.

    - Every mapped field of ``original`` keeps its values, in order and in the same
      shape (list or ';'-separated string); a value whose indicators are all present in
      the assessment, and that the mapping marks ``export``, is appended if missing.
    - Every field the mapping does not know is carried, untouched, under
      ``thbscreen_unmapped``; the paths of unmapped values are listed under
      ``thbscreen.unmapped``.
    - With a pathway: the organisations the first-contact institution refers to go to
      ``cas_ReferredOrganisation`` (names and HTCDS types from ``network``, if given),
      with the reason and details of the outgoing referral; a field the original already
      has is never overwritten (it is listed under ``thbscreen.referral.not_written``).
    - The screening result goes under ``thbscreen``, with the disclaimer.
    """
    if assessment.ruleset.id != mapping.rules:
        raise CaseDataError(
            Problem(
                f"the assessment is from rule set {assessment.ruleset.id!r}, the mapping is for "
                f"{mapping.rules!r}",
                source=mapping.source or mapping.id,
                path="$.rules",
            )
        )
    if original is None:
        imported = read_record({}, mapping)
    elif isinstance(original, ImportResult):
        if original.mapping.id != mapping.id or original.mapping.hash != mapping.hash:
            raise CaseDataError(
                Problem(
                    f"the record was read with mapping {original.mapping.id!r}, not with "
                    f"{mapping.id!r} {mapping.version}",
                    source=mapping.source or mapping.id,
                )
            )
        imported = original
    else:
        imported = read_record(original, mapping)
    record = imported.record
    present = {f.id for f in assessment.fired}

    out: dict[str, Any] = {}
    carried: dict[str, Any] = {}
    unmapped_fields = set(imported.unmapped_fields)
    for key, value in record.items():
        if key in unmapped_fields:
            carried[key] = copy.deepcopy(value)
        else:
            out[key] = copy.deepcopy(value)
    if (
        mapping.id_field is not None
        and mapping.id_field not in out
        and assessment.case_id is not None
    ):
        out[mapping.id_field] = assessment.case_id

    added: list[dict[str, Any]] = []
    for fm in mapping.fields:
        have = {value for _, value in split_values(record.get(fm.field), fm.field)}
        new = [
            vm
            for vm in fm.values
            if vm.export
            and vm.indicators
            and vm.value not in have
            and present.issuperset(vm.indicators)
        ]
        if not new:
            continue
        out[fm.field] = _append(out.get(fm.field), [vm.value for vm in new])
        added.extend(
            {"field": fm.field, "value": vm.value, "indicators": list(vm.indicators)} for vm in new
        )

    result: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "disclaimer": DISCLAIMER,
        "mapping": imported.mapping.to_dict(),
        "ruleset": assessment.ruleset.to_dict(),
        "case_id": assessment.case_id,
        "outcome": assessment.outcome,
        "outcome_range": assessment.outcome_range.to_list(),
        "determined": assessment.determined,
        "score": assessment.score,
        "score_range": list(assessment.score_range),
        "score_band": assessment.score_band,
        "dimensions": {d.id: d.status for d in assessment.dimension_results},
        "indicators_present": [f.id for f in assessment.fired],
        "added": added,
        "unmapped": [u.to_dict() for u in imported.unmapped],
        "referral": None,
    }
    if pathway is not None:
        result["referral"] = _referral(pathway, network, record, out)
    out[RESULT_KEY] = result
    out[UNMAPPED_KEY] = carried
    return out


def _append(existing: Any, values: list[str]) -> Any:
    """``existing`` with ``values`` added, in the shape it had."""
    if existing is None:
        return values
    if isinstance(existing, str):
        parts = [p for p in (s.strip() for s in existing.split(";")) if p]
        return ";".join([*parts, *values]) if parts else ";".join(values)
    return [*existing, *values]


def _organisation(institution: str, network: ReferralNetwork | None) -> dict[str, Any]:
    if network is None or institution not in network.institutions:
        return {"org_Name": institution}
    inst = network.institutions[institution]
    return {"org_Name": inst.name.en, "org_Type": inst.kind.value, "thbscreen_id": inst.id}


def _referral(
    pathway: Pathway,
    network: ReferralNetwork | None,
    record: Mapping[str, Any],
    out: dict[str, Any],
) -> dict[str, Any]:
    outgoing = [s for s in pathway.steps if s.from_ == pathway.start]
    fields: dict[str, Any] = {}
    if outgoing:
        fields[REFERRED_ORGANISATION_FIELD] = [_organisation(s.to, network) for s in outgoing]
        fields[OUTGOING_REFERRAL_REASON_FIELD] = _REFERRAL_REASON
        fields[OUTGOING_REFERRAL_DETAILS_FIELD] = _details(pathway, outgoing)
    not_written = []
    for key, value in fields.items():
        if key in record:
            not_written.append(key)
        else:
            out[key] = value
    return {
        "network": {
            "id": pathway.network,
            "version": pathway.network_version,
            "hash": pathway.network_hash,
        },
        "start": pathway.start,
        "needed": list(pathway.needed),
        "steps": [s.to_dict() for s in pathway.steps],
        "unreached": [u.to_dict() for u in pathway.unreached],
        "written": [k for k in fields if k not in not_written],
        "not_written": not_written,
    }


def _details(pathway: Pathway, outgoing: list[Any]) -> str:
    parts = []
    services = sorted({s for step in outgoing for s in step.services})
    if services:
        parts.append("Services the screening calls for: " + ", ".join(services) + ".")
    consent = [s.to for s in outgoing if s.consent]
    if consent:
        parts.append("Needs the person's consent: referral to " + ", ".join(consent) + ".")
    for step in outgoing:
        if step.notification:
            due = f" within {step.deadline_days} days" if step.deadline_days is not None else ""
            duty = step.notification.rstrip()
            end = "" if duty.endswith((".", "!", "?")) else "."
            parts.append(f"Notification duty ({step.to}){due}: {duty}{end}")
    later = [s for s in pathway.steps if s.from_ != pathway.start]
    if later:
        parts.append(
            "Onward referrals on the pathway: "
            + "; ".join(f"{s.from_} to {s.to}" for s in later)
            + "."
        )
    parts.append(
        f"Pathway from thbscreen ({pathway.network}) for the screening band "
        f"'{pathway.outcome}'. {DISCLAIMER}"
    )
    return " ".join(parts)
