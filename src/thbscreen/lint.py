"""Lint rule sets: what loads, but makes a rule set wrong, dead or hard to trust.

Loading refuses what is malformed (``RuleSetError``); linting looks further, at a rule set
that loads, and yields every :class:`Finding` it sees, each with a code, a severity, the
file position and a hint. The codes are listed in :data:`CODES` and in
``docs/reference/lint-codes.md``.

>>> from thbscreen.lint import lint_path
>>> [str(f) for f in lint_path("ilo-ec-2009/adult-labour")]
[]

The reachability checks (bands and dimensions) evaluate the compiled program in
three-valued logic: with every indicator and fact unknown, a condition whose value is
"certainly false" can never hold. Whether a band is ever the *first* band to hold is
decided by a search over dimension results (when bands read only dimensions) or over
indicator observations and fact values, pruned with the same three-valued evaluation, so
that a reported band is proven unreachable; where the search is too large, random cases
decide and the finding says so, as a warning.

A finding can be silenced for one line of the rule file with a YAML comment on that line,
or alone on the line above it: ``# thbscreen: ignore[THB110]`` (several codes separated by
commas; ``# thbscreen: ignore`` silences every code).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import random
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from attrs import frozen

from ._analysis import COUNT_NAMES, Analysis, analyze
from ._compile import Program, compile_program
from ._facts import UNBOUNDED, FactReader
from ._language import ast
from ._language.checker import names_in
from ._language.codegen import CodeBuilder, compile_functions, gen
from ._language.monotone import NEG, polarity
from ._language.parser import parse
from ._language.printer import pretty
from ._language.where import Where
from ._yaml import Located, PathT, format_path, read_located
from .errors import Problem, ThbscreenError
from .findings import Finding, Severity
from .loading import (
    bundled_rulesets,
    is_ruleset_name,
    resolve_path,
    ruleset_from_located,
    structure,
)
from .model import Fact, FactType, Indicator, RuleSet

__all__ = ["CODES", "Finding", "LintCode", "Severity", "lint", "lint_path", "lint_text"]


@frozen
class LintCode:
    """One lint code: its default severity, what it reports and the usual fix."""

    code: str
    severity: Severity
    title: str
    hint: str


_CODE_LIST = (
    LintCode(
        "THB100",
        "error",
        "the rule set cannot be loaded (YAML syntax, structure, expression syntax, other)",
        "fix the file at this position; see the rule-file format reference",
    ),
    LintCode(
        "THB101",
        "error",
        "unknown name: an expression or a reference names nothing declared",
        "declare it, or correct the spelling",
    ),
    LintCode(
        "THB102",
        "error",
        "type error in an expression",
        "compare like with like; use count() to add up conditions",
    ),
    LintCode(
        "THB103",
        "error",
        "duplicate id",
        "give each fact, indicator, dimension, band and test its own id",
    ),
    LintCode(
        "THB110",
        "warning",
        "a declared fact is used in no expression",
        "use it in a derive, positive or when expression, or remove it; if it is "
        "recorded on purpose, add '# thbscreen: ignore[THB110]' to its line",
    ),
    LintCode(
        "THB111",
        "warning",
        "a dimension is used by no outcome band",
        "name the dimension in a band's when, or remove it",
    ),
    LintCode(
        "THB120",
        "warning",
        "an indicator can never change any outcome",
        "read its strength in the dimension rule (or present/weight), name it in an "
        "expression, or remove it",
    ),
    LintCode(
        "THB130",
        "error",
        "an outcome (band or fallback) that no case can reach",
        "rewrite the condition so that some case satisfies it, or remove the band",
    ),
    LintCode(
        "THB131",
        "error",
        "a band that an earlier band always shadows",
        "put the band before the one that shadows it, or narrow the earlier condition",
    ),
    LintCode(
        "THB140",
        "error",
        "a dimension that can never be positive",
        "lower the thresholds of its rule or add indicators of the strength it counts",
    ),
    LintCode(
        "THB141",
        "warning",
        "a dimension that is always positive",
        "make its rule depend on present indicators (e.g. 'present >= 1', not '>= 0')",
    ),
    LintCode(
        "THB150",
        "warning",
        "an expression that is not monotone in the indicators",
        "avoid 'not', '==', '!=', '<' and subtraction on indicators and counts; "
        "write the condition so that more evidence never lowers it",
    ),
    LintCode(
        "THB160",
        "error",
        "the rule set's provenance lacks its source or confidence",
        "add provenance: {source: ..., confidence: confirmed|secondary|unconfirmed|thbscreen}",
    ),
    LintCode(
        "THB161",
        "warning",
        "an indicator has no question",
        "add 'question:', worded as you would ask it",
    ),
    LintCode(
        "THB170",
        "warning",
        "the embedded tests do not expect every outcome",
        "add a test whose expect gives 'outcome:' for each band listed",
    ),
    LintCode(
        "THB180",
        "error",
        "score bands with a gap or an overlap",
        "make each score band's min equal the previous band's max",
    ),
    LintCode(
        "THB181",
        "warning",
        "a score band outside the possible score range",
        "move the band into the range the weights allow, or remove it",
    ),
)

#: Every lint code, by code.
CODES: Mapping[str, LintCode] = {c.code: c for c in _CODE_LIST}


# -- entry points -----------------------------------------------------------------------------


def lint(ruleset: RuleSet) -> Iterator[Finding]:
    """Every finding on ``ruleset``, in file order.

    When ``ruleset.source`` is the file it was loaded from, findings carry its line and
    column. A rule set built in code that does not pass the load-time checks gives those
    problems as findings (THB100 to THB103, THB160).
    """
    located, text = _relocate(ruleset)
    cached = ruleset._analysis
    try:
        analysis = cached[0] if cached else analyze(ruleset, located)
    except ThbscreenError as exc:
        yield from _suppress(_load_findings(exc, _model_expressions(ruleset)), text)
        return
    yield from _Linter(analysis, located, text).run()


def lint_path(path_or_name: str | os.PathLike[str]) -> Iterator[Finding]:
    """Load a rule file (a path or a bundled name) and lint it.

    Problems that stop loading become findings (THB100 to THB103, THB160). A name that
    is neither a file nor a bundled rule set raises :class:`~thbscreen.RuleSetError`.
    """
    path = resolve_path(path_or_name, bundled_rulesets, accept=is_ruleset_name)
    try:
        located = read_located(path)
    except ThbscreenError as exc:
        yield from _load_findings(exc, {})
        return
    yield from _lint_located(located, _read_text(path))


def lint_text(text: str, source: str = "<text>") -> list[Finding]:
    """Lint a rule set given as YAML or JSON text (nothing is read from disk); lines and
    columns count within ``text`` and findings name ``source``."""
    try:
        located = read_located(text.encode("utf-8"), source)
    except ThbscreenError as exc:
        return _load_findings(exc, {})
    return list(_lint_located(located, text))


def _lint_located(located: Located, text: str | None) -> Iterator[Finding]:
    try:
        ruleset = ruleset_from_located(located)
    except ThbscreenError as exc:
        yield from _suppress(_load_findings(exc, _data_expressions(located.data)), text)
        return
    yield from _Linter(ruleset._analysis[0], located, text).run()


# -- load problems ------------------------------------------------------------------------------

_UNKNOWN = re.compile(r"^unknown (name|dimension|indicator|outcome|score band) ")
_DUPLICATE = re.compile(r"^(duplicate (id|outcome id|test name) |id '.*' is already used in )")


def _load_findings(exc: ThbscreenError, expressions: Mapping[str, str]) -> list[Finding]:
    out = []
    for problem in exc.problems:
        code = _classify(problem, expressions)
        out.append(
            Finding(
                code,
                CODES[code].severity,
                problem.message,
                problem.source,
                problem.line,
                problem.column,
                problem.path,
                CODES[code].hint,
            )
        )
    return _sorted(out)


def _classify(problem: Problem, expressions: Mapping[str, str]) -> str:
    message, path = problem.message, problem.path
    if message.startswith("provenance needs a") or (
        path == "$.provenance" and message.startswith("missing required key")
    ):
        return "THB160"
    if _DUPLICATE.match(message):
        return "THB103"
    if _UNKNOWN.match(message):
        return "THB101"
    text = expressions.get(path)
    if text is None or "depends on itself" in message:
        return "THB100"
    try:
        parse(text, Where())
    except ThbscreenError:
        return "THB100"  # the parser refused it: a syntax error or a limit
    return "THB102"  # it parses, so the checker refused it


def _expression_paths(
    derive: Iterable[object], positive: Iterable[object], when: Iterable[object]
) -> dict[str, str]:
    out: dict[str, str] = {}
    for group, key, items in (
        (("indicators",), "derive", derive),
        (("dimensions",), "positive", positive),
        (("outcomes", "bands"), "when", when),
    ):
        for i, text in enumerate(items):
            if isinstance(text, str):
                out[format_path((*group, i, key))] = text
    return out


def _data_expressions(data: Any) -> dict[str, str]:
    def items(container: Any, key: str) -> list[object]:
        if not isinstance(container, list):
            return []
        return [x.get(key) if isinstance(x, dict) else None for x in container]

    data = data if isinstance(data, dict) else {}
    outcomes = data.get("outcomes")
    bands = outcomes.get("bands") if isinstance(outcomes, dict) else None
    return _expression_paths(
        items(data.get("indicators"), "derive"),
        items(data.get("dimensions"), "positive"),
        items(bands, "when"),
    )


def _model_expressions(rs: RuleSet) -> dict[str, str]:
    return _expression_paths(
        (i.derive for i in rs.indicators),
        (d.positive for d in rs.dimensions),
        (b.when for b in rs.outcomes.bands),
    )


# -- positions and suppression ------------------------------------------------------------------

_IGNORE = re.compile(r"#\s*thbscreen:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?")


def _read_text(path: str | os.PathLike[str]) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _relocate(ruleset: RuleSet) -> tuple[Located | None, str | None]:
    """The rule file's positions, when ``ruleset.source`` is a file with this content."""
    source = ruleset.source
    if not source or not Path(source).is_file():
        return None, None
    try:
        located = read_located(source)
        if structure(located, RuleSet) != ruleset:
            return None, None
    except ThbscreenError:
        return None, None
    return located, _read_text(source)


