"""Compile an analysed rule set into one generated kernel function.

Indicators get slots ordered by (dimension, strength), so every strength bucket of a
dimension is a contiguous slice of the per-case state array; counts are then a
handful of ``bytearray.count`` calls. The kernel computes, in straight-line code,
every dimension on present evidence and its three-valued range, the outcome, the
outcome range and the score. See ``_language/codegen.py`` for the semantics.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from attrs import field, frozen

from ._analysis import COUNT_NAMES, Analysis
from ._language.ast import Binary, Node
from ._language.checker import names_in
from ._language.codegen import CodeBuilder, compile_functions, gen
from ._language.monotone import NEG, polarity
from ._language.printer import pretty
from .model import Indicator, RuleSet, Strength

__all__ = ["ABSENT", "PRESENT", "UNKNOWN", "Program", "compile_program"]

ABSENT, PRESENT, UNKNOWN = 0, 1, 2
_KINDS = (Strength.STRONG, Strength.MEDIUM, Strength.WEAK, None)


@frozen
class Program:
    ruleset: RuleSet
    slots: tuple[Indicator, ...]  # indicators in slot order
    slot_of: dict[str, int]
    weights: tuple[float, ...]  # per slot
    slot_dim: tuple[int, ...]  # dimension index per slot
    band_ids: tuple[str, ...]  # bands then fallback
    combinations: tuple[tuple[str, ...], ...]  # per dimension, the text of each disjunct
    kernel: Callable[[bytearray | bytes, list[Any]], tuple[Any, ...]]
    trial_source: str
    consts: dict[str, object]
    runs: tuple[tuple[int, int], ...]  # slices of slots with one dimension, strength, weight
    slot_run: tuple[int, ...]
    dim_runs: tuple[tuple[int, ...], ...]
    #: Dimension rules that read only counts, and bands that read only dimensions: their
    #: results depend on those numbers alone, so next_questions may reuse them.
    pure_dims: tuple[bool, ...]
    pure_bands: bool
    derive: Callable[[bytearray | bytes, list[Any]], tuple[Any, ...]] | None
    derived_slots: tuple[int, ...]
    derive_text: tuple[str, ...]
    derive_facts: tuple[tuple[str, ...], ...]
    monotone: bool
    #: Whether some band condition uses the score (then any answer may matter).
    bands_use_score: bool
    #: Slots named in some expression other than as counts (their answers matter one by one).
    named_slots: frozenset[int]
    source: str
    _trials: list[TrialFunctions] = field(factory=list, repr=False, alias="trials")

    def trials(self) -> TrialFunctions:
        """Per-dimension and band functions for next_questions, compiled on first use."""
        if not self._trials:
            ns = compile_functions(
                self.trial_source, self.consts, f"<thbscreen:{self.ruleset.id}:trials>"
            )
            dims = tuple(ns[f"dim{d}"] for d in range(len(self.ruleset.dimensions)))
            self._trials.append(TrialFunctions(dims, ns["bands"], ns["counts"]))  # type: ignore[arg-type]
        return self._trials[0]


@frozen
class TrialFunctions:
    dims: tuple[Callable[..., tuple[Any, ...]], ...]
    bands: Callable[..., tuple[int, int, int]]
    #: ``counts(state)``: present and unknown count of each run, alternating.
    counts: Callable[[bytes | bytearray], list[int]]


def is_whole(weight: float) -> bool:
    """Whether a weight is a whole number: sums of such weights are exact in any order,
    so evaluators may add them up in whatever way is fastest and agree exactly."""
    return math.isfinite(weight) and weight == int(weight)


def _disjuncts(node: Node) -> list[Node]:
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Binary) and n.op == "or":
            stack.append(n.right)
            stack.append(n.left)
        else:
            out.append(n)
    return out


def compile_program(analysis: Analysis) -> Program:
    rs = analysis.ruleset
    dim_index = {d.id: i for i, d in enumerate(rs.dimensions)}
    fact_index = {f.id: j for j, f in enumerate(rs.facts)}
    order = sorted(
        range(len(rs.indicators)),
        key=lambda i: (
            dim_index[rs.indicators[i].dimension],
            _KINDS.index(rs.indicators[i].strength),
            i,
        ),
    )
    slots = tuple(rs.indicators[i] for i in order)
    slot_of = {ind.id: s for s, ind in enumerate(slots)}
    weights = tuple(_weight(rs, ind) for ind in slots)
    slot_dim = tuple(dim_index[ind.dimension] for ind in slots)
    types = analysis.node_types.__getitem__

    def node_type(node: Node) -> str:
        return types(id(node))

    b = CodeBuilder()
    b.lines.append("def kernel(S, F):")

    # Runs: maximal slices with one dimension, one strength and one weight.
    runs: list[tuple[int, int]] = []
    start = 0
    for s in range(1, len(slots) + 1):
        if s == len(slots) or (slot_dim[s], slots[s].strength, weights[s]) != (
            slot_dim[start],
            slots[start].strength,
            weights[start],
        ):
            runs.append((start, s))
            start = s
    kernel_lines = b.lines
    bands_use_score = any("score" in names_in(t) for t in analysis.when.values())
    # Unknown counts are taken only where needed: in the kernel, inside the branch of a
    # dimension not already positive (positive on present evidence implies possibly
    # positive), and for every run only when a band reads the score's range; otherwise
    # the caller computes the score range from the unknown mask it builds anyway.
    run_lines = [f"    p{r} = S.count(1, {a}, {z})" for r, (a, z) in enumerate(runs)]
    unknown_line = {r: f"u{r} = S.count(2, {a}, {z})" for r, (a, z) in enumerate(runs)}
    kernel_lines += run_lines
    if bands_use_score:
        kernel_lines += ["    " + unknown_line[r] for r in range(len(runs))]

    def sum_terms(terms: list[str]) -> str:
        return "(" + " + ".join(terms) + ")" if terms else "0"

    # Score: present weights; range adds unknown weights of either sign.
    score_p = [f"{b.const(weights[a])} * p{r}" for r, (a, _) in enumerate(runs) if weights[a]]
    b.emit(f"sc = {sum_terms(score_p)}")
    if bands_use_score:
        score_hi = [
            f"{b.const(weights[a])} * u{r}" for r, (a, _) in enumerate(runs) if weights[a] > 0
        ]
        score_lo = [
            f"{b.const(weights[a])} * u{r}" for r, (a, _) in enumerate(runs) if weights[a] < 0
        ]
        b.emit(f"schi = sc + {sum_terms(score_hi)}")
        b.emit(f"sclo = sc + {sum_terms(score_lo)}")
    else:
        b.emit("schi = sclo = None")

    def fact_pair(name: str) -> tuple[str, str] | None:
        j = fact_index.get(name)
        return (f"F[{2 * j}]", f"F[{2 * j + 1}]") if j is not None else None

    def indicator_pair(name: str, world: str) -> tuple[str, str] | None:
        s = slot_of.get(name)
        if s is None:
            return None
        return (f"(S[{s}] == 1)", f"(S[{s}] == 1)" if world == "P" else f"(S[{s}] != 0)")

    combinations: list[tuple[str, ...]] = []
    named: set[str] = set()
    monotone = True

    def is_input(name: str) -> bool:
        return name not in fact_index

    def indent(lines: list[str]) -> list[str]:
        return ["    " + line for line in lines]

    dim_sections: list[list[str]] = []  # kernel form: unknown counts taken lazily
    trial_sections: list[list[str]] = []  # trial form: unknown counts are parameters
    for d, dim in enumerate(rs.dimensions):
        tree = analysis.positive[dim.id]
        named |= names_in(tree) - set(COUNT_NAMES) - set(fact_index)
        if polarity(tree, is_input) & NEG:
            monotone = False
        needed = names_in(tree) & set(COUNT_NAMES)
        negative_counts: set[str] = set()
        present_part: list[str] = []
        possible_counts: list[str] = []
        b.lines = present_part
        for count in sorted(needed):
            terms, up, down = _count_terms(count, d, runs, slots, slot_dim, weights, b)
            b.emit(f"c{d}{count} = {sum_terms(terms)}")
            # Unknowns with negative weights can only lower the weight count.
            possible_counts.append(f"    c{d}{count}h = c{d}{count} + {sum_terms(up)}")
            if down:
                negative_counts.add(count)
                possible_counts.append(f"    c{d}{count}l = c{d}{count} + {sum_terms(down)}")

        def resolver(
            world: str, d: int = d, negative_counts: set[str] = negative_counts
        ) -> Callable[[str], tuple[str, str]]:
            def resolve(name: str) -> tuple[str, str]:
                if name in COUNT_NAMES:
                    if world == "P":
                        return f"c{d}{name}", f"c{d}{name}"
                    # Only negative weights can make the lower bound differ.
                    low = f"c{d}{name}l" if name in negative_counts else f"c{d}{name}"
                    return low, f"c{d}{name}h"
                pair = fact_pair(name) or indicator_pair(name, world)
                assert pair is not None, name
                return pair

            return resolve

        parts = _disjuncts(tree)
        combinations.append(tuple(pretty(p) for p in parts))
        p_los = [gen(p, b, resolver("P"), node_type)[0] for p in parts]
        chain = " else ".join(f"{i + 1} if {lo}" for i, lo in enumerate(p_los)) + " else 0"
        b.emit(f"dp{d} = {chain}")
        b.lines = []
        p_lo_whole = gen(tree, b, resolver("P"), node_type)[0]
        possible_part: list[str] = list(possible_counts)
        b.lines = possible_part
        k_lo, k_hi = gen(tree, b, resolver("K"), node_type)
        lazy = k_lo == p_lo_whole
        own_unknowns = [
            "    " + unknown_line[r] for r, (a, _) in enumerate(runs) if slot_dim[a] == d
        ]
        if bands_use_score:
            own_unknowns = []
        kernel_section = list(present_part)
        if lazy:
            kernel_section.append(f"    if dp{d}:")
            kernel_section.append(f"        dkl{d} = dkh{d} = True")
            kernel_section.append("    else:")
            kernel_section += indent(own_unknowns + possible_part)
            kernel_section.append(f"        dkl{d} = False")
            kernel_section.append(f"        dkh{d} = {k_hi}")
        else:
            kernel_section += own_unknowns + possible_part
            kernel_section.append(f"    dkl{d} = {k_lo}")
            kernel_section.append(f"    dkh{d} = {k_hi}")
        dim_sections.append(kernel_section)
        trial_sections.append(
            present_part
            + possible_part
            + [f"    dkl{d} = {f'dp{d} > 0' if lazy else k_lo}", f"    dkh{d} = {k_hi}"]
        )
    b.lines = kernel_lines
    for section in dim_sections:
        kernel_lines += section

    # Bands: on present evidence (dimensions crisp), and three-valued for the range.
    def band_resolver(world: str) -> Callable[[str], tuple[str, str]]:
        def resolve(name: str) -> tuple[str, str]:
            if name in dim_index:
                d = dim_index[name]
                return (f"(dp{d} > 0)", f"(dp{d} > 0)") if world == "P" else (f"dkl{d}", f"dkh{d}")
            if name == "score":
                return ("sc", "sc") if world == "P" else ("sclo", "schi")
            pair = fact_pair(name) or indicator_pair(name, world)
            assert pair is not None, name
            return pair

        return resolve

    band_ids = (*(x.id for x in rs.outcomes.bands), rs.outcomes.fallback.id)
    n = len(rs.outcomes.bands)
    band_lines: list[str] = []
    b.lines = band_lines
    p_conds, kl_conds, kh_conds = [], [], []
    for band in rs.outcomes.bands:
        tree = analysis.when[band.id]
        named |= names_in(tree) - set(dim_index) - set(fact_index) - {"score"}
        if polarity(tree, is_input) & NEG:
            monotone = False
        p_conds.append(gen(tree, b, band_resolver("P"), node_type)[0])
        kl, kh = gen(tree, b, band_resolver("K"), node_type)
        kl_conds.append(kl)
        kh_conds.append(kh)

    def first_true(conds: list[str]) -> str:
        if not conds:
            return "0"
        return " else ".join(f"{i} if {c}" for i, c in enumerate(conds)) + f" else {n}"

    b.emit(f"o = {first_true(p_conds)}")
    b.emit(f"lo = {first_true(kl_conds)}")
    b.emit(f"hi = {first_true(kh_conds)}")
    dims = "".join(f", dp{d}, dkl{d}, dkh{d}" for d in range(len(rs.dimensions)))
    b.lines = kernel_lines
    kernel_lines += band_lines
    b.emit(f"return (o, lo, hi, sc, sclo, schi{dims})")
    # The same sections as separate functions, for next_questions: one answer changes
    # one dimension, so a trial re-evaluates that dimension and the bands only.
    # Compiled on first use, so that screening alone never pays for them.
    trial_lines: list[str] = []
    dim_runs = tuple(
        tuple(r for r, (a, _) in enumerate(runs) if slot_dim[a] == d)
        for d in range(len(dim_sections))
    )
    for d, section in enumerate(trial_sections):
        params = "".join(f", p{r}, u{r}" for r in dim_runs[d])
        trial_lines += ["", f"def dim{d}(S, F{params}):"]
        trial_lines += section
        trial_lines.append(f"    return dp{d}, dkl{d}, dkh{d}")
    # Present and unknown counts of every run, in one call (next_questions starts there).
    run_counts = ", ".join(f"S.count(1, {a}, {z}), S.count(2, {a}, {z})" for a, z in runs)
    trial_lines += ["", "def counts(S):", f"    return [{run_counts}]"]
    trial_lines += ["", "def bands(D, S, F, sc, sclo, schi):"]
    if dims:
        trial_lines.append(f"    ({dims[2:]},) = D")
    trial_lines += band_lines
    trial_lines.append("    return o, lo, hi")
    if any(w < 0 for w in weights):
        monotone = False

    derive_fn, derived_slots, derive_text, derive_facts = _compile_derive(
        analysis, slot_of, fact_index, b
    )
    for tree in analysis.derive.values():
        named |= names_in(tree) - set(fact_index)
        if polarity(tree, is_input) & NEG:
            monotone = False
    source = "\n".join(b.lines) + "\n"
    namespace = compile_functions(source, b.consts, f"<thbscreen:{rs.id}>")
    return Program(
        ruleset=rs,
        slots=slots,
        slot_of=slot_of,
        weights=weights,
        slot_dim=slot_dim,
        band_ids=band_ids,
        combinations=tuple(combinations),
        kernel=namespace["kernel"],  # type: ignore[arg-type]
        trial_source="\n".join(trial_lines) + "\n",
        runs=tuple(runs),
        slot_run=tuple(
            next(r for r, (a, z) in enumerate(runs) if a <= s < z) for s in range(len(slots))
        ),
        dim_runs=dim_runs,
        pure_dims=tuple(
            not (names_in(analysis.positive[dim.id]) - set(COUNT_NAMES)) for dim in rs.dimensions
        ),
        pure_bands=all(
            names_in(analysis.when[band.id]) <= set(dim_index) for band in rs.outcomes.bands
        ),
        consts=b.consts,
        derive=namespace.get("derive") if derive_fn else None,  # type: ignore[arg-type]
        derived_slots=derived_slots,
        derive_text=derive_text,
        derive_facts=derive_facts,
        monotone=monotone,
        bands_use_score=bands_use_score,
        named_slots=frozenset(slot_of[x] for x in named if x in slot_of),
        source=source,
    )


def _count_terms(
    name: str,
    d: int,
    runs: list[tuple[int, int]],
    slots: tuple[Indicator, ...],
    slot_dim: tuple[int, ...],
    weights: tuple[float, ...],
    b: CodeBuilder,
) -> tuple[list[str], list[str], list[str]]:
    """Terms of a count on present evidence, and what unknowns may add (up) or take (down)."""
    present: list[str] = []
    up: list[str] = []
    down: list[str] = []
    for r, (a, _) in enumerate(runs):
        if slot_dim[a] != d:
            continue
        strength = slots[a].strength
        if name == "weight":
            if weights[a]:
                w = b.const(weights[a])
                present.append(f"{w} * p{r}")
                (up if weights[a] > 0 else down).append(f"{w} * u{r}")
        elif name == "present" or (strength is not None and strength.value == name):
            present.append(f"p{r}")
            up.append(f"u{r}")
    return present, up, down


def _compile_derive(
    analysis: Analysis, slot_of: dict[str, int], fact_index: dict[str, int], b: CodeBuilder
) -> tuple[bool, tuple[int, ...], tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """``derive(S, F)``: (lo, hi) of each derivation; derived values feed later ones."""
    if not analysis.derive:
        return False, (), (), ()
    b.lines.append("")
    b.lines.append("def derive(S, F):")
    out: list[str] = []
    local: dict[str, tuple[str, str]] = {}

    def resolve(name: str) -> tuple[str, str]:
        if name in local:
            return local[name]
        j = fact_index.get(name)
        if j is not None:
            return f"F[{2 * j}]", f"F[{2 * j + 1}]"
        s = slot_of[name]
        return f"(S[{s}] == 1)", f"(S[{s}] != 0)"

    def node_type(node: Node) -> str:
        return analysis.node_types[id(node)]

    slots: list[int] = []
    texts: list[str] = []
    facts: list[tuple[str, ...]] = []
    for k, (ind_id, tree) in enumerate(analysis.derive.items()):
        lo, hi = gen(tree, b, resolve, node_type)
        s = slot_of[ind_id]
        # A direct observation wins over the derivation.
        b.emit(f"v{k}l = (S[{s}] == 1) if S[{s}] != 2 else bool({lo})")
        b.emit(f"v{k}h = (S[{s}] == 1) if S[{s}] != 2 else bool({hi})")
        local[ind_id] = (f"v{k}l", f"v{k}h")
        out.append(f"v{k}l, v{k}h")
        slots.append(s)
        texts.append(pretty(tree))
        facts.append(tuple(sorted(names_in(tree) & set(fact_index))))
    b.emit("return (" + ", ".join(out) + ",)")
    return True, tuple(slots), tuple(texts), tuple(facts)


def _weight(rs: RuleSet, ind: Indicator) -> float:
    if ind.weight is not None:
        return ind.weight
    if rs.scoring is None:
        return 1
    if ind.id in rs.scoring.indicator_weights:
        return rs.scoring.indicator_weights[ind.id]
    assert ind.strength is not None
    return rs.scoring.weights.get(ind.strength, 0)
