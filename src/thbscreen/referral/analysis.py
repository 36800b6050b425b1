"""Analysis of a whole referral network: coverage, bottlenecks and consistency checks.

Every function takes the network first, in networkx style, and returns a frozen result
with ``to_dict()``:

* :func:`coverage` - for case profiles (an outcome band plus facts) and first-contact
  institutions, which of the services the profile needs can be reached, with exactly the
  rules :func:`~thbscreen.pathway` follows;
* :func:`bottlenecks` - articulation points, bridges, betweenness centrality and, for each
  first-contact institution, the institutions whose loss cuts it off from a needed service
  (the channel structure only, conditions ignored);
* :func:`check` - consistency findings (``NET001`` ...) with a location and a fix hint.

See ``docs/reference/referral-analysis.md`` for the definitions.
"""

from __future__ import annotations

import itertools
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import networkx as nx
from attrs import frozen

from .._language.suggest import did_you_mean
from ..errors import NetworkError, Problem, ThbscreenError
from ..findings import Finding, Severity
from ..model import FactType
from .model import Stage
from .network import Conditions, ReferralNetwork
from .pathway import needed_services

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = [
    "CHECKS",
    "MAX_DEFAULT_PROFILES",
    "Bottlenecks",
    "Coverage",
    "CoverageRow",
    "Finding",
    "Profile",
    "SinglePointOfFailure",
    "betweenness_samples",
    "bottlenecks",
    "check",
    "coverage",
    "default_profiles",
    "summarize",
]

#: The default profiles are a cartesian product; past this many, pass ``profiles``.
MAX_DEFAULT_PROFILES = 1000
#: Ages used for the adult and the child default profiles.
ADULT_AGE = 30
CHILD_AGE = 15
#: Enum facts whose values the default profiles enumerate, when the network declares them.
PROFILE_ENUM_FACTS = ("exploitation", "legal_status")
#: Betweenness is exact while ``n * (n + m)`` stays under this many steps, else sampled.
BETWEENNESS_BUDGET = 1_000_000
BETWEENNESS_SEED = 0


_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


# -- profiles ---------------------------------------------------------------------------------
@frozen
class Profile:
    """A kind of case: an outcome band and the facts known about the person.

    ``highest``, ``determined`` and ``score`` stand for the assessment's values of the
    same names (defaults: ``highest`` = ``outcome``, determined, score 0).
    """

    label: str
    outcome: str
    facts: tuple[tuple[str, Any], ...] = ()
    highest: str | None = None
    determined: bool = True
    score: float = 0.0

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], index: int = 0) -> Profile:
        """A profile from ``{"outcome": band, "facts": {...}, "label": ...}``."""
        path = f"$[{index}]"
        if not isinstance(data, Mapping):
            raise NetworkError(
                Problem(
                    f"expected a mapping with 'outcome' and 'facts', got {type(data).__name__}",
                    source="profiles",
                    path=path,
                )
            )
        known = {"label", "outcome", "facts", "highest", "determined", "score"}
        extra = sorted(str(k) for k in data if k not in known)
        if extra:
            raise NetworkError(
                Problem(
                    f"unknown key {extra[0]!r}{did_you_mean(extra[0], known)}; a profile has {', '.join(sorted(known))}",
                    source="profiles",
                    path=path,
                )
            )
        outcome = data.get("outcome")
        if not isinstance(outcome, str):
            raise NetworkError(
                Problem(
                    "expected the outcome band as a string",
                    source="profiles",
                    path=f"{path}.outcome",
                )
            )
        facts = data.get("facts")
        if facts is None:
            facts = {}
        if not isinstance(facts, Mapping):
            raise NetworkError(
                Problem(
                    f"expected a mapping of fact id to value, got {type(facts).__name__}",
                    source="profiles",
                    path=f"{path}.facts",
                )
            )
        highest = data.get("highest")
        if highest is not None and not isinstance(highest, str):
            raise NetworkError(
                Problem("expected a band as a string", source="profiles", path=f"{path}.highest")
            )
        determined = data.get("determined", True)
        if not isinstance(determined, bool):
            raise NetworkError(
                Problem("expected true or false", source="profiles", path=f"{path}.determined")
            )
        score = data.get("score", 0.0)
        if isinstance(score, bool) or not isinstance(score, int | float):
            raise NetworkError(
                Problem("expected a number", source="profiles", path=f"{path}.score")
            )
        label = data.get("label")
        if label is None:
            label = _label(outcome, facts)
        return cls(str(label), outcome, tuple(facts.items()), highest, determined, float(score))

    @property
    def fact_map(self) -> dict[str, Any]:
        return dict(self.facts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "outcome": self.outcome,
            "facts": self.fact_map,
            "highest": self.highest or self.outcome,
            "determined": self.determined,
            "score": self.score,
        }