def _suppressions(text: str) -> dict[int, frozenset[str] | None]:
    """Line -> codes silenced there (None: every code)."""
    out: dict[int, frozenset[str] | None] = {}
    lines = text.splitlines()
    for n, line in enumerate(lines, start=1):
        match = _IGNORE.search(line)
        if match is None:
            continue
        codes = (
            frozenset(c.strip().upper() for c in match.group(1).split(",") if c.strip())
            if match.group(1) is not None
            else None
        )
        targets = [n]
        if not line[: match.start()].strip():  # a comment alone on its line: the next line too
            targets.append(n + 1)
        for target in targets:
            old = out.get(target, frozenset())
            out[target] = None if codes is None or old is None else old | codes
    return out


def _suppress(findings: Iterable[Finding], text: str | None) -> Iterator[Finding]:
    table = _suppressions(text) if text else {}
    for f in findings:
        if f.line is not None and f.line in table:
            codes = table[f.line]
            if codes is None or f.code in codes:
                continue
        yield f


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (
            f.source or "",
            f.line if f.line is not None else 0,
            f.column if f.column is not None else 0,
            f.code,
        ),
    )


# -- the checks ---------------------------------------------------------------------------------

# Search budgets, in evaluations: per question, and for all questions on one rule set
# (beyond it, sampling decides). They bound the work a hostile rule file can cause.
_BUDGET_DIMENSIONS = 200_000
_BUDGET_CASES = 20_000
_BUDGET_TOTAL = 1_000_000
_SAMPLES = 600


