"""Columnar evaluation: a compiled rule set applied to whole columns with numpy.

The same analysis and the same Kleene interval semantics as the single-case kernel,
generated once as vector code (see ``_language/vectorgen.py``); results are equal to
``Screener.evaluate`` case by case, which the test suite checks on random rule sets
and tables.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from attrs import frozen

from .._analysis import COUNT_NAMES
from .._compile import _count_terms, _disjuncts, is_whole
from .._facts import UNBOUNDED
from .._language.ast import Node
from .._language.checker import names_in
from .._language.codegen import CodeBuilder, compile_functions
from .._language.vectorgen import vgen
from ..model import FactType
from ..screening import Screener
from .bits import joined_ids

__all__ = [
    "ColumnarEvaluator",
    "ColumnarResult",
    "encode_fact_column",
    "encode_indicator_column",
    "evaluate_table",
]

STATUS = np.array(["negative", "undetermined", "positive"], dtype=object)
_CODES = {"present": 1, "absent": 0, "unknown": 2, "": 2, "true": 1, "false": 0, "null": 2}


def _vmul(alo: Any, ahi: Any, blo: Any, bhi: Any) -> tuple[Any, Any]:
    products = np.stack(np.broadcast_arrays(alo * blo, alo * bhi, ahi * blo, ahi * bhi))
    return np.maximum(products.min(axis=0), -1e300), np.minimum(products.max(axis=0), 1e300)


def _vinr(lo: Any, hi: Any, values: Sequence[float]) -> Any:
    out = np.zeros(np.shape(lo), dtype=bool)
    for v in values:
        out = out | ((lo <= v) & (v <= hi))
    return out


def _vcount(*xs: Any) -> Any:
    return sum(np.asarray(x, dtype=np.int64) for x in xs)


def _vany(*xs: Any) -> Any:
    out = np.asarray(xs[0], dtype=bool)
    for x in xs[1:]:
        out = out | np.asarray(x, dtype=bool)
    return out


def _vall(*xs: Any) -> Any:
    out = np.asarray(xs[0], dtype=bool)
    for x in xs[1:]:
        out = out & np.asarray(x, dtype=bool)
    return out


def encode_indicator_column(values: Any) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Codes (0 absent, 1 present, 2 unknown) for one indicator column, and a mask of
    rows whose value is none of present/absent/unknown, true/false, or empty/null."""
    arr = np.asarray(values, dtype=object)
    codes = np.full(arr.shape[0], 2, dtype=np.uint8)
    bad = np.zeros(arr.shape[0], dtype=bool)
    for i, v in enumerate(arr):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if v is True or v is False or isinstance(v, np.bool_):
            codes[i] = 1 if v else 0
        elif isinstance(v, str) and v.strip().lower() in _CODES:
            codes[i] = _CODES[v.strip().lower()]
        else:
            bad[i] = True
    return codes, bad


