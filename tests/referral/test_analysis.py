"""Coverage, bottlenecks and consistency checks: hand-checked small networks and properties."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import attrs
import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import thbscreen
from thbscreen import CaseDataError, NetworkError
from thbscreen.referral import ReferralNetwork, analysis
from thbscreen.referral.analysis import (
    Profile,
    betweenness_samples,
    bottlenecks,
    check,
    coverage,
    default_profiles,
)
from thbscreen.referral.pathway import _nearest, _search

from ..conftest import write
from .network_strategies import load_data, network_data, profiles

HEAD = """\
id: test/small
version: "1"
title: Small test network
provenance: {source: thbscreen tests, confidence: thbscreen}
outcomes: [victim, indications, no_indication]
facts:
  - {id: age, type: int, min: 0, max: 120}
"""

SMALL = (
    HEAD
    + """\
services:
  - {id: identification, title: Identification, stage: identification}
  - {id: shelter, title: Shelter, stage: first_assistance}
  - {id: child_care, title: Child care, stage: first_assistance}
  - {id: legal_aid, title: Legal aid, stage: proceedings}
needs:
  - {when: 'outcome == "victim"', services: [identification, shelter]}
  - {when: 'outcome != "no_indication" and age < 18', services: [child_care]}
  - {when: 'outcome == "victim" and age >= 18', services: [legal_aid]}
institutions:
  - {id: police, name: Police, kind: LawEnforcement, services: [identification], first_contact: true}
  - {id: ngo, name: NGO, kind: NGO, services: [], first_contact: true}
  - {id: shelter_a, name: Shelter A, kind: NGO, services: [shelter], eligibility: "age >= 18"}
  - {id: social, name: Social services, kind: LocalGovernmentOrganisation, services: [child_care, shelter]}
  - {id: lawyers, name: Lawyers, kind: LegalService, services: [legal_aid]}
channels:
  - {id: ngo_police, from: ngo, to: police, stage: identification, when: 'outcome in ["victim", "indications"]'}
  - {id: police_shelter, from: police, to: shelter_a, stage: first_assistance, when: 'outcome == "victim"'}
  - {id: police_social, from: police, to: social, stage: first_assistance, when: "age < 18"}
  - {id: shelter_lawyers, from: shelter_a, to: lawyers, stage: proceedings}