def _num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _quote(text: str, limit: int = 100) -> str:
    """An expression in backticks, on one line, shortened when long."""
    flat = " ".join(text.split())
    return "`" + (flat if len(flat) <= limit else flat[: limit - 3] + "...") + "`"


class _Linter:
    def __init__(self, analysis: Analysis, located: Located | None, text: str | None) -> None:
        self.analysis = analysis
        self.rs = analysis.ruleset
        self.located = located
        self.text = text
        self.source = located.source if located else (self.rs.source or self.rs.id)
        self.program = compile_program(analysis)
        self.bad_bands: set[str] = set()
        self.fact_ids = {f.id for f in self.rs.facts}

    def run(self) -> Iterator[Finding]:
        findings: list[Finding] = []
        for check in (
            self.unused_facts,
            self.unused_dimensions,
            self.dead_indicators,
            self.dimension_range,
            self.bands,
            self.monotone,
            self.provenance,
            self.questions,
            self.test_coverage,
            self.score_bands,
        ):
            findings.extend(check())
        return _suppress(_sorted(findings), self.text)

    def finding(
        self,
        code: str,
        message: str,
        path: PathT,
        *,
        pos: int | None = None,
        severity: Severity | None = None,
        hint: str | None = None,
    ) -> Finding:
        line = column = None
        mark = self.located.mark(path) if self.located else None
        if mark is not None:
            line, column = mark.line, mark.column
            if pos is not None and mark.inline:
                column += pos
        return Finding(
            code,
            severity or CODES[code].severity,
            message,
            self.source,
            line,
            column,
            format_path(path),
            hint or CODES[code].hint,
        )

    # -- names ----------------------------------------------------------------------------------
    def trees(self) -> Iterator[tuple[PathT, str, ast.Node]]:
        """Every checked expression: its path, a description and its tree."""
        rs, a = self.rs, self.analysis
        for i, ind in enumerate(rs.indicators):
            if ind.id in a.derive:
                yield ("indicators", i, "derive"), f"the derivation of {ind.id!r}", a.derive[ind.id]
        for i, dim in enumerate(rs.dimensions):
            yield (
                ("dimensions", i, "positive"),
                f"the rule of dimension {dim.id!r}",
                a.positive[dim.id],
            )
        for i, band in enumerate(rs.outcomes.bands):
            yield (
                ("outcomes", "bands", i, "when"),
                f"the condition of band {band.id!r}",
                a.when[band.id],
            )

    def unused_facts(self) -> Iterator[Finding]:
        used: set[str] = set()
        for _, _, tree in self.trees():
            used |= names_in(tree)
        for i, fact in enumerate(self.rs.facts):
            if fact.id not in used:
                yield self.finding(
                    "THB110",
                    f"fact {fact.id!r} is declared but no expression uses it",
                    ("facts", i, "id"),
                )

    def band_names(self) -> set[str]:
        out: set[str] = set()
        for tree in self.analysis.when.values():
            out |= names_in(tree)
        return out

    def unused_dimensions(self) -> Iterator[Finding]:
        named = self.band_names()
        for i, dim in enumerate(self.rs.dimensions):
            if dim.id not in named:
                yield self.finding(
                    "THB111",
                    f"dimension {dim.id!r} is used by no outcome band, so whether it is "
                    "positive never changes the outcome",
                    ("dimensions", i, "id"),
                )

    def weight(self, ind: Indicator) -> float:
        return self.program.weights[self.program.slot_of[ind.id]]

    def reads(self, ind: Indicator, counts: set[str]) -> bool:
        if "present" in counts or ("weight" in counts and self.weight(ind) != 0):
            return True
        return ind.strength is not None and ind.strength.value in counts

    def dead_indicators(self) -> Iterator[Finding]:
        rs, a = self.rs, self.analysis
        by_dim: dict[str, list[Indicator]] = {}
        for ind in rs.indicators:
            by_dim.setdefault(ind.dimension, []).append(ind)
        live_dims: set[str] = set()
        live: set[str] = set()
        todo: list[tuple[ast.Node, str | None]] = [(t, None) for t in a.when.values()]
        uses_score = False
        while todo:
            tree, dim = todo.pop()
            names = names_in(tree)
            if dim is not None:
                counts = names & set(COUNT_NAMES)
                names |= {i.id for i in by_dim.get(dim, ()) if self.reads(i, counts)}
            if "score" in names and not uses_score:
                uses_score = True
                names |= {i.id for i in rs.indicators if self.weight(i) != 0}
            for name in names:
                if name in a.positive and name not in live_dims:
                    live_dims.add(name)
                    todo.append((a.positive[name], name))
                elif name in self.program.slot_of and name not in live:
                    live.add(name)
                    if name in a.derive:
                        todo.append((a.derive[name], None))
        for i, ind in enumerate(rs.indicators):
            if ind.id in live:
                continue
            if ind.dimension not in live_dims:
                why = (
                    f"its dimension {ind.dimension!r} is used by no band, and no band or "
                    "rule that decides the outcome names it"
                )
            else:
                counts = names_in(a.positive[ind.dimension]) & set(COUNT_NAMES)
                kind = f"a {ind.strength.value}" if ind.strength else "a weight-only"
                read = [c for c in COUNT_NAMES if c in counts]
                reads = (
                    "no counts"
                    if not read
                    else "only "
                    + (", ".join(read[:-1]) + " and " if len(read) > 1 else "")
                    + read[-1]
                )
                why = (
                    f"the rule of dimension {ind.dimension!r} reads {reads}, so {kind} "
                    "indicator never counts, and nothing that decides the outcome names it"
                )
            yield self.finding(
                "THB120",
                f"indicator {ind.id!r} can never change any outcome: {why}",
                ("indicators", i, "id"),
            )

    # -- reachability ---------------------------------------------------------------------------
    def dimension_range(self) -> Iterator[Finding]:
        reach = self.reach
        for d, dim in enumerate(self.rs.dimensions):
            rule = _quote(dim.positive)
            path: PathT = ("dimensions", d, "positive")
            if reach.never[d]:
                mine = [i for i in self.rs.indicators if i.dimension == dim.id]
                kinds = [
                    f"{k} {count}"
                    for count in ("strong", "medium", "weak")
                    if (k := sum(1 for i in mine if i.strength and i.strength.value == count))
                ]
                weighted = sum(1 for i in mine if i.strength is None)
                if weighted:
                    kinds.append(f"{weighted} weight-only")
                reads_facts = names_in(self.analysis.positive[dim.id]) & self.fact_ids
                facts = " and of the facts" if reads_facts else ""
                yield self.finding(
                    "THB140",
                    f"dimension {dim.id!r} can never be positive: no combination of its "
                    f"{len(mine)} indicators ({', '.join(kinds)}){facts} satisfies {rule}",
                    path,
                )
            elif reach.always[d]:
                yield self.finding(
                    "THB141",
                    f"dimension {dim.id!r} is always positive: {rule} holds whatever is observed",
                    path,
                )

    @cached_property
    def reach(self) -> _Reach:
        return _Reach(self.analysis, self.program)

    def bands(self) -> Iterator[Finding]:
        rs, reach = self.rs, self.reach
        bands = rs.outcomes.bands
        n = len(bands)
        for i, band in enumerate(bands):
            path: PathT = ("outcomes", "bands", i, "when")
            when = _quote(band.when)
            holds = reach.possible(i, ())
            if holds is False:
                self.bad_bands.add(band.id)
                yield self.finding(
                    "THB130",
                    f"band {band.id!r} can never be the outcome: its condition {when} "
                    "holds in no case",
                    path,
                )
                continue
            if i == 0:
                continue
            first = reach.possible(i, tuple(range(i)))
            if first is True:
                continue
            if first is None and reach.sampled_first(i):
                continue
            self.bad_bands.add(band.id)
            if first is None:
                yield self.finding(
                    "THB131",
                    f"band {band.id!r} was never the outcome in {reach.samples} sampled cases: "
                    "an earlier band seems to hold whenever it does (the search was too large "
                    "to be sure)",
                    path,
                    severity="warning",
                )
                continue
            alone = [
                bands[j].id
                for j in range(max(0, i - 20), i)  # the nearest earlier bands
                if reach.possible(i, (j,)) is False
            ]
            if len(alone) == 1:
                by = f"band {alone[0]!r} always holds too"
            elif alone:
                by = "bands " + ", ".join(repr(x) for x in alone) + " each hold too"
            else:
                earlier = ", ".join(repr(b.id) for b in bands[:i])
                by = f"one of the earlier bands ({earlier}) holds too"
            yield self.finding(
                "THB131",
                f"band {band.id!r} can never be the outcome: whenever {when} holds, {by}",
                path,
            )
        fallback = rs.outcomes.fallback
        reached = reach.possible(None, tuple(range(n)))
        if reached is None and reach.sampled_first(n):
            reached = True
        if reached is not True:
            self.bad_bands.add(fallback.id)
            if reached is None:
                yield self.finding(
                    "THB130",
                    f"the fallback {fallback.id!r} was never the outcome in {reach.samples} "
                    "sampled cases (the search was too large to be sure)",
                    ("outcomes", "fallback", "id"),
                    severity="warning",
                )
            else:
                always = [bands[j].id for j in range(n) if reach.possible(None, (j,)) is False]
                why = (
                    f"band {always[0]!r} always holds"
                    if len(always) == 1
                    else "in every case some band holds"
                )
                yield self.finding(
                    "THB130",
                    f"the fallback {fallback.id!r} can never be the outcome: {why}",
                    ("outcomes", "fallback", "id"),
                )

    # -- expressions ----------------------------------------------------------------------------
    def monotone(self) -> Iterator[Finding]:
        facts = {f.id for f in self.rs.facts}

        def is_input(name: str) -> bool:
            return name not in facts

        for path, what, tree in self.trees():
            if not polarity(tree, is_input) & NEG:
                continue
            culprit = _culprit(tree, is_input)
            yield self.finding(
                "THB150",
                f"{what} is not monotone: in {_quote(pretty(culprit))} one more indicator "
                "present can lower the result, so outcome ranges and next questions are "
                "only approximate",
                path,
                pos=culprit.pos,
            )

    # -- documentation --------------------------------------------------------------------------
    def provenance(self) -> Iterator[Finding]:
        # Loading refuses a rule set without them; a rule set built in code may lack them.
        missing = [k for k in ("source", "confidence") if getattr(self.rs.provenance, k) is None]
        if missing:
            yield self.finding(
                "THB160",
                f"the rule set's provenance has no {' and no '.join(missing)}",
                ("provenance",),
            )

    def questions(self) -> Iterator[Finding]:
        for i, ind in enumerate(self.rs.indicators):
            if ind.question is None:
                yield self.finding(
                    "THB161",
                    f"indicator {ind.id!r} has no question: next questions will show its "
                    "text instead",
                    ("indicators", i, "id"),
                )

    def test_coverage(self) -> Iterator[Finding]:
        rs = self.rs
        expected = {t.expect.outcome for t in rs.tests}
        ids = [b.id for b in rs.outcomes.bands] + [rs.outcomes.fallback.id]
        # Bands already reported as unreachable cannot be tested; fix those first.
        missing = [b for b in ids if b not in expected and b not in self.bad_bands]
        if not missing:
            return
        listed = ", ".join(repr(b) for b in missing)
        if rs.tests:
            yield self.finding(
                "THB170",
                f"no embedded test expects the outcome {listed}",
                ("tests",),
            )
        else:
            yield self.finding(
                "THB170",
                f"the rule set has no embedded tests; none expects the outcome {listed}",
                ("outcomes",),
            )

    # -- scoring --------------------------------------------------------------------------------
    def score_bands(self) -> Iterator[Finding]:
        scoring = self.rs.scoring
        if scoring is None or not scoring.bands:
            return
        weights = self.program.weights
        low = sum(w for w in weights if w < 0)
        high = sum(w for w in weights if w > 0)
        whole = all(float(w).is_integer() for w in weights)
        spans = [(sb.min, sb.max if sb.max is not None else math.inf) for sb in scoring.bands]

        def reachable(lo: float, hi: float, closed: bool) -> bool:
            """Whether some possible score lies in [lo, hi) (or [lo, hi] when closed)."""
            lo = max(lo, low)
            if whole:
                k = math.ceil(lo)
                return k <= high and (k <= hi if closed else k < hi)
            return lo <= high and (lo <= hi if closed else lo < hi)

        for j, (lo_j, hi_j) in enumerate(spans):
            sb = scoring.bands[j]
            path: PathT = ("scoring", "bands", j)
            for i in range(j):
                lo_i, hi_i = spans[i]
                a, b = max(lo_i, lo_j), min(hi_i, hi_j)
                if a < b:
                    to = "up" if b == math.inf else f"up to (not including) {_num(b)}"
                    yield self.finding(
                        "THB180",
                        f"score band {sb.id!r} overlaps {scoring.bands[i].id!r} on scores "
                        f"from {_num(a)} {to}; the earlier band wins there",
                        path,
                    )
            if not reachable(lo_j, hi_j, closed=False):
                upper = "up" if hi_j == math.inf else f"below {_num(hi_j)}"
                yield self.finding(
                    "THB181",
                    f"score band {sb.id!r} (from {_num(lo_j)} {upper}) can never be reached: "
                    f"scores range from {_num(low)} to {_num(high)}",
                    path,
                )
        # Gaps: possible scores in no band.
        cursor = low
        gaps: list[tuple[float, float, bool]] = []
        for lo_j, hi_j in sorted(spans):
            if lo_j > cursor and reachable(cursor, min(lo_j, high), closed=lo_j > high):
                gaps.append((cursor, min(lo_j, high), lo_j > high))
            cursor = max(cursor, hi_j)
            if cursor > high:
                break
        else:
            if reachable(cursor, high, closed=True):
                gaps.append((cursor, high, True))
        for a, b, closed in gaps:
            if whole:  # name the whole scores that fall in no band
                first = math.ceil(a)
                last = math.floor(b) if closed or not float(b).is_integer() else int(b) - 1
                span = (
                    f"a score of {_num(first)}"
                    if first == last
                    else f"scores {_num(first)} to {_num(last)}"
                )
            else:
                span = f"scores from {_num(a)} to {_num(b)}" + ("" if closed else " (exclusive)")
            yield self.finding(
                "THB180",
                f"score bands leave a gap: {span} fall{'s' if span.startswith('a ') else ''} "
                "in no band",
                ("scoring", "bands"),
            )


