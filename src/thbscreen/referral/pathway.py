"""Pathways: from a first-contact institution to every service an assessment calls for."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

from attrs import frozen

from ..assessment import Assessment
from ..errors import NetworkError, Problem
from ..model import Case
from .network import Conditions, ReferralNetwork

__all__ = [
    "NoReferralPath",
    "Pathway",
    "Route",
    "Step",
    "Unreached",
    "check_start",
    "needed_services",
    "pathway",
]


class NoReferralPath(NetworkError):
    """None of the services the assessment calls for can be reached from the start."""


@frozen
class Step:
    """One referral: a channel used, with what comes with it."""

    channel: str
    from_: str
    to: str
    stage: str
    consent: bool
    notification: str | None
    deadline_days: int | None
    confidence: str | None
    #: Services the assessment calls for that the receiving institution offers.
    services: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "from": self.from_,
            "to": self.to,
            "stage": self.stage,
            "consent": self.consent,
            "notification": self.notification,
            "deadline_days": self.deadline_days,
            "confidence": self.confidence,
            "services": list(self.services),
        }


@frozen
class Route:
    """How one needed service is reached: the institution and the channels to it."""

    service: str
    institution: str
    channels: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "institution": self.institution,
            "channels": list(self.channels),
        }


@frozen
class Unreached:
    """A service the pathway does not reach, and why.

    ``kind`` is ``unreachable`` (needed, but no usable route) or ``undetermined``
    (whether it is needed depends on facts not given).
    """

    service: str
    reason: str
    #: Facts whose values could open the way (when a condition was unknown).
    deciding_facts: tuple[str, ...] = ()
    kind: str = "unreachable"

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "kind": self.kind,
            "reason": self.reason,
            "deciding_facts": list(self.deciding_facts),
        }


@frozen
class Pathway:
    """The referral pathway for one assessed case, from a first-contact institution."""

    network: str
    network_version: str
    network_hash: str
    start: str
    case_id: str | None
    outcome: str
    needed: tuple[str, ...]
    steps: tuple[Step, ...]
    routes: tuple[Route, ...]
    unreached: tuple[Unreached, ...]

    @property
    def consent_needed(self) -> tuple[str, ...]:
        """Channels on the pathway that need the person's consent."""
        return tuple(s.channel for s in self.steps if s.consent)

    @property
    def institutions(self) -> tuple[str, ...]:
        """The start, then every institution the steps reach, in order."""
        seen = [self.start]
        for s in self.steps:
            if s.to not in seen:
                seen.append(s.to)
        return tuple(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "thbscreen-pathway/1",
            "network": {
                "id": self.network,
                "version": self.network_version,
                "hash": self.network_hash,
            },
            "start": self.start,
            "case_id": self.case_id,
            "outcome": self.outcome,
            "needed": list(self.needed),
            "steps": [s.to_dict() for s in self.steps],
            "routes": [r.to_dict() for r in self.routes],
            "unreached": [u.to_dict() for u in self.unreached],
            "consent_needed": list(self.consent_needed),
        }

    def _repr_svg_(self) -> str | None:
        from .export import pathway_svg

        try:
            return pathway_svg(self)
        except Exception:  # Jupyter falls back to HTML when Graphviz is missing
            return None

    def _repr_html_(self) -> str:
        from .render import pathway_html

        return pathway_html(self)


def _case_parts(case: Case | Mapping[str, Any] | None) -> tuple[str | None, Any]:
    if case is None:
        return None, {}
    if isinstance(case, Case):
        return case.id, case.facts
    if isinstance(case, Mapping):
        case_id = case.get("id")
        return (str(case_id) if case_id is not None else None), case.get("facts") or {}
    raise NetworkError(Problem(f"expected a case (a mapping or a Case), got {type(case).__name__}"))


def check_start(network: ReferralNetwork, start: str) -> None:
    """Raise :class:`NetworkError`, with a did-you-mean, unless ``start`` is an institution."""
    from .._language.suggest import did_you_mean

    if start not in network.institutions:
        raise NetworkError(
            Problem(
                f"unknown institution {start!r}{did_you_mean(start, network.institutions)}; "
                f"first-contact institutions: {', '.join(i.id for i in network.spec.institutions if i.first_contact)}",
                source=network.spec.id,
                path="start",
            )
        )


