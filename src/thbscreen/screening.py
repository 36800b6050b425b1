"""The Screener: compile a rule set once, evaluate cases many times."""

from __future__ import annotations

import datetime as _dt
import math
import operator
from collections.abc import Collection, Iterable, Mapping
from itertools import compress
from typing import Any

from ._analysis import analyze
from ._compile import Program, compile_program, is_whole
from ._facts import FactReader, fail, show, type_name
from ._language.suggest import did_you_mean
from .assessment import (
    NEGATIVE,
    POSITIVE,
    UNDETERMINED,
    Assessment,
    DimensionResult,
    Evidence,
    FiredIndicator,
    NextQuestion,
    OutcomeRange,
    RuleSetRef,
    _assessment,
)
from .errors import CaseDataError
from .model import Case, FactType, Observation, RuleSet, Strength

__all__ = ["Screener"]

_KIND = {Strength.STRONG: 0, Strength.MEDIUM: 1, Strength.WEAK: 2, None: 3}
_CASE_KEYS = frozenset({"id", "facts", "indicators"})


# Strings and enums only: True == 1, so bools (and ints) take the careful path.
def _one_tuple(ids: tuple[str, ...]) -> Any:
    """``itemgetter`` over one key returns the value, not a 1-tuple; this does not."""
    get = operator.itemgetter(*ids) if ids else None
    return (lambda m: (get(m),)) if get else (lambda m: ())


_CODES: dict[object, int] = {
    "present": 1,
    "absent": 0,
    "unknown": 2,
    None: 2,
    Observation.PRESENT: 1,
    Observation.ABSENT: 0,
    Observation.UNKNOWN: 2,
}
_PRESENT_MASK = bytes.maketrans(b"\x00\x01\x02", b"\x00\x01\x00")
_UNKNOWN_MASK = bytes.maketrans(b"\x00\x01\x02", b"\x00\x00\x01")
#: A next question with its sort key: (-impact, -|weight|, file order, question).
_Ranked = tuple[int, float, int, NextQuestion]
_QUESTION = operator.itemgetter(3)