def _culprit(tree: ast.Node, is_input: Callable[[str], bool]) -> ast.Node:
    """The smallest part of ``tree`` that makes it non-monotone."""
    best = tree
    for node in ast.walk(tree):
        if not polarity(node, is_input) & NEG:
            continue
        children: Sequence[ast.Node] = ()
        if isinstance(node, ast.Unary):
            children = (node.operand,)
        elif isinstance(node, ast.Binary):
            children = (node.left, node.right)
        elif isinstance(node, ast.Call):
            children = node.args
        if not any(polarity(c, is_input) & NEG for c in children):
            return node
        best = node
    return best  # pragma: no cover - a tree with NEG always has a smallest such part


# -- reachability search ------------------------------------------------------------------------

_PRUNE, _WITNESS, _OPEN = 0, 1, 2
Pair = tuple[Any, Any]


class _Reach:
    """Which bands can hold, and be first, over every case; with proofs where feasible.

    Two modes. When bands read only dimensions, the variables are the dimensions that
    can be both positive and negative. Otherwise they are the indicators (observed
    directly, which always takes precedence over a derivation) and the facts that bands
    and dimension rules read, numbers split at the literals the rules compare them with.
    A depth-first search assigns variables one by one and evaluates the partial case in
    three-valued logic, pruning what cannot hold; a leaf that stays undecided (a fact the
    split did not separate) or an exhausted budget makes the answer "unknown" (None).
    """

    def __init__(self, analysis: Analysis, program: Program) -> None:
        rs = analysis.ruleset
        self.program = program
        self.rs = rs
        self.n = len(rs.outcomes.bands)
        self.ndims = len(rs.dimensions)
        self.conds = _band_function(analysis, program)
        self.defaults = list(FactReader(rs.facts).defaults)
        self.unknown = bytearray([2]) * len(program.slots)
        r = program.kernel(self.unknown, self.defaults)
        self.never = [not r[8 + 3 * d] for d in range(self.ndims)]
        self.always = [bool(r[7 + 3 * d]) for d in range(self.ndims)]
        self.score = (r[4], r[5])
        self.pure = program.pure_bands
        self.memo: dict[tuple[int | None, tuple[int, ...]], bool | None] = {}
        self.samples = 0
        self.spent = 0  # evaluations used by all searches so far
        self._first_seen: set[int] | None = None
        # Variables of the case mode: facts read by bands or dimension rules, then slots.
        read: set[str] = set()
        for tree in (*analysis.when.values(), *analysis.positive.values()):
            read |= names_in(tree)
        literals = _literals(analysis)
        self.fact_vars: list[tuple[int, list[Pair]]] = []
        self.whole: list[bool] = []
        for j, fact in enumerate(rs.facts):
            if fact.id in read:
                self.fact_vars.append((j, _fact_values(fact, literals)))
                self.whole.append(fact.type is not FactType.FLOAT)
        self.analysis = analysis
        self.dim_of_slot = program.slot_dim
        self.fact_ids = [rs.facts[j].id for j, _ in self.fact_vars]

    # -- evaluation
    def eval_dims(self, dims: list[bool]) -> tuple[Any, ...]:
        return tuple(self.conds(self.unknown, self.defaults, dims, *self.score))

    def eval_case(self, state: bytearray, facts: list[Any]) -> tuple[Any, ...]:
        r = self.program.kernel(state, facts)
        dims = [bool(r[7 + 3 * d + k]) for d in range(self.ndims) for k in (0, 1)]
        return tuple(self.conds(state, facts, dims, r[4], r[5]))

    @staticmethod
    def verdict(c: tuple[Any, ...], must: int | None, must_not: tuple[int, ...]) -> int:
        if must is not None and not c[2 * must + 1]:
            return _PRUNE
        if any(c[2 * j] for j in must_not):
            return _PRUNE
        if (must is None or c[2 * must]) and not any(c[2 * j + 1] for j in must_not):
            return _WITNESS
        return _OPEN

    def possible(self, must: int | None, must_not: tuple[int, ...]) -> bool | None:
        """Is there a case where band ``must`` holds (None: no requirement) and every band
        in ``must_not`` does not? True, False (proven), or None (not decided)."""
        key = (must, must_not)
        if key not in self.memo:
            self.memo[key] = self.search(must, must_not)
        return self.memo[key]

    def search(self, must: int | None, must_not: tuple[int, ...]) -> bool | None:
        if self.pure:
            dims = [False, True] * self.ndims
            for d in range(self.ndims):
                if self.never[d]:
                    dims[2 * d] = dims[2 * d + 1] = False
                elif self.always[d]:
                    dims[2 * d] = dims[2 * d + 1] = True
            free = [d for d in range(self.ndims) if not (self.never[d] or self.always[d])]

            def assign_dim(k: int, v: int | None) -> None:
                d = free[k]
                dims[2 * d], dims[2 * d + 1] = (False, True) if v is None else (v == 0, v == 0)

            return self.run_search(
                lambda: self.verdict(self.eval_dims(dims), must, must_not),
                [2] * len(free),
                assign_dim,
                _BUDGET_DIMENSIONS,
            )
        state = bytearray(self.unknown)
        facts = list(self.defaults)
        # Variables that the bands in question read come first, so that the search
        # decides them before it enumerates what they do not depend on.
        names: set[str] = set()
        bands = self.rs.outcomes.bands
        for b in (*([] if must is None else [must]), *must_not):
            names |= names_in(self.analysis.when[bands[b].id])
        named_dims = {d for d, dim in enumerate(self.rs.dimensions) if dim.id in names}
        for d in named_dims:
            names |= names_in(self.analysis.positive[self.rs.dimensions[d].id])
        slot_of = self.program.slot_of
        named_slots = {slot_of[x] for x in names if x in slot_of}
        variables: list[tuple[int, int]] = [  # (0, fact variable) or (1, slot)
            (0, k) for k, fact_id in enumerate(self.fact_ids) if fact_id in names
        ]
        variables += [(1, s) for s in sorted(named_slots)]
        variables += [
            (1, s)
            for s in range(len(self.program.slots))
            if s not in named_slots and ("score" in names or self.dim_of_slot[s] in named_dims)
        ]
        variables += [(0, k) for k, fact_id in enumerate(self.fact_ids) if fact_id not in names]
        placed = set(variables)
        variables += [(1, s) for s in range(len(self.program.slots)) if (1, s) not in placed]

        def assign(k: int, v: int | None) -> None:
            kind, x = variables[k]
            if kind == 0:
                j, values = self.fact_vars[x]
                if v is None:
                    facts[2 * j], facts[2 * j + 1] = self.defaults[2 * j], self.defaults[2 * j + 1]
                else:
                    facts[2 * j], facts[2 * j + 1] = values[v]
            else:
                state[x] = 2 if v is None else 1 - v  # present first

        sizes = [len(self.fact_vars[x][1]) if kind == 0 else 2 for kind, x in variables]
        return self.run_search(
            lambda: self.verdict(self.eval_case(state, facts), must, must_not),
            sizes,
            assign,
            _BUDGET_CASES,
        )

    def run_search(
        self,
        evaluate: Callable[[], int],
        sizes: list[int],
        assign: Callable[[int, int | None], None],
        budget: int,
    ) -> bool | None:
        counted = [0]

        def counting() -> int:
            counted[0] += 1
            return evaluate()

        try:
            return _dfs(counting, sizes, assign, min(budget, _BUDGET_TOTAL - self.spent))
        finally:
            self.spent += counted[0]

    def sampled_first(self, index: int) -> bool:
        """Whether some sampled case has band ``index`` (``n``: the fallback) as outcome."""
        if self._first_seen is None:
            self._first_seen = self.sample()
        return index in self._first_seen

    def sample(self) -> set[int]:
        rng = random.Random(0)  # noqa: S311 - reproducible test cases, not cryptography
        nslots = len(self.program.slots)
        seen: set[int] = set()
        cases: list[bytearray] = [bytearray(nslots), bytearray([1]) * nslots]
        for s in range(min(nslots, 200)):
            one = bytearray(nslots)
            one[s] = 1
            cases.append(one)
        densities = (0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95)
        for k in range(_SAMPLES):
            p = densities[k % len(densities)]
            cases.append(bytearray(1 if rng.random() < p else 0 for _ in range(nslots)))
        for state in cases:
            facts = list(self.defaults)
            for (j, values), whole in zip(self.fact_vars, self.whole, strict=True):
                facts[2 * j], facts[2 * j + 1] = _crisp(rng.choice(values), whole, rng)
            r = self.program.kernel(state, facts)
            seen.add(r[0])
        self.samples = len(cases)
        return seen


