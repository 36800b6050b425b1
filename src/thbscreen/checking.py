"""Property checks of a rule set on generated cases (what ``thbscreen check`` runs).

Every rule set is checked for:

* **determinism**: the same case screened twice, and by a second screener compiled
  from the same rule set, gives byte-identical JSON;
* **range**: the outcome lies within ``outcome_range`` and the score within
  ``score_range``;

and for each property its file declares (``properties:``):

* ``holds``: the expression is true for every case of the property's selection;
* ``monotone: true``: turning an indicator that is unknown or absent present never
  makes the outcome less severe (bands are listed most severe first) and never
  lowers the score.

Cases come from the strategies of :mod:`thbscreen.testing`; hypothesis searches for a
violation and shrinks the first one it finds to a minimal counterexample.

>>> import thbscreen
>>> from thbscreen.checking import check_ruleset
>>> results = check_ruleset(thbscreen.load_ruleset("ilo-ec-2009/adult-labour"), examples=20, seed=1)
>>> all(r.passed for r in results)
True
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from ._analysis import Analysis, analyze
from ._facts import FactReader
from ._language.checker import names_in
from ._language.codegen import CodeBuilder, compile_functions, gen
from .assessment import POSITIVE, Assessment
from .model import RuleSet
from .screening import Screener

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = ["CheckResult", "PropertyFunction", "check_ruleset", "compile_property"]


@frozen
class CheckResult:
    """The outcome of one check of one rule set.

    ``examples`` is the number of cases tried: all of them when the check passed, up to
    the first violation when it failed. ``counterexample`` is the shrunk failing case
    (and, for monotonicity, ``indicator`` the indicator turned present); ``message``
    says what went wrong on it.
    """

    ruleset: str
    check: str  # "determinism", "range", "monotone" or "property"
    name: str
    passed: bool
    examples: int
    counterexample: Mapping[str, Any] | None = field(default=None, repr=False)
    indicator: str | None = None
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ruleset": self.ruleset,
            "check": self.check,
            "name": self.name,
            "passed": self.passed,
            "examples": self.examples,
            "counterexample": dict(self.counterexample) if self.counterexample else None,
            "indicator": self.indicator,
            "message": self.message,
        }


# -- declared properties ---------------------------------------------------------------


class PropertyFunction:
    """A declared property's ``holds`` expression, compiled: call it with an assessment.

    Names mean: ``outcome`` the band reached, ``highest`` and ``lowest`` the most and
    the least severe reachable band (``outcome_range.high`` and ``.low``),
    ``determined`` whether they are the same, ``score`` the score, a dimension id
    whether the dimension is positive, an indicator id whether it is present (observed
    or derived), a fact id the case's fact (unknown when the case does not give it).
    """

    def __init__(self, ruleset: RuleSet, name: str, analysis: Analysis | None = None) -> None:
        analysis = analysis or _analysis_of(ruleset)
        if name not in analysis.properties:
            declared = [p.name for p in ruleset.properties if p.holds is not None]
            raise ValueError(
                f"rule set {ruleset.id!r} declares no 'holds' property {name!r}; "
                f"declared: {', '.join(declared) or 'none'}"
            )
        self.ruleset = ruleset
        self.name = name
        tree = analysis.properties[name]
        self.names = tuple(sorted(names_in(tree)))
        index = {n: k for k, n in enumerate(self.names)}

        def resolve(n: str) -> tuple[str, str]:
            k = index[n]
            return f"V[{2 * k}]", f"V[{2 * k + 1}]"

        b = CodeBuilder()
        b.lines.append("def prop(V):")
        lo, hi = gen(tree, b, resolve, lambda node: analysis.node_types[id(node)])
        b.emit(f"return ({lo}, {hi})")
        ns = compile_functions(
            "\n".join(b.lines) + "\n", b.consts, f"<thbscreen:{ruleset.id}:property>"
        )
        self._fn: Callable[[list[Any]], tuple[Any, Any]] = ns["prop"]  # type: ignore[assignment]
        self._dims = {d.id for d in ruleset.dimensions}
        self._inds = {i.id for i in ruleset.indicators}
        self._facts = FactReader(ruleset.facts)

    def value(self, assessment: Assessment, case: Mapping[str, Any]) -> bool | None:
        """True or false, or ``None`` when unknown (a fact it reads is not given)."""
        fired = {f.id for f in assessment.fired}
        fvec: list[Any] | None = None
        env: list[Any] = []
        for n in self.names:
            v: Any
            if n == "outcome":
                v = assessment.outcome
            elif n == "highest":
                v = assessment.outcome_range.high
            elif n == "lowest":
                v = assessment.outcome_range.low
            elif n == "determined":
                v = assessment.determined
            elif n == "score":
                v = assessment.score
            elif n in self._dims:
                v = assessment.dimensions[n].status == POSITIVE
            elif n in self._inds:
                v = n in fired
            else:
                if fvec is None:
                    fvec = self._facts.vector(None, case.get("facts"))
                j = self._facts.index[n]
                env += (fvec[2 * j], fvec[2 * j + 1])
                continue
            env += (v, v)
        lo, hi = self._fn(env)
        if lo:
            return True
        return None if hi else False

    def __call__(self, assessment: Assessment, case: Mapping[str, Any]) -> bool:
        """Whether the property certainly holds for this assessment of ``case``."""
        return self.value(assessment, case) is True


def compile_property(ruleset: RuleSet, name: str) -> PropertyFunction:
    """The compiled ``holds`` expression of the property ``name`` of ``ruleset``."""
    return PropertyFunction(ruleset, name)


def _analysis_of(ruleset: RuleSet) -> Analysis:
    cached = ruleset._analysis
    return cached[0] if cached else analyze(ruleset)


# -- the search --------------------------------------------------------------------------


class _Found(Exception):
    pass


def _search(
    strategy: SearchStrategy[Any],
    violation: Callable[[Any], str | None],
    examples: int,
    seed: int | None,
) -> tuple[int, Any, str | None]:
    """Run hypothesis over ``strategy``; (cases tried, shrunk violating value, message)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as with_seed

    tried = [0, 0]  # calls, calls before the first violation
    last: list[tuple[Any, str]] = []

    def guarded(value: Any) -> str | None:
        try:
            return violation(value)
        except Exception as exc:  # a crash is a violation too, and is shrunk like one
            return f"raised {type(exc).__name__}: {exc}"

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
        report_multiple_bugs=False,
    )
    @given(strategy)
    def run(value: Any) -> None:
        tried[0] += 1
        why = guarded(value)
        if why is not None:
            if not last:
                tried[1] = tried[0]
            last[:] = [(value, why)]
            raise _Found

    test = with_seed(seed)(run) if seed is not None else run
    try:
        test()
    except _Found:
        value, why = last[0]
        return tried[1], value, why
    except Exception as exc:  # hypothesis gave up (e.g. a violation it could not replay)
        if last:
            value, why = last[0]
            return tried[1], value, f"{why} (not reproducible: {type(exc).__name__})"
        return tried[0], None, f"hypothesis stopped: {type(exc).__name__}: {exc}"
    return tried[0], None, None


