"""Labelled rows: reading JSON Lines, splitting a row into case, label and subgroup.

A row is a case mapping (``id``, ``facts``, ``indicators``) with extra top-level
fields: the label and any subgroup keys. Rows that cannot be used become
:class:`RowFailure` records with their index and reason; nothing is dropped silently.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Literal

from attrs import frozen

from .._facts import show
from .._language.suggest import did_you_mean
from ..assessment import RuleSetRef
from ..errors import CaseDataError, Problem, ThbscreenError
from ..model import Case, RuleSet
from ..screening import Screener

__all__ = [
    "SYNTHETIC_PREFIX",
    "ResearchInputError",
    "RowFailure",
    "UnreadableRow",
    "read_jsonl",
]

#: Every case id made by :func:`thbscreen.research.synthesize` starts with this.
SYNTHETIC_PREFIX = "synthetic-"

CASE_KEYS = ("id", "facts", "indicators")
Use = Literal["outcome", "range_high", "range_low"]
Undeclared = Literal["error", "ignore"]
Rules = RuleSet | Screener | str | os.PathLike[str]
Labels = str | Sequence[Any]


class ResearchInputError(ThbscreenError, ValueError):
    """A research function was called with arguments that cannot work together.

    For example an outcome band the rule set does not have, labels and predictions of
    different lengths, or a prevalence outside (0, 1). It is a :class:`ValueError`
    as well as a :class:`~thbscreen.ThbscreenError`.
    """

    @classmethod
    def of(cls, function: str, argument: str, message: str) -> ResearchInputError:
        return cls(Problem(message, source=function, path=f"$.{argument}"))


def need_numpy(what: str) -> None:
    """Raise a helpful ImportError when NumPy (the ``research`` extra) is missing."""
    if importlib.util.find_spec("numpy") is None:
        raise ImportError(f"{what} needs NumPy; install it with: pip install 'thbscreen[research]'")


@frozen
class RowFailure:
    """A row that could not be screened: its position, case id (if any) and why."""

    #: 0-based position of the row among the rows given.
    index: int
    case_id: str | None
    reason: str
    #: Line of the input file, when the rows came from a file (filled by the CLI).
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "line": self.line,
            "case_id": self.case_id,
            "reason": self.reason,
        }


@frozen
class UnreadableRow:
    """Stands in for a row that could not be read, such as a line of invalid JSON.

    Research functions report it as a failed row, so that every input row is
    accounted for.
    """

    reason: str
    line: int | None = None


def read_jsonl(path: str | os.PathLike[str]) -> list[Any]:
    """The rows of a JSON Lines file, one per non-blank line.

    A line that is not valid JSON becomes an :class:`UnreadableRow` (with its line
    number), so that it is reported rather than skipped. Raises
    :class:`~thbscreen.CaseDataError` when the file cannot be read at all.
    """
    return read_rows(path)[0]


def read_rows(path: str | os.PathLike[str]) -> tuple[list[Any], list[int]]:
    """The rows of a JSON Lines file and the line number of each."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise CaseDataError(
            Problem(f"cannot read file ({reason})", source=os.fspath(path))
        ) from None
    rows: list[Any] = []
    lines: list[int] = []
    for number, line in enumerate(
        text.split("\n"), start=1
    ):  # not splitlines: U+2028 is valid inside JSON strings
        if not line.strip():
            continue
        lines.append(number)
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            rows.append(UnreadableRow(f"invalid JSON ({exc.msg} at column {exc.colno})", number))
        except RecursionError:
            rows.append(UnreadableRow("invalid JSON (nested too deeply)", number))
    return rows, lines


# -- rule sets and bands -----------------------------------------------------------------


def as_screener(rules: Rules) -> Screener:
    if isinstance(rules, Screener):
        return rules
    if isinstance(rules, RuleSet):
        return Screener(rules)
    from ..loading import load_ruleset

    return Screener(load_ruleset(rules))


def ruleset_ref(screener: Screener) -> RuleSetRef:
    rs = screener.ruleset
    return RuleSetRef(rs.id, rs.version, rs.hash)


def band_order(screener: Screener) -> tuple[str, ...]:
    """Band ids, most severe first, fallback last."""
    rs = screener.ruleset
    return (*(b.id for b in rs.outcomes.bands), rs.outcomes.fallback.id)


