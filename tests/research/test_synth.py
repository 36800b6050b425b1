"""synthesize(): SYNTHETIC populations, deterministic, with the rates and correlations asked for."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

import thbscreen
from thbscreen.research import (
    SYNTHETIC_PREFIX,
    ResearchInputError,
    evaluate,
    synthesize,
)

np = pytest.importorskip("numpy")

ADULT = "ilo-ec-2009/adult-labour"


@pytest.fixture(scope="module")
def adult() -> thbscreen.Screener:
    return thbscreen.Screener(thbscreen.load_ruleset(ADULT))


def matrix(pop: Any, ids: list[str], value: str) -> Any:
    return np.array([[case["indicators"][i] == value for i in ids] for case in pop], dtype=float)


def test_every_case_is_marked_synthetic_and_valid(adult: thbscreen.Screener) -> None:
    pop = synthesize(adult, 120, prevalence=0.25, seed=5, groups={"sex": ["female", "male"]})
    assert len(pop) == pop.n == 120
    assert pop.victims == 30 == sum(c["victim"] for c in pop)
    ids = [c["id"] for c in pop]
    assert all(i.startswith(SYNTHETIC_PREFIX) for i in ids)
    assert ids[0] == "synthetic-001"
    assert len(set(ids)) == 120
    assert all(c["synthetic"] is True for c in pop)
    assert list(pop[0]) == ["id", "synthetic", "victim", "sex", "indicators"]
    assert {c["sex"] for c in pop} == {"female", "male"}
    for c in pop:
        adult.evaluate({"id": c["id"], "indicators": c["indicators"]})
    assert "SYNTHETIC" in pop.notice
    assert repr(pop) == "SyntheticPopulation('ilo-ec-2009/adult-labour', n=120, victims=30, seed=5)"


def test_deterministic_for_a_seed(adult: thbscreen.Screener) -> None:
    a = synthesize(adult, 50, prevalence=0.1, seed=11)
    b = synthesize(ADULT, 50, prevalence=0.1, seed=11)
    c = synthesize(adult, 50, prevalence=0.1, seed=12)
    assert a.to_jsonl() == b.to_jsonl()
    assert a.parameters() == b.parameters()
    assert a.to_jsonl() != c.to_jsonl()


def test_deterministic_across_processes() -> None:
    code = (
        "from thbscreen.research import synthesize;"
        "import hashlib;"
        "p = synthesize('ilo-2012/forced-labour-11', 200, prevalence=0.2, seed=3);"
        "print(hashlib.sha256(p.to_jsonl().encode()).hexdigest())"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert len(runs) == 1


def test_indicator_rates_follow_the_drawn_rates(adult: thbscreen.Screener) -> None:
    pop = synthesize(adult, 6000, prevalence=0.5, seed=2, unknown_rate=0.2)
    ids = [i for i, _, _ in pop.rates]
    victim = np.array([c["victim"] for c in pop])
    present = matrix(pop, ids, "present")
    unknown = matrix(pop, ids, "unknown")
    assert unknown.mean() == pytest.approx(0.2, abs=0.01)
    want_v = np.array([v for _, v, _ in pop.rates]) * 0.8
    want_n = np.array([n for _, _, n in pop.rates]) * 0.8
    assert np.abs(present[victim].mean(axis=0) - want_v).max() < 0.05
    assert np.abs(present[~victim].mean(axis=0) - want_n).max() < 0.03
    # Victims' rates come from the higher range.
    assert all(0.2 <= v <= 0.6 and 0.02 <= n <= 0.1 for _, v, n in pop.rates)


def test_correlation_within_a_dimension_and_across(adult: thbscreen.Screener) -> None:
    rs = adult.ruleset
    dims: dict[str, list[str]] = {}
    for ind in rs.indicators:
        dims.setdefault(ind.dimension, []).append(ind.id)

    def mean_correlation(pop: Any, pairs: list[tuple[str, str]]) -> float:
        victims = [c for c in pop if not c["victim"]]
        values = []
        for a, b in pairs:
            x = np.array([c["indicators"][a] == "present" for c in victims], dtype=float)
            y = np.array([c["indicators"][b] == "present" for c in victims], dtype=float)
            values.append(np.corrcoef(x, y)[0, 1])
        return float(np.mean(values))

    d1, d2 = dims["coercion_at_destination"], dims["exploitative_conditions_of_work"]
    within = [(d1[k], d1[k + 1]) for k in range(6)]
    across = [(d1[k], d2[k]) for k in range(6)]
    none = synthesize(
        adult, 5000, prevalence=0.0, seed=1, unknown_rate=0, correlation=0, case_correlation=0
    )
    assert abs(mean_correlation(none, within)) < 0.03
    dim_only = synthesize(
        adult, 5000, prevalence=0.0, seed=1, unknown_rate=0, correlation=0.8, case_correlation=0
    )
    assert mean_correlation(dim_only, within) > 0.15
    assert abs(mean_correlation(dim_only, across)) < 0.03
    both = synthesize(
        adult, 5000, prevalence=0.0, seed=1, unknown_rate=0, correlation=0.8, case_correlation=0.5
    )
    assert mean_correlation(both, across) > 0.08


def test_default_population_screens_like_a_published_instrument(adult: thbscreen.Screener) -> None:
    # Not a claim about any real population: the defaults are chosen so that
    # "victim or indications" lands near published screeners (sensitivity ~0.9,
    # specificity ~0.6-0.8) and the score is informative but not perfect.
    pop = synthesize(adult, 3000, prevalence=0.1, seed=1)
    e = evaluate(adult, pop, label="victim", positive=["victim", "indications"], bootstrap=0)
    assert e.synthetic == 3000
    assert 0.8 < (e.metrics.sensitivity.value or 0) < 1.0
    assert 0.55 < (e.metrics.specificity.value or 0) < 0.85
    assert e.roc is not None
    assert 0.85 < e.roc.auc < 0.99


def test_jsonl_round_trip_and_parameters(adult: thbscreen.Screener) -> None:
    pop = synthesize(adult, 5, prevalence=0.4, seed=0, label="trafficked")
    lines = pop.to_jsonl().splitlines()
    assert [json.loads(line) for line in lines] == list(pop)
    params = pop.parameters()
    assert params["synthetic"] is True
    assert params["label"] == "trafficked"
    assert len(params["rates"]) == 67
    json.dumps(params, allow_nan=False)


def test_empty_and_all_victims(adult: thbscreen.Screener) -> None:
    assert len(synthesize(adult, 0, prevalence=0.3)) == 0
    assert synthesize(adult, 10, prevalence=1.0).victims == 10


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"n": -1}, "$.n"),
        ({"prevalence": 1.5}, "$.prevalence"),
        ({"unknown_rate": -0.1}, "$.unknown_rate"),
        ({"correlation": 0.2, "case_correlation": 0.3}, "$.case_correlation"),
        ({"victim_rate": (0.6, 0.2)}, "low <= high"),
        ({"nonvictim_rate": 0.1}, "a pair"),
        ({"seed": -3}, "$.seed"),
        ({"label": "indicators"}, "cannot be named"),
        ({"groups": {"victim": ["a", "b"]}}, "cannot be named"),
        ({"groups": {"sex": "female"}}, "several values"),
        ({"groups": {"sex": {"f": 0, "m": 0}}}, "not all 0"),
    ],
)
def test_bad_parameters(adult: thbscreen.Screener, kwargs: dict[str, Any], fragment: str) -> None:
    args: dict[str, Any] = {"n": 10, "prevalence": 0.1, **kwargs}
    n = args.pop("n")
    with pytest.raises(ResearchInputError) as info:
        synthesize(adult, n, **args)
    assert fragment in str(info.value)


def test_group_shares_are_respected(adult: thbscreen.Screener) -> None:
    pop = synthesize(
        adult, 4000, prevalence=0.1, seed=4, groups={"region": {"north": 3, "south": 1}}
    )
    north = sum(c["region"] == "north" for c in pop) / 4000
    assert north == pytest.approx(0.75, abs=0.03)
    assert pop.parameters()["groups"] == {"region": {"north": 0.75, "south": 0.25}}