"""
)


@pytest.fixture
def small(tmp_path: Path) -> ReferralNetwork:
    return thbscreen.load_network(write(tmp_path, "small.yaml", SMALL))


def _row(cov: analysis.Coverage, profile: str, start: str) -> analysis.CoverageRow:
    (row,) = [r for r in cov.rows if r.profile == profile and r.start == start]
    return row


# -- coverage, by hand ------------------------------------------------------------------------
def test_default_profiles_of_the_small_network(small: ReferralNetwork) -> None:
    # no_indication calls for nothing; age gives an adult and a child; no enum facts.
    assert [p.label for p in default_profiles(small)] == [
        "victim, adult (30)",
        "victim, child (15)",
        "indications, adult (30)",
        "indications, child (15)",
    ]


def test_coverage_of_the_small_network_by_hand(small: ReferralNetwork) -> None:
    cov = coverage(small)
    assert cov.starts == ("police", "ngo")
    assert len(cov.rows) == 8
    adult = _row(cov, "victim, adult (30)", "ngo")
    # ngo -> police (identification) -> shelter_a (adults) -> lawyers (legal aid).
    assert adult.needed == ("identification", "shelter", "legal_aid")
    assert adult.reached == adult.needed
    assert adult.unreached == adult.undecided == ()
    child = _row(cov, "victim, child (15)", "police")
    # The shelter does not admit a child; social services offer shelter and child care.
    assert child.needed == ("identification", "shelter", "child_care")
    assert child.reached == child.needed
    assert _row(cov, "indications, adult (30)", "police").needed == ()
    assert _row(cov, "indications, child (15)", "ngo").reached == ("child_care",)
    assert cov.gaps == ()
    assert cov.missing_by_service() == {}


def test_unknown_facts_let_nobody_through_and_leave_needs_undecided(small: ReferralNetwork) -> None:
    cov = coverage(small, [{"outcome": "victim", "facts": {}, "label": "age unknown"}], ["police"])
    (row,) = cov.rows
    assert row.needed == ("identification", "shelter")
    assert row.reached == ("identification",)
    # shelter_a's eligibility and the channel to social services both depend on age.
    assert row.unreached == ("shelter",)
    assert row.undecided == ("child_care", "legal_aid")
    assert cov.missing_by_service() == {"shelter": 1}
    assert cov.missing_by_start() == {"police": 1}


def test_coverage_from_a_chosen_start_that_is_not_first_contact(small: ReferralNetwork) -> None:
    cov = coverage(small, [Profile("adult victim", "victim", (("age", 40),))], ["shelter_a"])
    (row,) = cov.rows
    assert row.reached == ("shelter", "legal_aid")
    assert row.unreached == ("identification",)  # no channel leads back to the police


def test_coverage_rejects_bad_profiles_and_starts(small: ReferralNetwork) -> None:
    with pytest.raises(NetworkError, match=r"unknown outcome 'victm'.*did you mean 'victim'"):
        coverage(small, [{"outcome": "victm", "facts": {}}])
    with pytest.raises(CaseDataError, match="unknown fact 'agee'"):
        coverage(small, [{"outcome": "victim", "facts": {"agee": 3}}])
    with pytest.raises(CaseDataError, match="expected a whole number"):
        coverage(small, [{"outcome": "victim", "facts": {"age": "old"}}])
    with pytest.raises(NetworkError, match="unknown key 'fact'"):
        coverage(small, [{"outcome": "victim", "fact": {}}])
    with pytest.raises(NetworkError, match=r"unknown institution 'polic'.*did you mean 'police'"):
        coverage(small, starts=["polic"])


def test_default_profiles_are_bounded(tmp_path: Path) -> None:
    values = ", ".join(f"v{k}" for k in range(40))
    text = SMALL.replace(
        "facts:\n",
        f"facts:\n  - {{id: exploitation, type: enum, values: [{values}]}}\n"
        f"  - {{id: legal_status, type: enum, values: [{values}]}}\n",
    )
    net = thbscreen.load_network(write(tmp_path, "big.yaml", text))
    with pytest.raises(NetworkError, match="default profiles would number 6400"):
        default_profiles(net)
    assert len(coverage(net, [{"outcome": "victim", "facts": {"age": 20}}]).rows) == 2


def test_slovenian_default_profiles() -> None:
    net = thbscreen.load_network("referral/slovenia")
    ps = default_profiles(net)
    # victim and indications x adult and child x 6 forms of exploitation x 6 legal statuses
    assert len(ps) == 2 * 2 * 6 * 6
    assert ps[0] == Profile(
        "victim, adult (30), exploitation=labour, legal_status=citizen",
        "victim",
        (("age", 30), ("exploitation", "labour"), ("legal_status", "citizen")),
    )


def test_coverage_to_dict_is_json_ready(small: ReferralNetwork) -> None:
    import json

    data = coverage(small).to_dict()
    assert data["format"] == "thbscreen-network-coverage/1"
    assert json.loads(json.dumps(data)) == data
    assert data["summary"] == {
        "rows": 8,
        "rows_with_gaps": 0,
        "missing_by_service": {},
        "missing_by_start": {"police": 0, "ngo": 0},
    }


# -- coverage agrees with pathway --------------------------------------------------------------
ADULT_VICTIM = {
    "deceptive_recruitment.deceived_wages": "present",
    "deceptive_recruitment.deceived_conditions_of_work": "present",
    "deceptive_recruitment.deceived_housing": "present",
    "exploitative_conditions_of_work.excessive_working_days_hours": "present",
    "exploitative_conditions_of_work.bad_living_conditions": "present",
    "coercion_at_destination.confiscation_of_documents": "present",
    "coercion_at_destination.debt_bondage": "present",
}


@pytest.mark.parametrize(
    "facts",
    [
        {"age": 34},
        {"age": 34, "legal_status": "irregular_migrant"},
        {"age": 16, "legal_status": "asylum_seeker"},
        {"legal_status": "citizen"},
    ],
)
def test_coverage_agrees_with_pathway_on_the_slovenian_network(
    adult: thbscreen.Screener, facts: dict[str, Any]
) -> None:
    net = thbscreen.load_network("referral/slovenia")
    assessment = adult.evaluate({"indicators": ADULT_VICTIM})
    assert assessment.outcome == "victim"
    assert assessment.determined
    profile = {"outcome": "victim", "facts": facts, "score": assessment.score}
    cov = coverage(net, [profile])
    for row in cov.rows:
        p = thbscreen.pathway(net, assessment, {"facts": facts}, start=row.start)
        assert row.needed == p.needed
        assert set(row.reached) == {r.service for r in p.routes}
        undecided = {
            u.service for u in p.unreached if u.deciding_facts and u.service not in p.needed
        }
        assert set(row.undecided) == undecided
        assert set(row.unreached) == {u.service for u in p.unreached} - undecided


def _reference(
    net: ReferralNetwork, profile: dict[str, Any], start: str
) -> tuple[set[str], set[str]]:
    """Reached and unreached needed services with pathway's own search."""
    stand_in = analysis._stand_in(
        profile["outcome"], profile["highest"], profile["determined"], 0.0
    )
    cond = net.conditions_for(stand_in, profile["facts"])
    needed = {s for i, need in enumerate(net.spec.needs) if cond.need(i)[0] for s in need.services}
    _parent, depth = _search(net, cond, start)
    reached = {s for s in needed if _nearest(net, s, depth) is not None}
    return reached, needed - reached