def _clean(case: Mapping[str, Any]) -> dict[str, Any]:
    """The case as a case file would give it: empty sections left out."""
    return {k: v for k, v in case.items() if v or k == "indicators"}


def _describe(a: Assessment) -> str:
    positive = [d for d, r in a.dimensions.items() if r.status == POSITIVE]
    score = f"{a.score:g}" if isinstance(a.score, float) else str(a.score)
    return (
        f"outcome {a.outcome} (range {a.outcome_range.low}..{a.outcome_range.high}), "
        f"score {score}, positive dimensions: {', '.join(positive) or 'none'}"
    )


def check_ruleset(
    ruleset: RuleSet, *, examples: int = 100, seed: int | None = None
) -> list[CheckResult]:
    """Run every check on ``ruleset``; one :class:`CheckResult` per check.

    ``examples`` bounds the cases hypothesis tries per check; ``seed`` makes the run
    reproducible (without it each run draws new cases). A violation is shrunk to a
    minimal counterexample before it is reported.
    """
    from . import testing

    if examples < 1:
        raise ValueError(f"examples must be at least 1, got {examples}")
    screener = Screener(ruleset)
    second = Screener(ruleset)
    band_ids = (*(b.id for b in ruleset.outcomes.bands), ruleset.outcomes.fallback.id)
    rank = {b: i for i, b in enumerate(band_ids)}  # 0 is the most severe
    results: list[CheckResult] = []

    def record(
        check: str, name: str, strategy: SearchStrategy[Any], violation: Callable[[Any], str | None]
    ) -> None:
        tried, found, why = _search(strategy, violation, examples, seed)
        case, indicator = (
            (found if check == "monotone" else (found, None)) if found is not None else (None, None)
        )
        results.append(
            CheckResult(
                ruleset.id,
                check,
                name,
                why is None,
                tried,
                _clean(case) if case is not None else None,
                indicator,
                why,
            )
        )

    def determinism(case: dict[str, Any]) -> str | None:
        first = screener.evaluate(case).to_json()
        if screener.evaluate(copy.deepcopy(case)).to_json() != first:
            return "screening the same case twice gave different JSON"
        if second.evaluate(case).to_json() != first:
            return "a second screener of the same rule set gave different JSON"
        return None

    def in_range(case: dict[str, Any]) -> str | None:
        a = screener.evaluate(case)
        low, high = a.outcome_range.low, a.outcome_range.high
        if not rank[high] <= rank[a.outcome] <= rank[low]:
            return f"outcome {a.outcome} lies outside outcome_range {low}..{high}"
        if not a.score_range[0] <= a.score <= a.score_range[1]:
            return (
                f"score {a.score} lies outside score_range {a.score_range[0]}..{a.score_range[1]}"
            )
        return None

    plain = testing.cases(ruleset)
    record("determinism", "the same case always gives the same JSON", plain, determinism)
    record("range", "outcome_range contains the outcome, score_range the score", plain, in_range)

    for prop in ruleset.properties:
        if prop.monotone:
            record(
                "monotone",
                prop.name,
                _raise_one(ruleset, prop.name),
                _monotone_violation(screener, rank),
            )
        else:
            record(
                "property",
                prop.name,
                testing.property_cases(ruleset, prop.name),
                _holds_violation(screener, PropertyFunction(ruleset, prop.name)),
            )
    return results