def encode_fact_column(
    screener: Screener, fact_id: str, values: Any
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``(lo, hi, bad)`` arrays for one fact column: the interval of each row's value
    (its declared range when unknown) and a mask of rows with a bad value."""
    fact = screener.ruleset.facts[[f.id for f in screener.ruleset.facts].index(fact_id)]
    arr = np.asarray(values, dtype=object)
    n = arr.shape[0]
    bad = np.zeros(n, dtype=bool)
    t = fact.type
    if t in (FactType.INT, FactType.FLOAT, FactType.DATE):
        low = fact.min if fact.min is not None else -UNBOUNDED
        high = fact.max if fact.max is not None else UNBOUNDED
        lo = np.full(n, low, dtype=float)
        hi = np.full(n, high, dtype=float)
        for i, v in enumerate(arr):
            if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
                continue
            value: float | None = None
            if t is FactType.DATE:
                if isinstance(v, _dt.date):
                    value = float(v.toordinal())
                elif isinstance(v, str):
                    try:
                        value = float(_dt.date.fromisoformat(v).toordinal())
                    except ValueError:
                        value = None
            elif isinstance(v, bool | np.bool_):
                value = None
            elif isinstance(v, int | np.integer) or (
                t is FactType.FLOAT and isinstance(v, float | np.floating)
            ):
                value = float(v)
            elif t is FactType.INT and isinstance(v, float | np.floating) and float(v).is_integer():
                value = float(v)  # CSV readers give whole numbers as floats where a column has gaps
            if value is None or not math.isfinite(value) or abs(value) > 1e15:
                bad[i] = True
                continue
            if (fact.min is not None and value < fact.min) or (
                fact.max is not None and value > fact.max
            ):
                bad[i] = True
                continue
            lo[i] = hi[i] = value
        return lo, hi, bad
    if t is FactType.BOOL:
        lo = np.zeros(n, dtype=bool)
        hi = np.ones(n, dtype=bool)
        for i, v in enumerate(arr):
            if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
                continue
            if v is True or v is False or isinstance(v, np.bool_):
                lo[i] = hi[i] = bool(v)
            elif isinstance(v, str) and v.lower() in ("true", "false"):
                lo[i] = hi[i] = v.lower() == "true"
            else:
                bad[i] = True
        return lo, hi, bad
    out = np.full(n, None, dtype=object)
    allowed = set(fact.values) if fact.values is not None else None
    for i, v in enumerate(arr):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
            continue
        if not isinstance(v, str) or (allowed is not None and v not in allowed):
            bad[i] = True
            continue
        out[i] = v
    return out, out, bad


@frozen
class ColumnarResult:
    """Results for a table, one element per row.

    Outcomes and statuses are held as small integer codes and turned into strings on
    access. ``codes`` holds every indicator's final code per row (0 absent, 1 present,
    2 unknown; derivations applied), one row per indicator in ``indicator_ids`` order:
    :meth:`fired` and :meth:`unknown` read a case from it, and ``fired_bits`` /
    ``unknown_bits`` pack it.
    """

    outcome_code: np.ndarray[Any, Any]
    low_code: np.ndarray[Any, Any]
    high_code: np.ndarray[Any, Any]
    score: np.ndarray[Any, Any]
    score_min: np.ndarray[Any, Any]
    score_max: np.ndarray[Any, Any]
    status_codes: dict[str, np.ndarray[Any, Any]]  # 0 negative, 1 undetermined, 2 positive
    codes: np.ndarray[Any, Any]  # (indicators, rows) uint8
    indicator_ids: tuple[str, ...]
    band_ids: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.outcome_code.shape[0])

    @property
    def outcome(self) -> np.ndarray[Any, Any]:
        out: np.ndarray[Any, Any] = np.array(self.band_ids, dtype=object)[self.outcome_code]
        return out

    @property
    def outcome_low(self) -> np.ndarray[Any, Any]:
        out: np.ndarray[Any, Any] = np.array(self.band_ids, dtype=object)[self.low_code]
        return out

    @property
    def outcome_high(self) -> np.ndarray[Any, Any]:
        out: np.ndarray[Any, Any] = np.array(self.band_ids, dtype=object)[self.high_code]
        return out

    @property
    def determined(self) -> np.ndarray[Any, Any]:
        return np.asarray(self.low_code == self.high_code)

    @property
    def dimensions(self) -> dict[str, np.ndarray[Any, Any]]:
        return {dim: STATUS[codes] for dim, codes in self.status_codes.items()}

    @property
    def fired_bits(self) -> np.ndarray[Any, Any]:
        """``(indicators, ceil(rows / 8))``: a bit per row, packed, set where present."""
        return np.packbits(self.codes == 1, axis=1)

    @property
    def unknown_bits(self) -> np.ndarray[Any, Any]:
        """As :attr:`fired_bits`, set where unknown."""
        return np.packbits(self.codes == 2, axis=1)

    def _expand(self, code: int, row: int) -> tuple[str, ...]:
        flags = self.codes[:, row] == code
        return tuple(i for i, f in zip(self.indicator_ids, flags.tolist(), strict=True) if f)

    def fired(self, row: int) -> tuple[str, ...]:
        """Ids of the indicators present in ``row`` (in ``Assessment.fired`` order)."""
        return self._expand(1, row)

    def unknown(self, row: int) -> tuple[str, ...]:
        """Ids of the indicators unknown in ``row``."""
        return self._expand(2, row)

    def to_arrow(self, *, expand: bool = False) -> Any:
        """A pyarrow Table; outcome and status columns are dictionary-encoded strings."""
        import pyarrow as pa

        bands = pa.array(self.band_ids, type=pa.string())
        statuses = pa.array(list(STATUS), type=pa.string())

        def dictionary(codes: np.ndarray[Any, Any], names: Any) -> Any:
            return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int8)), names)

        cols: dict[str, Any] = {
            "outcome": dictionary(self.outcome_code, bands),
            "outcome_low": dictionary(self.low_code, bands),
            "outcome_high": dictionary(self.high_code, bands),
            "determined": pa.array(self.determined),
            "score": pa.array(self.score),
            "score_min": pa.array(self.score_min),
            "score_max": pa.array(self.score_max),
        }
        for dim, codes in self.status_codes.items():
            cols[f"dimension.{dim}"] = dictionary(codes, statuses)
        if expand:
            ids = pa.array(self.indicator_ids, type=pa.string())
            order = range(len(self.indicator_ids))
            cols["fired"] = joined_ids(self.codes, order, 1, ids)
            cols["unknown"] = joined_ids(self.codes, order, 2, ids)
        return pa.table(cols)


@frozen
class _Tables:
    dims: list[tuple[np.ndarray[Any, Any], tuple[int, ...], np.ndarray[Any, Any]]]
    n_states: list[int]
    bands: tuple[np.ndarray[Any, Any], ...]  # outcome, low, high: one table each
    status_of: list[np.ndarray[Any, Any]]
    status_is_state: list[bool]  # status_of[d] maps each state to itself


def _whole_weights(
    weights: Sequence[float], sizes: Sequence[int]
) -> tuple[type[np.signedinteger[Any]], tuple[int, ...]] | None:
    """The run weights as integers, with an integer type that holds every sum of them,
    or None when some weight has a fraction."""
    if not all(map(is_whole, weights)):
        return None
    whole = tuple(int(w) for w in weights)
    bound = sum(abs(w) * size for w, size in zip(whole, sizes, strict=True))
    if bound < 2**15:
        return np.int16, whole
    if bound < 2**31:
        return np.int32, whole
    return None


def _index_type(size: int) -> type[np.signedinteger[Any]]:
    """The narrowest signed integer type that indexes a table of ``size`` entries."""
    return np.int16 if size <= 2**15 else np.int32


def _status(state: tuple[bool, bool, bool]) -> int:
    """A dimension state ``(positive on present evidence, low, high)`` as its status
    code (0 negative, 1 undetermined, 2 positive)."""
    positive, _, high = state
    return 2 if positive else (1 if high else 0)


class ColumnarEvaluator:
    """A screener's rule set compiled to vector code, for tables of cases."""

    def __init__(self, screener: Screener) -> None:
        self.screener = screener
        program = screener._program
        self._program = program
        rs = screener.ruleset
        analysis = rs._analysis[0] if rs._analysis else None
        if analysis is None:
            from .._analysis import analyze

            analysis = analyze(rs)
        # Fired and unknown indicators are listed as Assessment lists them: by
        # dimension, strongest first, then in file order (the compiled slot order).
        self.indicator_ids = tuple(ind.id for ind in program.slots)
        self._fn = self._compile(analysis)
        self._band_ids = np.array(program.band_ids, dtype=object)
        self._dim_ids = tuple(d.id for d in rs.dimensions)
        self._weights = np.array(program.weights, dtype=float)
        self._tables = self._build_tables()
        run_weights = [float(program.weights[a]) for a, _ in program.runs]
        self._run_weights = np.array(run_weights, dtype=np.float64)
        self._run_up = np.maximum(self._run_weights, 0.0)
        self._run_down = np.minimum(self._run_weights, 0.0)
        self._int_weights = _whole_weights(run_weights, [z - a for a, z in program.runs])
        # Sums of codes reach 2 * run length: bytes suffice for runs up to 127 indicators.
        longest = max((z - a for a, z in program.runs), default=0)
        self._run_dtype = np.uint8 if 2 * longest <= 255 else np.int32

    # -- lookup tables --------------------------------------------------------------
    def _build_tables(self) -> _Tables | None:
        """Tables of every dimension result and band result, where they fit.

        When dimension rules read only counts and bands read only dimensions (the ILO
        rule sets), a dimension's result is a function of a few small counts and the
        outcome a function of the dimensions' states: both are tabulated once with the
        single-case functions (so they cannot disagree with ``evaluate``), and a table
        of cases then costs a few integer operations and lookups per row.
        """
        p = self._program
        if not (p.pure_bands and all(p.pure_dims)) or not p.ruleset.dimensions:
            return None
        trials = p.trials()
        dim_tables: list[tuple[np.ndarray[Any, Any], tuple[int, ...], np.ndarray[Any, Any]]] = []
        states: list[list[tuple[bool, bool, bool]]] = []
        for d, runs in enumerate(p.dim_runs):
            sizes = [p.runs[r][1] - p.runs[r][0] for r in runs]
            radix: list[int] = []
            for size in sizes:
                radix += [size + 1, size + 1]  # present count, unknown count
            total = int(np.prod(radix, dtype=np.int64)) if radix else 1
            if total > 200_000:
                return None
            # Every key's digits at once; only keys whose counts fit their runs
            # (present + unknown <= run length) are ever looked up, so only they are
            # computed, each by the single-case function.
            digits = []
            remaining = np.arange(total, dtype=np.int64)
            for base in radix:
                digits.append(remaining % base)
                remaining = remaining // base
            valid = np.ones(total, dtype=bool)
            for i, size in enumerate(sizes):
                valid &= digits[2 * i] + digits[2 * i + 1] <= size
            dim_fn = trials.dims[d]
            seen: dict[tuple[bool, bool, bool], int] = {}
            codes = []
            for args in np.stack(digits, axis=1)[valid].tolist() if digits else [[]]:
                dp, dkl, dkh = dim_fn(None, None, *args)
                codes.append(seen.setdefault((dp > 0, bool(dkl), bool(dkh)), len(seen)))
            found = list(seen)
            status = [_status(st) for st in found]
            if sorted(status) == list(range(len(found))):
                # One state per status (the usual case): number the states by their
                # status, so the looked-up state is the status column itself.
                codes = [status[c] for c in codes]
                found = [found[status.index(i)] for i in range(len(found))]
            table = np.zeros(total, dtype=np.int8 if len(found) <= 127 else np.int16)
            table[np.flatnonzero(valid)] = codes
            states.append(found)
            dim_tables.append((np.array(runs, dtype=np.intp), tuple(radix), table))
        combos = int(np.prod([len(s) for s in states], dtype=np.int64))
        if combos > 500_000:
            return None
        band_table = np.zeros((3, combos), dtype=np.int16)
        for key in range(combos):
            dims: list[Any] = []
            rest = key
            for s in states:
                dp, dkl, dkh = s[rest % len(s)]
                rest //= len(s)
                dims += [int(dp), dkl, dkh]
            band_table[:, key] = trials.bands(dims, None, None, 0, 0, 0)
        if len(p.band_ids) < 127:
            band_table = band_table.astype(np.int8)
        status_of = [np.array([_status(st) for st in s], dtype=np.int8) for s in states]
        plain = [bool(np.array_equal(st, np.arange(len(st)))) for st in status_of]
        return _Tables(dim_tables, [len(s) for s in states], tuple(band_table), status_of, plain)

    def _by_tables(self, S: np.ndarray[Any, Any], n: int) -> tuple[Any, ...]:
        p = self._program
        tables = self._tables
        assert tables is not None
        # Codes are 0, 1, 2: a run's sum of codes is present + 2 * unknown, and the sum of
        # codes >> 1 is the unknown count. Byte-wide sums (runs are short; see
        # _run_dtype) keep the passes over the table small.
        dtype = self._run_dtype
        half = S >> 1
        unknown = [np.add.reduce(half[a:z], axis=0, dtype=dtype) for a, z in p.runs]
        present = [
            np.add.reduce(S[a:z], axis=0, dtype=dtype) - (u << 1)
            for (a, z), u in zip(p.runs, unknown, strict=True)
        ]
        # Keys in the narrowest integer type that holds them: half the memory traffic
        # of int32 for the usual tables of a few thousand entries.
        band_type = _index_type(len(tables.bands[0]))
        band_key = np.zeros(n, dtype=band_type)
        scale = 1
        statuses = []
        for (runs, radix, table), n_states, status_of, plain in zip(
            tables.dims, tables.n_states, tables.status_of, tables.status_is_state, strict=True
        ):
            key_type = _index_type(len(table))
            key = np.zeros(n, dtype=key_type)
            weight = 1
            for i, r in enumerate(runs):
                key += present[r] * key_type(weight)
                weight *= radix[2 * i]
                key += unknown[r] * key_type(weight)
                weight *= radix[2 * i + 1]
            state = np.take(table, key)  # several times faster than table[key]
            statuses.append(state if plain else np.take(status_of, state))
            band_key += state * band_type(scale)
            scale *= n_states
        o, lo, hi = (np.take(t, band_key) for t in tables.bands)
        sc, down, up = self._scores(present, unknown, n)
        return o, lo, hi, sc, sc + down, sc + up, statuses

    def _scores(
        self, present: list[np.ndarray[Any, Any]], unknown: list[np.ndarray[Any, Any]], n: int
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Score, and what unknowns could take off and add: weighted sums of run counts."""
        if self._int_weights is None:
            # One matrix-vector product per direction over the run counts.
            sc = self._run_weights @ np.array(present, dtype=np.float64)
            unknown_counts = np.array(unknown, dtype=np.float64)
            return sc, self._run_down @ unknown_counts, self._run_up @ unknown_counts
        # Whole weights (the usual case): exact sums in small integers, converted once,
        # equal to the float sums the single-case kernel makes.
        dtype, weights = self._int_weights
        sums = []
        for counts, sign in ((present, 0), (unknown, -1), (unknown, 1)):
            acc = np.zeros(n, dtype)
            for r, w in enumerate(weights):
                if w and (sign == 0 or (w > 0) == (sign > 0)):
                    acc += counts[r] * dtype(w)
            sums.append(acc.astype(np.float64))
        return sums[0], sums[1], sums[2]

    def _compile(self, analysis: Any) -> Any:
        p = self._program
        rs = p.ruleset
        fact_index = {f.id: j for j, f in enumerate(rs.facts)}
        dim_index = {d.id: i for i, d in enumerate(rs.dimensions)}
        types = analysis.node_types

        def node_type(node: Node) -> str:
            return str(types[id(node)])

        b = CodeBuilder()
        b.lines.append("def vkernel(S, F, n):")
        b.emit("P = S == 1")
        b.emit("U = S == 2")
        for r, (a, z) in enumerate(p.runs):
            # Slots are rows of S (one contiguous row per indicator), cases are columns.
            b.emit(f"p{r} = P[{a}:{z}].sum(axis=0, dtype=_np.int32)")
            b.emit(f"u{r} = U[{a}:{z}].sum(axis=0, dtype=_np.int32)")

        def fact_pair(name: str) -> tuple[str, str] | None:
            j = fact_index.get(name)
            return (f"F[{2 * j}]", f"F[{2 * j + 1}]") if j is not None else None

        def indicator_pair(name: str, world: str) -> tuple[str, str] | None:
            s = p.slot_of.get(name)
            if s is None:
                return None
            return (f"P[{s}]", f"P[{s}]" if world == "P" else f"(S[{s}] != 0)")

        def terms(parts: list[str]) -> str:
            return "(" + " + ".join(parts) + ")" if parts else "0"

        for d, dim in enumerate(rs.dimensions):
            tree = analysis.positive[dim.id]
            for count in sorted(names_in(tree) & set(COUNT_NAMES)):
                present, up, down = _count_terms(
                    count, d, list(p.runs), p.slots, p.slot_dim, p.weights, b
                )
                b.emit(f"c{d}{count} = {terms(present)}")
                b.emit(f"c{d}{count}h = c{d}{count} + {terms(up)}")
                b.emit(f"c{d}{count}l = c{d}{count} + {terms(down)}")

            def resolver(world: str, d: int = d) -> Any:
                def resolve(name: str) -> tuple[str, str]:
                    if name in COUNT_NAMES:
                        if world == "P":
                            return f"c{d}{name}", f"c{d}{name}"
                        return f"c{d}{name}l", f"c{d}{name}h"
                    pair = fact_pair(name) or indicator_pair(name, world)
                    assert pair is not None
                    return pair

                return resolve

            parts = _disjuncts(tree)
            conds = [vgen(part, b, resolver("P"), node_type)[0] for part in parts]
            b.emit(
                f"dp{d} = _np.select([{', '.join(f'_np.broadcast_to({c}, (n,))' for c in conds)}], "
                f"{b.const(tuple(range(1, len(parts) + 1)))}, 0)"
            )
            k_lo, k_hi = vgen(tree, b, resolver("K"), node_type)
            b.emit(f"dkl{d} = _np.broadcast_to({k_lo}, (n,))")
            b.emit(f"dkh{d} = _np.broadcast_to({k_hi}, (n,))")

        runs_w = [(r, p.weights[a]) for r, (a, _) in enumerate(p.runs) if p.weights[a]]
        b.emit("sc = " + terms([f"{b.const(w)} * p{r}" for r, w in runs_w]))
        b.emit("schi = sc + " + terms([f"{b.const(w)} * u{r}" for r, w in runs_w if w > 0]))
        b.emit("sclo = sc + " + terms([f"{b.const(w)} * u{r}" for r, w in runs_w if w < 0]))

        def band_resolver(world: str) -> Any:
            def resolve(name: str) -> tuple[str, str]:
                if name in dim_index:
                    d = dim_index[name]
                    return (
                        (f"(dp{d} > 0)", f"(dp{d} > 0)") if world == "P" else (f"dkl{d}", f"dkh{d}")
                    )
                if name == "score":
                    return ("sc", "sc") if world == "P" else ("sclo", "schi")
                pair = fact_pair(name) or indicator_pair(name, world)
                assert pair is not None
                return pair

            return resolve

        n_bands = len(rs.outcomes.bands)
        p_conds, kl_conds, kh_conds = [], [], []
        for band in rs.outcomes.bands:
            tree = analysis.when[band.id]
            p_conds.append(vgen(tree, b, band_resolver("P"), node_type)[0])
            kl, kh = vgen(tree, b, band_resolver("K"), node_type)
            kl_conds.append(kl)
            kh_conds.append(kh)
        idx = b.const(tuple(range(n_bands)))

        def select(conds: list[str]) -> str:
            if not conds:
                return f"_np.full(n, {n_bands})"
            return f"_np.select([{', '.join(f'_np.broadcast_to({c}, (n,))' for c in conds)}], {idx}, {n_bands})"

        b.emit(f"o = {select(p_conds)}")
        b.emit(f"lo = {select(kl_conds)}")
        b.emit(f"hi = {select(kh_conds)}")
        dims = ", ".join(f"dp{d}" for d in range(len(rs.dimensions)))
        highs = ", ".join(f"dkh{d}" for d in range(len(rs.dimensions)))
        b.emit(f"return o, lo, hi, sc, sclo, schi, [{dims}], [{highs}]")

        # Derivations, in dependency order, each filling unknown slots of S.
        b.lines.append("")
        b.lines.append("def vderive(S, F, n):")
        local: dict[str, tuple[str, str]] = {}
        if not analysis.derive:
            b.emit("return S")
        else:
            b.emit("S = S.copy()")
            for ind_id, tree in analysis.derive.items():
                s = p.slot_of[ind_id]

                def resolve(name: str) -> tuple[str, str]:
                    if name in local:
                        return local[name]
                    pair = fact_pair(name)
                    if pair is not None:
                        return pair
                    t = p.slot_of[name]
                    return f"(S[{t}] == 1)", f"(S[{t}] != 0)"

                lo, hi = vgen(tree, b, resolve, node_type)
                b.emit(f"open{s} = S[{s}] == 2")
                b.emit(
                    f"S[{s}] = _np.where(open{s}, _np.where(_np.broadcast_to({lo}, (n,)), 1, "
                    f"_np.where(_np.broadcast_to({hi}, (n,)), 2, 0)), S[{s}])"
                )
                local[ind_id] = (f"(S[{s}] == 1)", f"(S[{s}] != 0)")
            b.emit("return S")
        helpers: dict[str, object] = {
            "_np": np,
            "_vmul": _vmul,
            "_vinr": _vinr,
            "_vcount": _vcount,
            "_vany": _vany,
            "_vall": _vall,
        }
        return compile_functions(
            "\n".join(b.lines) + "\n",
            b.consts,
            f"<thbscreen:{rs.id}:columnar>",
            helpers,
        )

    def evaluate(
        self,
        indicators: Mapping[str, np.ndarray[Any, Any]],
        facts: Mapping[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]] | None = None,
        n: int | None = None,
    ) -> ColumnarResult:
        """Evaluate encoded columns: indicator codes (0/1/2) and fact ``(lo, hi)`` pairs.

        Indicators without a column are unknown; facts without a column are unknown.
        """
        p = self._program
        if n is None:
            n = len(next(iter(indicators.values()))) if indicators else 0
        k = len(p.slots)
        # Rows without a column are unknown; when every indicator has one (the usual
        # table), filling them first would only be overwritten.
        S = np.empty((k, n), np.uint8) if len(indicators) == k else np.full((k, n), 2, np.uint8)
        for ind_id, codes in indicators.items():
            S[p.slot_of[ind_id]] = codes
        F: list[Any] = []
        defaults = self.screener._facts.defaults
        for j, fact in enumerate(self.screener.ruleset.facts):
            if facts and fact.id in facts:
                F += list(facts[fact.id])
            elif fact.type in (FactType.STRING, FactType.ENUM):
                F += [np.full(n, None, dtype=object)] * 2
            else:
                F += [np.full(n, defaults[2 * j]), np.full(n, defaults[2 * j + 1])]
        S = self._fn["vderive"](S, F, n)
        if self._tables is not None:
            o, lo, hi, sc, sclo, schi, status_list = self._by_tables(S, n)
            status = dict(zip(self._dim_ids, status_list, strict=True))
        else:
            o, lo, hi, sc, sclo, schi, dps, dkhs = self._fn["vkernel"](S, F, n)
            status = {
                dim: np.where(dp > 0, 2, np.where(dkh, 1, 0)).astype(np.int8)
                for dim, dp, dkh in zip(self._dim_ids, dps, dkhs, strict=True)
            }
        return ColumnarResult(
            outcome_code=o,
            low_code=lo,
            high_code=hi,
            score=np.broadcast_to(sc, (n,)),
            score_min=np.broadcast_to(sclo, (n,)),
            score_max=np.broadcast_to(schi, (n,)),
            status_codes=status,
            codes=S,
            indicator_ids=self.indicator_ids,
            band_ids=tuple(self._program.band_ids),
        )


def evaluate_table(
    screener: Screener | ColumnarEvaluator, table: Any
) -> tuple[ColumnarResult, np.ndarray[Any, Any], list[str]]:
    """Evaluate a pyarrow Table, pandas or polars DataFrame, or a mapping of columns.

    Returns the result, a mask of rows with a bad value (their results are not
    meaningful and must go to a rejects file), and for each row a reason ("" if good).
    Columns named neither by an indicator, a fact nor ``id`` are an error.
    """
    evaluator = screener if isinstance(screener, ColumnarEvaluator) else ColumnarEvaluator(screener)
    screener = evaluator.screener
    columns = _columns(table)
    n = len(next(iter(columns.values()))) if columns else 0
    ind_ids = set(screener._program.slot_of)
    fact_ids = {f.id for f in screener.ruleset.facts}
    unknown = [c for c in columns if c not in ind_ids and c not in fact_ids and c != "id"]
    if unknown:
        from ..errors import CaseDataError, Problem

        raise CaseDataError(
            Problem(
                f"unknown column {unknown[0]!r}: neither an indicator, a fact nor 'id'",
                path=f"$.{unknown[0]}",
            )
        )
    bad = np.zeros(n, dtype=bool)
    reasons = [""] * n
    indicators = {}
    facts = {}
    for name, values in columns.items():
        if name in ind_ids:
            codes, col_bad = encode_indicator_column(values)
            indicators[name] = codes
        elif name in fact_ids:
            lo, hi, col_bad = encode_fact_column(screener, name, values)
            facts[name] = (lo, hi)
        else:
            continue
        for i in np.flatnonzero(col_bad & ~bad):
            reasons[i] = f"bad value in column {name!r}"
        bad |= col_bad
    return evaluator.evaluate(indicators, facts, n), bad, reasons


def _columns(table: Any) -> dict[str, Any]:
    if isinstance(table, Mapping):
        return {str(k): list(v) for k, v in table.items()}
    module = type(table).__module__
    if module.startswith("pyarrow"):
        return {name: table.column(name).to_pylist() for name in table.column_names}
    if module.startswith("pandas"):
        return {
            str(c): table[c].astype(object).where(table[c].notna(), None).tolist()
            for c in table.columns
        }
    if module.startswith("polars"):
        return {name: table.get_column(name).to_list() for name in table.columns}
    raise TypeError(
        f"expected a pyarrow Table, a pandas or polars DataFrame, or a mapping; got {type(table).__name__}"
    )