class Screener:
    """A compiled rule set. ``Screener(ruleset).evaluate(case)`` gives an :class:`Assessment`.

    Compiling checks the rule set again (it may have been built in code), resolves
    every name to a slot and generates the evaluation code once; ``evaluate`` then
    does no parsing and no name lookup beyond the case's own keys.
    """

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        cached = ruleset._analysis
        self._program: Program = compile_program(cached[0] if cached else analyze(ruleset))
        p = self._program
        rs = ruleset
        self._ref = RuleSetRef(rs.id, rs.version, rs.hash)
        self._ids = tuple(ind.id for ind in p.slots)
        self._template = bytes([2]) * len(p.slots)
        # Cases that answer every indicator (table rows, most tool exports) are read in
        # one C-level gather instead of a Python loop over the indicators.
        self._gather: Any = (
            operator.itemgetter(*self._ids) if len(self._ids) > 1 else _one_tuple(self._ids)
        )
        self._fired_observed = tuple(
            FiredIndicator(
                ind.id,
                ind.dimension,
                ind.strength.value if ind.strength else None,
                w,
                ind.text.en,
                Evidence("observed"),
            )
            for ind, w in zip(p.slots, p.weights, strict=True)
        )
        self._ranges = {
            (lo, hi): OutcomeRange(p.band_ids[lo], p.band_ids[hi], p.band_ids)
            for lo in range(len(p.band_ids))
            for hi in range(len(p.band_ids))
        }
        self._dims: list[tuple[DimensionResult, ...]] = []
        for d, dim in enumerate(rs.dimensions):
            title = dim.title.en
            self._dims.append(
                (
                    DimensionResult(dim.id, title, NEGATIVE),
                    DimensionResult(dim.id, title, UNDETERMINED),
                    *(DimensionResult(dim.id, title, POSITIVE, c) for c in p.combinations[d]),
                )
            )
        file_order = {ind.id: i for i, ind in enumerate(rs.indicators)}
        # Unknown indicators that are interchangeable (same dimension, strength and weight,
        # never named on their own) share one trial evaluation in next_questions; each
        # slot gets the number of its class (a slot of its own where it is named).
        classes: dict[object, int] = {}
        slot_class = []
        for s, (ind, w) in enumerate(zip(p.slots, p.weights, strict=True)):
            own = s in p.named_slots or not p.monotone
            key: object = ("slot", s) if own else (p.slot_dim[s], _KIND[ind.strength], w)
            cls = classes.setdefault(key, len(classes))
            slot_class.append((cls, own, p.slot_dim[s], file_order[ind.id], -abs(w)))
        self._slot_class = tuple(slot_class)
        self._class_of = tuple(c[0] for c in slot_class)
        self._slot_numbers = range(len(p.slots))
        # Memos of pure results, bounded by the rule set's size (not by the cases seen):
        # trial outcomes are small tuples of band indices (numbered in the order found);
        # for each, a row over the slots of the question it gives, with its sort key.
        self._found: list[tuple[int, int, int, int, int, int]] = []
        self._found_ids: dict[tuple[int, int, int, int, int, int], int] = {}
        self._question_rows: list[list[_Ranked | None]] = []
        self._dim_memo: dict[tuple[int, ...], tuple[Any, ...]] = {}
        self._answer_memo: dict[tuple[int, ...], tuple[int, int]] = {}
        self._effect_memo: dict[tuple[Any, ...], tuple[int, int, int, int, int, int]] = {}
        self._dim_results: dict[tuple[Any, ...], tuple[DimensionResult, ...]] = {}
        self._facts = FactReader(rs.facts)
        self._positive_weights = tuple(w if w > 0 else 0 for w in p.weights)
        self._negative_weights = tuple(w if w < 0 else 0 for w in p.weights)
        self._any_negative = any(w < 0 for w in p.weights)
        self._weight_masks = _weight_masks(p.weights)
        self._score_bands = tuple(
            (sb.id, sb.min, sb.max if sb.max is not None else math.inf)
            for sb in (rs.scoring.bands if rs.scoring else ())
        )

    def __repr__(self) -> str:
        return f"Screener({self.ruleset.id!r}, version={self.ruleset.version!r})"

    @property
    def program_source(self) -> str:
        """The generated Python text (for review; it contains no rule-file values)."""
        return self._program.source

    @property
    def monotone(self) -> bool:
        """Whether every expression is monotone in the indicators (by syntax)."""
        return self._program.monotone

    # -- intake ------------------------------------------------------------------
    def _state(
        self, case: Case | Mapping[str, Any], allow: Collection[str] = ()
    ) -> tuple[str | None, bytearray, list[Any]]:
        if isinstance(case, dict | Mapping):
            case_id = case.get("id")
            observations: Any = case.get("indicators")
            facts: Any = case.get("facts")
            if len(case) > len(_CASE_KEYS) or not _CASE_KEYS.issuperset(case):
                extra = sorted(str(k) for k in case if k not in _CASE_KEYS)
                raise fail(
                    case_id,
                    f"unknown key {show(extra[0])}; a case has id, facts and indicators",
                    f"$.{extra[0][:80]}",
                )
        elif isinstance(case, Case):
            case_id = case.id
            observations = case.indicators
            facts = case.facts
        else:
            raise fail(None, f"expected a case (a mapping or a Case), got {type_name(case)}", "$")
        if case_id is not None and case_id.__class__ is not str:
            if case_id.__class__ is not int:
                raise fail(
                    None, f"id must be a string or a number, got {type_name(case_id)}", "$.id"
                )
            case_id = str(case_id)
        state = None
        # Plain dicts only: a defaultdict would invent the keys a gather asks for.
        if observations.__class__ is dict and len(observations) == len(self._template):
            try:
                state = bytearray(map(_CODES.__getitem__, self._gather(observations)))
            except (KeyError, TypeError, AttributeError):
                state = None  # the loop below finds and names the bad entry
        if state is None:
            state = bytearray(self._template)
            # None means none given; anything else must be a mapping (false, 0, [] are
            # not "none" but a mistake, and the careful loop names it).
            if observations is not None:
                slot_of = self._program.slot_of
                try:
                    # Fast path for string observations; bools, odd keys or values and
                    # non-mappings fall to the careful loop, which names the bad path.
                    for key, value in observations.items():
                        state[slot_of[key]] = _CODES[value]
                except (KeyError, TypeError, AttributeError):
                    self._careful_observations(case_id, observations, state)
        fvec = list(self._facts.defaults)
        if facts is not None:
            self._facts.read(case_id, facts, fvec, allow)
        return case_id, state, fvec

    def _careful_observations(
        self, case_id: str | None, observations: Any, state: bytearray
    ) -> None:
        if not isinstance(observations, Mapping):
            raise fail(
                case_id,
                f"expected a mapping of indicator id to observation, got {type_name(observations)}",
                "$.indicators",
            )
        slot_of = self._program.slot_of
        try:
            for key, value in observations.items():
                if value is True:
                    code = 1
                elif value is False:
                    code = 0
                elif value is None:
                    code = 2
                else:
                    code = _CODES[value]
                state[slot_of[key]] = code
        except (KeyError, TypeError):
            raise self._bad_observation(case_id, observations) from None

    def _bad_observation(self, case_id: object, observations: Mapping[Any, Any]) -> CaseDataError:
        slot_of = self._program.slot_of
        for key, value in observations.items():
            if not isinstance(key, str) or key not in slot_of:
                hint = did_you_mean(key, slot_of) if isinstance(key, str) else ""
                return fail(
                    case_id, f"unknown indicator {show(key)}{hint}", f"$.indicators[{show(key)}]"
                )
            ok = value is True or value is False or value is None
            try:
                ok = ok or value in _CODES
            except TypeError:
                ok = False
            if not ok or (isinstance(value, int | float) and not isinstance(value, bool)):
                return fail(
                    case_id,
                    "expected present, absent or unknown (or true, false, null), got "
                    + ("a different string" if isinstance(value, str) else type_name(value)),
                    f"$.indicators[{show(key)}]",
                )
        return fail(case_id, "bad indicators", "$.indicators")  # pragma: no cover

    # -- evaluation ----------------------------------------------------------------
    def evaluate(
        self, case: Case | Mapping[str, Any], *, allow_facts: Collection[str] = ()
    ) -> Assessment:
        """Screen one case. Raises :class:`CaseDataError` naming the path of bad data.

        ``allow_facts`` names facts declared elsewhere (by a referral network, say):
        the case may give them, and screening ignores them.
        """
        case_id, state, fvec = self._state(case, allow_facts)
        p = self._program
        derived: list[int] = []
        if p.derive is not None:
            values = p.derive(state, fvec)
            for k, s in enumerate(p.derived_slots):
                if state[s] == 2:
                    lo, hi = values[2 * k], values[2 * k + 1]
                    state[s] = 1 if lo else (2 if hi else 0)
                    if lo:
                        derived.append(k)
        return self._assess(case_id, state, fvec, derived)

    def _assess(
        self, case_id: str | None, state: bytearray, fvec: list[Any], derived: list[int]
    ) -> Assessment:
        p = self._program
        r = p.kernel(state, fvec)
        band_ids = p.band_ids
        # Few distinct combinations of dimension results occur: reuse their tuples.
        key = r[6:]
        dim_results = self._dim_results.get(key)
        if dim_results is None:
            dims = self._dims
            dim_results = tuple(
                dims[d][r[6 + 3 * d] + 1] if r[6 + 3 * d] else dims[d][1 if r[8 + 3 * d] else 0]
                for d in range(len(dims))
            )
            if len(self._dim_results) < 100_000:
                self._dim_results[key] = dim_results
        fired = tuple(compress(self._fired_observed, state.translate(_PRESENT_MASK)))
        if derived:
            fired = self._with_derivations(fired, derived, fvec)
        score = r[3]
        unknown_mask = state.translate(_UNKNOWN_MASK)
        score_range = (r[4], r[5]) if r[5] is not None else self._score_range(score, unknown_mask)
        band = None
        for sid, smin, smax in self._score_bands:
            if smin <= score < smax:
                band = sid
                break
        return _assessment(
            self._ref,
            case_id,
            band_ids[r[0]],
            self._ranges[(r[1], r[2])],
            score,
            score_range,
            band,
            dim_results,
            fired,
            tuple(compress(self._ids, unknown_mask)),
            self,
            [bytes(state), tuple(fvec), r],
        )

    def _score_range(self, score: float, unknown_mask: bytes | bytearray) -> tuple[float, float]:
        """Lowest and highest score the unknowns allow (the kernel leaves this to us)."""
        if self._weight_masks is not None:
            # The mask read as one integer has bit 8 * s set for each unknown slot s:
            # per weight, one AND and a bit count give how many unknowns carry it.
            unknown = int.from_bytes(unknown_mask, "little")
            low = high = score
            for w, slots in self._weight_masks:
                if w > 0:
                    high += w * (unknown & slots).bit_count()
                else:
                    low += w * (unknown & slots).bit_count()
            return low, high
        high = score + sum(compress(self._positive_weights, unknown_mask))
        low = (
            score + sum(compress(self._negative_weights, unknown_mask))
            if self._any_negative
            else score
        )
        return low, high

    def _with_derivations(
        self, fired: tuple[FiredIndicator, ...], derived: list[int], fvec: list[Any]
    ) -> tuple[FiredIndicator, ...]:
        p = self._program
        replace: dict[str, FiredIndicator] = {}
        for k in derived:
            s = p.derived_slots[k]
            base = self._fired_observed[s]
            facts = tuple(
                (
                    name,
                    _fact_value(
                        self._facts.decls[self._facts.index[name]].type,
                        fvec,
                        self._facts.index[name],
                    ),
                )
                for name in p.derive_facts[k]
            )
            replace[base.id] = FiredIndicator(
                base.id,
                base.dimension,
                base.strength,
                base.weight,
                base.text,
                Evidence("derived", p.derive_text[k], facts),
            )
        return tuple(replace.get(f.id, f) for f in fired)

    def evaluate_many(self, cases: Iterable[Case | Mapping[str, Any]]) -> list[Assessment]:
        """Screen several cases; stops at the first bad case with its error."""
        return [self.evaluate(c) for c in cases]

    # -- next questions --------------------------------------------------------------
    def _next_questions(
        self, state: bytes, fvec: tuple[Any, ...], base: tuple[Any, ...]
    ) -> tuple[NextQuestion, ...]:
        """``base``: the kernel's result for ``state`` (evaluate has it already)."""
        p = self._program
        fl = list(fvec)
        rank = len(p.band_ids)
        width = base[1] - base[2]
        counts = p.trials().counts(state)
        # Shortcut only where an answer acts on the outcome through its dimension alone.
        shortcut = p.monotone and not p.bands_use_score
        fast = p.pure_bands
        pure_dims = p.pure_dims
        slot_class = self._slot_class
        states: tuple[int, ...] | None = None
        # Every unknown slot belongs to a class of interchangeable slots; one trial per
        # class (on any of its slots) serves them all. The per-slot work is then done by
        # C-level maps over memoised rows, not by a Python loop.
        slots = list(compress(self._slot_numbers, state.translate(_UNKNOWN_MASK)))
        classes = list(map(self._class_of.__getitem__, slots))
        fid_of: dict[int, int] = {}
        rows = self._question_rows
        for cls, s in dict(zip(classes, slots, strict=True)).items():
            _, own, d, _, _ = slot_class[s]
            dp, dkh = base[6 + 3 * d] > 0, bool(base[8 + 3 * d])
            if shortcut and not own and (dp or not dkh):
                # A decided dimension of a monotone rule set: no single answer moves it.
                found = (base[0], base[1], base[2], base[1], base[2], 0)
            elif fast and not own and pure_dims[d]:
                if states is None:
                    states = tuple(map(_state_code, base[6::3], base[7::3], base[8::3]))
                found = self._pure_trials(
                    base, states, counts, d, p.slot_run[s], dp, dkh, width, rank
                )
            else:
                yes, yes_dp, _ = self._trial(state, fl, base, counts, s, 1)
                no, _, no_dkh = self._trial(state, fl, base, counts, s, 0)
                moves = yes_dp != dp or no_dkh != dkh
                found = _found(base, yes, no, moves, width, rank)
            fid = self._found_ids.get(found, -1)
            if fid < 0:
                fid = len(self._found)
                self._found_ids[found] = fid
                self._found.append(found)
                rows.append([None] * len(slot_class))
            fid_of[cls] = fid
        fids = list(map(fid_of.__getitem__, classes))
        # Filled in below where a row has no entry yet; then no None is left.
        ranked: list[Any] = list(map(operator.getitem, map(rows.__getitem__, fids), slots))
        if None in ranked:
            for i, item in enumerate(ranked):
                if item is None:
                    ranked[i] = rows[fids[i]][slots[i]] = self._ranked(slots[i], fids[i])
        # File order is unique, so sorting never compares the questions themselves.
        ranked.sort()
        return tuple(map(_QUESTION, ranked))

    def _ranked(self, s: int, fid: int) -> _Ranked:
        """The question for slot ``s`` with trial outcome ``fid``, and its sort key."""
        p = self._program
        o, plo, phi, alo, ahi, impact = self._found[fid]
        ind = p.slots[s]
        q = NextQuestion(
            ind.id,
            (ind.question or ind.text).en,
            ind.dimension,
            impact,
            p.band_ids[o],
            self._ranges[(plo, phi)],
            self._ranges[(alo, ahi)],
        )
        _, _, _, order, neg_weight = self._slot_class[s]
        return (-impact, neg_weight, order, q)

    def _pure_trials(
        self,
        base: tuple[Any, ...],
        states: tuple[int, ...],
        counts: list[int],
        d: int,
        r: int,
        dp: bool,
        dkh: bool,
        width: int,
        rank: int,
    ) -> tuple[int, int, int, int, int, int]:
        """Both answers for an indicator counted in a count-only dimension, with bands that
        read dimensions only (``states``: each dimension's result as a state code).

        Each step is a pure function of small numbers and memoised by what it reads:
        the dimension's result after each answer by the counts of its runs; the answer's
        effect on the outcome by the state codes of every dimension (bands read only
        those). Both memos stay small whatever the cases (a few hundred keys each for
        the ILO rule sets).
        """
        p = self._program
        runs = p.dim_runs[d]
        args = [c for q in runs for c in (counts[2 * q], counts[2 * q + 1])]
        answer_key = (d, r, *args)
        answers = self._answer_memo.get(answer_key)
        if answers is None:
            dim_fn = p.trials().dims[d]
            at = 2 * runs.index(r)
            codes = []
            for answer in (1, 0):
                trial = list(args)
                trial[at] += answer
                trial[at + 1] -= 1
                codes.append(_state_code(*dim_fn(None, None, *trial)))
            answers = (codes[0], codes[1])
            _remember(self._answer_memo, answer_key, answers)
        effect_key = (d, states, answers)
        found = self._effect_memo.get(effect_key)
        if found is None:
            bands = p.trials().bands
            outcomes = []
            for code in answers:
                dims = list(base[6:])
                dims[3 * d : 3 * d + 3] = (code >> 2, bool(code & 2), bool(code & 1))
                outcomes.append(bands(dims, None, None, 0, 0, 0))
            yes, no = outcomes
            moves = bool(answers[0] & 4) != dp or bool(answers[1] & 1) != dkh
            found = _found(base, yes, no, moves, width, rank)
            _remember(self._effect_memo, effect_key, found)
        return found

    def _trial(
        self,
        state: bytes,
        fl: list[Any],
        base: tuple[Any, ...],
        counts: list[int],
        s: int,
        answer: int,
    ) -> tuple[tuple[int, int, int], bool, bool]:
        """Outcome, range and the slot's dimension status if slot ``s`` were answered."""
        p = self._program
        d = p.slot_dim[s]
        trial: bytearray | None = None
        if s in p.named_slots:
            trial = bytearray(state)
            trial[s] = answer
            full = p.kernel(trial, fl)
            return (full[0], full[1], full[2]), full[6 + 3 * d] > 0, bool(full[8 + 3 * d])
        r = p.slot_run[s]
        args: list[int] = []
        for q in p.dim_runs[d]:
            pr, ur = counts[2 * q], counts[2 * q + 1]
            if q == r:
                pr, ur = pr + answer, ur - 1
            args += (pr, ur)
        trials = p.trials()
        if p.pure_dims[d]:
            dim_key = (d, *args)
            dim = self._dim_memo.get(dim_key)
            if dim is None:
                dim = trials.dims[d](None, None, *args)
                _remember(self._dim_memo, dim_key, dim)
        else:
            trial = bytearray(state)
            trial[s] = answer
            dim = trials.dims[d](trial, fl, *args)
        dims = list(base[6:])
        dims[3 * d : 3 * d + 3] = dim
        if trial is None:
            trial = bytearray(state)
            trial[s] = answer
        w = p.weights[s]
        sc, sclo, schi = base[3], base[4], base[5]
        if schi is None:
            sclo, schi = self._score_range(sc, state.translate(_UNKNOWN_MASK))
        if answer:
            sc, sclo, schi = sc + w, sclo + max(w, 0), schi + min(w, 0)
        else:
            sclo, schi = sclo - min(w, 0), schi - max(w, 0)
        bands = trials.bands(dims, trial, fl, sc, sclo, schi)
        return bands, dim[0] > 0, bool(dim[2])


