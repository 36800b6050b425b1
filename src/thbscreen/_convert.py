"""The one place where data meets the model: strict cattrs structuring, unstructuring,
canonical form and content hash.

Structuring is strict on purpose: no key is ignored, no string is silently turned
into a number, and every problem is reported with the path it came from, so that
the loader can point at the file, line and column.
"""

from __future__ import annotations

import datetime
import enum
import functools
import hashlib
import json
import math
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from ._language.suggest import did_you_mean
from ._yaml import PathT
from .model import Observation, Text

__all__ = ["canonical_json", "content_hash", "converter", "structure_problems"]


def _type_name(value: object) -> str:
    if value is None:
        return "nothing (null)"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {_type_name(value)}")
    return value


def _int(value: Any, _: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"expected a whole number, got {_type_name(value)}")
    return value


def _float(value: Any, _: Any) -> float:
    if type(value) not in (int, float):
        raise TypeError(f"expected a number, got {_type_name(value)}")
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value}")
    return value  # type: ignore[no-any-return]


def _bool(value: Any, _: Any) -> bool:
    if type(value) is not bool:
        raise TypeError(f"expected true or false, got {_type_name(value)}")
    return value


def _enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    choices = [m.value for m in cls]
    if isinstance(value, str):
        for member in cls:
            if member.value == value:
                return member
        raise ValueError(
            f"expected one of {', '.join(choices)}, got {value!r}{did_you_mean(value, choices)}"
        )
    raise TypeError(f"expected one of {', '.join(choices)}, got {_type_name(value)}")


_OBSERVATIONS = {
    "present": Observation.PRESENT,
    "absent": Observation.ABSENT,
    "unknown": Observation.UNKNOWN,
}


def observation(value: Any) -> Observation:
    """present/absent/unknown, or true/false/null."""
    if value is True:
        return Observation.PRESENT
    if value is False:
        return Observation.ABSENT
    if value is None:
        return Observation.UNKNOWN
    if isinstance(value, Observation):
        return value
    if isinstance(value, str):
        found = _OBSERVATIONS.get(value)
        if found is not None:
            return found
        # Case values stay out of error text; a near miss is named by what it resembles.
        raise ValueError(
            "expected present, absent or unknown (or true, false, null), got a different string"
            + did_you_mean(value, _OBSERVATIONS)
        )
    raise TypeError(
        f"expected present, absent or unknown (or true, false, null), got {_type_name(value)}"
    )


def _text(value: Any, _: Any) -> Text:
    if isinstance(value, str):
        return Text(value)
    if isinstance(value, dict):
        bad = [k for k, v in value.items() if not isinstance(v, str)]
        if bad:
            raise TypeError(f"text for language {bad[0]!r} must be a string")
        if "en" not in value:
            raise ValueError("a text in several languages needs an 'en' entry")
        return Text(value["en"], tuple(sorted((k, v) for k, v in value.items() if k != "en")))
    raise TypeError(
        f"expected a text (a string, or a mapping of language to string), got {_type_name(value)}"
    )


def _is_homogeneous_tuple(t: Any) -> bool:
    args = typing.get_args(t)
    return typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _is_fixed_tuple(t: Any) -> bool:
    args = typing.get_args(t)
    return typing.get_origin(t) is tuple and bool(args) and args[-1] is not Ellipsis


def _is_mapping(t: Any) -> bool:
    return typing.get_origin(t) in (Mapping, dict, typing.Mapping)


def _tuple_factory(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    item_type = typing.get_args(t)[0]
    inner = conv.get_structure_hook(item_type)

    def structure(value: Any, _: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {_type_name(value)}")
        out: list[Any] = []
        errors: list[Exception] = []
        for i, item in enumerate(value):
            try:
                out.append(inner(item, item_type))
            except Exception as exc:
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    IterableValidationNote(f"@ index {i}", i, item_type),
                ]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"while structuring {t!r}", errors, t)
        return tuple(out)

    return structure