def positive_bands(
    function: str, screener: Screener, positive: str | Collection[str], *, lenient: bool = False
) -> frozenset[str]:
    """The bands counted as a positive screen, checked against the rule set.

    With ``lenient`` (several rule sets sharing one ``positive``), bands the rule set
    lacks are left out, as long as at least one remains.
    """
    wanted = [positive] if isinstance(positive, str) else list(positive)
    if not wanted:
        raise ResearchInputError.of(function, "positive", "expected at least one outcome band")
    bands = band_order(screener)
    rs = screener.ruleset
    unknown = [b for b in wanted if b not in bands]
    if unknown and (not lenient or len(unknown) == len(wanted)):
        bad = unknown[0]
        hint = did_you_mean(bad, bands) if isinstance(bad, str) else ""
        raise ResearchInputError.of(
            function,
            "positive",
            f"{rs.id} has no outcome band {bad!r}{hint}; its bands: {', '.join(bands)}",
        )
    return frozenset(b for b in wanted if b in bands)


def check_use(function: str, use: str) -> None:
    if use not in ("outcome", "range_high", "range_low"):
        raise ResearchInputError.of(
            function, "use", f"expected outcome, range_high or range_low, got {use!r}"
        )


def outcome_used(assessment: Any, use: str) -> str:
    if use == "outcome":
        return str(assessment.outcome)
    if use == "range_high":
        return str(assessment.outcome_range.high)
    return str(assessment.outcome_range.low)


# -- rows --------------------------------------------------------------------------------


