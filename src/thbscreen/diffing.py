"""Compare two versions of a rule set: what changed in the file, and what that does to outcomes.

:func:`diff_rulesets` lists the changes part by part (facts, indicators, dimensions,
bands, scoring, properties, embedded tests), with expressions compared as parsed
trees (a change of layout or brackets alone is no change) and shown pretty-printed.
:func:`compare_outcomes` screens the same cases with both versions and counts how
the outcome moves: a transition table ``old -> new`` with counts and shares.

>>> import thbscreen
>>> from thbscreen.diffing import diff
>>> rules = thbscreen.load_ruleset("ilo-ec-2009/adult-labour")
>>> d = diff(rules, rules, examples=50)
>>> d.changes, d.outcomes.changed
((), 0)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from attrs import frozen

from ._convert import canonical_json
from ._facts import FactReader
from ._language.parser import parse
from ._language.printer import pretty
from .assessment import RuleSetRef
from .errors import CaseDataError
from .model import Indicator, RuleSet
from .screening import Screener

__all__ = [
    "Change",
    "OutcomeComparison",
    "RuleSetDiff",
    "Transition",
    "compare_outcomes",
    "diff",
    "diff_rulesets",
]

_MARK = {"added": "+", "removed": "-", "changed": "~", "reordered": "~"}


def _show(value: Any) -> str:
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    text = str(value) if value is not None else "(none)"
    return text if len(text) <= 80 else text[:77] + "..."


@frozen
class Change:
    """One difference between two rule sets.

    ``kind`` is ``added``, ``removed``, ``changed`` or ``reordered``; ``part`` what
    changed (``ruleset``, ``fact``, ``indicator``, ``dimension``, ``band``,
    ``fallback``, ``scoring``, ``score_band``, ``property`` or ``test``); ``id`` its id;
    ``field`` the key that changed, with the ``old`` and ``new`` values (expressions
    pretty-printed).
    """

    kind: str
    part: str
    id: str
    field: str | None = None
    old: Any = None
    new: Any = None
    expression: bool = False

    def describe(self) -> str:
        """One line, or three for an expression (old and new on lines of their own)."""
        mark = _MARK[self.kind]
        what = f"{self.part} {self.id}".rstrip()
        if self.kind == "reordered":
            return f"{mark} {what} {self.field}: {_show(self.old)} -> {_show(self.new)}"
        if self.kind in ("added", "removed"):
            summary = self.new if self.kind == "added" else self.old
            return f"{mark} {what}" + (f" ({summary})" if summary else "")
        if self.old is None and self.new is None:
            return f"{mark} {what}: {self.field} changed"
        if self.expression:
            return f"{mark} {what}: {self.field}\n    - {self.old}\n    + {self.new}"
        return f"{mark} {what}: {self.field} {_show(self.old)} -> {_show(self.new)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "part": self.part,
            "id": self.id,
            "field": self.field,
            "old": list(self.old) if isinstance(self.old, tuple) else self.old,
            "new": list(self.new) if isinstance(self.new, tuple) else self.new,
        }


def _expr(text: str) -> str:
    return pretty(parse(text))


def _weight(rs: RuleSet, ind: Indicator) -> float:
    """The indicator's weight in the score (as the compiler computes it)."""
    if ind.weight is not None:
        return ind.weight
    if rs.scoring is None:
        return 1
    if ind.id in rs.scoring.indicator_weights:
        return rs.scoring.indicator_weights[ind.id]
    return rs.scoring.weights.get(ind.strength, 0) if ind.strength is not None else 0


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def _by_id(items: Iterable[Any], key: str = "id") -> dict[str, Any]:
    return {getattr(x, key): x for x in items}


def _fields(part: str, ident: str, pairs: Iterable[tuple[str, Any, Any, bool]]) -> Iterator[Change]:
    for name, old, new, is_expr in pairs:
        if is_expr and old is not None and new is not None:
            if parse(old) != parse(new):
                yield Change("changed", part, ident, name, _expr(old), _expr(new), True)
        elif old != new:
            yield Change("changed", part, ident, name, old, new)


