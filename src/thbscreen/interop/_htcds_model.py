"""The HTCDS mapping-file model: frozen attrs classes mirroring the file format.

Structuring (strict, located) is the shared converter's job; these classes only hold data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from attrs import frozen

from ..model import Confidence, Provenance, Text

__all__ = ["FactMapping", "FieldMapping", "HtcdsMapping", "ValueMapping"]


@frozen
class ValueMapping:
    """One HTCDS picklist value and the indicators it makes present.

    ``indicators`` may be empty: the value is known, but no indicator of the rule set
    matches it, so a record's use of it is reported as unmapped. ``export`` lets the
    value be written back when every one of its indicators is present in an assessment
    (never for an empty list); set it false where an indicator is broader than the value.
    """

    value: str
    indicators: tuple[str, ...]
    confidence: Confidence
    note: str | None = None
    export: bool = True


@frozen
class FieldMapping:
    """An HTCDS picklist field (one value, a list, or a ';'-separated string) to indicators."""

    field: str
    values: tuple[ValueMapping, ...]
    title: Text | None = None
    provenance: Provenance | None = None


@frozen
class FactMapping:
    """An HTCDS field whose value becomes a fact of the rule set.

    ``values`` maps HTCDS value names to fact values; without it the value is taken as is.
    """

    field: str
    fact: str
    confidence: Confidence
    values: Mapping[str, Any] | None = attrs.field(default=None, hash=False)
    note: str | None = None


@frozen
class HtcdsMapping:
    """A declarative mapping from HTCDS case-record fields to one rule set's indicators."""

    id: str
    version: str
    title: Text
    #: The id of the rule set the mapping is for.
    rules: str
    provenance: Provenance
    fields: tuple[FieldMapping, ...]
    facts: tuple[FactMapping, ...] = ()
    #: The record field that holds the case id, if the records have one.
    id_field: str | None = None
    description: Text | None = None
    format: int = 1
    #: Where the mapping was read from (not part of its content or hash).
    source: str | None = attrs.field(default=None, eq=False, repr=False)
    #: ``sha256:`` of the canonical JSON form.
    hash: str = attrs.field(default="", eq=False, repr=False)

    def field_mapping(self, name: str) -> FieldMapping | None:
        for fm in self.fields:
            if fm.field == name:
                return fm
        return None

    def fact_mapping(self, name: str) -> FactMapping | None:
        for fm in self.facts:
            if fm.field == name:
                return fm
        return None