class RowProblem(Exception):
    """A row cannot be used; ``reason`` says why (never quoting case values)."""

    def __init__(self, reason: str, case_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.case_id = case_id


class UndeclaredId(RowProblem):
    """The row names an indicator or fact the rule set does not declare."""


@frozen
class Row:
    case: Mapping[str, Any] | Case
    label: bool | None
    group: str | None
    case_id: str | None
    synthetic: bool
    ignored: tuple[str, ...] = ()


def _case_id(row: Any) -> str | None:
    value = row.get("id") if isinstance(row, Mapping) else getattr(row, "id", None)
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value if len(value) <= 200 else value[:197] + "..."
    if isinstance(value, int):
        return str(value)
    return None


def as_label(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if getattr(getattr(value, "dtype", None), "kind", None) == "b":  # a NumPy bool
        return bool(value)
    if not isinstance(value, str | bytes | float):
        try:
            as_int = int(value.__index__())
        except (AttributeError, TypeError):
            as_int = -1
        if as_int in (0, 1):
            return bool(as_int)
    got = (
        "a string" if isinstance(value, str) else "null" if value is None else type(value).__name__
    )
    if isinstance(value, int | float) and not isinstance(value, bool):
        got = "a different number"
    raise RowProblem(f"label {name} must be true or false (or 1 or 0), got {got}")


def group_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


class RowReader:
    """Turns input rows into cases with labels, the same way for every research function."""

    def __init__(
        self,
        function: str,
        screener: Screener,
        label: Labels | None,
        by: str | None = None,
        undeclared: str = "error",
    ) -> None:
        if undeclared not in ("error", "ignore"):
            raise ResearchInputError.of(
                function, "undeclared", f"expected error or ignore, got {undeclared!r}"
            )
        if isinstance(label, str) and label in CASE_KEYS:
            raise ResearchInputError.of(
                function, "label", f"the label cannot be the case key {label!r}"
            )
        if isinstance(label, Mapping):
            raise ResearchInputError.of(
                function, "label", "expected a field name or a sequence of labels, got a mapping"
            )
        self.function = function
        self.label = label
        self.by = by
        self.ignore = undeclared == "ignore"
        self.indicator_ids = frozenset(screener._program.slot_of)
        self.fact_ids = frozenset(f.id for f in screener.ruleset.facts)
        self.seen = 0
        self._hints: dict[str, str] = {}

    @property
    def label_name(self) -> str | None:
        return self.label if isinstance(self.label, str) else None

    def check_count(self) -> None:
        """After the last row: a separate label sequence must have one label per row."""
        labels = self.label
        if labels is not None and not isinstance(labels, str) and len(labels) != self.seen:
            raise ResearchInputError.of(
                self.function,
                "label",
                f"got {len(labels)} labels for {self.seen} rows; give one label per row",
            )

    def read(self, index: int, row: Any) -> Row:
        self.seen = index + 1
        if isinstance(row, UnreadableRow):
            raise RowProblem(row.reason)
        case_id = _case_id(row)
        try:
            return self._read(index, row, case_id)
        except RowProblem as exc:
            exc.case_id = case_id
            raise

    def _read(self, index: int, row: Any, case_id: str | None) -> Row:
        synthetic = isinstance(case_id, str) and case_id.startswith(SYNTHETIC_PREFIX)
        if isinstance(row, Case):
            case: Mapping[str, Any] | Case = row
            extra: Mapping[str, Any] = {}
            facts: Any = row.facts
        elif isinstance(row, Mapping):
            case = {k: row[k] for k in CASE_KEYS if k in row}
            extra = row
            facts = row.get("facts")
            if "indicators" not in row:
                self._check_typo(row)
            synthetic = synthetic or row.get("synthetic") is True
        else:
            kind = "a string" if isinstance(row, str) else type(row).__name__
            raise RowProblem(f"expected a case (a mapping with facts and indicators), got {kind}")
        label = self._label(index, extra)
        group: str | None = None
        if self.by is not None:
            if self.by in extra and self.by not in CASE_KEYS:
                group = group_of(extra[self.by])
            elif isinstance(facts, Mapping) and facts.get(self.by) is not None:
                group = group_of(facts[self.by])
        ignored: tuple[str, ...] = ()
        if isinstance(case, dict):
            if self.ignore:
                case, ignored = self._drop_undeclared(case)
            else:
                self._check_declared(case)
        return Row(case, label, group, case_id, synthetic, ignored)

    def _check_declared(self, case: dict[str, Any]) -> None:
        """Fail fast on undeclared ids, with a hint computed once per id (not once per row)."""
        for key, known, what in (
            ("indicators", self.indicator_ids, "indicator"),
            ("facts", self.fact_ids, "fact"),
        ):
            value = case.get(key)
            if not isinstance(value, Mapping):
                continue
            for name in value:
                if isinstance(name, str) and name not in known:
                    hint = self._hints.get(name)
                    if hint is None:
                        hint = did_you_mean(name, sorted(known))
                        if len(self._hints) < 10_000:
                            self._hints[name] = hint
                    raise UndeclaredId(f"$.{key}[{show(name)}]: unknown {what} {show(name)}{hint}")

    def _label(self, index: int, extra: Mapping[str, Any]) -> bool | None:
        if self.label is None:
            return None
        if isinstance(self.label, str):
            if self.label not in extra:
                raise RowProblem(f"no label: the row has no field {self.label!r}")
            return as_label(extra[self.label], repr(self.label))
        if index >= len(self.label):
            raise RowProblem("no label: the label sequence is shorter than the rows")
        return as_label(self.label[index], f"number {index}")

    @staticmethod
    def _check_typo(row: Mapping[str, Any]) -> None:
        for key in row:
            if not isinstance(key, str) or key in CASE_KEYS:
                continue
            for name in ("indicators", "facts"):
                if name in row:
                    continue
                if difflib.SequenceMatcher(None, key, name).ratio() >= 0.8:
                    raise RowProblem(
                        f"unknown key {key[:80]!r} (did you mean {name!r}?); "
                        "a row has id, facts and indicators besides its label and subgroup fields"
                    )

    def _drop_undeclared(self, case: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
        ignored: list[str] = []
        out = dict(case)
        for key, known in (("indicators", self.indicator_ids), ("facts", self.fact_ids)):
            value = case.get(key)
            if isinstance(value, Mapping):
                keep = {k: v for k, v in value.items() if k in known}
                if len(keep) != len(value):
                    ignored.extend(
                        str(k)[:80] for k in value if k not in known and isinstance(k, str)
                    )
                    out[key] = keep
        return out, tuple(ignored)


def rows_of(cases: Iterable[Any], function: str) -> Iterable[Any]:
    if isinstance(cases, Mapping | str | bytes | Case):
        raise ResearchInputError.of(
            function, "cases", "expected an iterable of cases (one case given; wrap it in a list)"
        )
    return cases