def pathway(
    network: ReferralNetwork,
    assessment: Assessment,
    case: Case | Mapping[str, Any] | None = None,
    *,
    start: str,
) -> Pathway:
    """The referral pathway for ``assessment`` from the institution ``start``.

    Channels are followed only where their condition holds for the case and the
    receiving institution's eligibility admits the person; a condition that is unknown
    (a fact not given) does not let the person through, and the services it blocks are
    reported with the facts that would decide it. Each needed service is reached by a
    shortest route (fewest referrals; ties broken by stage order, then channel id).

    >>> import thbscreen
    >>> net = thbscreen.load_network("referral/slovenia")
    >>> s = thbscreen.Screener(thbscreen.load_ruleset("ilo-ec-2009/adult-labour"))
    >>> a = s.evaluate({"indicators": {}})
    >>> pathway(net, a, start="labour_inspectorate").needed
    ()

    Raises :class:`NoReferralPath` when services are needed and none can be reached,
    and :class:`NetworkError` for an unknown start.
    """
    check_start(network, start)
    case_id, facts = _case_parts(case)
    if case_id is None:
        case_id = assessment.case_id
    allow = {f.id for f in assessment._screener.ruleset.facts}
    cond = network.conditions_for(assessment, facts, case_id, allow)

    needed, undecided = needed_services(network, cond)

    parent, depth = _search(network, cond, start)
    routes: list[Route] = []
    unreached: list[Unreached] = []
    used: dict[str, int] = {}
    for sid in needed:
        best = _nearest(network, sid, depth)
        if best is None:
            unreached.append(_why(network, cond, sid, depth))
            continue
        chain = _chain(network, parent, best)
        for ch in chain:
            used.setdefault(ch, depth[network.channels[ch].to])
        routes.append(Route(sid, best, tuple(chain)))
    for sid, deciding in undecided.items():
        unreached.append(
            Unreached(
                sid, "whether it is needed depends on facts not given", deciding, "undetermined"
            )
        )
    if needed and not routes:
        raise NoReferralPath(
            Problem(
                f"none of the needed services ({', '.join(needed)}) can be reached from {start}: "
                + "; ".join(
                    f"{u.service}: {u.reason}" for u in unreached if u.kind == "unreachable"
                ),
                source=network.spec.id,
                path="start",
            )
        )
    needed_set = set(needed)
    steps = []
    for ch_id in sorted(used, key=lambda c: (used[c], network.channels[c].stage.order, c)):
        channel = network.channels[ch_id]
        offers = network.institutions[channel.to].services
        note = channel.notification
        steps.append(
            Step(
                channel.id,
                channel.from_,
                channel.to,
                channel.stage.value,
                channel.consent,
                note.duty.en if note else None,
                note.deadline_days if note else None,
                _confidence(network, channel.id),
                tuple(s for s in offers if s in needed_set),
            )
        )
    return Pathway(
        network.spec.id,
        network.spec.version,
        network.spec.hash,
        start,
        case_id,
        assessment.outcome,
        tuple(needed),
        tuple(steps),
        tuple(routes),
        tuple(unreached),
    )


def needed_services(
    network: ReferralNetwork, cond: Conditions
) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    """Services definitely needed, and those whose need depends on facts not given
    (with the facts that would decide it): a need adds its services when it holds."""
    needed: list[str] = []
    undecided: dict[str, set[str]] = {}
    for i, need in enumerate(network.spec.needs):
        lo, hi = cond.need(i)
        for sid in need.services:
            if lo:
                if sid not in needed:
                    needed.append(sid)
            elif hi:
                undecided.setdefault(sid, set()).update(network.need_facts[i])
    return needed, {s: tuple(sorted(f)) for s, f in undecided.items() if s not in needed}


def _confidence(network: ReferralNetwork, channel: str) -> str | None:
    conf = network.spec.provenance_of(network.channels[channel]).confidence
    return conf.value if conf is not None else None


def _search(
    network: ReferralNetwork, cond: Conditions, start: str
) -> tuple[dict[str, str], dict[str, int]]:
    """Breadth-first over usable channels: parent channel and depth of each institution."""
    parent: dict[str, str] = {}
    depth = {start: 0}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for ch in network.outgoing[here]:
            if ch.to in depth:
                continue
            if cond.channel(ch.id)[0] and cond.eligible(ch.to)[0]:
                depth[ch.to] = depth[here] + 1
                parent[ch.to] = ch.id
                queue.append(ch.to)
    return parent, depth


def _nearest(network: ReferralNetwork, service: str, depth: dict[str, int]) -> str | None:
    offering = [i for i in network.spec.institutions if service in i.services and i.id in depth]
    if not offering:
        return None
    return min(offering, key=lambda i: depth[i.id]).id


def _chain(network: ReferralNetwork, parent: dict[str, str], target: str) -> list[str]:
    # A breadth-first tree has no cycles, so following parents ends at the start.
    out: list[str] = []
    at = target
    while at in parent:
        ch = parent[at]
        out.append(ch)
        at = network.channels[ch].from_
    return out[::-1]


def _why(
    network: ReferralNetwork, cond: Conditions, service: str, depth: dict[str, int]
) -> Unreached:
    """The reason a needed service cannot be reached, naming deciding facts if any."""
    offering = [i for i in network.spec.institutions if service in i.services]
    if not offering:
        return Unreached(service, "no institution in the network offers it")
    reasons: list[str] = []
    deciding: set[str] = set()
    for inst in offering:
        lo, hi = cond.eligible(inst.id)
        if not hi:
            reasons.append(f"{inst.id}'s eligibility excludes this person")
            continue
        if not lo:
            facts = network.eligibility_facts.get(inst.id, ())
            deciding.update(facts)
            reasons.append(f"{inst.id}'s eligibility is unknown ({', '.join(facts) or 'no facts'})")
            continue
        blocked = []
        for ch in network.spec.channels:
            if ch.to != inst.id or ch.from_ not in depth:
                continue
            clo, chi = cond.channel(ch.id)
            if not clo and chi:
                facts = network.condition_facts.get(ch.id, ())
                deciding.update(facts)
                blocked.append(f"channel {ch.id} depends on {', '.join(facts) or 'unknown facts'}")
            elif not clo:
                blocked.append(f"channel {ch.id}'s condition does not hold")
        if blocked:
            reasons.append(f"{inst.id}: " + "; ".join(blocked))
        else:
            reasons.append(f"no channel reaches {inst.id} from the institutions reachable here")
    return Unreached(service, "; ".join(reasons), tuple(sorted(deciding)))
