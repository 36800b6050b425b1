"""HTCDS vocabulary that thbscreen knows, so that mapping files are checked against it.

Only what the domain reference (section 6) names, with the field names and picklist
value names as read in the HTCDS Field Reference (github.com/UNMigration/HTCDS,
``HTCDS Field Reference.md``; the standard marks every one of these fields DRAFT).
Values a record carries beyond these are never refused: they are reported as unmapped.
"""

from __future__ import annotations

__all__ = [
    "CASE_STATUS",
    "FIELD_VALUES",
    "METHODS_OF_CONTROL",
    "METHODS_OF_CONTROL_FIELD",
    "ORGANISATION_TYPES",
    "OUTGOING_REFERRAL_DETAILS_FIELD",
    "OUTGOING_REFERRAL_REASON_FIELD",
    "REFERRAL_REASONS",
    "REFERRED_ORGANISATION_FIELD",
    "SOURCE",
]

SOURCE = (
    "IOM, Human Trafficking Case Data Standard (HTCDS), github.com/UNMigration/HTCDS, "
    "'HTCDS Field Reference.md' (fields marked DRAFT in the standard)"
)

METHODS_OF_CONTROL_FIELD = "vic_MethodsOfControl"
REFERRED_ORGANISATION_FIELD = "cas_ReferredOrganisation"
OUTGOING_REFERRAL_REASON_FIELD = "cas_ReasonForOutgoingReferral"
OUTGOING_REFERRAL_DETAILS_FIELD = "cas_OutgoingReferralDetails"

METHODS_OF_CONTROL = (
    "DebtBondage",
    "TakesEarnings",
    "RestrictsFinancialAccess",
    "Threats",
    "PsychologicalAbuse",
    "PhysicalAbuse",
    "SexualAbuse",
    "FalsePromises",
    "PsychoactiveSubstances",
    "RestrictsMovement",
    "RestrictsMedicalCare",
    "ExcessiveWorkingHours",
    "UsesChildren",
    "ThreatOfLawEnforcement",
    "WithholdsNecessities",
    "WithholdsDocuments",
)

ORGANISATION_TYPES = (
    "NGO",
    "LawEnforcement",
    "HealthServiceOrganisation",
    "CentralGovernmentOrganisation",
    "LocalGovernmentOrganisation",
    "ImmigrationService",
    "LegalService",
    "CorporateBusiness",
)

REFERRAL_REASONS = ("AdditionalServicesRequired", "MigrationOrChangeOfLocation", "Other")
CASE_STATUS = ("Active", "FollowUp", "Closed", "ClosedReferred")

#: Fields whose values a mapping file may name, with the values the standard gives.
FIELD_VALUES: dict[str, tuple[str, ...]] = {METHODS_OF_CONTROL_FIELD: METHODS_OF_CONTROL}
