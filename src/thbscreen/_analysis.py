"""Semantic checks of a structured rule set, collecting every problem in one pass.

The result, :class:`Analysis`, holds the checked expression trees and the scope of
each kind of expression; the compiler builds on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from attrs import field, frozen

from ._language.ast import Node
from ._language.checker import Symbol, check, names_in
from ._language.parser import KEYWORDS, parse
from ._language.where import Where
from ._yaml import Located, PathT, format_path
from .errors import ExpressionError, Problem, RuleSetError, ThbscreenError
from .model import Fact, FactType, RuleSet, Text

__all__ = ["COUNT_NAMES", "PROPERTY_NAMES", "Analysis", "analyze", "check_facts"]

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.\-/]*$")
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
COUNT_NAMES = ("strong", "medium", "weak", "present", "weight")
RESERVED = frozenset({*COUNT_NAMES, "score", *KEYWORDS})
#: Names a property's ``holds`` may use besides facts, indicators, dimensions and score.
PROPERTY_NAMES = ("outcome", "highest", "lowest", "determined")
_FACT_TYPE = {
    FactType.BOOL: "bool",
    FactType.INT: "num",
    FactType.FLOAT: "num",
    FactType.STRING: "str",
    FactType.ENUM: "str",
    FactType.DATE: "date",
}


@frozen
class Analysis:
    ruleset: RuleSet
    derive: dict[str, Node]  # indicator id -> derivation, in evaluation order
    positive: dict[str, Node]  # dimension id -> combination
    when: dict[str, Node]  # band id -> condition
    fact_types: dict[str, str]
    node_types: dict[int, str]  # id(node) -> type, for the code generator
    #: property name -> checked ``holds`` expression (properties with ``monotone`` have none)
    properties: dict[str, Node] = field(factory=dict)


class Collector:
    """Collects every located problem of a file (rule set or network) in one pass.

    ``source`` names the file when there is no located tree (a model built in code).
    """

    def __init__(self, source: str, located: Located | None) -> None:
        self.source = source
        self.located = located
        self.problems: list[Problem] = []
        self.expression_problems = 0

    def where(self, path: PathT) -> Where:
        if self.located is not None:
            mark = self.located.mark(path)
            if mark is not None:
                return Where(
                    self.located.source, mark.line, mark.column, format_path(path), mark.inline
                )
        return Where(self.source, None, None, format_path(path), False)

    def add(self, message: str, path: PathT, *, key: bool = False) -> None:
        if self.located is not None:
            self.problems.append(self.located.problem(message, path, key=key))
        else:
            self.problems.append(Problem(message, source=self.source, path=format_path(path)))

    def expression(
        self, text: str, path: PathT, scope: dict[str, Symbol], types: dict[int, str]
    ) -> Node | None:
        where = self.where(path)
        try:
            tree = parse(text, where)
            check(tree, scope, where, types=types)
        except ThbscreenError as exc:
            self.problems.extend(exc.problems)
            self.expression_problems += len(exc.problems)
            return None
        return tree


def _texts(ruleset: RuleSet) -> Iterator[tuple[PathT, Text | None]]:
    yield ("title",), ruleset.title
    yield ("description",), ruleset.description
    for i, ind in enumerate(ruleset.indicators):
        yield ("indicators", i, "text"), ind.text
        yield ("indicators", i, "question"), ind.question
    for i, dim in enumerate(ruleset.dimensions):
        yield ("dimensions", i, "title"), dim.title
    for i, band in enumerate(ruleset.outcomes.bands):
        yield ("outcomes", "bands", i, "title"), band.title
    yield ("outcomes", "fallback", "title"), ruleset.outcomes.fallback.title


def _duplicates(ids: list[str]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if x in seen:
            yield i, x
        seen.add(x)


def analyze(ruleset: RuleSet, located: Located | None = None) -> Analysis:
    """Check everything the structure alone cannot; raise one error listing every problem."""
    c = Collector(ruleset.source or ruleset.id, located)
    rs = ruleset
    if not ID_PATTERN.match(rs.id):
        c.add("id must be lower case letters, digits, '-', '_', '.' or '/'", ("id",))
    if not rs.version.strip():
        c.add("version must not be empty", ("version",))
    if rs.format != 1:
        c.add(f"unsupported format {rs.format}; this thbscreen reads format 1", ("format",))
    if "en" not in rs.languages:
        c.add("languages must include 'en'", ("languages",))
    if rs.provenance.source is None:
        c.add("provenance needs a 'source'", ("provenance",))
    if rs.provenance.confidence is None:
        c.add("provenance needs a 'confidence'", ("provenance",))
    for text_path, text in _texts(rs):
        if text is None:
            continue
        for lang, _ in text.translations:
            if lang not in rs.languages:
                c.add(
                    f"text in {lang!r}, which is not in the rule set's languages",
                    (*text_path, lang),
                    key=True,
                )

    # -- names -------------------------------------------------------------------
    groups: list[tuple[str, list[str]]] = [
        ("facts", [f.id for f in rs.facts]),
        ("indicators", [i.id for i in rs.indicators]),
        ("dimensions", [d.id for d in rs.dimensions]),
    ]
    taken: dict[str, str] = {}
    for group, ids in groups:
        for i, dup in _duplicates(ids):
            c.add(f"duplicate id {dup!r}", (group, i, "id"))
        for i, name in enumerate(ids):
            if not NAME_PATTERN.match(name):
                c.add(
                    "id must be letters, digits and '_', in parts joined by '.', "
                    f"starting with a letter, got {name!r}",
                    (group, i, "id"),
                )
            elif name in RESERVED:
                c.add(f"{name!r} is a reserved word and cannot be an id", (group, i, "id"))
            elif name in taken and taken[name] != group:
                c.add(f"id {name!r} is already used in {taken[name]}", (group, i, "id"))
            taken.setdefault(name, group)
    band_ids = [b.id for b in rs.outcomes.bands] + [rs.outcomes.fallback.id]
    for i, dup in _duplicates(band_ids):
        path: PathT = (
            ("outcomes", "bands", i, "id")
            if i < len(rs.outcomes.bands)
            else ("outcomes", "fallback", "id")
        )
        c.add(f"duplicate outcome id {dup!r}", path)
    if not rs.indicators:
        c.add("a rule set needs at least one indicator", ("indicators",))
    if not rs.dimensions:
        c.add("a rule set needs at least one dimension", ("dimensions",))

    # -- facts ---------------------------------------------------------------------
    scope_facts = check_facts(rs.facts, c.add)
    fact_types = {name: sym.type for name, sym in scope_facts.items()}

    # -- indicators ------------------------------------------------------------------
    dim_ids = {d.id for d in rs.dimensions}
    ind_scope = {i.id: Symbol("indicator", "bool") for i in rs.indicators}
    for i, ind in enumerate(rs.indicators):
        if ind.dimension not in dim_ids:
            from ._language.suggest import did_you_mean

            c.add(
                f"unknown dimension {ind.dimension!r}{did_you_mean(ind.dimension, dim_ids)}",
                ("indicators", i, "dimension"),
            )
        if (ind.strength is None) == (ind.weight is None):
            c.add("give exactly one of 'strength' and 'weight'", ("indicators", i))

    types: dict[int, str] = {}
    base_scope = {**scope_facts, **ind_scope}
    derive: dict[str, Node] = {}
    for i, ind in enumerate(rs.indicators):
        if ind.derive is not None:
            tree = c.expression(ind.derive, ("indicators", i, "derive"), base_scope, types)
            if tree is not None:
                derive[ind.id] = tree
    order = _derive_order(
        derive,
        lambda ind_id: c.add(
            f"derivation of {ind_id!r} depends on itself",
            ("indicators", _index(rs, ind_id), "derive"),
        ),
    )

    # -- dimensions -------------------------------------------------------------------
    dim_scope = {**base_scope, **{n: Symbol("count", "num") for n in COUNT_NAMES}}
    positive: dict[str, Node] = {}
    for i, dim in enumerate(rs.dimensions):
        tree = c.expression(dim.positive, ("dimensions", i, "positive"), dim_scope, types)
        if tree is not None:
            positive[dim.id] = tree

    # -- outcomes and scoring ------------------------------------------------------------
    band_scope = {
        **base_scope,
        **{d.id: Symbol("dimension", "bool") for d in rs.dimensions},
        "score": Symbol("score", "num"),
    }
    when: dict[str, Node] = {}
    for i, band in enumerate(rs.outcomes.bands):
        tree = c.expression(band.when, ("outcomes", "bands", i, "when"), band_scope, types)
        if tree is not None:
            when[band.id] = tree
    if rs.scoring is not None:
        ind_ids = set(ind_scope)
        for key in rs.scoring.indicator_weights:
            if key not in ind_ids:
                from ._language.suggest import did_you_mean

                c.add(
                    f"unknown indicator {key!r}{did_you_mean(key, ind_ids)}",
                    ("scoring", "indicator_weights", key),
                    key=True,
                )
        for j, sb in enumerate(rs.scoring.bands):
            if sb.max is not None and sb.max <= sb.min:
                c.add(
                    f"score band max {sb.max} must be greater than min {sb.min}",
                    ("scoring", "bands", j),
                )
    _check_tests(c, rs, set(band_ids), dim_ids)
    properties = _check_properties(c, rs, band_ids, {**band_scope}, types)
    if c.problems:
        only_expressions = c.expression_problems == len(c.problems)
        raise (ExpressionError if only_expressions else RuleSetError)(c.problems)
    return Analysis(
        rs, {k: derive[k] for k in order}, positive, when, fact_types, types, properties
    )


def check_facts(facts: Sequence[Fact], add: Callable[[str, PathT], None]) -> dict[str, Symbol]:
    """Check fact declarations (shared with networks); return their expression scope."""
    scope: dict[str, Symbol] = {}
    for i, fact in enumerate(facts):
        numeric = fact.type in (FactType.INT, FactType.FLOAT)
        if (fact.min is not None or fact.max is not None) and not numeric:
            add("min and max are only for int and float facts", ("facts", i, "type"))
        if fact.min is not None and fact.max is not None and fact.min > fact.max:
            add(f"min {fact.min} is greater than max {fact.max}", ("facts", i, "min"))
        if fact.type is FactType.ENUM and not fact.values:
            add("an enum fact needs its list of values", ("facts", i, "type"))
        if fact.values is not None and fact.type is not FactType.ENUM:
            add("values are only for enum facts", ("facts", i, "values"))
        scope[fact.id] = Symbol(
            "fact", _FACT_TYPE[fact.type], frozenset(fact.values) if fact.values else None
        )
    return scope


def _index(rs: RuleSet, ind_id: str) -> int:
    return next(i for i, ind in enumerate(rs.indicators) if ind.id == ind_id)


def _derive_order(derive: dict[str, Node], on_cycle: Callable[[str], None]) -> list[str]:
    """Derived indicators in an order where each comes after those it uses."""
    deps = {k: names_in(v) & derive.keys() for k, v in derive.items()}
    order: list[str] = []
    state: dict[str, int] = {}
    for start in derive:
        if state.get(start):
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(deps[start]))]
        state[start] = 1
        while stack:
            node, todo = stack[-1]
            if todo:
                nxt = todo.pop()
                if state.get(nxt) == 1:
                    on_cycle(nxt)
                elif not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, sorted(deps[nxt])))
            else:
                state[node] = 2
                order.append(node)
                stack.pop()
    return order


def _check_tests(c: Collector, rs: RuleSet, band_ids: set[str], dim_ids: set[str]) -> None:
    from ._language.suggest import did_you_mean

    ind_ids = {i.id for i in rs.indicators}
    names = [t.name for t in rs.tests]
    for i, dup in _duplicates(names):
        c.add(f"duplicate test name {dup!r}", ("tests", i, "name"))
    score_bands = {sb.id for sb in rs.scoring.bands} if rs.scoring else set()
    for i, test in enumerate(rs.tests):
        for key in test.case.indicators:
            if key not in ind_ids:
                c.add(
                    f"unknown indicator {key!r}{did_you_mean(key, ind_ids)}",
                    ("tests", i, "case", "indicators", key),
                    key=True,
                )
        exp = test.expect
        for j, band in enumerate([exp.outcome, *(exp.outcome_range or ())]):
            if band is not None and band not in band_ids:
                path: PathT = (
                    ("tests", i, "expect", "outcome")
                    if j == 0
                    else ("tests", i, "expect", "outcome_range", j - 1)
                )
                c.add(f"unknown outcome {band!r}{did_you_mean(band, band_ids)}", path)
        for dim, status in (exp.dimensions or {}).items():
            if dim not in dim_ids:
                c.add(
                    f"unknown dimension {dim!r}{did_you_mean(dim, dim_ids)}",
                    ("tests", i, "expect", "dimensions", dim),
                    key=True,
                )
            if status not in ("positive", "negative", "undetermined"):
                c.add(
                    f"expected positive, negative or undetermined, got {status!r}",
                    ("tests", i, "expect", "dimensions", dim),
                )
        if exp.score_band is not None and exp.score_band not in score_bands:
            c.add(f"unknown score band {exp.score_band!r}", ("tests", i, "expect", "score_band"))


def _check_properties(
    c: Collector,
    rs: RuleSet,
    band_ids: list[str],
    scope: dict[str, Symbol],
    types: dict[int, str],
) -> dict[str, Node]:
    """Check the ``properties`` section; return the checked ``holds`` expressions."""
    from ._facts import FactReader
    from ._language.suggest import did_you_mean
    from .errors import CaseDataError

    trees: dict[str, Node] = {}
    if not rs.properties:
        return trees
    for i, dup in _duplicates([p.name for p in rs.properties]):
        c.add(f"duplicate property name {dup!r}", ("properties", i, "name"))
    for name in PROPERTY_NAMES:
        if name in scope:
            kind = scope[name].kind
            c.add(
                f"{kind} id {name!r} clashes with the property name {name!r}; "
                "rename it to declare properties",
                ("properties",),
                key=True,
            )
    bands = frozenset(band_ids)
    scope = {
        **scope,
        "outcome": Symbol("outcome", "str", bands),
        "highest": Symbol("outcome", "str", bands),
        "lowest": Symbol("outcome", "str", bands),
        "determined": Symbol("determined", "bool"),
    }
    members: dict[str, list[str]] = {}
    for ind in rs.indicators:
        members.setdefault(ind.dimension, []).append(ind.id)
        members[ind.id] = [ind.id]
    reader = FactReader(rs.facts)
    for i, prop in enumerate(rs.properties):
        at: PathT = ("properties", i)
        if prop.monotone is False:
            c.add("'monotone: false' declares nothing; remove it", (*at, "monotone"))
        elif (prop.holds is None) == (prop.monotone is None):
            c.add("give exactly one of 'holds' and 'monotone: true'", at)
        if prop.holds is not None:
            tree = c.expression(prop.holds, (*at, "holds"), scope, types)
            if tree is not None:
                trees[prop.name] = tree
        sel = prop.cases
        if sel is None:
            continue
        fixed: dict[str, str] = {}
        for kind, ids in (
            ("present", sel.present),
            ("absent", sel.absent),
            ("unknown", sel.unknown),
        ):
            for j, name in enumerate(ids):
                if name not in members:
                    c.add(
                        f"unknown indicator or dimension {name!r}{did_you_mean(name, members)}",
                        (*at, "cases", kind, j),
                    )
                    continue
                for ind_id in members[name]:
                    other = fixed.setdefault(ind_id, kind)
                    if other != kind:
                        c.add(
                            f"indicator {ind_id!r} is selected both {other} and {kind}",
                            (*at, "cases", kind, j),
                        )
        for key in ("present_at_most", "present_at_least", "unknown_at_most"):
            value = getattr(sel, key)
            if value is not None and value < 0:
                c.add(f"{key} must be 0 or more, got {value}", (*at, "cases", key))
        n_present = sum(1 for k in fixed.values() if k == "present")
        derived = {ind.id for ind in rs.indicators if ind.derive is not None}
        n_unknown = sum(1 for x, k in fixed.items() if k == "unknown" and x not in derived)
        can_be_present = len(rs.indicators) - sum(1 for k in fixed.values() if k != "present")
        most, least = sel.present_at_most, sel.present_at_least
        if most is not None and least is not None and least > most:
            c.add(
                f"present_at_least {least} is more than present_at_most {most}",
                (*at, "cases", "present_at_least"),
            )
        if most is not None and n_present > most:
            c.add(
                f"{n_present} indicators are selected present, more than present_at_most {most}",
                (*at, "cases", "present_at_most"),
            )
        if least is not None and least > can_be_present:
            c.add(
                f"present_at_least {least} is more than the {can_be_present} indicators "
                "that may be present",
                (*at, "cases", "present_at_least"),
            )
        if sel.unknown_at_most is not None and n_unknown > sel.unknown_at_most:
            c.add(
                f"{n_unknown} indicators are selected unknown, more than unknown_at_most "
                f"{sel.unknown_at_most}",
                (*at, "cases", "unknown_at_most"),
            )
        for key, value in sel.facts.items():
            try:
                reader.vector(None, {key: value})
            except CaseDataError as exc:
                message = exc.problems[0].message
                c.add(message, (*at, "cases", "facts", key), key=key not in reader.index)
    return trees