@given(network_data(), st.lists(profiles(), min_size=1, max_size=4))
def test_coverage_agrees_with_the_pathway_search_on_random_networks(
    data: dict[str, Any], chosen: list[dict[str, Any]]
) -> None:
    net = load_data(data)
    starts = list(net.institutions)
    cov = coverage(net, chosen, starts)
    rows = iter(cov.rows)
    for profile in chosen:
        for start in starts:
            row = next(rows)
            assert row.start == start
            reached, unreached = _reference(net, profile, start)
            assert set(row.reached) == reached
            assert set(row.unreached) == unreached


# -- bottlenecks, by hand ---------------------------------------------------------------------
def test_bottlenecks_of_the_small_network_by_hand(small: ReferralNetwork) -> None:
    b = bottlenecks(small)
    assert b.articulation_points == ("police", "shelter_a")
    # The undirected view is a tree: every channel is a bridge.
    assert b.bridges == ("ngo_police", "police_shelter", "police_social", "shelter_lawyers")
    assert b.betweenness_samples is None
    # Normalised by (n-1)(n-2) = 12 ordered pairs: police lies on 3 shortest paths, shelter_a on 2.
    assert b.betweenness == (("police", 0.25), ("shelter_a", 0.166667))
    spof = [(s.start, s.institution, s.services, s.provides) for s in b.single_points_of_failure]
    assert spof == [
        # From the police, shelter is reached two ways; child care and legal aid one way.
        ("police", "shelter_a", ("legal_aid",), ()),
        ("police", "social", ("child_care",), ("child_care",)),
        ("police", "lawyers", ("legal_aid",), ("legal_aid",)),
        (
            "ngo",
            "police",
            ("identification", "shelter", "child_care", "legal_aid"),
            ("identification",),
        ),
        ("ngo", "shelter_a", ("legal_aid",), ()),
        ("ngo", "social", ("child_care",), ("child_care",)),
        ("ngo", "lawyers", ("legal_aid",), ("legal_aid",)),
    ]


def test_two_channels_between_the_same_institutions_are_not_a_bridge(tmp_path: Path) -> None:
    text = SMALL + ("  - {id: lawyers_shelter, from: lawyers, to: shelter_a, stage: proceedings}\n")
    b = bottlenecks(thbscreen.load_network(write(tmp_path, "n.yaml", text)))
    assert b.bridges == ("ngo_police", "police_shelter", "police_social")
    # shelter_a is still the only way to the lawyers.
    assert b.articulation_points == ("police", "shelter_a")
    assert ("police", "shelter_a") in {(s.start, s.institution) for s in b.single_points_of_failure}


