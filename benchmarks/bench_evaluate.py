#!/usr/bin/env python3
"""Benchmark thbscreen's ``Screener.evaluate`` against a hand-written loop, zen-engine and rule-engine.

Usage::

    python benchmarks/bench_evaluate.py [--cases N] [--json OUT] [--profile]

Every implementation runs in this one process on the same seeded, synthetic cases
(no real case data is involved). Before anything is timed, each implementation's
result is checked against thbscreen on every case; a disagreement stops the run.
See ``benchmarks/README.md`` for what is measured and how to read the table.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from typing import Any

import thbscreen

RULESET = "ilo-ec-2009/adult-labour"
SEED = 20090901
DEFAULT_CASES = 2000
REPEATS = 7
LOAD_RUNS = 5
#: rule-engine with the counting written as rules is ~100x slower than thbscreen; it is
#: timed on the first cases only (still checked on every case). See --slow-cases.
DEFAULT_SLOW_CASES = 250
#: How often each observation occurs; the rest (40 %) leaves the indicator unmentioned.
RATES = (("present", 0.15), ("absent", 0.35), ("unknown", 0.10))

TARGETS = {
    "thbscreen_vs_hand": ("thbscreen / hand loop", "<=", 2.0),
    "zen_vs_thbscreen": ("zen-engine / thbscreen", ">=", 25.0),
    "rule_engine_vs_thbscreen": ("rule-engine / thbscreen", ">=", 100.0),
    "next_questions_us": ("next_questions per case (us)", "<=", 100.0),
    "load_compile_ms": ("load_ruleset + Screener (ms)", "<", 50.0),
}

# The rules this benchmark re-implements by hand. They are checked against the loaded rule
# set at start-up, so a change to the rule file fails loudly here instead of as a mismatch.
DIMENSION_RULE = "strong >= 2 or (strong >= 1 and medium + weak >= 1) or medium >= 3 or (medium >= 2 and weak >= 1)"
RECRUITMENT = (
    "deceptive_recruitment",
    "coercive_recruitment",
    "recruitment_abuse_of_vulnerability",
)
EXPLOITATION = "exploitative_conditions_of_work"
MEANS = ("coercion_at_destination", "abuse_of_vulnerability_at_destination")
DIMENSIONS = (*RECRUITMENT, EXPLOITATION, *MEANS)
VICTIM_RULE = f"({' or '.join(RECRUITMENT)}) and {EXPLOITATION} and ({' or '.join(MEANS)})"
INDICATIONS_RULE = " or ".join(DIMENSIONS)
BANDS = ("victim", "indications", "no_indication")  # best first, as thbscreen ranks them
STRENGTHS = ("strong", "medium", "weak")
WEIGHTS = {"strong": 3, "medium": 2, "weak": 1}


def check_ruleset_matches(rs: thbscreen.RuleSet) -> None:
    """Fail early if the rule file no longer says what this benchmark re-implements."""
    problems = []
    if tuple(d.id for d in rs.dimensions) != DIMENSIONS:
        problems.append(f"dimensions are {[d.id for d in rs.dimensions]}")
    problems += [
        f"dimension {d.id} rule is {d.positive!r}"
        for d in rs.dimensions
        if d.positive != DIMENSION_RULE
    ]
    bands = {b.id: b.when for b in rs.outcomes.bands}
    if (*bands, rs.outcomes.fallback.id) != BANDS:
        problems.append(f"bands are {[*bands, rs.outcomes.fallback.id]}")
    else:
        if bands["victim"] != VICTIM_RULE:
            problems.append(f"victim band is {bands['victim']!r}")
        if bands["indications"] != f"any({', '.join(DIMENSIONS)})":
            problems.append(f"indications band is {bands['indications']!r}")
    if rs.scoring is None or {k.value: v for k, v in rs.scoring.weights.items()} != WEIGHTS:
        problems.append("scoring weights changed")
    problems += [
        f"{i.id} has its own weight, a derivation or no strength"
        for i in rs.indicators
        if i.weight is not None or i.derive is not None or i.strength is None
    ]
    if problems:
        raise SystemExit(
            f"{rs.id} no longer matches the hand-written rules of this benchmark: "
            + "; ".join(problems)
        )


# -- cases ---------------------------------------------------------------------------------------


def generate_cases(rs: thbscreen.RuleSet, n: int, seed: int = SEED) -> list[dict[str, Any]]:
    """Synthetic cases: each indicator independently present/absent/unknown/unmentioned."""
    rng = random.Random(seed)  # reproducible synthetic data
    ids = [ind.id for ind in rs.indicators]
    bounds = []
    acc = 0.0
    for value, rate in RATES:
        acc += rate
        bounds.append((acc, value))
    cases = []
    for k in range(n):
        indicators: dict[str, str] = {}
        for ind_id in ids:
            r = rng.random()
            for bound, value in bounds:
                if r < bound:
                    indicators[ind_id] = value
                    break
        cases.append({"id": f"case-{k:05d}", "indicators": indicators})
    return cases


# -- 2. the hand-written loop -------------------------------------------------------------------


def dimension_positive(strong: int, medium: int, weak: int) -> bool:
    return (
        strong >= 2
        or (strong >= 1 and medium + weak >= 1)
        or medium >= 3
        or (medium >= 2 and weak >= 1)
    )


def outcome_of(positive: Mapping[str, bool]) -> str:
    if (
        (
            positive["deceptive_recruitment"]
            or positive["coercive_recruitment"]
            or positive["recruitment_abuse_of_vulnerability"]
        )
        and positive["exploitative_conditions_of_work"]
        and (
            positive["coercion_at_destination"] or positive["abuse_of_vulnerability_at_destination"]
        )
    ):
        return "victim"
    if any(positive.values()):
        return "indications"
    return "no_indication"


class HandLoop:
    """What a competent developer would write by hand for this one rule set."""

    def __init__(self, rs: thbscreen.RuleSet) -> None:
        self.ids = [ind.id for ind in rs.indicators]
        self.dimensions = [d.id for d in rs.dimensions]
        dim_index = {d: k for k, d in enumerate(self.dimensions)}
        # indicator id -> (dimension index, strength index: 0 strong, 1 medium, 2 weak)
        self.meta = {
            ind.id: (dim_index[ind.dimension], STRENGTHS.index(ind.strength.value))
            for ind in rs.indicators
            if ind.strength
        }
        self.totals = [[0, 0, 0] for _ in self.dimensions]
        for d, s in self.meta.values():
            self.totals[d][s] += 1

    def evaluate(self, case: Mapping[str, Any]) -> dict[str, Any]:
        observations = case.get("indicators", {})
        present = [[0, 0, 0] for _ in self.dimensions]
        absent = [[0, 0, 0] for _ in self.dimensions]
        fired = []
        for ind_id, value in observations.items():
            try:
                d, s = self.meta[ind_id]
            except KeyError:
                raise ValueError(f"unknown indicator {ind_id!r}") from None
            if value == "present":
                present[d][s] += 1
                fired.append(ind_id)
            elif value == "absent":
                absent[d][s] += 1
            elif value != "unknown":
                raise ValueError(f"{ind_id}: expected present, absent or unknown, got {value!r}")
        unknown = [i for i in self.ids if observations.get(i) not in ("present", "absent")]

        score = high_score = 0
        positive: dict[str, bool] = {}
        possible: dict[str, bool] = {}
        statuses: dict[str, str] = {}
        for d, dim in enumerate(self.dimensions):
            ps, pm, pw = present[d]
            # present or unknown = every indicator of the dimension that is not absent
            hs, hm, hw = (t - a for t, a in zip(self.totals[d], absent[d], strict=True))
            score += 3 * ps + 2 * pm + pw
            high_score += 3 * hs + 2 * hm + hw
            positive[dim] = dimension_positive(ps, pm, pw)
            possible[dim] = dimension_positive(hs, hm, hw)
            statuses[dim] = (
                "positive" if positive[dim] else "undetermined" if possible[dim] else "negative"
            )
        outcome = outcome_of(positive)
        return {
            "id": case.get("id"),
            "outcome": outcome,
            "outcome_range": (outcome, outcome_of(possible)),
            "score": score,
            "score_range": (score, high_score),
            "statuses": statuses,
            "fired": fired,
            "unknown": unknown,
        }


# -- 3. zen-engine ------------------------------------------------------------------------------


def _rename(expression: str, names: Mapping[str, str]) -> str:
    """Replace whole identifiers in a rule text (``strong`` -> ``$.p_dim_strong``)."""
    return re.sub(r"[A-Za-z_]\w*", lambda m: names.get(m.group(), m.group()), expression)


def zen_graph(rs: thbscreen.RuleSet) -> dict[str, Any]:
    """A JDM graph: request -> one expression node -> response.

    The expression node counts present (and present-or-unknown) indicators per dimension
    and strength with ``count(...)``, applies the dimension rule, and the outcome rule on
    present evidence and with every unknown present.
    """
    expressions: list[tuple[str, str]] = []
    for dim in DIMENSIONS:
        for strength in STRENGTHS:
            refs = ", ".join(
                f"indicators['{ind.id}']"
                for ind in rs.indicators
                if ind.dimension == dim
                and ind.strength is not None
                and ind.strength.value == strength
            )
            if refs:
                expressions.append((f"p_{dim}_{strength}", f"count([{refs}], # == 'present')"))
                expressions.append((f"h_{dim}_{strength}", f"count([{refs}], # != 'absent')"))
            else:
                expressions += [(f"p_{dim}_{strength}", "0"), (f"h_{dim}_{strength}", "0")]
        for k in ("p", "h"):
            rule = _rename(DIMENSION_RULE, {s: f"$.{k}_{dim}_{s}" for s in STRENGTHS})
            expressions.append((f"{k}_{dim}", rule))
    for k, key in (("p", "outcome"), ("h", "outcome_high")):
        names = {dim: f"$.{k}_{dim}" for dim in DIMENSIONS}
        victim, indications = _rename(VICTIM_RULE, names), _rename(INDICATIONS_RULE, names)
        expressions.append(
            (key, f"({victim}) ? 'victim' : ({indications}) ? 'indications' : 'no_indication'")
        )
    return {
        "nodes": [
            {"id": "request", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
            {
                "id": "screen",
                "type": "expressionNode",
                "name": "Screen",
                "position": {"x": 300, "y": 0},
                "content": {
                    "expressions": [
                        {"id": f"e{j}", "key": k, "value": v}
                        for j, (k, v) in enumerate(expressions)
                    ]
                },
            },
            {
                "id": "response",
                "type": "outputNode",
                "name": "Response",
                "position": {"x": 600, "y": 0},
            },
        ],
        "edges": [
            {"id": "in", "type": "edge", "sourceId": "request", "targetId": "screen"},
            {"id": "out", "type": "edge", "sourceId": "screen", "targetId": "response"},
        ],
    }


class ZenScreen:
    """The graph loaded through the engine, as zen's documentation recommends for speed: a
    loader returning pre-parsed ``ZenDecisionContent``, then ``engine.evaluate(key, input)``.

    The input is the case itself (``{"id": ..., "indicators": {...}}``); zen does not check
    indicator ids. ``evaluate_decision`` is the other documented path,
    ``engine.create_decision(...).evaluate(input)``, on the same graph (slower in zen-engine
    2.x; timed for information only).
    """

    KEY = "thbscreen-bench.json"

    def __init__(self, rs: thbscreen.RuleSet) -> None:
        import zen

        graph = json.dumps(zen_graph(rs))
        content = zen.ZenDecisionContent(graph)
        self.engine = zen.ZenEngine({"loader": lambda key: content})
        self.decision = zen.ZenEngine().create_decision(graph)

    def evaluate(self, case: Mapping[str, Any]) -> tuple[str, str]:
        result = self.engine.evaluate(self.KEY, case)["result"]
        return result["outcome"], result["outcome_high"]

    def evaluate_decision(self, case: Mapping[str, Any]) -> tuple[str, str]:
        result = self.decision.evaluate(case)["result"]
        return result["outcome"], result["outcome_high"]


# -- 4. rule-engine -----------------------------------------------------------------------------


class RuleEngineCounts:
    """rule-engine over prepared data: Python counts present indicators per dimension and
    strength (checking ids), one Rule per dimension (the rule set's own ``positive`` text)
    decides it, two Rules decide the outcome."""

    def __init__(self, rs: thbscreen.RuleSet) -> None:
        import rule_engine

        self.dimensions = [d.id for d in rs.dimensions]
        self.meta = {
            ind.id: (ind.dimension, ind.strength.value) for ind in rs.indicators if ind.strength
        }
        self.dimension_rules = {d.id: rule_engine.Rule(d.positive) for d in rs.dimensions}
        self.victim = rule_engine.Rule(VICTIM_RULE)
        self.indications = rule_engine.Rule(INDICATIONS_RULE)

    def evaluate(self, case: Mapping[str, Any]) -> str:
        counts = {d: {"strong": 0, "medium": 0, "weak": 0} for d in self.dimensions}
        for ind_id, value in case.get("indicators", {}).items():
            meta = self.meta.get(ind_id)
            if meta is None:
                raise ValueError(f"unknown indicator {ind_id!r}")
            if value == "present":
                counts[meta[0]][meta[1]] += 1
        positive = {d: rule.matches(counts[d]) for d, rule in self.dimension_rules.items()}
        if self.victim.matches(positive):
            return "victim"
        if self.indications.matches(positive):
            return "indications"
        return "no_indication"


class RuleEngineFull:
    """rule-engine doing the counting too: one counting Rule per dimension and strength reads
    the case's observations through a resolver (``[o for o in [...] if o == 'present'].length``)."""

    def __init__(self, rs: thbscreen.RuleSet) -> None:
        import rule_engine

        symbol_of = {ind.id: ind.id.replace(".", "__") for ind in rs.indicators}
        id_of = {sym: ind_id for ind_id, sym in symbol_of.items()}

        def resolve(thing: Mapping[str, Any], name: str) -> Any:
            try:
                return thing.get(id_of[name])
            except KeyError:
                raise rule_engine.errors.SymbolResolutionError(name) from None

        context = rule_engine.Context(resolver=resolve)
        self.counters: list[tuple[str, str, Any]] = []
        for dim in DIMENSIONS:
            for strength in STRENGTHS:
                syms = [
                    symbol_of[i.id]
                    for i in rs.indicators
                    if i.dimension == dim and i.strength and i.strength.value == strength
                ]
                if syms:
                    text = f"[o for o in [{', '.join(syms)}] if o == 'present'].length"
                    self.counters.append((dim, strength, rule_engine.Rule(text, context=context)))
        self.dimension_rules = {d.id: rule_engine.Rule(d.positive) for d in rs.dimensions}
        self.victim = rule_engine.Rule(VICTIM_RULE)
        self.indications = rule_engine.Rule(INDICATIONS_RULE)

    def evaluate(self, case: Mapping[str, Any]) -> str:
        observations = case.get("indicators", {})
        counts = {d: {"strong": 0, "medium": 0, "weak": 0} for d in DIMENSIONS}
        for dim, strength, rule in self.counters:
            counts[dim][strength] = rule.evaluate(observations)
        positive = {d: rule.matches(counts[d]) for d, rule in self.dimension_rules.items()}
        if self.victim.matches(positive):
            return "victim"
        if self.indications.matches(positive):
            return "indications"
        return "no_indication"


# -- agreement ----------------------------------------------------------------------------------


def _mismatch(name: str, case: Mapping[str, Any], got: object, want: object) -> AssertionError:
    return AssertionError(
        f"{name} disagrees with thbscreen on {case['id']}: got {got!r}, thbscreen {want!r}"
    )


def check_agreement(
    cases: Sequence[Mapping[str, Any]],
    screener: thbscreen.Screener,
    hand: HandLoop,
    zen_impl: ZenScreen,
    rule_impls: Mapping[str, RuleEngineCounts | RuleEngineFull],
) -> Counter[str]:
    """Every implementation against thbscreen on every case; returns the outcome counts."""
    outcomes: Counter[str] = Counter()
    for case in cases:
        a = screener.evaluate(case)
        want = {
            "outcome": a.outcome,
            "outcome_range": (a.outcome_range.low, a.outcome_range.high),
            "score": a.score,
            "score_range": tuple(a.score_range),
            "statuses": {d.id: d.status for d in a.dimension_results},
            "fired": sorted(f.id for f in a.fired),
            "unknown": sorted(a.unknown),
        }
        outcomes[a.outcome] += 1
        h = hand.evaluate(case)
        got = {
            **{k: h[k] for k in want},
            "fired": sorted(h["fired"]),
            "unknown": sorted(h["unknown"]),
        }
        for key in want:
            if got[key] != want[key]:
                raise _mismatch(f"hand loop ({key})", case, got[key], want[key])
        for z in (zen_impl.evaluate(case), zen_impl.evaluate_decision(case)):
            if z != want["outcome_range"]:
                raise _mismatch(
                    "zen-engine (outcome, outcome with unknowns present)",
                    case,
                    z,
                    want["outcome_range"],
                )
        for name, impl in rule_impls.items():
            r = impl.evaluate(case)
            if r != a.outcome:
                raise _mismatch(name, case, r, a.outcome)
    bad = {"id": "bad", "indicators": {"no_such.indicator": "present"}}
    for name, fn in (
        ("thbscreen", screener.evaluate),
        ("hand loop", hand.evaluate),
        ("rule-engine (counts in Python)", rule_impls["rule_engine"].evaluate),
    ):
        try:
            fn(bad)
        except (ValueError, thbscreen.CaseDataError):
            continue
        raise AssertionError(f"{name} accepted an unknown indicator id")
    return outcomes


# -- timing -------------------------------------------------------------------------------------


def time_batch(fn: Callable[[Any], object], items: Sequence[Any]) -> float:
    """Mean microseconds per item over one pass (garbage collector off, as timeit does)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        for item in items:
            fn(item)
        elapsed = time.perf_counter_ns() - start
    finally:
        gc.enable()
    return elapsed / len(items) / 1000.0


def _next_questions(assessment: thbscreen.Assessment) -> object:
    return assessment.next_questions


def _evaluate_and_ask(screener: thbscreen.Screener) -> Callable[[Any], object]:
    def run(case: Any) -> object:
        return screener.evaluate(case).next_questions

    return run


LOAD_SCRIPT = """\
import json, sys, time
import thbscreen
name = sys.argv[1]
t0 = time.perf_counter_ns()
rs = thbscreen.load_ruleset(name)
t1 = time.perf_counter_ns()
thbscreen.Screener(rs)
t2 = time.perf_counter_ns()
thbscreen.Screener(thbscreen.load_ruleset(name))
t3 = time.perf_counter_ns()
print(json.dumps({"load_ms": (t1 - t0) / 1e6, "compile_ms": (t2 - t1) / 1e6,
                  "total_ms": (t2 - t0) / 1e6, "second_total_ms": (t3 - t2) / 1e6}))
"""


def cold_run(rs: thbscreen.RuleSet, n: int, seed: int) -> dict[str, float]:
    """One pass of a new Screener over cases it has never seen (its memos start empty)."""
    screener = thbscreen.Screener(rs)
    cases = generate_cases(rs, n, seed)
    evaluate = time_batch(screener.evaluate, cases)
    fresh = thbscreen.Screener(rs)  # next_questions memos empty as well
    assessments = [fresh.evaluate(c) for c in cases]
    return {"evaluate": evaluate, "next_questions": time_batch(_next_questions, assessments)}


def measure_load(runs: int = LOAD_RUNS) -> dict[str, Any]:
    """load_ruleset + Screener in fresh interpreters; interpreter start and imports not timed."""
    samples = []
    for _ in range(runs):
        out = subprocess.run(  # our own interpreter and script, no shell
            [sys.executable, "-c", LOAD_SCRIPT, RULESET],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        samples.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "runs": runs,
        **{
            key: statistics.median(s[key] for s in samples)
            for key in ("load_ms", "compile_ms", "total_ms", "second_total_ms")
        },
        "samples_total_ms": [s["total_ms"] for s in samples],
    }


# -- report -------------------------------------------------------------------------------------


def verdict(key: str, value: float) -> dict[str, Any]:
    label, op, limit = TARGETS[key]
    met = {"<=": value <= limit, ">=": value >= limit, "<": value < limit}[op]
    return {"label": label, "value": value, "target": f"{op} {limit:g}", "met": met}


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def write_json_atomically(path: str, data: Mapping[str, Any]) -> None:
    """Write to a temporary file next to ``path``, then rename it over ``path``."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def profile_thbscreen(screener: thbscreen.Screener, cases: Sequence[Any], top: int = 12) -> None:
    """cProfile of evaluate, of next_questions and of loading + compiling (in this process)."""
    import cProfile
    import pstats

    fresh = [screener.evaluate(c) for c in cases]
    jobs: list[tuple[str, Callable[[], object]]] = [
        ("Screener.evaluate over all cases", lambda: [screener.evaluate(c) for c in cases]),
        ("Assessment.next_questions over all cases", lambda: [a.next_questions for a in fresh]),
        (
            "load_ruleset + Screener (again, in this process)",
            lambda: thbscreen.Screener(thbscreen.load_ruleset(RULESET)),
        ),
    ]
    for title, job in jobs:
        profiler = cProfile.Profile()
        profiler.runcall(job)
        print(f"\ncProfile: {title} (top {top} by own time)")
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats("tottime").print_stats(
            top
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cases",
        type=int,
        default=DEFAULT_CASES,
        help=f"number of generated cases (default {DEFAULT_CASES})",
    )
    parser.add_argument(
        "--slow-cases",
        type=int,
        default=DEFAULT_SLOW_CASES,
        help=f"cases timed for rule-engine with counting rules (default {DEFAULT_SLOW_CASES}); all cases are still checked",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=REPEATS,
        help=f"timed passes per implementation (default {REPEATS})",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--json", metavar="OUT", help="also write the results as JSON to OUT (atomically)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="finally print cProfile hotspots of evaluate, next_questions and loading",
    )
    args = parser.parse_args(argv)
    if args.cases < 1 or args.repeats < 1 or args.slow_cases < 1:
        parser.error("--cases, --repeats and --slow-cases must be positive")

    wall = time.perf_counter()
    rs = thbscreen.load_ruleset(RULESET)
    check_ruleset_matches(rs)
    screener = thbscreen.Screener(rs)
    cases = generate_cases(rs, args.cases, args.seed)
    slow_cases = cases[: args.slow_cases]

    hand = HandLoop(rs)
    zen_impl = ZenScreen(rs)
    rule_counts = RuleEngineCounts(rs)
    rule_full = RuleEngineFull(rs)
    print(f"checking agreement with thbscreen on {len(cases)} cases ...", flush=True)
    outcomes = check_agreement(
        cases, screener, hand, zen_impl, {"rule_engine": rule_counts, "rule_engine_full": rule_full}
    )

    # name -> (callable, items, description, ratio base); timed round-robin, one pass of each
    # per round, so slow drift of the machine affects all alike.
    runs: dict[str, tuple[Callable[[Any], object], Sequence[Any], str, str | None]] = {
        "hand": (hand.evaluate, cases, "hand-written loop (full result)", None),
        "thbscreen": (screener.evaluate, cases, "thbscreen Screener.evaluate", "hand"),
        "next_questions": (_next_questions, cases, "thbscreen .next_questions (access only)", None),
        "thbscreen_evaluate_next_questions": (
            _evaluate_and_ask(screener),
            cases,
            "thbscreen evaluate + .next_questions",
            "thbscreen",
        ),
        "zen": (
            zen_impl.evaluate,
            cases,
            "zen-engine engine.evaluate (outcome+range)",
            "thbscreen",
        ),
        "zen_decision": (
            zen_impl.evaluate_decision,
            cases,
            "zen-engine decision.evaluate (same graph)",
            "thbscreen",
        ),
        "rule_engine": (
            rule_counts.evaluate,
            cases,
            "rule-engine, counts in Python (outcome)",
            "thbscreen",
        ),
        "rule_engine_full": (
            rule_full.evaluate,
            slow_cases,
            "rule-engine, counting in rules (outcome)",
            "thbscreen",
        ),
    }
    batches: dict[str, list[float]] = {name: [] for name in runs}
    print(f"timing: {args.repeats} passes of each ...", flush=True)
    for _ in range(args.repeats):
        for name, (fn, items, _desc, _base) in runs.items():
            if name == "next_questions":
                items = [screener.evaluate(c) for c in items]  # fresh: next_questions is cached
            batches[name].append(time_batch(fn, items))
    us = {name: statistics.median(b) for name, b in batches.items()}
    # The timed passes repeat the same cases, so memos of pure results are warm after
    # the first. Once more, cold: a new Screener on cases it has never seen.
    cold = cold_run(rs, args.cases, args.seed + 1)
    # Ratio of the medians (the headline), and the median of per-round ratios: each round
    # times every implementation once, close together, so the paired ratio is less
    # sensitive to the machine getting slower or faster between rounds.
    ratios = {
        name: {
            "base": base,
            "of_medians": us[name] / us[base],
            "paired": statistics.median(
                a / b for a, b in zip(batches[name], batches[base], strict=True)
            ),
        }
        for name, (_fn, _items, _desc, base) in runs.items()
        if base
    }
    load_average = os.getloadavg()

    print(f"measuring load_ruleset + Screener in {LOAD_RUNS} fresh interpreters ...", flush=True)
    load = measure_load()

    verdicts = {
        "thbscreen_vs_hand": verdict("thbscreen_vs_hand", us["thbscreen"] / us["hand"]),
        "zen_vs_thbscreen": verdict("zen_vs_thbscreen", us["zen"] / us["thbscreen"]),
        "rule_engine_vs_thbscreen": verdict(
            "rule_engine_vs_thbscreen", us["rule_engine"] / us["thbscreen"]
        ),
        "next_questions_us": verdict("next_questions_us", us["next_questions"]),
        "load_compile_ms": verdict("load_compile_ms", load["total_ms"]),
    }

    unknown_per_case = statistics.mean(
        sum(1 for i in rs.indicators if c["indicators"].get(i.id) not in ("present", "absent"))
        for c in cases
    )
    print()
    print(
        f"thbscreen {thbscreen.__version__}, rule set {RULESET} ({len(rs.indicators)} indicators); "
        f"zen-engine {_version('zen-engine')}, rule-engine {_version('rule-engine')}; "
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(
        f"{len(cases)} cases (seed {args.seed}): "
        + ", ".join(f"{outcomes[b]} {b}" for b in BANDS)
        + f"; {unknown_per_case:.1f} of {len(rs.indicators)} indicators unknown per case on average"
    )
    print(
        f"us/case = median over {args.repeats} passes of the mean per case in a pass; [fastest - slowest pass]\n"
    )
    print(
        f"{'implementation':<44} {'us/case':>9}  {'[passes]':<17} {'ratio':>17} {'(paired)':>8}  {'cases':>5}"
    )
    for name, (_fn, items, desc, base) in runs.items():
        b = batches[name]
        spread = f"[{min(b):.1f} - {max(b):.1f}]"
        ratio = f"{ratios[name]['of_medians']:.1f}x {base}" if base else ""
        paired = f"({ratios[name]['paired']:.1f}x)" if base else ""
        print(f"{desc:<44} {us[name]:>9.1f}  {spread:<17} {ratio:>17} {paired:>8}  {len(items):>5}")
    for name, desc in (
        ("evaluate", "  same, new Screener, unseen cases, 1 pass"),
        ("next_questions", "  .next_questions, new Screener, unseen cases"),
    ):
        print(f"{desc:<44} {cold[name]:>9.1f}")
    print(
        f"{'load_ruleset + Screener, fresh interpreter':<44} {load['total_ms']:>7.1f}ms  "
        f"(load {load['load_ms']:.1f} + compile {load['compile_ms']:.1f} ms; median of {LOAD_RUNS} runs; "
        f"a second time in the same process {load['second_total_ms']:.1f} ms)"
    )
    print("\ntargets:")
    for v in verdicts.values():
        print(
            f"  {v['label']:<32} {v['value']:>9.1f}   target {v['target']:<6} {'met' if v['met'] else 'MISSED'}"
        )
    elapsed = time.perf_counter() - wall
    print(f"\n(whole benchmark: {elapsed:.0f} s; load average {load_average[0]:.2f} at the end)")
    spread = max(max(b) / min(b) for b in batches.values())
    if load_average[0] > max(1.5, 0.75 * (os.cpu_count() or 1)) or spread > 1.5:
        print(
            f"warning: noisy run (load average {load_average[0]:.2f}, slowest pass up to {spread:.1f}x"
            " the fastest of the same implementation): other work was competing for the CPU."
            " Prefer the paired ratios, and re-run on a quiet machine before judging a target."
        )

    if args.json:
        write_json_atomically(
            args.json,
            {
                "benchmark": "thbscreen-bench-evaluate/1",
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "ruleset": {
                    "id": rs.id,
                    "version": rs.version,
                    "hash": rs.hash,
                    "indicators": len(rs.indicators),
                },
                "environment": {
                    "python": platform.python_version(),
                    "implementation": platform.python_implementation(),
                    "platform": platform.platform(),
                    "machine": platform.machine(),
                    "cpus": os.cpu_count(),
                    "thbscreen": thbscreen.__version__,
                    "zen-engine": _version("zen-engine"),
                    "rule-engine": _version("rule-engine"),
                },
                "cases": {
                    "count": len(cases),
                    "seed": args.seed,
                    "rates": {
                        **dict(RATES),
                        "unmentioned": round(1 - sum(r for _, r in RATES), 10),
                    },
                    "outcomes": {b: outcomes[b] for b in BANDS},
                    "mean_unknown_per_case": unknown_per_case,
                },
                "method": {
                    "repeats": args.repeats,
                    "statistic": "median of per-pass mean microseconds per case",
                    "gc": "disabled while timing",
                },
                "us_per_case": us,
                "us_per_case_cold": cold,
                "ratios": ratios,
                "load_average_at_end": list(load_average),
                "cases_timed": {name: len(items) for name, (_fn, items, _d, _b) in runs.items()},
                "passes_us_per_case": batches,
                "load_compile": load,
                "targets": verdicts,
                "elapsed_s": elapsed,
            },
        )
        print(f"wrote {args.json}")

    if args.profile:
        profile_thbscreen(screener, cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
