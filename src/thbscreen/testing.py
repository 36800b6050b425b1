"""Hypothesis strategies for property-based tests of rule sets and of code that screens.

Three strategies, for a researcher's own pytest suite as much as for thbscreen's:

* :func:`cases` draws valid cases for a rule set: every observation and fact fits the
  declarations, so :meth:`Screener.evaluate` never refuses one. Rates control how many
  indicators are present, absent or unknown; profiles fix facts or observations.
* :func:`invalid_cases` draws cases that a screener must refuse with
  :class:`~thbscreen.CaseDataError` (unknown ids, bad observations, facts of the wrong
  type or out of range, ...).
* :func:`rulesets` draws small random rule sets that load and compile.

:func:`property_cases` draws the cases a rule file's declared property speaks about
(its ``cases:`` selection), as ``thbscreen check`` does.

>>> from hypothesis import given, settings
>>> import thbscreen
>>> from thbscreen.testing import cases
>>> rules = thbscreen.load_ruleset("ilo-ec-2009/adult-labour")
>>> screener = thbscreen.Screener(rules)
>>> @settings(max_examples=20, database=None)
... @given(cases(rules, present_at_most=1))
... def test_one_indicator_never_reaches_victim(case):
...     assert screener.evaluate(case).outcome != "victim"
>>> test_one_indicator_never_reaches_victim()

Generated cases are mappings in the case-file form (``{"facts": {...}, "indicators":
{...}}``, dates as ``YYYY-MM-DD`` strings), so a failing example can be pasted into a
case file as it is. They shrink towards fewer observations: a minimal counterexample
names only the indicators that matter.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import math
import random as _random
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import reduce
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ._analysis import Analysis, analyze
from ._convert import content_hash, observation
from ._facts import MAX_FACT, MAX_STRING, FactReader
from ._language.ast import Call, Literal, walk
from ._language.suggest import did_you_mean
from .errors import CaseDataError
from .model import (
    Band,
    Confidence,
    Dimension,
    Fact,
    FactType,
    Fallback,
    Indicator,
    Observation,
    Outcomes,
    Provenance,
    RuleSet,
    ScoreBand,
    Scoring,
    Strength,
    Text,
)
from .screening import Screener

__all__ = ["INVALID_KINDS", "cases", "invalid_cases", "property_cases", "rulesets"]

# Observation categories, in shrinking order: a counterexample shrinks towards
# indicators left out of the case, then absent, then unknown, then present.
_OMIT, _ABSENT, _UNKNOWN, _PRESENT = 0, 1, 2, 3
_WRITTEN = {_ABSENT: "absent", _UNKNOWN: "unknown", _PRESENT: "present"}
_CATEGORY = {
    Observation.ABSENT: _ABSENT,
    Observation.UNKNOWN: _UNKNOWN,
    Observation.PRESENT: _PRESENT,
}
_INT_SPAN = 10**15  # the largest size a case may give (MAX_FACT)
_SAMPLE_SPAN = 1000  # unbounded numbers in sample_cases stay within this, past any literal
_FIRST_DAY = _dt.date(1900, 1, 1)
_LAST_DAY = _dt.date(2100, 12, 31)


def _ruleset_of(ruleset: RuleSet | Screener) -> RuleSet:
    if isinstance(ruleset, Screener):
        return ruleset.ruleset
    if isinstance(ruleset, RuleSet):
        return ruleset
    raise TypeError(f"expected a RuleSet or a Screener, got {type(ruleset).__name__}")


def _analysis_of(ruleset: RuleSet) -> Analysis:
    cached = ruleset._analysis
    return cached[0] if cached else analyze(ruleset)


def _slots(weights: Sequence[tuple[Any, float]]) -> list[Any]:
    """A list in which each item appears in proportion to its weight (per mille)."""
    counts = [(item, round(w * 1000)) for item, w in weights]
    counts = [(item, n) for item, n in counts if n > 0]
    if not counts:
        return [weights[0][0]]
    g = reduce(math.gcd, (n for _, n in counts))
    return [item for item, n in counts for _ in range(n // g)]


def _edges(rates: Sequence[float]) -> tuple[int, ...]:
    total = 0.0
    edges = []
    for rate in rates:
        total += rate
        edges.append(min(round(total * 65536), 65536))
    return tuple(edges)


def _rate(name: str, value: float) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number from 0 to 1, got {value!r}")
    return float(value)


# -- literals: values worth trying for facts ------------------------------------------


@attrs.frozen
class _Literals:
    numbers: frozenset[float] = frozenset()
    strings: frozenset[str] = frozenset()
    dates: frozenset[int] = frozenset()  # ordinals

    @classmethod
    def of(cls, analyses: Iterable[Analysis]) -> _Literals:
        numbers: set[float] = set()
        strings: set[str] = set()
        dates: set[int] = set()
        for analysis in analyses:
            trees = [
                *analysis.derive.values(),
                *analysis.positive.values(),
                *analysis.when.values(),
                *analysis.properties.values(),
            ]
            for tree in trees:
                date_args: set[int] = set()
                for node in walk(tree):
                    if isinstance(node, Call) and node.func == "date":
                        arg = node.args[0]
                        assert isinstance(arg, Literal)
                        assert isinstance(arg.value, str)
                        dates.add(_dt.date.fromisoformat(arg.value).toordinal())
                        date_args.add(id(arg))
                    elif isinstance(node, Literal) and id(node) not in date_args:
                        value = node.value
                        if isinstance(value, str):
                            strings.add(value)
                        elif not isinstance(value, bool):
                            numbers.add(value)
        return cls(frozenset(numbers), frozenset(strings), frozenset(dates))


class _FactValues:
    """Valid values of one declared fact: a hypothesis strategy and a plain sampler."""

    def __init__(self, fact: Fact, lits: _Literals) -> None:
        self.fact = fact
        t = fact.type
        self.interesting: list[Any] = []
        self.lo: Any = None
        self.hi: Any = None
        if t is FactType.INT:
            self.lo = math.ceil(fact.min) if fact.min is not None else -_INT_SPAN
            self.hi = math.floor(fact.max) if fact.max is not None else _INT_SPAN
            near = {
                k
                for v in lits.numbers
                for k in (math.floor(v) - 1, math.floor(v), math.ceil(v) + 1)
            }
            near |= {int(k) for k in (fact.min, fact.max) if k is not None and k == int(k)}
            self.interesting = sorted(int(k) for k in near if self.lo <= k <= self.hi)
        elif t is FactType.FLOAT:
            self.lo = float(fact.min) if fact.min is not None else -float(MAX_FACT)
            self.hi = float(fact.max) if fact.max is not None else float(MAX_FACT)
            near_f = {k for v in lits.numbers for k in (v - 1, v, v + 1)}
            near_f |= {k for k in (fact.min, fact.max) if k is not None}
            self.interesting = sorted(k for k in near_f if self.lo <= k <= self.hi)
        elif t is FactType.DATE:
            shifts = {0, 1} | {int(n) + d for n in lits.numbers if 0 < n <= 36_500 for d in (0, 1)}
            days = {d + s * k for d in lits.dates for k in shifts for s in (1, -1)}
            lo, hi = _FIRST_DAY.toordinal(), _LAST_DAY.toordinal()
            self.interesting = [
                _dt.date.fromordinal(d).isoformat() for d in sorted(days) if lo <= d <= hi
            ]
        elif t is FactType.STRING:
            self.interesting = sorted(s for s in lits.strings if len(s) <= MAX_STRING)
        elif t is FactType.ENUM:
            self.interesting = list(fact.values or ())

    @property
    def possible(self) -> bool:
        return not (self.fact.type is FactType.INT and self.lo > self.hi)

    def strategy(self) -> SearchStrategy[Any]:
        t = self.fact.type
        base: SearchStrategy[Any]
        if t is FactType.BOOL:
            return st.booleans()
        if t is FactType.ENUM:
            return st.sampled_from(self.interesting)
        if t is FactType.INT:
            base = st.integers(self.lo, self.hi)
        elif t is FactType.FLOAT:
            base = st.floats(self.lo, self.hi, allow_nan=False, allow_infinity=False)
        elif t is FactType.DATE:
            base = st.dates(_FIRST_DAY, _LAST_DAY).map(_dt.date.isoformat)
        else:
            base = st.text(max_size=20)
        if self.interesting:
            return st.one_of(st.sampled_from(self.interesting), base)
        return base

    def sample(self, rng: _random.Random) -> Any:
        t = self.fact.type
        if t is FactType.BOOL:
            return rng.random() < 0.5
        if t is FactType.ENUM or (self.interesting and rng.random() < 0.5):
            return rng.choice(self.interesting)
        if t is FactType.INT:
            lo, hi = self._sample_bounds()
            return rng.randint(math.ceil(lo), math.floor(hi))
        if t is FactType.FLOAT:
            lo, hi = self._sample_bounds()
            return rng.uniform(lo, hi)
        if t is FactType.DATE:
            day = rng.randint(_FIRST_DAY.toordinal(), _LAST_DAY.toordinal())
            return _dt.date.fromordinal(day).isoformat()
        return "".join(rng.choice("abcdefghij") for _ in range(rng.randint(0, 8)))

    def _sample_bounds(self) -> tuple[float, float]:
        span = max([_SAMPLE_SPAN, *(abs(v) * 2 for v in self.interesting)])
        lo = self.lo if self.fact.min is not None else max(self.lo, -span)
        hi = self.hi if self.fact.max is not None else min(self.hi, span)
        return lo, hi


# -- the plan behind cases() and sample_cases() ---------------------------------------


@attrs.frozen
class _Plan:
    ids: tuple[str, ...]  # indicators, file order
    #: Upper edges (exclusive) of each category's share of 0..65535: a drawn two-byte
    #: number below edges[0] is left out, below edges[1] absent, and so on.
    edges: tuple[int, ...]
    fixed: dict[str, int]  # indicator -> category
    facts: tuple[_FactValues, ...]
    fact_slots: tuple[bool, ...]  # given or not, in proportion
    fixed_facts: dict[str, Any]
    known_facts: frozenset[str]
    draw_facts: bool
    present_at_most: int | None
    present_at_least: int | None
    unknown_at_most: int | None
    case_id: bool
    derived: frozenset[str]  # indicators with a derivation

    def category(self, value: int) -> int:
        return min(bisect.bisect_right(self.edges, value), _PRESENT)

    def finish(
        self, cats: list[int], pick: Callable[[list[int], int], list[int]]
    ) -> dict[str, str]:
        """Apply the count bounds to drawn categories; ``pick(candidates, k)`` chooses k."""
        free = {i for i, x in enumerate(self.ids) if x not in self.fixed}
        most, least, unknown_most = (
            self.present_at_most,
            self.present_at_least,
            self.unknown_at_most,
        )
        present = [i for i, c in enumerate(cats) if c == _PRESENT]
        if most is not None and len(present) > most:
            drop = [i for i in reversed(present) if i in free][: len(present) - most]
            # Demoted to absent where leaving out is not drawn at all (or is bounded).
            demoted = _ABSENT if unknown_most is not None or self.edges[0] == 0 else _OMIT
            for i in drop:
                cats[i] = demoted
        n_present = sum(c == _PRESENT for c in cats)
        if least is not None and n_present < least:
            candidates = sorted(i for i in free if cats[i] != _PRESENT)
            for i in pick(candidates, least - n_present):
                cats[i] = _PRESENT
        if unknown_most is not None:
            # A derived indicator left out is derived, not unknown: it is not counted.
            unknown = [
                i
                for i, c in enumerate(cats)
                if c in (_OMIT, _UNKNOWN) and self.ids[i] not in self.derived
            ]
            if len(unknown) > unknown_most:
                for i in [i for i in reversed(unknown) if i in free][: len(unknown) - unknown_most]:
                    cats[i] = _ABSENT
        return {self.ids[i]: _WRITTEN[c] for i, c in enumerate(cats) if c != _OMIT}

    def strategy(self) -> SearchStrategy[dict[str, Any]]:
        given = st.sampled_from(self.fact_slots)
        fact_strategies = [fv.strategy() for fv in self.facts]
        free = [k for k, x in enumerate(self.ids) if x not in self.fixed]
        # One draw of two bytes per free indicator: far cheaper than a draw each, and
        # it shrinks bytes towards 0, that is towards indicators left out.
        noise = st.binary(min_size=2 * len(free), max_size=2 * len(free))

        @st.composite
        def build(draw: st.DrawFn) -> dict[str, Any]:
            raw = draw(noise)
            cats = [self.fixed.get(x, _OMIT) for x in self.ids]
            for n, k in enumerate(free):
                cats[k] = self.category(raw[2 * n] << 8 | raw[2 * n + 1])

            def pick(candidates: list[int], k: int) -> list[int]:
                return draw(
                    st.lists(st.sampled_from(candidates), min_size=k, max_size=k, unique=True)
                )

            indicators = self.finish(cats, pick)
            facts: dict[str, Any] = {}
            for fv, strategy in zip(self.facts, fact_strategies, strict=True):
                fid = fv.fact.id
                if fid in self.fixed_facts:
                    if self.fixed_facts[fid] is not None:
                        facts[fid] = self.fixed_facts[fid]
                    continue
                if not fv.possible:
                    continue
                if fid in self.known_facts or (self.draw_facts and draw(given)):
                    facts[fid] = draw(strategy)
            case: dict[str, Any] = {"facts": facts, "indicators": indicators}
            if self.case_id:
                case = {"id": draw(st.text(max_size=8)), **case}
            return case

        return build()

    def sample(self, rng: _random.Random) -> dict[str, Any]:
        cats = [
            self.fixed[x] if x in self.fixed else self.category(rng.randrange(65536))
            for x in self.ids
        ]
        indicators = self.finish(cats, lambda candidates, k: rng.sample(candidates, k))
        facts: dict[str, Any] = {}
        for fv in self.facts:
            fid = fv.fact.id
            if fid in self.fixed_facts:
                if self.fixed_facts[fid] is not None:
                    facts[fid] = self.fixed_facts[fid]
                continue
            if not fv.possible:
                continue
            if fid in self.known_facts or (self.draw_facts and rng.choice(self.fact_slots)):
                facts[fid] = fv.sample(rng)
        return {"facts": facts, "indicators": indicators}


def _plan(
    indicators: Sequence[Indicator],
    facts: Sequence[Fact],
    lits: _Literals,
    *,
    present: float,
    absent: float,
    unknown: float,
    draw_facts: bool,
    unknown_facts: float,
    fixed_indicators: Mapping[str, Any] | None,
    fixed_facts: Mapping[str, Any] | None,
    known_facts: Collection[str],
    present_at_most: int | None,
    present_at_least: int | None,
    unknown_at_most: int | None,
    case_id: bool,
) -> _Plan:
    present, absent, unknown = (
        _rate("present", present),
        _rate("absent", absent),
        _rate("unknown", unknown),
    )
    omit = 1.0 - present - absent - unknown
    if omit < -1e-9:
        raise ValueError(
            f"present + absent + unknown must be at most 1, got {present + absent + unknown:g}"
        )
    unknown_facts = _rate("unknown_facts", unknown_facts)
    ids = tuple(ind.id for ind in indicators)
    members: dict[str, list[str]] = {}
    for ind in indicators:
        members.setdefault(ind.dimension, []).append(ind.id)
        members[ind.id] = [ind.id]
    fixed: dict[str, int] = {}
    for key, value in (fixed_indicators or {}).items():
        if key not in members:
            raise ValueError(f"unknown indicator or dimension {key!r}{did_you_mean(key, members)}")
        try:
            category = _CATEGORY[observation(value)]
        except (TypeError, ValueError) as exc:
            raise ValueError(f"fixed_indicators[{key!r}]: {exc}") from None
        for ind_id in members[key]:
            if fixed.setdefault(ind_id, category) != category:
                raise ValueError(f"indicator {ind_id!r} is fixed to two different observations")
    reader = FactReader(facts)
    for key, value in (fixed_facts or {}).items():
        try:
            reader.vector(None, {key: value})
        except CaseDataError as exc:
            raise ValueError(f"fixed_facts: {exc.problems[0].message}") from None
    for key in known_facts:
        if key not in reader.index:
            raise ValueError(f"known_facts: unknown fact {key!r}{did_you_mean(key, reader.index)}")
    for name, bound in (
        ("present_at_most", present_at_most),
        ("present_at_least", present_at_least),
        ("unknown_at_most", unknown_at_most),
    ):
        if bound is not None and (not isinstance(bound, int) or bound < 0):
            raise ValueError(f"{name} must be a whole number of 0 or more, got {bound!r}")
    n_fixed_present = sum(c == _PRESENT for c in fixed.values())
    derived = frozenset(ind.id for ind in indicators if ind.derive is not None)
    n_fixed_unknown = sum(c == _UNKNOWN for x, c in fixed.items() if x not in derived)
    n_free = len(ids) - len(fixed)
    if present_at_most is not None and n_fixed_present > present_at_most:
        raise ValueError("more indicators are fixed present than present_at_most allows")
    if present_at_least is not None and present_at_least > n_fixed_present + n_free:
        raise ValueError("present_at_least is more than the indicators that may be present")
    if (
        present_at_least is not None
        and present_at_most is not None
        and present_at_least > present_at_most
    ):
        raise ValueError("present_at_least is more than present_at_most")
    if unknown_at_most is not None and n_fixed_unknown > unknown_at_most:
        raise ValueError("more indicators are fixed unknown than unknown_at_most allows")
    return _Plan(
        ids=ids,
        edges=_edges([max(omit, 0.0), absent, unknown, present]),
        fixed=fixed,
        facts=tuple(_FactValues(f, lits) for f in facts),
        fact_slots=tuple(_slots([(False, unknown_facts), (True, 1 - unknown_facts)])),
        fixed_facts=dict(fixed_facts or {}),
        known_facts=frozenset(known_facts),
        draw_facts=draw_facts,
        present_at_most=present_at_most,
        present_at_least=present_at_least,
        unknown_at_most=unknown_at_most,
        case_id=case_id,
        derived=derived,
    )


def cases(
    ruleset: RuleSet | Screener,
    *,
    present: float = 0.2,
    absent: float = 0.3,
    unknown: float = 0.1,
    facts: bool = True,
    unknown_facts: float = 0.3,
    fixed_indicators: Mapping[str, Any] | None = None,
    fixed_facts: Mapping[str, Any] | None = None,
    known_facts: Collection[str] = (),
    present_at_most: int | None = None,
    present_at_least: int | None = None,
    unknown_at_most: int | None = None,
    case_id: bool = False,
) -> SearchStrategy[dict[str, Any]]:
    """Valid cases for ``ruleset``: mappings that :meth:`Screener.evaluate` accepts.

    Each indicator is observed ``"present"`` with probability about ``present``,
    ``"absent"`` with ``absent`` and written ``"unknown"`` with ``unknown``; otherwise it
    is left out of the case (which also means unknown). The three rates must add up to
    at most 1. With ``facts=True`` each declared fact is given with probability about
    ``1 - unknown_facts``, with a value of its type inside its declared range or values
    (numbers near the literals of the rule set's expressions are tried often);
    with ``facts=False`` only ``fixed_facts`` and ``known_facts`` are given.

    Profiles:

    * ``fixed_indicators`` maps indicator ids, or dimension ids (every indicator of the
      dimension), to the observation every case has (``present``, ``absent``,
      ``unknown``, or ``True``/``False``/``None``);
    * ``fixed_facts`` maps fact ids to the value every case has (``None``: unknown);
    * ``known_facts`` names facts every case gives (with a drawn value);
    * ``present_at_most``, ``present_at_least`` and ``unknown_at_most`` bound the number
      of indicators the case observes present, and leaves unknown (written ``unknown``
      or left out), fixed ones included. Counts are of observations: an indicator
      derived from facts may still turn out present, and one left out to be derived is
      not counted as unknown.

    ``case_id=True`` adds a drawn ``id``. Raises :class:`ValueError` for an unknown id,
    a fixed value that does not fit its declaration, or bounds that no case meets.

    >>> import thbscreen
    >>> from thbscreen.testing import cases
    >>> rules = thbscreen.load_ruleset("ilo-ec-2009/child-labour")
    >>> strategy = cases(rules, unknown=0, present=0.3, absent=0.7,
    ...                  fixed_indicators={"coercion_at_destination": "absent"})
    """
    rs = _ruleset_of(ruleset)
    analysis = _analysis_of(rs)
    plan = _plan(
        rs.indicators,
        rs.facts,
        _Literals.of([analysis]),
        present=present,
        absent=absent,
        unknown=unknown,
        draw_facts=facts,
        unknown_facts=unknown_facts,
        fixed_indicators=fixed_indicators,
        fixed_facts=fixed_facts,
        known_facts=known_facts,
        present_at_most=present_at_most,
        present_at_least=present_at_least,
        unknown_at_most=unknown_at_most,
        case_id=case_id,
    )
    return plan.strategy()


def _selection_kwargs(ruleset: RuleSet, name: str) -> dict[str, Any]:
    from ._language.checker import names_in

    props = {p.name: p for p in ruleset.properties}
    if name not in props:
        raise ValueError(
            f"rule set {ruleset.id!r} declares no property {name!r}{did_you_mean(name, props)}"
        )
    prop = props[name]
    tree = _analysis_of(ruleset).properties.get(name)
    fact_ids = {f.id for f in ruleset.facts}
    known = sorted(names_in(tree) & fact_ids) if tree is not None else []
    sel = prop.cases
    if sel is None:
        return {"known_facts": known}
    fixed: dict[str, Any] = {}
    for kind, ids in (("present", sel.present), ("absent", sel.absent), ("unknown", sel.unknown)):
        for x in ids:
            fixed[x] = kind
    return {
        "fixed_indicators": fixed,
        "fixed_facts": dict(sel.facts),
        "known_facts": [k for k in known if k not in sel.facts],
        "present_at_most": sel.present_at_most,
        "present_at_least": sel.present_at_least,
        "unknown_at_most": sel.unknown_at_most,
    }


def property_cases(
    ruleset: RuleSet | Screener, name: str, **rates: float
) -> SearchStrategy[dict[str, Any]]:
    """The cases the rule set's property ``name`` speaks about (its ``cases:`` selection).

    Facts that the property's ``holds`` expression reads are always given, so that it
    is true or false, never unknown. ``rates`` passes ``present``, ``absent``,
    ``unknown`` and ``unknown_facts`` on to :func:`cases`.
    """
    rs = _ruleset_of(ruleset)
    allowed = {"present", "absent", "unknown", "unknown_facts"}
    extra = sorted(set(rates) - allowed)
    if extra:
        raise TypeError(f"property_cases() got an unexpected keyword argument {extra[0]!r}")
    kwargs: dict[str, Any] = {**_selection_kwargs(rs, name), **rates}
    return cases(rs, **kwargs)


def _sample_cases(
    rulesets: Sequence[RuleSet], n: int, seed: int, **rates: float
) -> list[dict[str, Any]]:
    """``n`` independent cases over the indicators and facts of all ``rulesets``.

    Not hypothesis: plain draws from a seeded generator with the rates of :func:`cases`,
    so that shares over them estimate shares under those rates. A fact declared
    differently by two rule sets is drawn from the last declaration.
    """
    indicators: dict[str, Indicator] = {}
    facts: dict[str, Fact] = {}
    for rs in rulesets:
        indicators.update((ind.id, ind) for ind in rs.indicators)
        facts.update((f.id, f) for f in rs.facts)
    plan = _plan(
        list(indicators.values()),
        list(facts.values()),
        _Literals.of(_analysis_of(rs) for rs in rulesets),
        present=rates.get("present", 0.2),
        absent=rates.get("absent", 0.3),
        unknown=rates.get("unknown", 0.1),
        draw_facts=True,
        unknown_facts=rates.get("unknown_facts", 0.3),
        fixed_indicators=None,
        fixed_facts=None,
        known_facts=(),
        present_at_most=None,
        present_at_least=None,
        unknown_at_most=None,
        case_id=False,
    )
    rng = _random.Random(seed)  # noqa: S311 - reproducible draws for statistics, not secrets
    return [plan.sample(rng) for _ in range(n)]


# -- invalid cases -------------------------------------------------------------------

#: The kinds of invalid case :func:`invalid_cases` draws.
INVALID_KINDS = (
    "not_a_mapping",
    "unknown_key",
    "bad_id",
    "indicators_not_a_mapping",
    "unknown_indicator",
    "bad_observation",
    "facts_not_a_mapping",
    "unknown_fact",
    "wrong_fact_type",
    "bad_fact_value",
)
_NEEDS_FACTS = frozenset({"wrong_fact_type", "bad_fact_value"})
_NOT_OBSERVATIONS = frozenset({"present", "absent", "unknown"})


def _wrong_type(fact: Fact) -> SearchStrategy[Any]:
    t = fact.type
    words = st.text(min_size=1, max_size=8)
    if t is FactType.BOOL:
        return st.one_of(st.integers(), words, st.floats(allow_nan=False), st.just([True]))
    if t is FactType.INT:
        return st.one_of(
            st.booleans(),
            words,
            st.floats(allow_nan=False, allow_infinity=False),
            st.just({"value": 1}),
        )
    if t is FactType.FLOAT:
        return st.one_of(st.booleans(), words, st.just([1.0]))
    if t is FactType.DATE:
        return st.one_of(st.booleans(), st.integers(), st.floats(allow_nan=False), st.just([]))
    return st.one_of(st.booleans(), st.integers(), st.floats(allow_nan=False), st.just(["a"]))


def _bad_value(fact: Fact) -> SearchStrategy[Any] | None:
    """Values of the right type that the declaration still refuses."""
    t = fact.type
    if t in (FactType.INT, FactType.FLOAT):
        options: list[SearchStrategy[Any]] = [
            st.integers(_INT_SPAN + 1, 10 * _INT_SPAN),
            st.integers(-10 * _INT_SPAN, -_INT_SPAN - 1),
        ]
        if fact.min is not None:
            if t is FactType.INT:
                below = math.ceil(fact.min) - 1
                if below >= -_INT_SPAN:
                    options.append(st.integers(max(-_INT_SPAN, below - 1000), below))
            else:
                options.append(
                    st.floats(
                        max_value=fact.min, exclude_max=True, allow_nan=False, allow_infinity=False
                    )
                )
        if fact.max is not None:
            if t is FactType.INT:
                above = math.floor(fact.max) + 1
                if above <= _INT_SPAN:
                    options.append(st.integers(above, min(_INT_SPAN, above + 1000)))
            else:
                options.append(
                    st.floats(
                        min_value=fact.max, exclude_min=True, allow_nan=False, allow_infinity=False
                    )
                )
        if t is FactType.FLOAT:
            options.append(st.sampled_from([math.nan, math.inf, -math.inf]))
        return st.one_of(options)
    if t is FactType.ENUM:
        values = set(fact.values or ())
        return st.text(max_size=12).filter(lambda s: s not in values)
    if t is FactType.DATE:
        return st.sampled_from(["2024-02-30", "2023-13-01", "yesterday", "31/01/2024", ""])
    if t is FactType.STRING:
        return st.just("x" * (MAX_STRING + 1))
    return None


def invalid_cases(
    ruleset: RuleSet | Screener, *, kinds: Collection[str] | None = None
) -> SearchStrategy[Any]:
    """Cases that :meth:`Screener.evaluate` must refuse with :class:`CaseDataError`.

    Each is a valid case from :func:`cases` with one thing broken, drawn from ``kinds``
    (default: every kind that applies to the rule set; see :data:`INVALID_KINDS`):
    the case is not a mapping, has an unknown top-level key or an id that is neither a
    string nor a number, its indicators are not a mapping, name an undeclared
    indicator or give a bad observation; its facts are not a mapping, name an
    undeclared fact, give a value of the wrong type, or a value of the right type that
    the declaration refuses (out of range, not among an enum's values, an impossible
    date, a string that is too long). ``wrong_fact_type`` and ``bad_fact_value`` need
    declared facts.
    """
    rs = _ruleset_of(ruleset)
    chosen = tuple(INVALID_KINDS if kinds is None else kinds)
    unknown_kinds = [k for k in chosen if k not in INVALID_KINDS]
    if unknown_kinds:
        raise ValueError(
            f"unknown kind {unknown_kinds[0]!r}{did_you_mean(unknown_kinds[0], INVALID_KINDS)}"
        )
    bad_values = {f.id: _bad_value(f) for f in rs.facts}
    valued = [f for f in rs.facts if bad_values[f.id] is not None]
    if not rs.facts or not valued:
        if kinds is not None and _NEEDS_FACTS & set(chosen):
            raise ValueError(
                f"rule set {rs.id!r} declares no fact for {sorted(_NEEDS_FACTS & set(chosen))}"
            )
        chosen = tuple(k for k in chosen if k not in _NEEDS_FACTS)
    if not chosen:
        raise ValueError("no kind of invalid case to draw")
    valid = cases(rs)
    ind_ids = [ind.id for ind in rs.indicators]
    fact_ids = {f.id for f in rs.facts}
    truthy_non_mappings = st.sampled_from([["present"], "present", 1, 2.5, True, (1,)])

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        case = draw(valid)
        kind = draw(st.sampled_from(chosen))
        if kind == "not_a_mapping":
            return draw(st.one_of(st.none(), st.integers(), st.text(), st.lists(st.none())))
        if kind == "unknown_key":
            key = draw(
                st.text(max_size=10).filter(lambda k: k not in ("id", "facts", "indicators"))
            )
            return {**case, key: draw(st.none() | st.integers())}
        if kind == "bad_id":
            return {**case, "id": draw(st.one_of(st.booleans(), st.floats(), st.lists(st.none())))}
        if kind == "indicators_not_a_mapping":
            return {**case, "indicators": draw(truthy_non_mappings)}
        if kind == "facts_not_a_mapping":
            return {**case, "facts": draw(truthy_non_mappings)}
        if kind == "unknown_indicator":
            bad_key = draw(
                st.one_of(st.text(max_size=12), st.integers()).filter(lambda k: k not in ind_ids)
            )
            return {**case, "indicators": {**case["indicators"], bad_key: "present"}}
        if kind == "bad_observation":
            key = draw(st.sampled_from(ind_ids))
            value = draw(
                st.one_of(
                    st.text(max_size=10).filter(lambda v: v not in _NOT_OBSERVATIONS),
                    st.integers(),
                    st.floats(),
                    st.lists(st.none(), max_size=2),
                    st.dictionaries(st.text(max_size=3), st.none(), max_size=2),
                )
            )
            return {**case, "indicators": {**case["indicators"], key: value}}
        if kind == "unknown_fact":
            bad_key = draw(
                st.one_of(st.text(max_size=12), st.integers()).filter(lambda k: k not in fact_ids)
            )
            return {**case, "facts": {**case["facts"], bad_key: draw(st.integers() | st.text())}}
        if kind == "wrong_fact_type":
            fact = draw(st.sampled_from(rs.facts))
            return {**case, "facts": {**case["facts"], fact.id: draw(_wrong_type(fact))}}
        fact = draw(st.sampled_from(valued))
        strategy = bad_values[fact.id]
        assert strategy is not None
        return {**case, "facts": {**case["facts"], fact.id: draw(strategy)}}

    return build()


# -- random rule sets ----------------------------------------------------------------

_COUNTS = ("strong", "medium", "weak", "present", "medium + weak", "strong + medium")


def _dimension_rule(monotone: bool) -> SearchStrategy[str]:
    atom = st.builds(
        lambda count, k: f"{count} >= {k}", st.sampled_from(_COUNTS), st.integers(1, 3)
    )
    if not monotone:
        atom = st.one_of(
            atom,
            st.builds(
                lambda count, k: f"{count} <= {k}", st.sampled_from(_COUNTS), st.integers(0, 2)
            ),
            atom.map(lambda a: f"not ({a})"),
        )
    clause = st.lists(atom, min_size=1, max_size=2).map(
        lambda atoms: atoms[0] if len(atoms) == 1 else "(" + " and ".join(atoms) + ")"
    )
    return st.lists(clause, min_size=1, max_size=3).map(" or ".join)


def _band_rule(dim_ids: list[str], scoring: bool, monotone: bool) -> SearchStrategy[str]:
    subset = st.lists(st.sampled_from(dim_ids), min_size=1, max_size=len(dim_ids), unique=True)

    @st.composite
    def part(draw: st.DrawFn) -> str:
        kinds = ["any", "all", "at_least", "one"] + (["score"] if scoring else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "score":
            text = f"score >= {draw(st.integers(0, 12))}"
        elif kind == "one":
            text = draw(st.sampled_from(dim_ids))
        else:
            ids = draw(subset)
            if kind == "at_least":
                text = f"at_least({draw(st.integers(1, len(ids)))}, {', '.join(ids)})"
            else:
                text = f"{kind}({', '.join(ids)})"
        if not monotone and draw(st.integers(0, 3)) == 0:
            text = f"not {text}" if kind != "score" else f"not ({text})"
        return text

    @st.composite
    def rule(draw: st.DrawFn) -> str:
        parts = draw(st.lists(part(), min_size=1, max_size=2))
        return f" {draw(st.sampled_from(['or', 'and']))} ".join(parts)

    return rule()


@st.composite
def _fact_decls(draw: st.DrawFn) -> list[tuple[Fact, SearchStrategy[str]]]:
    out: list[tuple[Fact, SearchStrategy[str]]] = []
    for k in range(draw(st.integers(0, 3))):
        fid = f"f{k}"
        kind = draw(st.sampled_from(["int", "bool", "enum", "date"]))
        if kind == "int":
            top = draw(st.integers(1, 200))
            fact = Fact(fid, FactType.INT, Text(f"Number {k}"), min=0, max=top)
            derive = st.integers(0, top).map(f"{fid} > {{}}".format)
        elif kind == "bool":
            fact = Fact(fid, FactType.BOOL, Text(f"Flag {k}"))
            derive = st.just(fid)
        elif kind == "enum":
            fact = Fact(fid, FactType.ENUM, Text(f"Choice {k}"), values=("a", "b", "c"))
            derive = st.sampled_from([f'{fid} == "a"', f'{fid} in ["a", "b"]'])
        else:
            fact = Fact(fid, FactType.DATE, Text(f"Day {k}"))
            derive = st.integers(0, 400).map(f'date("2024-06-01") - {fid} > {{}}'.format)
        out.append((fact, derive))
    return out


def rulesets(
    *,
    min_dimensions: int = 1,
    max_dimensions: int = 4,
    max_indicators: int = 8,
    max_bands: int = 3,
    scoring: bool = True,
    facts: bool = False,
    monotone: bool = True,
) -> SearchStrategy[RuleSet]:
    """Small random rule sets that load and compile: ``Screener(ruleset)`` never fails.

    ``min_dimensions`` to ``max_dimensions`` dimensions (ids ``d0``, ``d1``, ...), each
    with 1 to ``max_indicators`` indicators of random strength (``d0.i0``, ...) and a
    rule that is an ``or`` of ``and``-ed strength counts (``strong >= 2 or (medium >= 1
    and weak >= 1)``); 0 to ``max_bands`` bands (``b0`` most severe, ...) over the
    dimensions (``any``, ``all``, ``at_least``, a single dimension, and with
    ``scoring`` also ``score >= k``), and the fallback ``none``. ``scoring`` adds
    strength weights and score bands; ``facts`` adds up to three facts and indicators
    derived from them; ``monotone=False`` lets rules use ``not`` and ``<=``.
    """
    if not 1 <= min_dimensions <= max_dimensions:
        raise ValueError("need 1 <= min_dimensions <= max_dimensions")
    if max_indicators < 1 or max_bands < 0:
        raise ValueError("need max_indicators >= 1 and max_bands >= 0")

    @st.composite
    def build(draw: st.DrawFn) -> RuleSet:
        n_dims = draw(st.integers(min_dimensions, max_dimensions))
        dim_ids = [f"d{k}" for k in range(n_dims)]
        declared = draw(_fact_decls()) if facts else []
        indicators: list[Indicator] = []
        for d in dim_ids:
            for m in range(draw(st.integers(1, max_indicators))):
                derive = None
                if declared and draw(st.integers(0, 3)) == 0:
                    _, strategy = draw(st.sampled_from(declared))
                    derive = draw(strategy)
                indicators.append(
                    Indicator(
                        id=f"{d}.i{m}",
                        dimension=d,
                        text=Text(f"Indicator {m} of {d}"),
                        strength=draw(st.sampled_from(list(Strength))),
                        derive=derive,
                    )
                )
        dimensions = tuple(
            Dimension(id=d, title=Text(f"Dimension {d}"), positive=draw(_dimension_rule(monotone)))
            for d in dim_ids
        )
        bands = tuple(
            Band(
                id=f"b{k}",
                title=Text(f"Band {k}"),
                when=draw(_band_rule(dim_ids, scoring, monotone)),
            )
            for k in range(draw(st.integers(0, max_bands)))
        )
        scoring_section = None
        if scoring:
            # Whole weights mostly, sometimes fractions (exact in binary, so sums in any
            # order agree): evaluators take a different path for each.
            weight = st.one_of(st.integers(0, 4), st.sampled_from([0.5, 1.25, 2.75]))
            weights: dict[Strength, float] = {s: draw(weight) for s in Strength}
            cuts = sorted(draw(st.sets(st.integers(1, 20), max_size=3)))
            edges = [0, *cuts]
            scoring_section = Scoring(
                weights=weights,
                bands=tuple(
                    ScoreBand(id=f"s{k}", min=lo, max=edges[k + 1] if k + 1 < len(edges) else None)
                    for k, lo in enumerate(edges)
                ),
            )
        rs = RuleSet(
            id="generated/rules",
            version="0",
            title=Text("Generated rule set"),
            provenance=Provenance(
                source="thbscreen.testing.rulesets", confidence=Confidence.THBSCREEN
            ),
            indicators=tuple(indicators),
            dimensions=dimensions,
            outcomes=Outcomes(bands, Fallback("none", Text("No band"))),
            facts=tuple(f for f, _ in declared),
            scoring=scoring_section,
        )
        analysis = analyze(rs)
        rs = attrs.evolve(rs, hash=content_hash(rs))
        rs._analysis.append(attrs.evolve(analysis, ruleset=rs))
        return rs

    return build()