def test_betweenness_is_sampled_only_for_large_networks() -> None:
    assert betweenness_samples(15, 28) is None
    assert betweenness_samples(300, 1200) is None  # 300 x 1,500 steps: exact
    assert betweenness_samples(500, 2000) == 400
    assert betweenness_samples(10_000, 50_000) == 16
    assert betweenness_samples(100_000, 500_000) == 10


def test_bottlenecks_of_the_bundled_networks() -> None:
    net = thbscreen.load_network("referral/slovenia")
    b = bottlenecks(net)
    assert b.articulation_points == ("caritas_crisis_accommodation", "police")
    assert b.betweenness[0][0] == "police"
    lost = {(s.start, s.institution): s for s in b.single_points_of_failure}
    # Only the Police formally identify, and every inspectorate reaches them directly.
    assert lost["labour_inspectorate", "police"].provides == ("formal_identification",)
    assert "crisis_accommodation" in lost["labour_inspectorate", "police"].services
    assert bottlenecks(thbscreen.load_network("referral/nrm-template")).to_dict()["format"] == (
        "thbscreen-network-bottlenecks/1"
    )


def _reachable_services(g: nx.DiGraph[str], net: ReferralNetwork, start: str) -> set[str]:
    seen = nx.descendants(g, start) | {start}
    return {s for x in seen for s in net.institutions[x].services}


@given(network_data())
def test_bottlenecks_agree_with_brute_force(data: dict[str, Any]) -> None:
    net = load_data(data)
    b = bottlenecks(net)
    simple: nx.DiGraph[str] = nx.DiGraph()
    simple.add_nodes_from(net.institutions)
    simple.add_edges_from((u, v) for u, v, _ in net.graph.edges(keys=True))
    undirected = simple.to_undirected()
    assert set(b.articulation_points) == set(nx.articulation_points(undirected))
    for ch in b.bridges:  # removing every channel between the two parts splits them
        c = net.channels[ch]
        cut = undirected.copy()
        cut.remove_edge(c.from_, c.to)
        assert not nx.has_path(cut, c.from_, c.to)
    needed = {s for need in net.spec.needs for s in need.services}
    expected = set()
    for start in (i.id for i in net.spec.institutions if i.first_contact):
        before = _reachable_services(simple, net, start) & needed
        for x in net.institutions:
            if x == start:
                continue
            without = simple.copy()
            without.remove_node(x)
            for sid in before - _reachable_services(without, net, start):
                if sid not in net.institutions[start].services:
                    expected.add((start, x, sid))
    got = {(s.start, s.institution, sid) for s in b.single_points_of_failure for sid in s.services}
    assert got == expected


def test_integer_dominators_match_networkx() -> None:
    rng = random.Random(7)
    for _ in range(30):
        n = rng.randint(2, 40)
        g: nx.DiGraph[int] = nx.DiGraph()
        g.add_nodes_from(range(n))
        g.add_edges_from(
            (u, v)
            for u, v in ((rng.randrange(n), rng.randrange(n)) for _ in range(3 * n))
            if u != v
        )
        succ = [list(g.succ[u]) for u in range(n)]
        pred = [list(g.pred[u]) for u in range(n)]
        idom = analysis._immediate_dominators(succ, pred, 0)
        expected = dict(nx.immediate_dominators(g, 0))
        expected.pop(0, None)
        assert {u: d for u, d in enumerate(idom) if d >= 0 and u != 0} == expected


# -- check: one network per finding ----------------------------------------------------------------
def _codes(findings: tuple[analysis.Finding, ...]) -> list[str]:
    return [f.code for f in findings]


def test_the_small_network_has_no_findings(small: ReferralNetwork) -> None:
    assert check(small) == ()


@pytest.mark.parametrize("name", thbscreen.bundled_networks())
def test_bundled_networks_check_without_errors(name: str) -> None:
    findings = check(thbscreen.load_network(name))
    assert [f for f in findings if f.severity == "error"] == []
    assert all(f.code in analysis.CHECKS for f in findings)