def _label(outcome: str, facts: Mapping[str, Any]) -> str:
    parts = [outcome]
    for key, value in facts.items():
        if key == "age" and isinstance(value, int | float):
            parts.append(f"{'child' if value < 18 else 'adult'} ({value})")
        else:
            parts.append(f"{key}={value}")
    return ", ".join(parts)


def default_profiles(network: ReferralNetwork) -> tuple[Profile, ...]:
    """The profiles :func:`coverage` uses when none are given.

    The cartesian product of the network's outcomes that call for some service, of an
    adult (age 30) and a child (age 15) when the network declares a numeric ``age`` fact,
    and of the values of the enum facts ``exploitation`` and ``legal_status`` when
    declared. Raises :class:`NetworkError` past :data:`MAX_DEFAULT_PROFILES` profiles.

    >>> import thbscreen
    >>> net = thbscreen.load_network("referral/slovenia")
    >>> profiles = default_profiles(net)
    >>> len(profiles), profiles[0].label
    (144, 'victim, adult (30), exploitation=labour, legal_status=citizen')
    """
    needs = _needs_only(network)
    facts = {f.id: f for f in network.spec.facts}
    axes: list[list[tuple[str, Any]]] = []
    age = facts.get("age")
    if age is not None and age.type in (FactType.INT, FactType.FLOAT):
        ages = [
            a
            for a in (ADULT_AGE, CHILD_AGE)
            if (age.min is None or a >= age.min) and (age.max is None or a <= age.max)
        ]
        if ages:
            axes.append([("age", a) for a in ages])
    for name in PROFILE_ENUM_FACTS:
        fact = facts.get(name)
        if fact is not None and fact.type is FactType.ENUM and fact.values:
            axes.append([(name, v) for v in fact.values])
    outcomes = []
    for outcome in network.spec.outcomes:
        # An outcome "has needs" when some need can hold for it, whatever the facts.
        cond = needs.conditions_for(_stand_in(outcome, outcome, True, 0.0), {})
        if any(cond.need(i)[1] for i in range(len(network.spec.needs))):
            outcomes.append(outcome)
    size = len(outcomes)
    for axis in axes:
        size *= len(axis)
    if size > MAX_DEFAULT_PROFILES:
        raise NetworkError(
            Problem(
                f"the default profiles would number {size}, more than {MAX_DEFAULT_PROFILES}; "
                "pass the profiles to analyse",
                source=network.spec.source or network.spec.id,
            )
        )
    out = []
    for outcome in outcomes:
        for combo in itertools.product(*axes):
            facts_of = dict(combo)
            out.append(Profile(_label(outcome, facts_of), outcome, tuple(combo)))
    return tuple(out)


# -- evaluation of a profile ----------------------------------------------------------------------
@frozen
class _Range:
    low: str
    high: str


@frozen
class _StandIn:
    """What :meth:`ReferralNetwork.conditions_for` reads from an assessment."""

    outcome: str
    outcome_range: _Range
    determined: bool
    score: float
    case_id: str | None = None


def _stand_in(outcome: str, highest: str, determined: bool, score: float) -> Assessment:
    # conditions_for is typed for an Assessment but reads only these four attributes.
    return cast("Assessment", _StandIn(outcome, _Range(outcome, highest), determined, score))


def _needs_only(network: ReferralNetwork) -> ReferralNetwork:
    """The network's needs compiled on their own, to evaluate many profiles cheaply.

    ``conditions_for`` evaluates every condition of the network at once; the needs of a
    profile do not depend on institutions or channels, so they are evaluated on a network
    with the same outcomes, facts, services and needs and nothing else.
    """
    return network.needs_only()


def _needed(network: ReferralNetwork, cond: Conditions) -> tuple[list[str], list[str]]:
    """Services definitely needed, and those whose need is undecided (as in pathway)."""
    needed, undecided = needed_services(network, cond)
    return needed, list(undecided)


def _check_outcome(network: ReferralNetwork, band: str, what: str) -> None:
    if band not in network.spec.outcomes:
        raise NetworkError(
            Problem(
                f"unknown {what} {band!r}{did_you_mean(band, network.spec.outcomes)}; "
                f"the network's outcomes: {', '.join(network.spec.outcomes)}",
                source="profiles",
                path=f"$.{what}",
            )
        )


