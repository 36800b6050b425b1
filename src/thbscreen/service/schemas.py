"""JSON Schemas of the service's bodies, generated from the attrs classes they come from.

Requests are described by the classes in :mod:`.messages`; cases by the library's own
:class:`~thbscreen.Case` (through the generator behind ``thbscreen schema``); results by
the library's result classes. Where a result's ``to_dict`` is not a plain copy of its
fields (a renamed key, a computed one, a nested form), :data:`SHAPES` says how, next to
nothing else hand-written; the test suite validates real results against the schemas.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from typing import Any

import attrs
from attrs import frozen

from .._schema import _COMMON_DEFS, _Gen
from ..assessment import (
    ASSESSMENT_FORMAT,
    Assessment,
    DimensionResult,
    Evidence,
    NextQuestion,
    OutcomeRange,
    RuleSetRef,
)
from ..model import Case
from ..referral.pathway import Pathway

__all__ = ["SHAPES", "SchemaBuilder", "Shape"]

REF = "#/components/schemas/"


@frozen
class Shape:
    """How a class's JSON form differs from its fields."""

    drop: frozenset[str] = frozenset()
    #: Keys the JSON form adds: a type (described like a field) or a ready schema.
    extra: Mapping[str, Any] = attrs.field(factory=dict)
    #: Keys that may be left out (the others are always written).
    optional: frozenset[str] = frozenset()
    #: A whole schema, for forms that vary by kind.
    replace: Mapping[str, Any] | None = None
    name: str | None = None


def _const(value: str) -> dict[str, Any]:
    return {"type": "string", "const": value}


SHAPES: dict[type, Shape] = {
    Assessment: Shape(
        drop=frozenset({"dimension_results"}),
        extra={
            "format": _const(ASSESSMENT_FORMAT),
            "determined": bool,
            "dimensions": Mapping[str, DimensionResult],
            "next_questions": tuple[NextQuestion, ...],
        },
    ),
    # Keyed by id in the assessment's "dimensions"; the title is the rule set's.
    DimensionResult: Shape(drop=frozenset({"id", "title"})),
    Evidence: Shape(
        replace={
            "oneOf": [
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["kind", "observation"],
                    "properties": {"kind": _const("observed"), "observation": _const("present")},
                },
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["kind", "expression", "facts"],
                    "properties": {
                        "kind": _const("derived"),
                        "expression": {"type": "string"},
                        "facts": {"type": "object"},
                    },
                },
            ]
        }
    ),
    Pathway: Shape(
        drop=frozenset({"network", "network_version", "network_hash"}),
        extra={
            "format": _const("thbscreen-pathway/1"),
            # The network's id, version and hash, in the same form as a rule set's.
            "network": RuleSetRef,
            "consent_needed": tuple[str, ...],
        },
    ),
}


