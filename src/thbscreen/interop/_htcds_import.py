"""Read HTCDS-style case records into cases, through a mapping, reporting what did not map.

A record is a mapping of HTCDS field names (``vic_MethodsOfControl``) to values. A
picklist field holds one value, a list of values, or the ';'-separated string that
spreadsheet and Salesforce exports use. A value listed in a record makes its indicators
*present*; a value not listed says nothing, so every other indicator stays *unknown*
(an unticked box is not evidence of absence).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
from attrs import frozen

from .._facts import show, type_name
from .._yaml import PathT, format_path
from ..errors import CaseDataError, Problem
from ..model import Case, Observation
from ._htcds_model import HtcdsMapping

__all__ = ["ImportResult", "MappingRef", "Match", "Unmapped", "read_record", "split_values"]

IMPORT_FORMAT = "thbscreen-htcds-import/1"
MAX_VALUES_PER_FIELD = 1_000


@frozen
class MappingRef:
    id: str
    version: str
    hash: str
    rules: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "hash": self.hash, "rules": self.rules}


@frozen
class Match:
    """One record value that the mapping turned into indicators or a fact."""

    path: str
    field: str
    value: str
    indicators: tuple[str, ...] = ()
    fact: str | None = None
    confidence: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "field": self.field,
            "value": self.value,
            "indicators": list(self.indicators),
            "fact": self.fact,
            "confidence": self.confidence,
        }


@frozen
class Unmapped:
    """A record field, or a value inside a mapped field, that gave no evidence.

    ``value`` is set only for picklist values of a mapped field (vocabulary, not free
    text); a whole unmapped field is named by its path alone.
    """

    path: str
    field: str
    reason: str
    value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "field": self.field, "reason": self.reason, "value": self.value}


@frozen
class ImportResult:
    """A record read through a mapping: the case, what mapped, and what did not."""

    case: Case
    mapping: MappingRef
    matches: tuple[Match, ...]
    unmapped: tuple[Unmapped, ...]
    #: The record as given; export carries it through.
    record: Mapping[str, Any] = attrs.field(repr=False, eq=False, hash=False)

    @property
    def unmapped_fields(self) -> tuple[str, ...]:
        """Top-level record fields the mapping does not know."""
        return tuple(u.field for u in self.unmapped if u.value is None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": IMPORT_FORMAT,
            "mapping": self.mapping.to_dict(),
            "case": {
                "id": self.case.id,
                "rules": self.mapping.rules,
                "facts": dict(self.case.facts),
                "indicators": {k: v.value for k, v in self.case.indicators.items()},
            },
            "matches": [m.to_dict() for m in self.matches],
            "unmapped": [u.to_dict() for u in self.unmapped],
        }


#: Makes the error for a problem at a path of the record (the CLI adds file positions).
Locate = Callable[[str, PathT], CaseDataError]


def _plain_locate(source: str | None) -> Locate:
    def locate(message: str, path: PathT) -> CaseDataError:
        return CaseDataError(Problem(message, source=source or "<record>", path=format_path(path)))

    return locate


def split_values(raw: Any, field: str, locate: Locate | None = None) -> list[tuple[str, str]]:
    """``(path, value)`` for each value of a picklist field; ``None`` means no value."""
    fail = locate or _plain_locate(None)
    if raw is None:
        return []
    if isinstance(raw, str):
        parts = raw.split(";") if ";" in raw else [raw]
        items: list[Any] = [p.strip() for p in parts]
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        raise fail(
            f"expected a value, a list of values or a ';'-separated string, got {type_name(raw)}",
            (field,),
        )
    if len(items) > MAX_VALUES_PER_FIELD:
        raise fail(f"more than {MAX_VALUES_PER_FIELD} values", (field,))
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise fail(f"expected a value name (a string), got {type_name(item)}", (field, i))
        if item:
            out.append((format_path((field, i)), item))
    return out


def read_record(
    record: Mapping[str, Any],
    mapping: HtcdsMapping,
    *,
    source: str | None = None,
    locate: Locate | None = None,
) -> ImportResult:
    """Read one HTCDS-style record into a :class:`~thbscreen.Case` through ``mapping``.

    Every field and value is accounted for: it either maps (``matches``) or is reported
    (``unmapped``, with its path and why). Raises :class:`~thbscreen.CaseDataError`,
    naming the path, when a mapped field holds something other than value names.

    >>> from thbscreen.interop import htcds
    >>> m = htcds.load_mapping("htcds/adult-labour")
    >>> r = htcds.read_record({"vic_MethodsOfControl": ["DebtBondage", "Other"]}, m)
    >>> dict(r.case.indicators)
    {'coercion_at_destination.debt_bondage': <Observation.PRESENT: 'present'>}
    >>> [(u.path, u.reason) for u in r.unmapped]
    [('$.vic_MethodsOfControl[1]', 'value not in the mapping')]
    """
    fail = locate or _plain_locate(source)
    if not isinstance(record, Mapping):
        raise fail(f"expected a record (a mapping of field to value), got {type_name(record)}", ())
    case_id: str | None = None
    indicators: dict[str, Observation] = {}
    facts: dict[str, Any] = {}
    matches: list[Match] = []
    unmapped: list[Unmapped] = []
    for key, raw in record.items():
        if not isinstance(key, str):
            raise fail(f"field names must be strings, got {type_name(key)}", ())
        if key == mapping.id_field:
            if isinstance(raw, bool) or not isinstance(raw, str | int | None):
                raise fail(f"expected the id as a string or a number, got {type_name(raw)}", (key,))
            case_id = None if raw is None else str(raw)
            continue
        field_map = mapping.field_mapping(key)
        if field_map is not None:
            by_value = {vm.value: vm for vm in field_map.values}
            for path, value in split_values(raw, key, fail):
                vm = by_value.get(value)
                if vm is None:
                    unmapped.append(Unmapped(path, key, "value not in the mapping", value))
                elif not vm.indicators:
                    unmapped.append(
                        Unmapped(
                            path, key, f"no indicator of {mapping.rules} for this value", value
                        )
                    )
                else:
                    for ind in vm.indicators:
                        indicators[ind] = Observation.PRESENT
                    matches.append(
                        Match(path, key, value, vm.indicators, None, vm.confidence.value)
                    )
            continue
        fact_map = mapping.fact_mapping(key)
        if fact_map is not None:
            if raw is None:
                continue  # an unknown fact
            if fact_map.values is None:
                facts[fact_map.fact] = raw
                matches.append(
                    Match(
                        format_path((key,)),
                        key,
                        raw if isinstance(raw, str) else show(raw),
                        (),
                        fact_map.fact,
                        fact_map.confidence.value,
                    )
                )
                continue
            if not isinstance(raw, str):
                raise fail(f"expected a value name (a string), got {type_name(raw)}", (key,))
            if raw in fact_map.values:
                facts[fact_map.fact] = fact_map.values[raw]
                matches.append(
                    Match(
                        format_path((key,)), key, raw, (), fact_map.fact, fact_map.confidence.value
                    )
                )
            else:
                unmapped.append(Unmapped(format_path((key,)), key, "value not in the mapping", raw))
            continue
        unmapped.append(Unmapped(format_path((key,)), key, "field not in the mapping"))
    ref = MappingRef(mapping.id, mapping.version, mapping.hash, mapping.rules)
    return ImportResult(
        Case(case_id, facts, indicators), ref, tuple(matches), tuple(unmapped), record
    )