def _check_starts(network: ReferralNetwork, starts: Iterable[str] | None) -> tuple[str, ...]:
    if starts is None:
        return tuple(i.id for i in network.spec.institutions if i.first_contact)
    out = tuple(dict.fromkeys(starts))
    for start in out:
        if start not in network.institutions:
            raise NetworkError(
                Problem(
                    f"unknown institution {start!r}{did_you_mean(start, network.institutions)}; "
                    "first-contact institutions: "
                    + ", ".join(i.id for i in network.spec.institutions if i.first_contact),
                    source=network.spec.id,
                    path="start",
                )
            )
    return out


# -- reachability ---------------------------------------------------------------------------------
def _reach_masks(adjacency: list[list[int]], own: list[int], roots: Iterable[int]) -> list[int]:
    """For every node reachable from ``roots``, the bitmask of services it can reach.

    Tarjan's strongly connected components, iteratively: a component is completed only
    after every component it reaches, so its mask is its members' own services OR the
    masks of its successors, all known by then. Linear in nodes plus edges.
    """
    n = len(adjacency)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    reach = [0] * n
    stack: list[int] = []
    counter = 0
    for root in roots:
        if index[root] >= 0:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        calls = [(root, iter(adjacency[root]))]
        while calls:
            v, successors = calls[-1]
            descended = False
            for w in successors:
                if index[w] < 0:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    calls.append((w, iter(adjacency[w])))
                    descended = True
                    break
                if on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
            if descended:
                continue
            calls.pop()
            if calls:
                u = calls[-1][0]
                if low[v] < low[u]:
                    low[u] = low[v]
            if low[v] == index[v]:
                members = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    members.append(w)
                    if w == v:
                        break
                mask = 0
                for w in members:
                    mask |= own[w]
                    for x in adjacency[w]:
                        mask |= reach[x]  # finished components, or this one (still 0)
                for w in members:
                    reach[w] = mask
    return reach


class _Index:
    """Institutions, services and channels as integers, built once per network."""

    def __init__(self, network: ReferralNetwork) -> None:
        self.ids = [i.id for i in network.spec.institutions]
        self.pos = {x: k for k, x in enumerate(self.ids)}
        self.service_bit = {s.id: 1 << k for k, s in enumerate(network.spec.services)}
        self.own = [0] * len(self.ids)
        for k, inst in enumerate(network.spec.institutions):
            for sid in inst.services:
                self.own[k] |= self.service_bit.get(sid, 0)
        # Where the "definitely holds" value of each channel's condition and of the
        # receiving institution's eligibility sits in Conditions.values; -1 (the True
        # appended in usable()) where there is no condition. This reads the layout that
        # ReferralNetwork compiles, to test 50,000 channels without 100,000 method
        # calls; the tests check coverage against the pathway search itself.
        cond_at = network._condition_at
        elig_at = network._eligibility_at
        self.channels = [
            (
                self.pos[ch.from_],
                self.pos[ch.to],
                2 * cond_at[ch.id] if ch.id in cond_at else -1,
                2 * elig_at[ch.to] if ch.to in elig_at else -1,
            )
            for ch in network.spec.channels
        ]

    def usable(self, cond: Conditions) -> list[list[int]]:
        """Adjacency over the channels a case may use, as in the pathway search.

        A channel is usable when its condition definitely holds and the receiving
        institution's eligibility definitely admits the person.
        """
        values = (*cond.values, True)
        adjacency: list[list[int]] = [[] for _ in self.ids]
        for u, v, c, e in self.channels:
            if values[c] and values[e]:
                adjacency[u].append(v)
        return adjacency


# -- coverage -----------------------------------------------------------------------------------
@frozen
class CoverageRow:
    """One profile from one first-contact institution."""

    profile: str
    start: str
    #: Services the profile needs, in the order of the network's needs.
    needed: tuple[str, ...]
    #: Needed services some usable route reaches.
    reached: tuple[str, ...]
    #: Needed services no usable route reaches.
    unreached: tuple[str, ...]
    #: Services that may be needed: it depends on facts the profile does not give.
    undecided: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.unreached

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "start": self.start,
            "needed": list(self.needed),
            "reached": list(self.reached),
            "unreached": list(self.unreached),
            "undecided": list(self.undecided),
        }


