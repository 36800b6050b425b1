#!/usr/bin/env python3
"""Benchmark referral networks: one pathway query, and the analysis of a large network.

Usage::

    python benchmarks/bench_referral.py [--repeats R] [--big-repeats B] [--json OUT]

(a) ``thbscreen.pathway`` on the bundled Slovenian network for an assessed adult case,
    median microseconds per query (target: under 1 ms);
(b) a generated network of 10,000 institutions and 50,000 channels (seeded, built in
    code), timing ``coverage`` with the default profiles from every first-contact
    institution plus ``bottlenecks`` (target: under 10 s on one core together).

The process is pinned to one CPU where the platform allows it. All data is synthetic.
See ``benchmarks/README.md`` for what is measured and how to read the table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

import thbscreen
from thbscreen._io import write_atomic
from thbscreen.model import Confidence, Fact, FactType, Provenance, Text
from thbscreen.referral import (
    Channel,
    Institution,
    InstitutionKind,
    Need,
    NetworkSpec,
    ReferralNetwork,
    Service,
    Stage,
)
from thbscreen.referral.analysis import bottlenecks, coverage

SEED = 20241205
RULESET = "ilo-ec-2009/adult-labour"
NETWORK = "referral/slovenia"
START = "labour_inspectorate"
CASE_FACTS = {"facts": {"age": 34}}
ADULT_VICTIM = {
    "deceptive_recruitment.deceived_wages": "present",
    "deceptive_recruitment.deceived_conditions_of_work": "present",
    "deceptive_recruitment.deceived_housing": "present",
    "exploitative_conditions_of_work.excessive_working_days_hours": "present",
    "exploitative_conditions_of_work.bad_living_conditions": "present",
    "coercion_at_destination.confiscation_of_documents": "present",
    "coercion_at_destination.debt_bondage": "present",
}
TARGETS = {
    "pathway_us": ("pathway query, Slovenia (us)", 1000.0),
    "analysis_s": ("coverage + bottlenecks, 10k/50k network (s)", 10.0),
}

# -- the generated network -------------------------------------------------------------------------
INSTITUTIONS = 10_000
CHANNELS = 50_000
REGIONS = 100  # institutions are spread over regions; most channels stay in their region
LOCAL_SHARE = 0.9
FIRST_CONTACT_SHARE = 0.05
N_SERVICES = 24
LEGAL = (
    "citizen",
    "eu_citizen",
    "regular_migrant",
    "irregular_migrant",
    "asylum_seeker",
    "refugee",
)
EXPLOITATION = ("labour", "sexual", "forced_marriage", "begging", "criminal_activities", "other")
#: Channel conditions like the Slovenian network's, with how often each is drawn.
CHANNEL_WHEN = (
    (None, 20),
    ('outcome in ["victim", "indications"]', 40),
    ('outcome == "victim"', 20),
    ('outcome in ["victim", "indications"] and age < 18', 10),
    ('outcome == "victim" and legal_status in ["irregular_migrant", "asylum_seeker"]', 10),
)
ELIGIBILITY = (
    (None, 80),
    ("age >= 18", 10),
    ("age < 18", 4),
    ('legal_status == "asylum_seeker"', 3),
    ('legal_status not in ["citizen", "eu_citizen"]', 3),
)
#: The needs of the Slovenian network, over generated services s00..s10.
NEEDS = (
    ('outcome == "victim"', ("s00",)),
    ('outcome == "victim" and age >= 18', ("s01", "s02")),
    ('outcome in ["victim", "indications"] and age < 18', ("s03",)),
    ('outcome == "indications" and age >= 18', ("s02",)),
    ('outcome == "indications" and age >= 18 and exploitation == "labour"', ("s04",)),
    ('outcome == "victim" and legal_status == "irregular_migrant"', ("s05", "s06")),
    ('outcome in ["victim", "indications"] and legal_status == "asylum_seeker"', ("s07",)),
)


def _weighted(rng: random.Random, table: tuple[tuple[Any, int], ...]) -> Any:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def generate(
    institutions: int = INSTITUTIONS, channels: int = CHANNELS, seed: int = SEED
) -> NetworkSpec:
    """A valid network: services of every stage, Slovenian-style facts, needs and conditions.

    Service k is offered with weight 1/(k+1), so some services are common and some rare;
    5 % of the institutions are first-contact; 90 % of the channels join two institutions
    of the same region (100 regions), the rest any two.
    """
    rng = random.Random(seed)
    stages = list(Stage)
    services = tuple(
        Service(f"s{k:02d}", Text(f"Service {k}"), stages[k % len(stages)])
        for k in range(N_SERVICES)
    )
    service_weights = [1 / (k + 1) for k in range(N_SERVICES)]
    kinds = list(InstitutionKind)
    insts = []
    for i in range(institutions):
        offers = {
            s.id for s in rng.choices(services, service_weights, k=rng.choice((0, 1, 1, 1, 2, 3)))
        }
        insts.append(
            Institution(
                f"i{i:05d}",
                Text(f"Institution {i}"),
                rng.choice(kinds),
                tuple(sorted(offers)),
                first_contact=i == 0 or rng.random() < FIRST_CONTACT_SHARE,
                eligibility=_weighted(rng, ELIGIBILITY),
            )
        )
    size = max(1, institutions // REGIONS)
    chans = []
    for j in range(channels):
        u = rng.randrange(institutions)
        while True:
            if rng.random() < LOCAL_SHARE:
                base = (u // size) * size
                v = base + rng.randrange(min(size, institutions - base))
            else:
                v = rng.randrange(institutions)
            if v != u:
                break
        chans.append(
            Channel(
                f"c{j:05d}",
                f"i{u:05d}",
                f"i{v:05d}",
                rng.choice(stages),
                when=_weighted(rng, CHANNEL_WHEN),
                consent=rng.random() < 0.5,
            )
        )
    facts = (
        Fact("age", FactType.INT, min=0, max=120),
        Fact("legal_status", FactType.ENUM, values=LEGAL),
        Fact("exploitation", FactType.ENUM, values=EXPLOITATION),
    )
    return NetworkSpec(
        id="bench/generated",
        version="1",
        title=Text("Generated benchmark network"),
        provenance=Provenance(
            source="benchmarks/bench_referral.py", confidence=Confidence.THBSCREEN
        ),
        outcomes=("victim", "indications", "no_indication"),
        services=services,
        needs=tuple(Need(when, s) for when, s in NEEDS),
        institutions=tuple(insts),
        channels=tuple(chans),
        facts=facts,
    )


# -- measurement --------------------------------------------------------------------------------------
def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter_ns()
        result = fn()
        return (time.perf_counter_ns() - t0) / 1e9, result
    finally:
        if enabled:
            gc.enable()


def bench_pathway(repeats: int, calls: int) -> dict[str, Any]:
    net = thbscreen.load_network(NETWORK)
    screener = thbscreen.Screener(thbscreen.load_ruleset(RULESET))
    assessment = screener.evaluate({"indicators": ADULT_VICTIM})
    result = thbscreen.pathway(net, assessment, CASE_FACTS, start=START)  # warm-up, and shown

    def one_round() -> None:
        for _ in range(calls):
            thbscreen.pathway(net, assessment, CASE_FACTS, start=START)

    per_call = []
    for _ in range(repeats):
        seconds, _ = _timed(one_round)
        per_call.append(seconds / calls * 1e6)
    return {
        "network": NETWORK,
        "ruleset": RULESET,
        "start": START,
        "outcome": assessment.outcome,
        "needed": list(result.needed),
        "steps": len(result.steps),
        "calls_per_round": calls,
        "rounds_us": per_call,
        "median_us": statistics.median(per_call),
    }


def bench_analysis(repeats: int) -> dict[str, Any]:
    gen_s, spec = _timed(generate)
    build_s, net = _timed(lambda: ReferralNetwork(spec))
    rounds = []
    for _ in range(repeats):
        cov_s, cov = _timed(lambda: coverage(net))
        bot_s, bot = _timed(lambda: bottlenecks(net))
        rounds.append({"coverage_s": cov_s, "bottlenecks_s": bot_s, "total_s": cov_s + bot_s})
    return {
        "institutions": len(spec.institutions),
        "channels": len(spec.channels),
        "first_contact": sum(i.first_contact for i in spec.institutions),
        "seed": SEED,
        "generate_s": gen_s,
        "build_s": build_s,
        "profiles": len(cov.profiles),
        "rows": len(cov.rows),
        "rows_with_gaps": len(cov.gaps),
        "betweenness_samples": bot.betweenness_samples,
        "articulation_points": len(bot.articulation_points),
        "bridges": len(bot.bridges),
        "single_points_of_failure": len(bot.single_points_of_failure),
        "rounds": rounds,
        "median": {
            key: statistics.median(r[key] for r in rounds)
            for key in ("coverage_s", "bottlenecks_s", "total_s")
        },
    }


def _pin_to_one_cpu() -> int | None:
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def _environment(cpu: int | None) -> dict[str, Any]:
    versions = {}
    for pkg in ("thbscreen", "networkx", "attrs", "cattrs"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "pinned_cpu": cpu,
        "loadavg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "packages": versions,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeats", type=int, default=15, help="rounds of pathway queries (default 15)"
    )
    parser.add_argument(
        "--calls", type=int, default=2000, help="pathway queries per round (default 2000)"
    )
    parser.add_argument(
        "--big-repeats", type=int, default=3, help="analyses of the large network (default 3)"
    )
    parser.add_argument("--json", metavar="OUT", help="write every measurement here (atomically)")
    args = parser.parse_args(argv)

    cpu = _pin_to_one_cpu()
    print(f"thbscreen referral benchmark (Python {sys.version.split()[0]}, pinned to CPU {cpu})")
    path = bench_pathway(args.repeats, args.calls)
    print(
        f"(a) pathway on {NETWORK} from {START}: outcome {path['outcome']}, needs {', '.join(path['needed'])}, {path['steps']} steps"
    )
    print(
        f"(b) generating and building a network of {INSTITUTIONS:,} institutions and {CHANNELS:,} channels ..."
    )
    big = bench_analysis(args.big_repeats)

    pathway_us = path["median_us"]
    analysis_s = big["median"]["total_s"]
    measured = {"pathway_us": pathway_us, "analysis_s": analysis_s}
    targets = {
        key: {"what": what, "limit": limit, "value": measured[key], "met": measured[key] < limit}
        for key, (what, limit) in TARGETS.items()
    }

    def spread(values: list[float], fmt: str) -> str:
        return f"[{format(min(values), fmt)} - {format(max(values), fmt)}]"

    rows = [
        (
            "pathway query, Slovenia",
            f"{pathway_us:8.1f} us",
            spread(path["rounds_us"], ".1f"),
            "< 1000 us",
            targets["pathway_us"]["met"],
        ),
        ("generate the 10k/50k network (info)", f"{big['generate_s']:8.2f} s", "", "", None),
        ("ReferralNetwork(spec): check + compile (info)", f"{big['build_s']:8.2f} s", "", "", None),
        (
            f"coverage: {big['profiles']} profiles x {big['first_contact']} starts",
            f"{big['median']['coverage_s']:8.2f} s",
            spread([r["coverage_s"] for r in big["rounds"]], ".2f"),
            "",
            None,
        ),
        (
            f"bottlenecks (betweenness from {big['betweenness_samples']} sources)",
            f"{big['median']['bottlenecks_s']:8.2f} s",
            spread([r["bottlenecks_s"] for r in big["rounds"]], ".2f"),
            "",
            None,
        ),
        (
            "coverage + bottlenecks",
            f"{analysis_s:8.2f} s",
            spread([r["total_s"] for r in big["rounds"]], ".2f"),
            "< 10 s",
            targets["analysis_s"]["met"],
        ),
    ]
    print()
    print(f"{'measurement':<52} {'median':>11}  {'[rounds]':<18} {'target':<10} result")
    for what, value, rng, target, met in rows:
        result = "" if met is None else ("met" if met else "MISSED")
        print(f"{what:<52} {value:>11}  {rng:<18} {target:<10} {result}")
    print()
    print(
        f"coverage rows: {big['rows']:,} ({big['rows_with_gaps']:,} with a gap); "
        f"articulation points {big['articulation_points']}, bridges {big['bridges']}, "
        f"single points of failure {big['single_points_of_failure']:,}"
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 1.0:
        print(
            f"warning: load average {load:.2f}: other work competes for the CPU; re-run on a quiet machine before judging a target"
        )

    if args.json:
        payload = {
            "format": "thbscreen-bench-referral/1",
            "environment": _environment(cpu),
            "pathway": path,
            "analysis": big,
            "targets": targets,
        }
        write_atomic(args.json, json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