def _dfs(
    evaluate: Callable[[], int],
    sizes: list[int],
    assign: Callable[[int, int | None], None],
    budget: int,
) -> bool | None:
    """Depth-first search over variables ``0..len(sizes)-1`` (values ``0..size-1``)."""
    choice = [0] * len(sizes)
    k = 0
    nodes = 0
    undecided = False
    while True:
        nodes += 1
        if nodes > budget:
            return None
        verdict = evaluate()
        if verdict == _WITNESS:
            return True
        if verdict == _OPEN:
            if k < len(sizes):
                choice[k] = 0
                assign(k, 0)
                k += 1
                continue
            undecided = True
        while k > 0:
            i = k - 1
            if choice[i] + 1 < sizes[i]:
                choice[i] += 1
                assign(i, choice[i])
                break
            assign(i, None)
            k -= 1
        else:
            return None if undecided else False


def _band_function(analysis: Analysis, program: Program) -> Callable[..., tuple[Any, ...]]:
    """``conds(S, F, D, sclo, schi)``: (lo, hi) of every band condition, in order.

    ``D`` holds (lo, hi) of each dimension flat, so dimension results can be set freely.
    """
    rs = analysis.ruleset
    dim_index = {d.id: i for i, d in enumerate(rs.dimensions)}
    fact_index = {f.id: j for j, f in enumerate(rs.facts)}
    b = CodeBuilder()
    b.lines.append("def conds(S, F, D, sclo, schi):")

    def resolve(name: str) -> tuple[str, str]:
        if name in dim_index:
            d = dim_index[name]
            return f"D[{2 * d}]", f"D[{2 * d + 1}]"
        if name == "score":
            return "sclo", "schi"
        j = fact_index.get(name)
        if j is not None:
            return f"F[{2 * j}]", f"F[{2 * j + 1}]"
        s = program.slot_of[name]
        return f"(S[{s}] == 1)", f"(S[{s}] != 0)"

    def node_type(node: ast.Node) -> str:
        return analysis.node_types[id(node)]

    out: list[str] = []
    for band in rs.outcomes.bands:
        lo, hi = gen(analysis.when[band.id], b, resolve, node_type)
        out += [f"bool({lo})", f"bool({hi})"]
    b.emit("return (" + "".join(x + ", " for x in out) + ")")
    namespace = compile_functions("\n".join(b.lines) + "\n", b.consts, f"<thbscreen-lint:{rs.id}>")
    return namespace["conds"]  # type: ignore[return-value]