@frozen
class Coverage:
    """Which needed services each profile can reach from each first-contact institution."""

    network: str
    network_version: str
    network_hash: str
    profiles: tuple[Profile, ...]
    starts: tuple[str, ...]
    rows: tuple[CoverageRow, ...]

    @property
    def gaps(self) -> tuple[CoverageRow, ...]:
        """The rows with a needed service that cannot be reached."""
        return tuple(r for r in self.rows if r.unreached)

    def missing_by_service(self) -> dict[str, int]:
        """For each service, how many (profile, start) rows need it and cannot reach it."""
        counts: Counter[str] = Counter()
        for row in self.rows:
            counts.update(row.unreached)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def missing_by_start(self) -> dict[str, int]:
        """For each start, how many of its profiles miss at least one needed service."""
        counts = dict.fromkeys(self.starts, 0)
        for row in self.rows:
            if row.unreached:
                counts[row.start] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "thbscreen-network-coverage/1",
            "network": {
                "id": self.network,
                "version": self.network_version,
                "hash": self.network_hash,
            },
            "profiles": [p.to_dict() for p in self.profiles],
            "starts": list(self.starts),
            "rows": [r.to_dict() for r in self.rows],
            "summary": {
                "rows": len(self.rows),
                "rows_with_gaps": len(self.gaps),
                "missing_by_service": self.missing_by_service(),
                "missing_by_start": self.missing_by_start(),
            },
        }


def coverage(
    network: ReferralNetwork,
    profiles: Iterable[Profile | Mapping[str, Any]] | None = None,
    starts: Iterable[str] | None = None,
) -> Coverage:
    """For each profile and start, which needed services can and cannot be reached.

    A profile is a :class:`Profile` or a mapping ``{"outcome": band, "facts": {...}}``
    (optionally ``"label"``); by default :func:`default_profiles`. ``starts`` defaults
    to the first-contact institutions. The rules are those of
    :func:`~thbscreen.pathway`: a channel is used only where its condition holds for the
    profile and the receiving institution's eligibility admits the person; a fact the
    profile does not give is unknown and lets nobody through.

    Each distinct combination of the facts that channel and eligibility conditions name
    is evaluated once, and reachability is computed for all starts at once from the
    strongly connected components of the usable channels, so the cost grows with the
    number of such combinations times the size of the network, not with the number of
    starts.

    >>> import thbscreen
    >>> net = thbscreen.load_network("referral/slovenia")
    >>> cov = coverage(net, [{"outcome": "victim", "facts": {"age": 34}}], ["police"])
    >>> cov.rows[0].reached
    ('formal_identification', 'crisis_accommodation', 'counselling')
    """
    if profiles is None:
        chosen = default_profiles(network)
    else:
        chosen = tuple(
            p if isinstance(p, Profile) else Profile.from_mapping(p, k)
            for k, p in enumerate(profiles)
        )
    start_ids = _check_starts(network, starts)
    needs_net = _needs_only(network)
    index = _Index(network)
    roots = [index.pos[s] for s in start_ids]
    edge_facts = sorted(
        {f for fs in network.condition_facts.values() for f in fs}
        | {f for fs in network.eligibility_facts.values() for f in fs}
    )
    masks: dict[tuple[Any, ...], list[int]] = {}
    rows: list[CoverageRow] = []
    for profile in chosen:
        _check_outcome(network, profile.outcome, "outcome")
        highest = profile.highest or profile.outcome
        _check_outcome(network, highest, "highest")
        facts = profile.fact_map
        assessment = _stand_in(profile.outcome, highest, profile.determined, profile.score)
        # Checks the facts against the declarations (CaseDataError) and decides the needs.
        needed, undecided = _needed(
            network, needs_net.conditions_for(assessment, facts, profile.label)
        )
        key = (
            profile.outcome,
            highest,
            profile.determined,
            profile.score,
            *(facts.get(f) for f in edge_facts),
        )
        reach = masks.get(key)
        if reach is None:
            cond = network.conditions_for(assessment, facts, profile.label)
            reach = masks[key] = _reach_masks(index.usable(cond), index.own, roots)
        for start, root in zip(start_ids, roots, strict=True):
            mask = reach[root]
            reached = tuple(s for s in needed if mask & index.service_bit[s])
            unreached = tuple(s for s in needed if not mask & index.service_bit[s])
            rows.append(
                CoverageRow(
                    profile.label, start, tuple(needed), reached, unreached, tuple(undecided)
                )
            )
    return Coverage(
        network.spec.id,
        network.spec.version,
        network.spec.hash,
        chosen,
        start_ids,
        tuple(rows),
    )


