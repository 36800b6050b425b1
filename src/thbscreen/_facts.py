"""Reading a case's facts against declared facts: types, ranges and values checked.

Shared by the screener (rule-set facts) and referral networks (network facts). Each
fact becomes an interval ``(lo, hi)`` in a flat vector; an unknown fact spans its
declared range.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from ._language.suggest import did_you_mean
from .errors import CaseDataError, Problem
from .model import Fact, FactType

__all__ = ["UNBOUNDED", "FactReader", "show", "type_name"]

UNBOUNDED = 1e300
MAX_FACT = 1e15
MAX_STRING = 10_000


def type_name(value: object) -> str:
    # Only the kind of a bad value is named: case values stay out of error text.
    if isinstance(value, str):
        return "a string"
    return "null" if value is None else type(value).__name__


def show(key: object) -> str:
    """An id from a case, shortened: ids are vocabulary, but may be hostile in size."""
    text = repr(key)
    return text if len(text) <= 80 else text[:76] + "...'"


def fail(case_id: object, message: str, path: str) -> CaseDataError:
    source = f"case {case_id}" if isinstance(case_id, str) else "<case>"
    return CaseDataError(Problem(message, source=source, path=path))


class FactReader:
    """Checks and reads facts declared by a rule set or a network."""

    def __init__(self, decls: Sequence[Fact]) -> None:
        self.decls = tuple(decls)
        self.index = {f.id: j for j, f in enumerate(self.decls)}
        defaults: list[Any] = []
        for fact in self.decls:
            if fact.type in (FactType.INT, FactType.FLOAT):
                defaults += [
                    fact.min if fact.min is not None else -UNBOUNDED,
                    fact.max if fact.max is not None else UNBOUNDED,
                ]
            elif fact.type is FactType.DATE:
                defaults += [-UNBOUNDED, UNBOUNDED]
            elif fact.type is FactType.BOOL:
                defaults += [False, True]
            else:
                defaults += [None, None]
        self.defaults = tuple(defaults)

    def vector(self, case_id: str | None, facts: Any, allow: Collection[str] = ()) -> list[Any]:
        fvec = list(self.defaults)
        if facts:
            self.read(case_id, facts, fvec, allow)
        return fvec

    def read(
        self, case_id: str | None, facts: Any, fvec: list[Any], allow: Collection[str] = ()
    ) -> None:
        """Fill ``fvec`` from ``facts``; names in ``allow`` are declared elsewhere: skipped."""
        if not isinstance(facts, Mapping):
            raise fail(
                case_id,
                f"expected a mapping of fact id to value, got {type_name(facts)}",
                "$.facts",
            )
        for key, value in facts.items():
            j = self.index.get(key) if isinstance(key, str) else None
            if j is None:
                if key in allow:
                    continue
                hint = did_you_mean(key, [*self.index, *allow]) if isinstance(key, str) else ""
                known = ", ".join([*self.index, *allow]) or "none"
                raise fail(
                    case_id,
                    f"unknown fact {show(key)}{hint}; declared facts: {known}",
                    f"$.facts[{show(key)}]",
                )
            if value is None:
                continue  # unknown
            fact = self.decls[j]
            path = f"$.facts.{key}"
            t = fact.type
            if t is FactType.BOOL:
                if type(value) is not bool:
                    raise fail(case_id, f"expected true or false, got {type_name(value)}", path)
                fvec[2 * j] = fvec[2 * j + 1] = value
                continue
            if t in (FactType.INT, FactType.FLOAT):
                ok = type(value) is int if t is FactType.INT else type(value) in (int, float)
                if not ok:
                    want = "a whole number" if t is FactType.INT else "a number"
                    raise fail(case_id, f"expected {want}, got {type_name(value)}", path)
                if not math.isfinite(value) or abs(value) > MAX_FACT:
                    raise fail(case_id, f"expected a number of at most {MAX_FACT:g} in size", path)
                if (fact.min is not None and value < fact.min) or (
                    fact.max is not None and value > fact.max
                ):
                    raise fail(
                        case_id,
                        f"expected a value from {fact.min} to {fact.max}, got one outside",
                        path,
                    )
                fvec[2 * j] = fvec[2 * j + 1] = value
                continue
            if t is FactType.DATE:
                fvec[2 * j] = fvec[2 * j + 1] = _date(case_id, value, path)
                continue
            if not isinstance(value, str):
                raise fail(case_id, f"expected a string, got {type_name(value)}", path)
            if len(value) > MAX_STRING:
                raise fail(case_id, f"string longer than {MAX_STRING} characters", path)
            if fact.values is not None and value not in fact.values:
                raise fail(
                    case_id,
                    f"expected one of {', '.join(fact.values)}, got a different string"
                    f"{did_you_mean(value, fact.values)}",
                    path,
                )
            fvec[2 * j] = fvec[2 * j + 1] = value


def _date(case_id: str | None, value: Any, path: str) -> int:
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.toordinal()
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value).toordinal()
        except ValueError:
            pass
    raise fail(
        case_id,
        f"expected a date as YYYY-MM-DD, got {type_name(value)}",
        path,
    )
