"""HTCDS interoperability: IOM's Human Trafficking Case Data Standard in and out.

A declarative mapping file (``rules/interop/htcds/*.yaml``) says which HTCDS values
make which indicators of one rule set present, each with its confidence label.
:func:`read_record` reads an HTCDS-style record into a case through it, reporting every
field and value that did not map; :func:`export` writes an assessment and a referral
pathway back as HTCDS-style fields, keeping every field of the original record.

>>> from thbscreen import Screener, load_ruleset
>>> from thbscreen.interop import htcds
>>> mapping = htcds.load_mapping("htcds/adult-labour")
>>> record = {"vic_MethodsOfControl": "WithholdsDocuments;DebtBondage", "prs_Nationality": "XX"}
>>> imported = htcds.read_record(record, mapping)
>>> assessment = Screener(load_ruleset(mapping.rules)).evaluate(imported.case)
>>> out = htcds.export(assessment, mapping=mapping, original=imported)
>>> out["vic_MethodsOfControl"], out["thbscreen_unmapped"]
('WithholdsDocuments;DebtBondage', {'prs_Nationality': 'XX'})
"""

from __future__ import annotations

from ._htcds_export import EXPORT_FORMAT, RESULT_KEY, UNMAPPED_KEY, export
from ._htcds_import import ImportResult, MappingRef, Match, Unmapped, read_record
from ._htcds_loading import HtcdsMappingError, bundled_mappings, load_mapping, mapping_schema
from ._htcds_model import FactMapping, FieldMapping, HtcdsMapping, ValueMapping

__all__ = [
    "EXPORT_FORMAT",
    "RESULT_KEY",
    "UNMAPPED_KEY",
    "FactMapping",
    "FieldMapping",
    "HtcdsMapping",
    "HtcdsMappingError",
    "ImportResult",
    "MappingRef",
    "Match",
    "Unmapped",
    "ValueMapping",
    "bundled_mappings",
    "export",
    "load_mapping",
    "mapping_schema",
    "read_record",
]