def _state_code(dp: int, dkl: Any, dkh: Any) -> int:
    """A dimension's result as bands read it: 4 if positive on present evidence, plus 2
    if its lower bound holds, plus 1 if its upper bound can hold."""
    return 4 * (dp > 0) + 2 * bool(dkl) + bool(dkh)


def _found(
    base: tuple[Any, ...],
    yes: tuple[int, ...],
    no: tuple[int, ...],
    moves: bool,
    width: int,
    rank: int,
) -> tuple[int, int, int, int, int, int]:
    """What answering yes and no does, and the impact that ranks the question: bands the
    outcome moves first, then how much the range narrows, then a dimension changing."""
    shift = abs(yes[0] - base[0])
    narrowing = 2 * width - (yes[1] - yes[2]) - (no[1] - no[2])
    impact = shift * rank * rank + narrowing * rank + int(moves)
    return (yes[0], yes[1], yes[2], no[1], no[2], impact)


_MEMO_LIMIT = 50_000


def _weight_masks(weights: tuple[float, ...]) -> tuple[tuple[Any, int], ...] | None:
    """For whole-number weights of one type (a few distinct values), each nonzero weight
    with an integer whose bit ``8 * s`` is set for each slot ``s`` carrying it; None
    otherwise. Sums of whole numbers are exact in any order, so the score range is the
    one the slot-by-slot sum gives, of the same type."""
    types = {type(w) for w in weights}
    if len(types) != 1 or not all(map(is_whole, weights)):
        return None
    masks: dict[Any, int] = {}
    for s, w in enumerate(weights):
        if w:
            masks[w] = masks.get(w, 0) | 1 << (8 * s)
    return tuple(masks.items()) if len(masks) <= 8 else None


def _remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    # Pure results keyed by small numbers; bounded so a long batch cannot grow it forever.
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value


def _fact_value(t: FactType, fvec: list[Any], j: int) -> Any:
    lo, hi = fvec[2 * j], fvec[2 * j + 1]
    if t is FactType.BOOL or t in (FactType.STRING, FactType.ENUM):
        return lo if lo == hi else None
    if lo != hi:
        return None
    if t is FactType.DATE:
        return _dt.date.fromordinal(int(lo)).isoformat()
    return lo