def _members(
    part: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    summary: Any,
) -> Iterator[Change]:
    for ident in old:
        if ident not in new:
            yield Change("removed", part, ident, old=summary(old[ident]))
    for ident in new:
        if ident not in old:
            yield Change("added", part, ident, new=summary(new[ident]))


def _order(part: str, old: Sequence[str], new: Sequence[str]) -> Iterator[Change]:
    common = [x for x in old if x in new]
    now = [x for x in new if x in old]
    if common != now:
        yield Change("reordered", part, "", "order", tuple(common), tuple(now))


def diff_rulesets(old: RuleSet, new: RuleSet) -> tuple[Change, ...]:
    """Every change from ``old`` to ``new``, part by part, in file order."""
    out: list[Change] = []
    out += _fields(
        "ruleset",
        "",
        [
            ("id", old.id, new.id, False),
            ("version", old.version, new.version, False),
            ("title", _text(old.title), _text(new.title), False),
            ("languages", old.languages, new.languages, False),
            (
                "confidence",
                _enum(old.provenance.confidence),
                _enum(new.provenance.confidence),
                False,
            ),
        ],
    )

    # facts
    of, nf = _by_id(old.facts), _by_id(new.facts)
    out += _members("fact", of, nf, lambda f: f.type.value)
    for ident in nf.keys() & of.keys():
        a, b = of[ident], nf[ident]
        out += _fields(
            "fact",
            ident,
            [
                ("type", a.type.value, b.type.value, False),
                ("min", a.min, b.min, False),
                ("max", a.max, b.max, False),
                ("values", a.values, b.values, False),
            ],
        )

    # indicators
    oi, ni = _by_id(old.indicators), _by_id(new.indicators)
    out += _members(
        "indicator", oi, ni, lambda i: f"{i.dimension}, {_enum(i.strength) or i.weight}"
    )
    for ident in [x for x in ni if x in oi]:
        a, b = oi[ident], ni[ident]
        out += _fields(
            "indicator",
            ident,
            [
                ("dimension", a.dimension, b.dimension, False),
                ("strength", _enum(a.strength), _enum(b.strength), False),
                ("weight", a.weight, b.weight, False),
                ("score weight", _weight(old, a), _weight(new, b), False),
                ("derive", a.derive, b.derive, True),
                ("text", _text(a.text), _text(b.text), False),
                ("question", _text(a.question), _text(b.question), False),
            ],
        )

    # dimensions
    od, nd = _by_id(old.dimensions), _by_id(new.dimensions)
    out += _members("dimension", od, nd, lambda d: _expr(d.positive))
    for ident in [x for x in nd if x in od]:
        a, b = od[ident], nd[ident]
        out += _fields(
            "dimension",
            ident,
            [
                ("positive", a.positive, b.positive, True),
                ("title", _text(a.title), _text(b.title), False),
            ],
        )

    # bands and fallback
    ob, nb = _by_id(old.outcomes.bands), _by_id(new.outcomes.bands)
    out += _members("band", ob, nb, lambda b: _expr(b.when))
    out += _order("bands", list(ob), list(nb))
    for ident in [x for x in nb if x in ob]:
        a, b = ob[ident], nb[ident]
        out += _fields(
            "band",
            ident,
            [
                ("when", a.when, b.when, True),
                ("title", _text(a.title), _text(b.title), False),
            ],
        )
    ofb, nfb = old.outcomes.fallback, new.outcomes.fallback
    out += _fields(
        "fallback",
        "",
        [("id", ofb.id, nfb.id, False), ("title", _text(ofb.title), _text(nfb.title), False)],
    )

    # scoring
    out += _scoring(old, new)

    # properties and tests
    op, np_ = _by_id(old.properties, "name"), _by_id(new.properties, "name")
    out += _members("property", op, np_, lambda p: "monotone" if p.monotone else _expr(p.holds))
    for ident in [x for x in np_ if x in op]:
        a, b = op[ident], np_[ident]
        out += _fields(
            "property",
            ident,
            [
                ("holds", a.holds, b.holds, True),
                ("monotone", a.monotone, b.monotone, False),
                ("cases", _canon(a.cases), _canon(b.cases), False),
            ],
        )
    ot, nt = _by_id(old.tests, "name"), _by_id(new.tests, "name")
    out += _members("test", ot, nt, lambda t: None)
    for ident in [x for x in nt if x in ot]:
        if _canon(ot[ident]) != _canon(nt[ident]):
            out.append(Change("changed", "test", ident, "case or expectation"))
    return tuple(out)


