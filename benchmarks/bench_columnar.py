"""Columnar evaluation of the adult-labour rule set against a hand-written NumPy
matrix computation of the same rules, on the same cases held in memory, in one run.

    python benchmarks/bench_columnar.py [--cases 1000000] [--repeats 5] [--json OUT]

Target (issue 6): thbscreen's columnar evaluation at least 0.5x the speed of the hand
NumPy computation. Both compute outcome, outcome range, score and dimension statuses
from the same uint8 code columns; thbscreen also packs fired and unknown indicators.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import thbscreen
from thbscreen.batch.columnar import ColumnarEvaluator


def hand_numpy(rs: thbscreen.RuleSet, codes: np.ndarray) -> tuple[np.ndarray, ...]:
    """The Delphi rules by hand: counts by dimension and strength via a matrix product."""
    dims = [d.id for d in rs.dimensions]
    kinds = ("strong", "medium", "weak")
    onehot = np.zeros((len(rs.indicators), len(dims) * 3), dtype=np.float32)
    weights = np.array(
        [{"strong": 3, "medium": 2, "weak": 1}[i.strength.value] for i in rs.indicators],
        dtype=np.float32,
    )  # type: ignore[union-attr]
    for k, ind in enumerate(rs.indicators):
        onehot[k, dims.index(ind.dimension) * 3 + kinds.index(ind.strength.value)] = 1  # type: ignore[union-attr]
    present = (codes == 1).astype(np.float32)
    possible = (codes != 0).astype(np.float32)
    pc = present @ onehot
    hc = possible @ onehot

    def rule(c: np.ndarray) -> np.ndarray:
        s, m, w = c[:, 0::3], c[:, 1::3], c[:, 2::3]
        return (s >= 2) | ((s >= 1) & (m + w >= 1)) | (m >= 3) | ((m >= 2) & (w >= 1))

    pos, can = rule(pc), rule(hc)
    rec, exp, dest = [0, 1, 2], 3, [4, 5]

    def band(ok: np.ndarray) -> np.ndarray:
        victim = ok[:, rec].any(axis=1) & ok[:, exp] & ok[:, dest].any(axis=1)
        return np.where(victim, 0, np.where(ok.any(axis=1), 1, 2))

    outcome, high = band(pos), band(can)
    score = present @ weights
    score_max = possible @ weights
    status = np.where(pos, 2, np.where(can, 1, 0))
    return outcome, outcome, high, score, score_max, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", dest="out")
    args = parser.parse_args()
    rs = thbscreen.load_ruleset("ilo-ec-2009/adult-labour")
    screener = thbscreen.Screener(rs)
    evaluator = ColumnarEvaluator(screener)
    rng = np.random.default_rng(20090901)
    n = args.cases
    # Same rates as the single-case benchmark: present 15 %, absent 35 %, unknown 50 %.
    matrix = rng.choice(
        np.array([1, 0, 2], dtype=np.uint8), size=(n, len(rs.indicators)), p=[0.15, 0.35, 0.5]
    )
    columns = {ind.id: np.ascontiguousarray(matrix[:, k]) for k, ind in enumerate(rs.indicators)}

    ours = evaluator.evaluate(columns, None, n)
    hand = hand_numpy(rs, matrix)
    bands = np.array(evaluator._program.band_ids, dtype=object)
    assert (ours.outcome == bands[hand[0]]).all(), "outcome differs from the hand computation"
    assert (ours.outcome_high == bands[hand[2]]).all(), "outcome range differs"
    assert np.allclose(ours.score, hand[3]), "score differs"

    def timed(fn) -> float:  # type: ignore[no-untyped-def]
        samples = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    t_ours = timed(lambda: evaluator.evaluate(columns, None, n))
    t_hand = timed(lambda: hand_numpy(rs, matrix))
    ratio = t_hand / t_ours
    rows = {
        "cases": n,
        "thbscreen_columnar_cases_per_s": n / t_ours,
        "hand_numpy_cases_per_s": n / t_hand,
        "speed_ratio_thbscreen_over_hand": ratio,
        "target_ratio": 0.5,
        "met": ratio >= 0.5,
    }
    print(f"{'thbscreen columnar':<24}{n / t_ours / 1e6:8.2f} M cases/s")
    print(f"{'hand-written NumPy':<24}{n / t_hand / 1e6:8.2f} M cases/s")
    print(
        f"ratio (thbscreen / hand) {ratio:.2f}  target >= 0.5  {'met' if ratio >= 0.5 else 'MISSED'}"
    )
    if args.out:
        out = Path(args.out)
        fd, tmp = tempfile.mkstemp(dir=out.parent or ".", suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            json.dump(rows, fh, indent=2)
        os.replace(tmp, out)


if __name__ == "__main__":
    main()