# -- bottlenecks ------------------------------------------------------------------------------
@frozen
class SinglePointOfFailure:
    """An institution every route from ``start`` to some needed services passes through."""

    start: str
    institution: str
    #: The needed services ``start`` would lose without the institution.
    services: tuple[str, ...]
    #: Those of them the institution provides itself: it is their only reachable provider.
    provides: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "institution": self.institution,
            "services": list(self.services),
            "provides": list(self.provides),
        }


@frozen
class Bottlenecks:
    """Structural weak points of the channel graph (conditions ignored)."""

    network: str
    network_version: str
    network_hash: str
    #: Institutions whose removal splits the undirected channel graph.
    articulation_points: tuple[str, ...]
    #: Channels that are the only link between two parts of the undirected graph.
    bridges: tuple[str, ...]
    #: The institutions with the highest betweenness centrality, highest first.
    betweenness: tuple[tuple[str, float], ...]
    #: Sources sampled for betweenness; ``None`` when it is exact.
    betweenness_samples: int | None
    single_points_of_failure: tuple[SinglePointOfFailure, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "thbscreen-network-bottlenecks/1",
            "network": {
                "id": self.network,
                "version": self.network_version,
                "hash": self.network_hash,
            },
            "articulation_points": list(self.articulation_points),
            "bridges": list(self.bridges),
            "betweenness": [{"institution": i, "centrality": c} for i, c in self.betweenness],
            "betweenness_samples": self.betweenness_samples,
            "single_points_of_failure": [s.to_dict() for s in self.single_points_of_failure],
        }


