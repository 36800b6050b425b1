"""JSON Schema (draft 2020-12) generated from the attrs model, for editors and validators."""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from typing import Any

import attrs

from .model import Observation, RuleSet, Text

__all__ = ["audit_schema", "case_schema", "network_schema", "ruleset_schema"]

_SKIP = {"source", "hash"}
_DOCS = {
    "RuleSet": "A thbscreen rule set: indicators, dimensions, outcome bands, scoring and examples.",
    "CaseFile": "One case (or a list of cases): facts and indicator observations.",
}


class _Gen:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def of(self, t: Any) -> dict[str, Any]:
        origin = typing.get_origin(t)
        args = typing.get_args(t)
        if t is str:
            return {"type": "string"}
        if t is bool:
            return {"type": "boolean"}
        if t is int:
            return {"type": "integer"}
        if t is float:
            return {"type": "number"}
        if t is Any:
            return {}
        if t is Text:
            return {"$ref": "#/$defs/Text"}
        if t is Observation:
            return {"$ref": "#/$defs/Observation"}
        if isinstance(t, type) and issubclass(t, enum.Enum):
            return {"enum": [m.value for m in t]}
        if origin in (typing.Union, types.UnionType):
            options = [a for a in args if a is not type(None)]
            inner = (
                self.of(options[0])
                if len(options) == 1
                else {"anyOf": [self.of(a) for a in options]}
            )
            return {"anyOf": [inner, {"type": "null"}]} if type(None) in args else inner
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return {"type": "array", "items": self.of(args[0])}
            return {
                "type": "array",
                "prefixItems": [self.of(a) for a in args],
                "minItems": len(args),
                "maxItems": len(args),
            }
        if origin in (Mapping, dict, typing.Mapping) or t is dict:
            key, value = args or (str, Any)
            out: dict[str, Any] = {"type": "object", "additionalProperties": self.of(value)}
            if isinstance(key, type) and issubclass(key, enum.Enum):
                out["propertyNames"] = {"enum": [m.value for m in key]}
            return out
        if attrs.has(t):
            name = t.__name__
            if name not in self.defs:
                self.defs[name] = {}  # placeholder against recursion
                self.defs[name] = self.cls(t)
            return {"$ref": f"#/$defs/{name}"}
        raise TypeError(f"no schema for {t!r}")  # pragma: no cover - model types are all covered

    def cls(self, cls: type) -> dict[str, Any]:
        hints = typing.get_type_hints(cls)
        props: dict[str, Any] = {}
        required: list[str] = []
        for a in attrs.fields(cls):
            if (
                cls.__name__ in ("RuleSet", "NetworkSpec") and a.name in _SKIP
            ) or a.name.startswith("_"):
                continue
            key = a.name.rstrip("_")  # from_ in the model is "from" in the file
            props[key] = self.of(hints[a.name])
            if a.default is attrs.NOTHING:
                required.append(key)
        out: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": props}
        if required:
            out["required"] = required
        if cls.__name__ in _DOCS:
            out["description"] = _DOCS[cls.__name__]
        return out


_COMMON_DEFS: dict[str, Any] = {
    "Text": {
        "description": "A string (English) or a mapping of language code to string with an 'en' entry.",
        "anyOf": [
            {"type": "string"},
            {"type": "object", "required": ["en"], "additionalProperties": {"type": "string"}},
        ],
    },
    "Observation": {
        "description": "present, absent or unknown; true, false and null mean the same.",
        "anyOf": [
            {"enum": ["present", "absent", "unknown"]},
            {"type": "boolean"},
            {"type": "null"},
        ],
    },
}


def _document(
    root: type, title: str, schema_id: str, *, allow_list: bool = False
) -> dict[str, Any]:
    gen = _Gen()
    ref = gen.of(root)
    body: dict[str, Any] = {"anyOf": [ref, {"type": "array", "items": ref}]} if allow_list else ref
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": title,
        **body,
        "$defs": {**_COMMON_DEFS, **dict(sorted(gen.defs.items()))},
    }


def ruleset_schema() -> dict[str, Any]:
    """JSON Schema of the rule-set file format, generated from :class:`RuleSet`."""
    return _document(
        RuleSet, "thbscreen rule set", "https://thbscreen.invalid/schema/ruleset.schema.json"
    )


def network_schema() -> dict[str, Any]:
    """JSON Schema of the referral-network file format, generated from its model."""
    from .referral.model import NetworkSpec

    return _document(
        NetworkSpec,
        "thbscreen referral network",
        "https://thbscreen.invalid/schema/network.schema.json",
    )


def case_schema() -> dict[str, Any]:
    """JSON Schema of case files (one case or a list), generated from the case model."""
    from .loading import CaseFile

    return _document(
        CaseFile,
        "thbscreen case",
        "https://thbscreen.invalid/schema/case.schema.json",
        allow_list=True,
    )


def audit_schema() -> dict[str, Any]:
    """JSON Schema of one line of an audit log, generated from :class:`AuditRecord`."""
    from .audit import AuditRecord

    return _document(
        AuditRecord,
        "thbscreen audit record (one line of an audit log)",
        "https://thbscreen.invalid/schema/audit-record.schema.json",
    )
