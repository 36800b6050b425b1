"""Load and check HTCDS mapping files: by bundled name or path, every problem located."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from .._convert import content_hash
from .._facts import FactReader
from .._language.suggest import did_you_mean
from .._yaml import Located, PathT, read_located
from ..errors import CaseDataError, Problem, RuleSetError
from ..loading import bundled_rules_dir, bundled_rulesets, load_ruleset, resolve_path, structure
from ..model import RuleSet
from ._htcds_model import HtcdsMapping
from ._htcds_vocabulary import FIELD_VALUES

__all__ = ["HtcdsMappingError", "bundled_mappings", "load_mapping", "mapping_schema"]

_SUFFIXES = (".yaml", ".yml", ".json")
_PREFIX = "htcds/"


class HtcdsMappingError(RuleSetError):
    """An HTCDS mapping file is malformed or does not fit its rule set."""


def _mapping_dir() -> Path:
    return bundled_rules_dir() / "interop" / "htcds"


def bundled_mappings() -> list[str]:
    """Names of the bundled HTCDS mappings, such as ``htcds/adult-labour``."""
    root = _mapping_dir()
    if not root.is_dir():
        return []
    return sorted(_PREFIX + p.stem for p in root.iterdir() if p.suffix in _SUFFIXES)


def _resolve(name_or_path: str | os.PathLike[str]) -> Path:
    return resolve_path(
        name_or_path,
        bundled_mappings(),
        "HTCDS mapping",
        HtcdsMappingError,
        root=_mapping_dir().parent,
    )


def load_mapping(
    name_or_path: str | os.PathLike[str], ruleset: RuleSet | None = None
) -> HtcdsMapping:
    """Load an HTCDS mapping by bundled name (``htcds/adult-labour``) or file path.

    The mapping is checked against ``ruleset``, or, when none is given, against the
    bundled rule set its ``rules`` key names. Raises :class:`HtcdsMappingError` listing
    every problem with file, line, column and path.
    """
    located = read_located(_resolve(name_or_path))
    mapping: HtcdsMapping = structure(located, HtcdsMapping, HtcdsMappingError)
    if ruleset is None:
        if mapping.rules not in bundled_rulesets():
            raise HtcdsMappingError(
                located.problem(
                    f"no bundled rule set {mapping.rules!r}: pass the rule set the mapping is for",
                    ("rules",),
                )
            )
        ruleset = load_ruleset(mapping.rules)
    problems = list(_check(mapping, located, ruleset))
    if problems:
        raise HtcdsMappingError(problems)
    return attrs.evolve(mapping, source=located.source, hash=content_hash(mapping))


def _check(mapping: HtcdsMapping, located: Located, ruleset: RuleSet) -> Iterator[Problem]:
    """Every problem of a structurally valid mapping, against its rule set and the vocabulary."""

    def at(message: str, path: PathT, *, key: bool = False) -> Problem:
        return located.problem(message, path, key=key)

    if mapping.rules != ruleset.id:
        yield at(
            f"the mapping is for {mapping.rules!r}, the rule set given is {ruleset.id!r}",
            ("rules",),
        )
    indicator_ids = [ind.id for ind in ruleset.indicators]
    known_indicators = set(indicator_ids)
    seen_fields: dict[str, PathT] = {}

    def claim_field(name: str, path: PathT) -> Iterator[Problem]:
        if name in seen_fields:
            yield at(f"field {name!r} is mapped twice (also at {_show(seen_fields[name])})", path)
        else:
            seen_fields[name] = path
        if name == mapping.id_field:
            yield at(f"field {name!r} is the id_field and cannot be mapped as well", path)

    for f, fm in enumerate(mapping.fields):
        yield from claim_field(fm.field, ("fields", f, "field"))
        vocabulary = FIELD_VALUES.get(fm.field)
        seen_values: set[str] = set()
        exported: dict[str, str] = {}
        for v, vm in enumerate(fm.values):
            vpath: PathT = ("fields", f, "values", v)
            if vm.value in seen_values:
                yield at(f"value {vm.value!r} is mapped twice in this field", (*vpath, "value"))
            seen_values.add(vm.value)
            if vocabulary is not None and vm.value not in vocabulary:
                yield at(
                    f"{vm.value!r} is not an HTCDS value of {fm.field}; expected one of "
                    f"{', '.join(vocabulary)}{did_you_mean(vm.value, vocabulary)}",
                    (*vpath, "value"),
                )
            for i, ind in enumerate(vm.indicators):
                if ind not in known_indicators:
                    yield at(
                        f"unknown indicator {ind!r} in rule set {ruleset.id}"
                        f"{did_you_mean(ind, indicator_ids)}",
                        (*vpath, "indicators", i),
                    )
                elif vm.export and ind in exported:
                    yield at(
                        f"indicator {ind!r} is written back for {exported[ind]!r} already; "
                        "set export: false on one of the two, or the export would claim a value "
                        "the record never had",
                        (*vpath, "export"),
                    )
                elif vm.export:
                    exported[ind] = vm.value

    facts = {fact.id: fact for fact in ruleset.facts}
    seen_facts: set[str] = set()
    for f, fact_map in enumerate(mapping.facts):
        fpath: PathT = ("facts", f)
        yield from claim_field(fact_map.field, (*fpath, "field"))
        if fact_map.fact not in facts:
            yield at(
                f"unknown fact {fact_map.fact!r} in rule set {ruleset.id}; declared facts: "
                f"{', '.join(facts) or 'none'}{did_you_mean(fact_map.fact, facts)}",
                (*fpath, "fact"),
            )
            continue
        if fact_map.fact in seen_facts:
            yield at(f"fact {fact_map.fact!r} is filled from two fields", (*fpath, "fact"))
        seen_facts.add(fact_map.fact)
        reader = FactReader([facts[fact_map.fact]])
        for value_name, fact_value in (fact_map.values or {}).items():
            try:
                reader.vector(None, {fact_map.fact: fact_value})
            except CaseDataError as exc:
                yield at(exc.problems[0].message, (*fpath, "values", value_name))


def _show(path: PathT) -> str:
    from .._yaml import format_path

    return format_path(path)


def mapping_schema() -> dict[str, Any]:
    """JSON Schema of the HTCDS mapping-file format, generated from its model."""
    from .._schema import _document

    doc = _document(
        HtcdsMapping,
        "thbscreen HTCDS mapping",
        "https://thbscreen.invalid/schema/htcds-mapping.schema.json",
    )
    root = doc["$defs"]["HtcdsMapping"]
    for private in ("source", "hash"):
        root["properties"].pop(private, None)
    root["description"] = (
        "A mapping from HTCDS case-record fields and values to the indicators (and facts) "
        "of one thbscreen rule set."
    )
    return doc