def _with(tmp_path: Path, text: str) -> ReferralNetwork:
    return thbscreen.load_network(write(tmp_path, "variant.yaml", text))


def test_net001_service_nobody_offers(tmp_path: Path) -> None:
    text = SMALL.replace(
        "needs:\n", "  - {id: interpreting, title: Interpreting, stage: first_assistance}\nneeds:\n"
    )
    (f,) = check(_with(tmp_path, text))
    assert (f.code, f.severity, f.path) == ("NET001", "warning", "$.services[4].id")
    assert "interpreting" in f.message
    assert (
        f.line
        == text.splitlines().index(
            "  - {id: interpreting, title: Interpreting, stage: first_assistance}"
        )
        + 1
    )
    assert f.column == 10  # the id's value
    assert f.source is not None
    assert f.source.endswith("variant.yaml")


def test_net002_needed_service_nobody_offers(tmp_path: Path) -> None:
    text = SMALL.replace(
        "needs:\n",
        "  - {id: interpreting, title: Interpreting, stage: first_assistance}\nneeds:\n"
        "  - {when: 'outcome == \"victim\"', services: [interpreting]}\n",
    )
    (f,) = check(_with(tmp_path, text))
    assert (f.code, f.severity, f.path) == ("NET002", "error", "$.needs[0].services[0]")
    assert "interpreting" in f.message
    assert f.hint


def test_net003_and_net004_unreachable_institution(tmp_path: Path) -> None:
    text = SMALL.replace(
        "needs:\n",
        "  - {id: hotline, title: Hotline, stage: detection}\nneeds:\n"
        "  - {when: 'outcome == \"victim\"', services: [hotline]}\n",
    ).replace(
        "channels:\n",
        "  - {id: island, name: Island, kind: NGO, services: [hotline]}\nchannels:\n"
        "  - {id: island_police, from: island, to: police, stage: identification}\n",
    )
    findings = check(_with(tmp_path, text))
    assert _codes(findings) == ["NET003", "NET004"]
    assert findings[0].severity == "error"
    assert "hotline" in findings[0].message
    assert findings[1].path == "$.institutions[5].id"
    assert "island" in findings[1].message


def test_net005_isolated_institutions(tmp_path: Path) -> None:
    text = SMALL.replace(
        "channels:\n",
        "  - {id: coordinator, name: Coordinator, kind: CentralGovernmentOrganisation}\n"
        "  - {id: clinic, name: Clinic, kind: HealthServiceOrganisation, services: [shelter]}\n"
        "channels:\n",
    )
    findings = check(_with(tmp_path, text))
    assert [(f.code, f.severity, f.path) for f in findings] == [
        ("NET005", "warning", "$.institutions[6].id"),  # offers a service nobody can reach
        ("NET005", "info", "$.institutions[5].id"),  # coordinates only
    ]


def test_net006_stage_out_of_order(tmp_path: Path) -> None:
    text = SMALL + "  - {id: lawyers_police, from: lawyers, to: police, stage: detection}\n"
    (f,) = check(_with(tmp_path, text))
    assert (f.code, f.path) == ("NET006", "$.channels[4].stage")
    assert "'detection', earlier than every channel into 'lawyers'" in f.message
    # A channel out of a first-contact institution is never out of order.
    text = SMALL + "  - {id: police_lawyers, from: police, to: lawyers, stage: detection}\n"
    assert check(_with(tmp_path, text)) == ()


def test_net007_condition_that_never_holds(tmp_path: Path) -> None:
    text = SMALL + (
        "  - {id: never, from: social, to: lawyers, stage: proceedings,\n"
        '     when: \'outcome == "victim" and outcome == "indications"\'}\n'
    )
    (f,) = check(_with(tmp_path, text))
    assert (f.code, f.path, f.line) == ("NET007", "$.channels[4].when", text.count("\n"))


def test_net008_eligibility_that_admits_no_one(tmp_path: Path) -> None:
    text = SMALL.replace('eligibility: "age >= 18"', 'eligibility: "age > 130"')
    findings = check(_with(tmp_path, text))
    assert _codes(findings)[0] == "NET008"
    assert findings[0].path == "$.institutions[2].eligibility"