def _fixed_tuple_factory(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    types = typing.get_args(t)
    hooks = [conv.get_structure_hook(x) for x in types]

    def structure(value: Any, _: Any) -> tuple[Any, ...]:
        if not isinstance(value, list) or len(value) != len(types):
            raise TypeError(f"expected a list of {len(types)} items, got {_type_name(value)}")
        return tuple(h(v, x) for h, v, x in zip(hooks, value, types, strict=True))

    return structure


def _attrs_factory(cls: type, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """Structure an attrs class from a mapping, strictly, without generated code.

    cattrs would generate and compile a function per class on first use, which costs
    more than loading a rule file does; this hook reads the fields once instead, and
    reports problems the way cattrs' detailed validation does (same error classes and
    notes), so locations come out the same. A field ``from_`` is the key ``from``.
    """
    hints = typing.get_type_hints(cls)
    fields = [
        (a.alias, a.name.rstrip("_"), hints[a.name], a.default is attrs.NOTHING)
        for a in attrs.fields(cls)
        if a.init
    ]
    keys = frozenset(key for _, key, _, _ in fields)
    hooks: dict[str, Callable[[Any, Any], Any]] = {}

    def structure(value: Any, _: Any) -> Any:
        if not isinstance(value, dict):
            raise TypeError(f"expected a mapping, got {_type_name(value)}")
        kwargs: dict[str, Any] = {}
        errors: list[Exception] = []
        extra = value.keys() - keys
        if extra:
            errors.append(ForbiddenExtraKeysError("", cls, set(extra)))
        for arg, key, field_type, required in fields:
            if key not in value:
                if required:
                    missing = KeyError(key)
                    missing.__notes__ = [AttributeValidationNote(f"missing {key}", key, field_type)]
                    errors.append(missing)
                continue
            hook = hooks.get(key)
            if hook is None:
                hook = hooks[key] = conv.get_structure_hook(field_type)
            try:
                kwargs[arg] = hook(value[key], field_type)
            except Exception as exc:
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    AttributeValidationNote(f"@ attribute {key}", key, field_type),
                ]
                errors.append(exc)
        if errors:
            raise ClassValidationError(f"while structuring {cls.__name__}", errors, cls)
        return cls(**kwargs)

    return structure


def _is_optional(t: Any) -> bool:
    args = typing.get_args(t)
    return (
        typing.get_origin(t) in (typing.Union, types.UnionType)
        and len(args) == 2
        and type(None) in args
    )


def _optional_factory(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    # Resolve the inner hook once; cattrs' generic Optional handling dispatches per call.
    inner_type = next(a for a in typing.get_args(t) if a is not type(None))
    inner = conv.get_structure_hook(inner_type)

    def structure(value: Any, _: Any) -> Any:
        return None if value is None else inner(value, inner_type)

    return structure


def _mapping_factory(t: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    key_type, value_type = typing.get_args(t) or (Any, Any)
    key_hook = conv.get_structure_hook(key_type)
    value_hook = conv.get_structure_hook(value_type)

    def structure(value: Any, _: Any) -> dict[Any, Any]:
        if not isinstance(value, dict):
            raise TypeError(f"expected a mapping, got {_type_name(value)}")
        out: dict[Any, Any] = {}
        errors: list[Exception] = []
        for k, v in value.items():
            try:
                out[key_hook(k, key_type)] = value_hook(v, value_type)
            except Exception as exc:
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    IterableValidationNote(f"@ key {k!r}", k, value_type),
                ]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"while structuring {t!r}", errors, t)
        return out

    return structure


@functools.cache
def converter() -> cattrs.Converter:
    """The strict converter (built on first use: no work at import time).

    Every hook collects all the problems of its part, with the notes cattrs' detailed
    validation uses, so one pass reports every problem with its path.
    """
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _str)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(float, _float)
    conv.register_structure_hook(bool, _bool)
    conv.register_structure_hook(Any, lambda v, _: v)
    conv.register_structure_hook(Text, _text)
    conv.register_structure_hook(Observation, lambda v, _: observation(v))
    conv.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum) and t is not Observation, _enum
    )
    conv.register_structure_hook_factory(_is_homogeneous_tuple, lambda t: _tuple_factory(t, conv))
    conv.register_structure_hook_factory(_is_fixed_tuple, lambda t: _fixed_tuple_factory(t, conv))
    conv.register_structure_hook_factory(_is_mapping, lambda t: _mapping_factory(t, conv))
    conv.register_structure_hook_factory(_is_optional, lambda t: _optional_factory(t, conv))
    conv.register_structure_hook_factory(attrs.has, lambda t: _attrs_factory(t, conv))
    conv.register_unstructure_hook(
        Text, lambda t: t.en if not t.translations else {"en": t.en, **dict(t.translations)}
    )
    return conv


def structure_problems(
    exc: BaseException, fields_of: Callable[[type], list[str]]
) -> list[tuple[PathT, bool, str]]:
    """Flatten a cattrs error tree into ``(path, at_key, message)`` triples."""
    out: list[tuple[PathT, bool, str]] = []

    def walk(e: BaseException, path: PathT) -> None:
        if isinstance(e, ClassValidationError | IterableValidationError):
            for sub in e.exceptions:
                sub_path = path
                for note in getattr(sub, "__notes__", []):
                    if hasattr(note, "name"):
                        sub_path = (*sub_path, note.name.rstrip("_"))
                    elif hasattr(note, "index"):
                        sub_path = (*sub_path, note.index)
                walk(sub, sub_path)
            return
        if isinstance(e, ForbiddenExtraKeysError):
            allowed = fields_of(e.cl)
            for key in sorted(e.extra_fields):
                out.append(
                    (
                        (*path, key),
                        True,
                        f"unknown key {key!r}; expected one of {', '.join(allowed)}"
                        + did_you_mean(key, allowed),
                    )
                )
            return
        if isinstance(e, KeyError):
            missing = path[-1] if path else "?"
            out.append((path, True, f"missing required key {missing!r}"))
            return
        message = str(e)
        if isinstance(e, TypeError) and "required positional argument" in message:
            message = "missing a required key"
        out.append((path, False, message))

    walk(exc, ())
    return out


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            (k.value if isinstance(k, enum.Enum) else k): _drop_none(v)
            for k, v in value.items()
            if v is not None and v != ()
        }
    if isinstance(value, list | tuple):
        return [_drop_none(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _plain(value: Any) -> Any:
    # attrs.asdict needs no generated code, unlike a cattrs unstructure, so hashing
    # stays cheap on first use; Text becomes what the file would say.
    if isinstance(value, Text):
        return value.en if not value.translations else {"en": value.en, **dict(value.translations)}
    if isinstance(value, datetime.date):
        return value.isoformat()
    if attrs.has(type(value)):
        return {a.name: _plain(getattr(value, a.name)) for a in attrs.fields(type(value)) if a.init}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical_json(obj: Any) -> str:
    """Canonical JSON of a model object: sorted keys, no whitespace, None values dropped."""
    data = _drop_none(_plain(obj))
    if isinstance(data, dict):
        for private in ("source", "hash"):
            data.pop(private, None)
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def content_hash(obj: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(obj).encode("utf-8")).hexdigest()
