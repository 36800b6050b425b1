"""SYNTHETIC labelled populations for trying out research code. Never real data.

The model, per population (one seed):

1. Each indicator gets a rate among victims, drawn uniformly from ``victim_rate``,
   and a rate among non-victims, drawn uniformly from ``nonvictim_rate`` (a lower
   range), so victims show indicators more often.
2. ``round(n * prevalence)`` cases, at random positions, are victims.
3. Indicators are correlated through latent normal factors (a Gaussian copula):
   case ``j`` has a factor ``c_j`` of its own, a factor ``z_jd`` per dimension ``d``,
   and each indicator its own noise ``e``, all ``N(0, 1)``; the indicator is present
   when ``sqrt(rho_case) c + sqrt(rho - rho_case) z + sqrt(1 - rho) e`` falls below
   the normal quantile of its rate. Each indicator keeps its rate; the latent
   correlation of two indicators is ``rho`` (``correlation``) within a dimension and
   ``rho_case`` (``case_correlation``) across dimensions. The case factor stands for
   what varies between people (how much they disclose, how severe the situation):
   it makes victims with few indicators, and non-victims with several.
4. Every observation is then hidden (``unknown``) with probability ``unknown_rate``,
   independently of everything else.
5. Subgroup fields (``groups``) are drawn independently of everything else, so any
   subgroup difference in the results is noise.

Facts are not generated (they stay unknown); indicators derived from facts are
observed directly instead.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from statistics import NormalDist
from typing import Any, overload

from attrs import frozen

from ..assessment import RuleSetRef
from ._rows import (
    CASE_KEYS,
    SYNTHETIC_PREFIX,
    ResearchInputError,
    Rules,
    as_screener,
    need_numpy,
    ruleset_ref,
)

__all__ = ["SyntheticPopulation", "synthesize"]

NOTICE = (
    "SYNTHETIC data made up by thbscreen, not real cases: figures computed on it "
    "describe the generator, not any population."
)


@frozen
class SyntheticPopulation(Sequence[dict[str, Any]]):
    """Generated case mappings (a sequence) with the parameters that made them.

    Every case id starts with ``synthetic-`` and every case has ``"synthetic": true``.
    """

    cases: tuple[dict[str, Any], ...]
    ruleset: RuleSetRef
    n: int
    victims: int
    prevalence: float
    seed: int
    unknown_rate: float
    correlation: float
    case_correlation: float
    victim_rate: tuple[float, float]
    nonvictim_rate: tuple[float, float]
    label: str
    #: (indicator id, rate among victims, rate among non-victims), as drawn.
    rates: tuple[tuple[str, float, float], ...]
    groups: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()

    notice = NOTICE

    def __len__(self) -> int:
        return len(self.cases)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | Sequence[dict[str, Any]]:
        return self.cases[index]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.cases)

    def __repr__(self) -> str:
        return (
            f"SyntheticPopulation({self.ruleset.id!r}, n={self.n}, victims={self.victims}, "
            f"seed={self.seed})"
        )

    def parameters(self) -> dict[str, Any]:
        """Everything needed to make the same population again, and the rates drawn."""
        return {
            "synthetic": True,
            "notice": NOTICE,
            "ruleset": self.ruleset.to_dict(),
            "n": self.n,
            "victims": self.victims,
            "prevalence": self.prevalence,
            "seed": self.seed,
            "unknown_rate": self.unknown_rate,
            "correlation": self.correlation,
            "case_correlation": self.case_correlation,
            "victim_rate": list(self.victim_rate),
            "nonvictim_rate": list(self.nonvictim_rate),
            "label": self.label,
            "groups": {name: dict(shares) for name, shares in self.groups},
            "rates": [{"indicator": i, "victim": v, "nonvictim": nv} for i, v, nv in self.rates],
        }

    def to_jsonl(self) -> str:
        """One case per line (JSON Lines), ending with a newline."""
        return "".join(
            json.dumps(case, ensure_ascii=False, separators=(",", ":")) + "\n"
            for case in self.cases
        )


def _check_rate(name: str, value: float, *, high: float = 1.0, closed: bool = True) -> float:
    ok = not isinstance(value, bool) and isinstance(value, int | float)
    ok = ok and (0 <= value <= high if closed else 0 < value < high)
    if not ok:
        bounds = f"from 0 to {high:g}" if closed else f"strictly between 0 and {high:g}"
        raise ResearchInputError.of(
            "synthesize", name, f"expected a number {bounds}, got {value!r}"
        )
    return float(value)


def _check_range(name: str, value: Any) -> tuple[float, float]:
    try:
        low, high = value
    except (TypeError, ValueError):
        raise ResearchInputError.of("synthesize", name, "expected a pair (low, high)") from None
    low = _check_rate(name, low)
    high = _check_rate(name, high)
    if low > high:
        raise ResearchInputError.of(
            "synthesize", name, f"expected low <= high, got ({low}, {high})"
        )
    return low, high


def _check_groups(
    groups: Mapping[str, Mapping[str, float] | Sequence[str]] | None, reserved: set[str]
) -> tuple[tuple[str, tuple[tuple[str, float], ...]], ...]:
    out = []
    for name, spec in (groups or {}).items():
        if not isinstance(name, str) or name in reserved:
            raise ResearchInputError.of(
                "synthesize", "groups", f"a group field cannot be named {name!r}"
            )
        if isinstance(spec, Mapping):
            shares = [(str(v), float(w)) for v, w in spec.items()]
        elif isinstance(spec, str):
            raise ResearchInputError.of("synthesize", f"groups.{name}", "expected several values")
        else:
            shares = [(str(v), 1.0) for v in spec]
        total = sum(w for _, w in shares)
        if not shares or any(w < 0 or not math.isfinite(w) for _, w in shares) or total <= 0:
            raise ResearchInputError.of(
                "synthesize", f"groups.{name}", "expected values with shares >= 0, not all 0"
            )
        out.append((name, tuple((v, w / total) for v, w in shares)))
    return tuple(out)


def synthesize(
    rules: Rules,
    n: int,
    *,
    prevalence: float,
    seed: int = 0,
    unknown_rate: float = 0.1,
    correlation: float = 0.5,
    case_correlation: float = 0.3,
    victim_rate: tuple[float, float] = (0.2, 0.6),
    nonvictim_rate: tuple[float, float] = (0.02, 0.1),
    label: str = "victim",
    groups: Mapping[str, Mapping[str, float] | Sequence[str]] | None = None,
) -> SyntheticPopulation:
    """Generate ``n`` SYNTHETIC labelled cases for the indicators of a rule set.

    Deterministic: the same arguments (and the same thbscreen and NumPy versions)
    give the same cases. The model is described in the module documentation and in
    the how-to guide; its rates are made up and describe no real population.
    Needs NumPy.

    >>> pop = synthesize("ilo-2012/forced-labour-11", 3, prevalence=0.5, seed=1)
    >>> [case["id"] for case in pop]
    ['synthetic-1', 'synthetic-2', 'synthetic-3']
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ResearchInputError.of("synthesize", "n", f"expected a whole number >= 0, got {n!r}")
    prevalence = _check_rate("prevalence", prevalence)
    unknown_rate = _check_rate("unknown_rate", unknown_rate)
    correlation = _check_rate("correlation", correlation)
    case_correlation = _check_rate("case_correlation", case_correlation, high=correlation)
    victim_range = _check_range("victim_rate", victim_rate)
    nonvictim_range = _check_range("nonvictim_rate", nonvictim_rate)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ResearchInputError.of(
            "synthesize", "seed", f"expected a whole number >= 0, got {seed!r}"
        )
    if not isinstance(label, str) or label in (*CASE_KEYS, "synthetic"):
        raise ResearchInputError.of("synthesize", "label", f"the label cannot be named {label!r}")
    group_spec = _check_groups(groups, {*CASE_KEYS, "synthetic", label})
    need_numpy("synthesize")
    import numpy as np

    screener = as_screener(rules)
    rs = screener.ruleset
    ids = [ind.id for ind in rs.indicators]
    dims = [d.id for d in rs.dimensions]
    dim_of = np.asarray([dims.index(ind.dimension) for ind in rs.indicators], dtype=np.intp)
    k = len(ids)
    rng = np.random.default_rng(seed)
    p_victim = rng.uniform(victim_range[0], victim_range[1], size=k)
    p_other = rng.uniform(nonvictim_range[0], nonvictim_range[1], size=k)
    victims = round(n * prevalence)
    is_victim = np.zeros(n, dtype=bool)
    is_victim[rng.permutation(n)[:victims]] = True
    latent = rng.standard_normal((n, max(len(dims), 1)))
    shared = rng.standard_normal((n, 1))
    noise = rng.standard_normal((n, k))
    hidden = rng.random((n, k)) < unknown_rate
    drawn_groups = [
        (name, rng.choice(len(shares), size=n, p=[w for _, w in shares]), shares)
        for name, shares in group_spec
    ]
    x = (
        math.sqrt(case_correlation) * shared
        + math.sqrt(correlation - case_correlation) * latent[:, dim_of]
        + math.sqrt(1 - correlation) * noise
    )
    normal = NormalDist()

    def quantile(p: float) -> float:
        if p <= 0:
            return -math.inf
        if p >= 1:
            return math.inf
        return normal.inv_cdf(p)

    cut_victim = np.asarray([quantile(float(p)) for p in p_victim])
    cut_other = np.asarray([quantile(float(p)) for p in p_other])
    present = x < np.where(is_victim[:, None], cut_victim[None, :], cut_other[None, :])
    codes = np.where(hidden, 2, present.astype(np.int8))
    words = ("absent", "present", "unknown")
    width = len(str(n))
    cases = []
    for j in range(n):
        case: dict[str, Any] = {
            "id": f"{SYNTHETIC_PREFIX}{j + 1:0{width}d}",
            "synthetic": True,
            label: bool(is_victim[j]),
        }
        for name, picks, shares in drawn_groups:
            case[name] = shares[int(picks[j])][0]
        row = codes[j].tolist()
        case["indicators"] = {i: words[c] for i, c in zip(ids, row, strict=True)}
        cases.append(case)
    return SyntheticPopulation(
        tuple(cases),
        ruleset_ref(screener),
        n,
        victims,
        prevalence,
        seed,
        unknown_rate,
        correlation,
        case_correlation,
        victim_range,
        nonvictim_range,
        label,
        tuple(
            (i, float(v), float(o))
            for i, v, o in zip(ids, p_victim.tolist(), p_other.tolist(), strict=True)
        ),
        group_spec,
    )