def test_check_on_a_network_built_in_code(small: ReferralNetwork) -> None:
    spec = attrs.evolve(
        small.spec,
        source=None,
        institutions=(
            *small.spec.institutions,
            attrs.evolve(small.spec.institutions[4], id="alone"),
        ),
    )
    (f,) = check(ReferralNetwork(spec))
    assert (f.code, f.source, f.line, f.path) == (
        "NET005",
        "test/small",
        None,
        "$.institutions[5].id",
    )
    assert str(f) == f"test/small: NET005 warning: {f.message} (hint: {f.hint})"


def test_check_drops_positions_when_the_file_changed(tmp_path: Path) -> None:
    path = write(
        tmp_path, "n.yaml", SMALL + "  - {id: x, from: lawyers, to: police, stage: detection}\n"
    )
    net = thbscreen.load_network(path)
    path.write_text("# edited since\n" + SMALL, encoding="utf-8")
    (f,) = check(net)
    assert f.code == "NET006"
    assert f.line is None
    assert f.path == "$.channels[4].stage"


@given(network_data())
def test_check_on_random_networks(data: dict[str, Any]) -> None:
    net = load_data(data)
    findings = check(net)
    assert all(f.code in analysis.CHECKS and f.hint for f in findings)
    ranks = [("error", "warning", "info").index(f.severity) for f in findings]
    assert ranks == sorted(ranks)
    # NET004/NET005 agree with plain reachability from the first-contact institutions.
    starts = [i.id for i in net.spec.institutions if i.first_contact]
    reach = set(starts).union(*(nx.descendants(net.graph, s) for s in starts))
    flagged = {f.message.split("'")[1] for f in findings if f.code in ("NET004", "NET005")}
    isolated = {x for x in net.institutions if net.graph.degree(x) == 0}
    assert flagged == (set(net.institutions) - reach) | isolated


def test_the_analyses_are_deterministic(small: ReferralNetwork) -> None:
    for fn in (coverage, bottlenecks, check):
        first: Any = fn(small)
        again: Any = fn(small)
        assert first == again


def test_profiles_from_mappings_check_their_keys() -> None:
    p = Profile.from_mapping({"outcome": "victim", "facts": {"age": 3}, "score": 7})
    assert (p.label, p.score, p.highest, p.determined) == ("victim, child (3)", 7.0, None, True)
    for bad, message in [
        ([], "expected a mapping"),
        ({"outcome": 3}, "outcome band as a string"),
        ({"outcome": "victim", "facts": []}, "mapping of fact id"),
        ({"outcome": "victim", "determined": "yes"}, "true or false"),
        ({"outcome": "victim", "score": "high"}, "a number"),
        ({"outcome": "victim", "highest": 1}, "a band as a string"),
    ]:
        with pytest.raises(NetworkError, match=message):
            Profile.from_mapping(bad)  # type: ignore[arg-type]


def test_all_check_codes_are_documented() -> None:
    from ..conftest import ROOT

    page = (ROOT / "docs" / "reference" / "referral-analysis.md").read_text(encoding="utf-8")
    for code, (severity, _what) in analysis.CHECKS.items():
        assert f"| `{code}` |" in page, code
        assert severity in page
    assert list(analysis.CHECKS) == [f"NET{k:03d}" for k in range(1, len(analysis.CHECKS) + 1)]


@pytest.mark.parametrize("samples", [0, -3, "some", True])
def test_bottlenecks_refuses_a_bad_number_of_samples(small: ReferralNetwork, samples: Any) -> None:
    with pytest.raises(NetworkError, match="samples must be"):
        bottlenecks(small, samples=samples)


def test_bottlenecks_with_sampled_and_exact_betweenness(small: ReferralNetwork) -> None:
    assert bottlenecks(small, samples="exact").betweenness_samples is None
    assert bottlenecks(small, samples=3).betweenness_samples == 3
    assert bottlenecks(small, samples=50).betweenness_samples is None  # more than n: exact