def _enum(value: Any) -> Any:
    return getattr(value, "value", value)


def _canon(value: Any) -> str | None:
    return None if value is None else canonical_json(value)


def _scoring(old: RuleSet, new: RuleSet) -> Iterator[Change]:
    a, b = old.scoring, new.scoring
    if a is None and b is None:
        return
    if a is None or b is None:
        yield Change("added" if a is None else "removed", "scoring", "")
    wa = {k.value: v for k, v in a.weights.items()} if a else {}
    wb = {k.value: v for k, v in b.weights.items()} if b else {}
    for key in ("strong", "medium", "weak"):
        if wa.get(key) != wb.get(key):
            yield Change("changed", "scoring", "", f"weights.{key}", wa.get(key), wb.get(key))
    ia = dict(a.indicator_weights) if a else {}
    ib = dict(b.indicator_weights) if b else {}
    for key in [*ia, *(k for k in ib if k not in ia)]:
        if ia.get(key) != ib.get(key):
            yield Change(
                "changed", "scoring", "", f"indicator_weights.{key}", ia.get(key), ib.get(key)
            )
    sa = _by_id(a.bands) if a else {}
    sb = _by_id(b.bands) if b else {}
    yield from _members("score_band", sa, sb, lambda s: _range(s.min, s.max))
    yield from _order("score bands", list(sa), list(sb))
    for ident in [x for x in sb if x in sa]:
        if (sa[ident].min, sa[ident].max) != (sb[ident].min, sb[ident].max):
            yield Change(
                "changed",
                "score_band",
                ident,
                "range",
                _range(sa[ident].min, sa[ident].max),
                _range(sb[ident].min, sb[ident].max),
            )


def _range(lo: float, hi: float | None) -> str:
    return f"{_show(lo)} to {_show(hi) if hi is not None else 'no limit'}"


# -- outcomes ------------------------------------------------------------------------------


@frozen
class Transition:
    """How many cases went from band ``old`` to band ``new`` (the same band: unchanged)."""

    old: str
    new: str
    count: int
    share: float

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "count": self.count, "share": self.share}


@frozen
class OutcomeComparison:
    """Both versions screened on the same cases.

    ``source`` is ``generated`` (``cases`` drawn with ``seed`` at the rates of
    :func:`thbscreen.testing.cases`) or ``files``. ``changed`` counts the cases whose
    outcome moved, ``range_changed`` those whose outcome range moved and
    ``score_changed`` those whose score moved. ``adapted`` counts the cases that
    gave an indicator or fact one version does not declare (or a fact value it
    refuses): that version screened them without it. For case files,
    ``changed_cases`` names the cases whose outcome moved.
    """

    source: str
    cases: int
    changed: int
    range_changed: int
    score_changed: int
    transitions: tuple[Transition, ...]
    seed: int | None = None
    adapted: int = 0
    changed_cases: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        """The share of cases whose outcome moved (0 when there are no cases)."""
        return self.changed / self.cases if self.cases else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "seed": self.seed,
            "cases": self.cases,
            "changed": self.changed,
            "share": self.share,
            "range_changed": self.range_changed,
            "score_changed": self.score_changed,
            "adapted": self.adapted,
            "transitions": [t.to_dict() for t in self.transitions],
            "changed_cases": list(self.changed_cases),
        }