def betweenness_samples(n: int, m: int) -> int | None:
    """How many sources :func:`bottlenecks` samples for betweenness (``None``: exact).

    Exact while ``n * (n + m)`` is under :data:`BETWEENNESS_BUDGET`; otherwise as many
    sources as fit the budget, at least 10. For 10,000 institutions and 50,000 channels
    that is 16 sources, with a fixed seed (:data:`BETWEENNESS_SEED`).
    """
    if n == 0 or n * (n + m) <= BETWEENNESS_BUDGET:
        return None
    return max(10, min(n, BETWEENNESS_BUDGET // (n + m)))


def _needed_services(network: ReferralNetwork) -> list[str]:
    seen = dict.fromkeys(s for need in network.spec.needs for s in need.services)
    return list(seen)


def bottlenecks(
    network: ReferralNetwork, top: int = 10, samples: int | Literal["auto", "exact"] = "auto"
) -> Bottlenecks:
    """Articulation points, bridges, betweenness and single points of failure.

    All on the channels as drawn, whatever their conditions:

    * articulation points and bridges of the undirected view (two institutions linked by
      channels both ways, or by two channels, are not a bridge);
    * betweenness centrality of the directed graph (networkx, normalised), the ``top``
      highest; with ``samples="auto"`` exact for small networks and estimated from a
      sample of sources for large ones (see :func:`betweenness_samples`); ``"exact"``,
      or a number of sources to sample (fixed seed);
    * for each first-contact institution, the institutions every route to some needed
      service passes through: the dominators of the service in the flow graph from the
      start, computed once per service on the reversed graph (the algorithm of networkx's
      ``immediate_dominators``). A sole provider of a service counts.

    >>> import thbscreen
    >>> net = thbscreen.load_network("referral/slovenia")
    >>> "police" in bottlenecks(net).articulation_points
    True
    """
    graph = network.graph
    ids = [i.id for i in network.spec.institutions]
    channel_order = {ch: k for k, ch in enumerate(network.channels)}
    pairs: Counter[tuple[str, str]] = Counter()
    channel_of: dict[tuple[str, str], str] = {}
    for u, v, key in graph.edges(keys=True):
        pair = (u, v) if u <= v else (v, u)
        pairs[pair] += 1
        channel_of[pair] = key
    undirected: nx.Graph[str] = nx.Graph()
    undirected.add_nodes_from(ids)
    undirected.add_edges_from(pairs)
    membership: Counter[str] = Counter()
    bridges: list[str] = []
    for component in nx.biconnected_component_edges(undirected):
        membership.update({x for edge in component for x in edge})
        if len(component) == 1:
            a, b = component[0]
            pair = (a, b) if a <= b else (b, a)
            if pairs[pair] == 1:
                bridges.append(channel_of[pair])
    # A vertex is an articulation point exactly when it lies in two biconnected components.
    articulation = sorted(x for x, k in membership.items() if k > 1)

    simple: nx.DiGraph[str] = nx.DiGraph()
    simple.add_nodes_from(ids)
    simple.add_edges_from((u, v) for u, v, _ in graph.edges(keys=True))
    k: int | None
    if samples == "auto":
        k = betweenness_samples(len(ids), simple.number_of_edges())
    elif samples == "exact":
        k = None
    elif isinstance(samples, int) and not isinstance(samples, bool) and samples >= 1:
        k = samples if samples < len(ids) else None
    else:
        raise NetworkError(
            Problem(
                f"samples must be 'auto', 'exact' or a number of sources from 1, got {samples!r}"
            )
        )
    centrality = nx.betweenness_centrality(simple, k=k, seed=BETWEENNESS_SEED if k else None)
    ranked = sorted(
        ((x, c) for x, c in centrality.items() if c > 0), key=lambda xc: (-xc[1], xc[0])
    )

    spof = _single_points_of_failure(network, simple)
    return Bottlenecks(
        network.spec.id,
        network.spec.version,
        network.spec.hash,
        tuple(articulation),
        tuple(sorted(bridges, key=channel_order.__getitem__)),
        tuple((x, round(c, 6)) for x, c in ranked[: max(top, 0)]),
        k,
        spof,
    )


def _immediate_dominators(succ: list[list[int]], pred: list[list[int]], root: int) -> list[int]:
    """Immediate dominator of every node reachable from ``root`` (-1 elsewhere; root: itself).

    The algorithm of networkx's ``immediate_dominators`` (Cooper, Harvey and Kennedy, "A
    simple, fast dominance algorithm", 2006) on integer lists: about three times faster
    than on a networkx graph, which matters when it runs once per needed service on a
    network of 10,000 institutions. The tests compare it with networkx.
    """
    n = len(succ)
    post = [-1] * n
    order: list[int] = []
    seen = [False] * n
    seen[root] = True
    stack = [(root, iter(succ[root]))]
    while stack:
        v, successors = stack[-1]
        for w in successors:
            if not seen[w]:
                seen[w] = True
                stack.append((w, iter(succ[w])))
                break
        else:
            stack.pop()
            post[v] = len(order)
            order.append(v)
    idom = [-1] * n
    idom[root] = root
    order.pop()  # the root, last in postorder
    order.reverse()
    changed = True
    while changed:
        changed = False
        for u in order:
            new = -1
            for p in pred[u]:
                if idom[p] < 0:
                    continue  # not processed yet, or not reachable
                if new < 0:
                    new = p
                    continue
                a = p
                while a != new:
                    while post[a] < post[new]:
                        a = idom[a]
                    while post[new] < post[a]:
                        new = idom[new]
            if idom[u] != new:
                idom[u] = new
                changed = True
    return idom


def _single_points_of_failure(
    network: ReferralNetwork, simple: nx.DiGraph[str]
) -> tuple[SinglePointOfFailure, ...]:
    """Per first-contact institution, the institutions every route to a service crosses.

    On the reversed graph with a sink joined to the providers of one service, ``x``
    dominates ``s`` exactly when every route from ``s`` to a provider passes ``x``; so one
    dominator tree per needed service answers for every start at once.
    """
    ids = [i.id for i in network.spec.institutions]
    pos = {x: k for k, x in enumerate(ids)}
    n = len(ids)
    sink = n
    # The reversed graph: its successors are the original predecessors.
    succ: list[list[int]] = [[pos[u] for u in simple.pred[x]] for x in ids]
    pred: list[list[int]] = [[pos[v] for v in simple.succ[x]] for x in ids]
    succ.append([])
    pred.append([])
    starts = [pos[i.id] for i in network.spec.institutions if i.first_contact]
    lost: dict[tuple[int, int], list[str]] = {}
    for sid in _needed_services(network):
        providers = [pos[i.id] for i in network.spec.institutions if sid in i.services]
        if not providers:
            continue
        succ[sink] = providers
        for p in providers:
            pred[p].append(sink)
        idom = _immediate_dominators(succ, pred, sink)
        for p in providers:
            pred[p].pop()
        for start in starts:
            if idom[start] < 0 or idom[start] == sink:
                continue  # not reachable at all, or the start itself provides it
            at = idom[start]
            while at != sink:
                lost.setdefault((start, at), []).append(sid)
                at = idom[at]
    offers = [set(i.services) for i in network.spec.institutions]
    return tuple(
        SinglePointOfFailure(
            ids[start], ids[inst], tuple(services), tuple(s for s in services if s in offers[inst])
        )
        for (start, inst), services in sorted(lost.items())
    )


# -- consistency checks ------------------------------------------------------------------------------
#: Every check: code -> (severity, what it finds). Documented in referral-analysis.md.
CHECKS: dict[str, tuple[Severity, str]] = {
    "NET001": ("warning", "a service no institution offers"),
    "NET002": ("error", "a needed service no institution offers"),
    "NET003": ("error", "a needed service no first-contact institution can reach"),
    "NET004": ("warning", "an institution no first-contact institution can reach"),
    "NET005": ("warning", "an institution with no channel in or out"),
    "NET006": ("warning", "a channel at an earlier stage than every channel into its source"),
    "NET007": ("warning", "a channel whose condition never holds"),
    "NET008": ("warning", "an institution whose eligibility admits no one"),
}

_PathT = tuple[str | int, ...]


class _Locator:
    """Line and column of a path in the network's file, when the file still matches."""

    def __init__(self, network: ReferralNetwork) -> None:
        self.source = network.spec.source or network.spec.id
        self.located: Any = None
        path = network.spec.source
        if path is None or not Path(path).is_file():
            return
        from .._yaml import read_located

        try:
            located = read_located(path)
        except ThbscreenError:
            return
        data = located.data
        # Use positions only if the file still holds the loaded network, id for id.
        try:
            same = (
                data.get("id") == network.spec.id
                and [c["id"] for c in data["channels"]] == list(network.channels)
                and [i["id"] for i in data["institutions"]] == list(network.institutions)
                and [s["id"] for s in data["services"]] == list(network.services)
            )
        except (AttributeError, KeyError, TypeError):
            same = False
        if same:
            self.located = located

    def finding(
        self, code: str, message: str, path: _PathT, fix: str, severity: Severity | None = None
    ) -> Finding:
        from .._yaml import format_path

        line = column = None
        if self.located is not None:
            mark = self.located.mark(path)
            if mark is not None:
                line, column = mark.line, mark.column
        return Finding(
            code,
            severity or CHECKS[code][0],
            message,
            source=self.source or "<network>",
            line=line,
            column=column,
            path=format_path(path),
            hint=fix,
        )


def _mentions_score(text: str) -> bool:
    if "score" not in text:
        return False
    from .._language.checker import names_in
    from .._language.parser import parse

    try:
        return "score" in names_in(parse(text))
    except ThbscreenError:
        return True


def check(network: ReferralNetwork) -> tuple[Finding, ...]:
    """Consistency findings for the network, most severe first.

    Works on any :class:`ReferralNetwork`, loaded from a file (findings carry the file,
    line and column) or built from a :class:`NetworkSpec` in code (findings carry the
    network id and the path). The codes are listed in :data:`CHECKS`.

    >>> import thbscreen
    >>> net = thbscreen.load_network("referral/slovenia")
    >>> [f.severity for f in check(net) if f.severity == "error"]
    []
    """
    spec = network.spec
    at = _Locator(network)
    found: list[Finding] = []
    offered = {s for inst in spec.institutions for s in inst.services}
    needed = set(_needed_services(network))
    for i, service in enumerate(spec.services):
        if service.id not in offered and service.id not in needed:
            found.append(
                at.finding(
                    "NET001",
                    f"no institution offers service {service.id!r}",
                    ("services", i, "id"),
                    f"add {service.id!r} to the services of the institution that provides it, or remove the service",
                )
            )
    reported: set[str] = set()
    for i, need in enumerate(spec.needs):
        for j, sid in enumerate(need.services):
            if sid not in offered and sid not in reported:
                reported.add(sid)
                found.append(
                    at.finding(
                        "NET002",
                        f"service {sid!r} is needed (when {need.when}) but no institution offers it, so no pathway can reach it",
                        ("needs", i, "services", j),
                        f"add {sid!r} to the services of the institution that provides it",
                    )
                )

    graph = network.graph
    starts = [i.id for i in spec.institutions if i.first_contact]
    reach = set(starts)
    queue = deque(starts)
    while queue:
        here = queue.popleft()
        for there in graph.successors(here):
            if there not in reach:
                reach.add(there)
                queue.append(there)
    for i, need in enumerate(spec.needs):
        for j, sid in enumerate(need.services):
            if (
                sid in offered
                and sid not in reported
                and not any(sid in network.institutions[x].services for x in reach)
            ):
                reported.add(sid)
                found.append(
                    at.finding(
                        "NET003",
                        f"service {sid!r} is needed but none of the institutions offering it can be reached from a first-contact institution, even with every condition met",
                        ("needs", i, "services", j),
                        "add a channel to an institution offering it, or mark such an institution first_contact: true",
                    )
                )
    for i, inst in enumerate(spec.institutions):
        isolated = graph.degree(inst.id) == 0
        if isolated:
            has_services = bool(inst.services)
            found.append(
                at.finding(
                    "NET005",
                    f"institution {inst.id!r} has no channel in or out"
                    + (
                        ""
                        if has_services
                        else "; it offers no service either (a coordinating body?)"
                    ),
                    ("institutions", i, "id"),
                    "add the channels that lead to and from it"
                    + (
                        ""
                        if has_services
                        else ", or leave it if it is listed for completeness only"
                    ),
                    severity="warning" if has_services and not inst.first_contact else "info",
                )
            )
        elif inst.id not in reach:
            found.append(
                at.finding(
                    "NET004",
                    f"institution {inst.id!r} cannot be reached from any first-contact institution, even with every condition met",
                    ("institutions", i, "id"),
                    "add a channel into it from an institution that can be reached, or mark it first_contact: true",
                )
            )

    # Stages: a channel out of a non-first-contact institution at an earlier stage than
    # every channel that leads into that institution.
    earliest_in: dict[str, int] = {}
    for ch in spec.channels:
        order = ch.stage.order
        if order < earliest_in.get(ch.to, len(Stage)):
            earliest_in[ch.to] = order
    for i, ch in enumerate(spec.channels):
        src = network.institutions[ch.from_]
        if src.first_contact or ch.from_ not in earliest_in:
            continue
        if ch.stage.order < earliest_in[ch.from_]:
            first = list(Stage)[earliest_in[ch.from_]].value
            found.append(
                at.finding(
                    "NET006",
                    f"channel {ch.id!r} is at stage {ch.stage.value!r}, earlier than every channel into {ch.from_!r} (the earliest is {first!r})",
                    ("channels", i, "stage"),
                    f"check the stage of {ch.id!r} and of the channels into {ch.from_!r}",
                )
            )

    # Conditions that can never hold, whatever the assessment and the facts.
    possible_channel: set[str] = set()
    possible_eligible: set[str] = set()
    skip = {ch.id for ch in spec.channels if ch.when is not None and _mentions_score(ch.when)}
    skip |= {
        i.id
        for i in spec.institutions
        if i.eligibility is not None and _mentions_score(i.eligibility)
    }
    conditional = [ch.id for ch in spec.channels if ch.when is not None and ch.id not in skip]
    guarded = [
        inst.id
        for inst in spec.institutions
        if inst.eligibility is not None and inst.id not in skip
    ]
    if conditional or guarded:
        for outcome, highest, determined in itertools.product(
            spec.outcomes, spec.outcomes, (True, False)
        ):
            cond = network.conditions_for(_stand_in(outcome, highest, determined, 0.0), {})
            possible_channel.update(c for c in conditional if cond.channel(c)[1])
            possible_eligible.update(x for x in guarded if cond.eligible(x)[1])
    never_used = set(conditional) - possible_channel
    admits_none = set(guarded) - possible_eligible
    for i, ch in enumerate(spec.channels):
        if ch.id in never_used:
            found.append(
                at.finding(
                    "NET007",
                    f"the condition of channel {ch.id!r} holds for no outcome and no facts, so the channel is never used",
                    ("channels", i, "when"),
                    "correct the condition, or remove the channel",
                )
            )
    for i, inst in enumerate(spec.institutions):
        if inst.id in admits_none:
            found.append(
                at.finding(
                    "NET008",
                    f"the eligibility of {inst.id!r} admits no one, so no channel can lead there",
                    ("institutions", i, "eligibility"),
                    "correct the eligibility expression",
                )
            )
    return tuple(sorted(found, key=lambda f: (_SEVERITY_RANK[f.severity], f.code)))


def summarize(findings: Sequence[Finding]) -> dict[str, int]:
    """Counts of findings by severity."""
    counts = dict.fromkeys(("error", "warning", "info"), 0)
    for f in findings:
        counts[f.severity] += 1
    return counts