def _literals(analysis: Analysis) -> tuple[list[float], list[str], list[int]]:
    """Numbers, strings and date ordinals written in band and dimension expressions."""
    numbers: set[float] = set()
    strings: set[str] = set()
    dates: set[int] = set()
    for tree in (*analysis.when.values(), *analysis.positive.values()):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.func == "date":
                lit = node.args[0]
                if isinstance(lit, ast.Literal) and isinstance(lit.value, str):
                    dates.add(_dt.date.fromisoformat(lit.value).toordinal())
            elif isinstance(node, ast.Literal) and not isinstance(node.value, bool):
                if isinstance(node.value, str):
                    strings.add(node.value)
                else:
                    numbers.add(node.value)
    shifted = {d + s * n for d in dates for n in numbers if float(n).is_integer() for s in (1, -1)}
    return sorted(numbers), sorted(strings), sorted(dates | {int(x) for x in shifted})


def _fact_values(fact: Fact, literals: tuple[list[float], list[str], list[int]]) -> list[Pair]:
    """Values of a fact for the search: a partition of what it can take (as intervals)."""
    numbers, strings, dates = literals
    kind = fact.type
    if kind is FactType.BOOL:
        return [(True, True), (False, False)]
    if kind is FactType.ENUM:
        return [(v, v) for v in fact.values or ()]
    if kind is FactType.STRING:
        other = "\x00other"  # equal to no literal: any string not written in the rules
        return [(s, s) for s in strings] + [(other, other)]
    lo = fact.min if fact.min is not None else -UNBOUNDED
    hi = fact.max if fact.max is not None else UNBOUNDED
    whole = kind in (FactType.INT, FactType.DATE)
    points = dates if kind is FactType.DATE else numbers
    cuts = sorted({t for t in points if lo <= t <= hi})[:50]
    pieces: list[Pair] = []
    prev: float | None = None
    for t in [*cuts, None]:
        # The open stretch between the previous cut (or lo) and this cut (or hi).
        a = lo if prev is None else prev
        z = hi if t is None else t
        if whole:
            start = a if prev is None else math.floor(a) + 1
            end = z if t is None else math.ceil(z) - 1
            start, end = math.ceil(start), math.floor(end)
        else:
            start = a if prev is None else math.nextafter(a, math.inf)
            end = z if t is None else math.nextafter(z, -math.inf)
        if start <= end:
            pieces.append((start, end))
        if t is not None and (not whole or float(t).is_integer()):
            pieces.append((t, t))
        prev = t
    return pieces


def _crisp(value: Pair, whole: bool, rng: random.Random) -> Pair:
    """One known value inside a search value (an interval, or a point)."""
    lo, hi = value
    if lo == hi or not isinstance(lo, int | float) or isinstance(lo, bool):
        return value
    # Unbounded sides: stay within 1000 of the other side, or of 0.
    if lo <= -UNBOUNDED and hi >= UNBOUNDED:
        lo, hi = -1000, 1000
    elif lo <= -UNBOUNDED:
        lo = hi - 1000
    elif hi >= UNBOUNDED:
        hi = lo + 1000
    x: float = rng.randint(math.ceil(lo), math.floor(hi)) if whole else rng.uniform(lo, hi)
    return x, x