class _Projector:
    """A case as one version can read it: undeclared ids and refused fact values left out."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ids = {i.id for i in ruleset.indicators}
        self.reader = FactReader(ruleset.facts)

    def __call__(self, case: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        observations = case.get("indicators") or {}
        facts = case.get("facts") or {}
        kept = {k: v for k, v in observations.items() if k in self.ids}
        kept_facts: dict[str, Any] = {}
        for k, v in facts.items():
            if k in self.reader.index:
                try:
                    self.reader.vector(None, {k: v})
                except CaseDataError:
                    continue
                kept_facts[k] = v
        out: dict[str, Any] = {"facts": kept_facts, "indicators": kept}
        if case.get("id") is not None:
            out["id"] = case["id"]
        return out, len(kept) != len(observations) or len(kept_facts) != len(facts)


def compare_outcomes(
    old: RuleSet,
    new: RuleSet,
    cases: Iterable[tuple[str, Mapping[str, Any]]] | None = None,
    *,
    examples: int = 1000,
    seed: int = 0,
) -> OutcomeComparison:
    """Screen the same cases with ``old`` and ``new`` and count how outcomes move.

    ``cases`` are ``(label, case)`` pairs (from case files, say); without them,
    ``examples`` cases are drawn over the indicators and facts of both versions with
    ``seed``. Each version ignores what it does not declare.
    """
    from .testing import _sample_cases

    source = "files"
    if cases is None:
        source = "generated"
        drawn = _sample_cases([old, new], examples, seed)
        cases = ((f"generated {k}", case) for k, case in enumerate(drawn))
    s_old, s_new = Screener(old), Screener(new)
    p_old, p_new = _Projector(old), _Projector(new)
    counts: Counter[tuple[str, str]] = Counter()
    total = changed = range_changed = score_changed = adapted = 0
    changed_cases: list[str] = []
    for label, case in cases:
        c_old, d_old = p_old(case)
        c_new, d_new = p_new(case)
        a, b = s_old.evaluate(c_old), s_new.evaluate(c_new)
        total += 1
        adapted += d_old or d_new
        counts[(a.outcome, b.outcome)] += 1
        if a.outcome != b.outcome:
            changed += 1
            if source == "files":
                changed_cases.append(label)
        if a.outcome_range != b.outcome_range:
            range_changed += 1
        if a.score != b.score:
            score_changed += 1
    old_rank = {b: i for i, b in enumerate(_band_ids(old))}
    new_rank = {b: i for i, b in enumerate(_band_ids(new))}
    transitions = tuple(
        Transition(o, n, k, k / total)
        for (o, n), k in sorted(
            counts.items(),
            key=lambda item: (
                old_rank.get(item[0][0], len(old_rank)),
                new_rank.get(item[0][1], len(new_rank)),
            ),
        )
    )
    return OutcomeComparison(
        source,
        total,
        changed,
        range_changed,
        score_changed,
        transitions,
        seed if source == "generated" else None,
        adapted,
        tuple(changed_cases),
    )


def _band_ids(rs: RuleSet) -> list[str]:
    return [b.id for b in rs.outcomes.bands] + [rs.outcomes.fallback.id]


@frozen
class RuleSetDiff:
    """The changes from one rule set to another, and what they do to outcomes."""

    old: RuleSetRef
    new: RuleSetRef
    changes: tuple[Change, ...]
    outcomes: OutcomeComparison

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "changes": [c.to_dict() for c in self.changes],
            "outcomes": self.outcomes.to_dict(),
        }


def diff(
    old: RuleSet,
    new: RuleSet,
    *,
    cases: Iterable[tuple[str, Mapping[str, Any]]] | None = None,
    examples: int = 1000,
    seed: int = 0,
) -> RuleSetDiff:
    """:func:`diff_rulesets` and :func:`compare_outcomes` together."""
    return RuleSetDiff(
        RuleSetRef(old.id, old.version, old.hash),
        RuleSetRef(new.id, new.version, new.hash),
        diff_rulesets(old, new),
        compare_outcomes(old, new, cases, examples=examples, seed=seed),
    )