class SchemaBuilder:
    """Collects component schemas; ``ref(cls)`` describes a class and returns its $ref."""

    def __init__(
        self,
        limits: Mapping[str, int] | None = None,
        names: Mapping[str, list[str]] | None = None,
    ) -> None:
        self.components: dict[str, Any] = {}
        self.limits = dict(limits or {})
        #: The names a field may take (rule sets, networks) in this service instance.
        self.names = dict(names or {})
        self._model = _Gen()

    def ref(self, cls: type, *, request: bool = False) -> dict[str, Any]:
        """The $ref of ``cls``; ``request`` makes keys with defaults optional."""
        return self.of(cls, request=request)

    def of(self, t: Any, *, request: bool = False) -> dict[str, Any]:
        origin = typing.get_origin(t)
        args = typing.get_args(t)
        if t is Case:
            self._model.of(Case)
            return {"$ref": REF + "Case"}
        if t is OutcomeRange:
            return {
                "type": "array",
                "description": "The lowest and the highest band, in that order.",
                "prefixItems": [{"type": "string"}, {"type": "string"}],
                "minItems": 2,
                "maxItems": 2,
            }
        if isinstance(t, dict):  # a ready schema from a Shape
            return dict(t)
        simple = {str: "string", bool: "boolean", int: "integer", float: "number"}
        if t in simple:
            return {"type": simple[t]}
        if t is type(None):
            return {"type": "null"}
        if t is Any:
            return {}
        if origin is typing.Literal:
            return {"enum": list(args)}
        if isinstance(t, type) and issubclass(t, enum.Enum):
            return {"enum": [m.value for m in t]}
        if origin in (typing.Union, types.UnionType):
            options = [self.of(a, request=request) for a in args if a is not type(None)]
            inner = options[0] if len(options) == 1 else {"anyOf": options}
            return {"anyOf": [inner, {"type": "null"}]} if type(None) in args else inner
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return {"type": "array", "items": self.of(args[0], request=request)}
            return {
                "type": "array",
                "prefixItems": [self.of(a, request=request) for a in args],
                "minItems": len(args),
                "maxItems": len(args),
            }
        if origin in (Mapping, dict) or t is dict:
            value = args[1] if args else Any
            return {"type": "object", "additionalProperties": self.of(value, request=request)}
        if attrs.has(t):
            shape = SHAPES.get(t, Shape())
            name = shape.name or t.__name__
            if name not in self.components:
                self.components[name] = {}  # placeholder against recursion
                self.components[name] = self._class(t, shape, request)
            return {"$ref": REF + name}
        raise TypeError(f"no schema for {t!r}")

    def _class(self, cls: type, shape: Shape, request: bool) -> dict[str, Any]:
        if shape.replace is not None:
            return dict(shape.replace)
        hints = typing.get_type_hints(cls, localns={"Screener": object})
        props: dict[str, Any] = {}
        required: list[str] = []
        for a in attrs.fields(cls):
            if a.name.startswith("_") or a.name in shape.drop:
                continue
            key = a.name.rstrip("_")  # from_ in the model is "from" in JSON
            props[key] = self._field(a, hints[a.name], request)
            if request:
                if a.default is attrs.NOTHING:
                    required.append(key)
            elif key not in shape.optional and not a.metadata.get("optional"):
                required.append(key)
        for key, t in shape.extra.items():
            props[key] = self.of(t, request=request)
            if key not in shape.optional:
                required.append(key)
        out: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": props}
        if required:
            out["required"] = required
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        if doc:
            out["description"] = " ".join(doc.split())
        return out

    def _field(self, a: attrs.Attribute[Any], hint: Any, request: bool) -> dict[str, Any]:
        meta = a.metadata
        out = self.of(meta.get("schema", hint), request=request)
        if "limit" in meta:
            key = "maxItems" if out.get("type") == "array" else "maxLength"
            out[key] = self.limits.get(meta["limit"], meta.get("default_limit"))
        if meta.get("names") in self.names:
            out["enum"] = list(self.names[meta["names"]])
        if "max_length" in meta:
            out["maxLength"] = meta["max_length"]
        if "min_length" in meta:
            out["minLength"] = meta["min_length"]
        if "description" in meta:
            out = {**out, "description": meta["description"]}
        return out

    def finish(self) -> dict[str, Any]:
        """Every component, the model's ones (Case, Text, Observation) included."""
        model = {**_COMMON_DEFS, **self._model.defs}
        out = dict(self.components)
        for name, schema in model.items():
            out.setdefault(name, _rewrite_refs(schema))
        if "Case" in out:
            out["Case"] = _as_screened(out["Case"])
        return dict(sorted(out.items()))


def _as_screened(case: dict[str, Any]) -> dict[str, Any]:
    """The Case model's schema widened to what ``Screener.evaluate`` accepts of a mapping:
    a numeric id (table rows have them; it becomes a string) and null facts or
    indicators (none given). Without this the document would promise refusals the
    service does not make."""
    props = dict(case["properties"])
    props["id"] = {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}
    for key in ("facts", "indicators"):
        props[key] = {"anyOf": [props[key], {"type": "null"}]}
    return {**case, "properties": props}


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (
                v.replace("#/$defs/", REF)
                if k == "$ref" and isinstance(v, str)
                else _rewrite_refs(v)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node
