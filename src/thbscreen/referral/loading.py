"""Load and check referral networks: structure, references and expressions, all at once."""

from __future__ import annotations

import os
from collections.abc import Iterator

import attrs
from attrs import frozen

from .._analysis import NAME_PATTERN, RESERVED, Collector, check_facts
from .._convert import content_hash
from .._language.ast import Node
from .._language.checker import Symbol
from .._language.suggest import did_you_mean
from .._yaml import Located, PathT, read_located
from ..errors import NetworkError, ThbscreenError
from ..loading import bundled_networks, resolve_path, structure
from .model import NetworkSpec

__all__ = ["NetworkAnalysis", "analyze_network", "load_network_spec"]


@frozen
class NetworkAnalysis:
    spec: NetworkSpec
    needs: tuple[Node, ...]
    eligibility: dict[str, Node]  # institution id -> tree (only where given)
    conditions: dict[str, Node]  # channel id -> tree (only where given)
    node_types: dict[int, str]


def _duplicates(ids: list[str]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if x in seen:
            yield i, x
        seen.add(x)


def analyze_network(spec: NetworkSpec, located: Located | None = None) -> NetworkAnalysis:
    """Check references and expressions; raise one :class:`NetworkError` listing every problem."""
    c = Collector(spec.source or spec.id, located)
    types: dict[int, str] = {}
    if "en" not in spec.languages:
        c.add("languages must include 'en'", ("languages",))
    if spec.provenance.source is None or spec.provenance.confidence is None:
        c.add("provenance needs a 'source' and a 'confidence'", ("provenance",))
    if not spec.outcomes:
        c.add("list the outcome bands the conditions may name", ("outcomes",))
    for group, ids in (
        ("services", [s.id for s in spec.services]),
        ("institutions", [i.id for i in spec.institutions]),
        ("channels", [ch.id for ch in spec.channels]),
    ):
        for i, dup in _duplicates(ids):
            c.add(f"duplicate id {dup!r}", (group, i, "id"))
    scope_facts = check_facts(spec.facts, c.add)
    for i, dup in _duplicates([f.id for f in spec.facts]):
        c.add(f"duplicate id {dup!r}", ("facts", i, "id"))
    for i, fact in enumerate(spec.facts):
        if not NAME_PATTERN.match(fact.id) or fact.id in RESERVED:
            c.add(f"fact id {fact.id!r} is not a valid name, or is reserved", ("facts", i, "id"))
    services = {s.id for s in spec.services}
    institutions = {i.id for i in spec.institutions}

    def known(value: str, pool: set[str], what: str, path: PathT) -> None:
        if value not in pool:
            c.add(f"unknown {what} {value!r}{did_you_mean(value, pool)}", path)

    outcome_values = frozenset(spec.outcomes)
    scope = {
        **scope_facts,
        "outcome": Symbol("assessment", "str", outcome_values),
        "highest": Symbol("assessment", "str", outcome_values),
        "determined": Symbol("assessment", "bool"),
        "score": Symbol("assessment", "num"),
    }
    for name in ("outcome", "highest", "determined", "score"):
        if name in scope_facts:
            c.add(f"{name!r} is a reserved name in networks", ("facts",))
    needs: list[Node] = []
    for i, need in enumerate(spec.needs):
        for j, sid in enumerate(need.services):
            known(sid, services, "service", ("needs", i, "services", j))
        tree = c.expression(need.when, ("needs", i, "when"), scope, types)
        if tree is not None:
            needs.append(tree)
    eligibility: dict[str, Node] = {}
    for i, inst in enumerate(spec.institutions):
        for j, sid in enumerate(inst.services):
            known(sid, services, "service", ("institutions", i, "services", j))
        if inst.eligibility is not None:
            tree = c.expression(inst.eligibility, ("institutions", i, "eligibility"), scope, types)
            if tree is not None:
                eligibility[inst.id] = tree
        if inst.capacity is not None and inst.capacity < 0:
            c.add("capacity cannot be negative", ("institutions", i, "capacity"))
    if spec.institutions and not any(inst.first_contact for inst in spec.institutions):
        c.add("no institution is marked first_contact: true", ("institutions",))
    conditions: dict[str, Node] = {}
    for i, ch in enumerate(spec.channels):
        known(ch.from_, institutions, "institution", ("channels", i, "from"))
        known(ch.to, institutions, "institution", ("channels", i, "to"))
        if ch.from_ == ch.to:
            c.add("a channel cannot refer an institution to itself", ("channels", i, "to"))
        if (
            ch.notification
            and ch.notification.deadline_days is not None
            and ch.notification.deadline_days < 0
        ):
            c.add(
                "deadline_days cannot be negative", ("channels", i, "notification", "deadline_days")
            )
        if ch.when is not None:
            tree = c.expression(ch.when, ("channels", i, "when"), scope, types)
            if tree is not None:
                conditions[ch.id] = tree
    if c.problems:
        raise NetworkError(c.problems)
    return NetworkAnalysis(spec, tuple(needs), eligibility, conditions, types)


def load_network_spec(name_or_path: str | os.PathLike[str]) -> tuple[NetworkSpec, NetworkAnalysis]:
    path = resolve_path(
        name_or_path,
        bundled_networks,
        "referral network",
        NetworkError,
        accept=lambda name: name.startswith("referral/"),
    )
    try:
        located = read_located(path)
    except ThbscreenError as exc:  # the reader speaks of rule files; this one is a network
        raise NetworkError(exc.problems) from None
    try:
        spec: NetworkSpec = structure(located, NetworkSpec, NetworkError)
    except NetworkError:
        raise
    except ThbscreenError as exc:  # the YAML reader raises RuleSetError for any file
        raise NetworkError(exc.problems) from None
    spec = attrs.evolve(spec, source=located.source)
    analysis = analyze_network(spec, located)
    spec = attrs.evolve(spec, hash=content_hash(spec))
    return spec, attrs.evolve(analysis, spec=spec)