def _fixed_indicators(ruleset: RuleSet, name: str) -> list[str]:
    prop = next(p for p in ruleset.properties if p.name == name)
    if prop.cases is None:
        return []
    named = {*prop.cases.present, *prop.cases.absent, *prop.cases.unknown}
    return [i.id for i in ruleset.indicators if i.id in named or i.dimension in named]


def _raise_one(ruleset: RuleSet, name: str) -> SearchStrategy[tuple[dict[str, Any], str | None]]:
    """A case of the property's selection, and an indicator not present in it to turn present."""
    from hypothesis import strategies as st

    from . import testing

    selected = testing.property_cases(ruleset, name)
    fixed = set(_fixed_indicators(ruleset, name))
    ids = [i.id for i in ruleset.indicators if i.id not in fixed]

    @st.composite
    def build(draw: st.DrawFn) -> tuple[dict[str, Any], str | None]:
        case = draw(selected)
        candidates = [i for i in ids if case["indicators"].get(i) != "present"]
        return case, draw(st.sampled_from(candidates)) if candidates else None

    return build()


def _monotone_violation(
    screener: Screener, rank: Mapping[str, int]
) -> Callable[[tuple[dict[str, Any], str | None]], str | None]:
    def violation(pair: tuple[dict[str, Any], str | None]) -> str | None:
        case, target = pair
        if target is None:
            return None
        before = screener.evaluate(case)
        after = screener.evaluate({**case, "indicators": {**case["indicators"], target: "present"}})
        if rank[after.outcome] > rank[before.outcome]:
            return (
                f"turning {target} present lowered the outcome from {before.outcome} "
                f"to {after.outcome}"
            )
        if after.score < before.score:
            return (
                f"turning {target} present lowered the score from {before.score} to {after.score}"
            )
        return None

    return violation


def _holds_violation(
    screener: Screener, holds: PropertyFunction
) -> Callable[[dict[str, Any]], str | None]:
    def violation(case: dict[str, Any]) -> str | None:
        a = screener.evaluate(case)
        value = holds.value(a, case)
        if value is True:
            return None
        state = "false" if value is False else "unknown"
        return f"holds is {state}: {_describe(a)}"

    return violation
