"""ReferralNetwork: the checked network as a networkx MultiDiGraph plus compiled conditions."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from .._facts import FactReader
from .._language.ast import Node
from .._language.checker import names_in
from .._language.codegen import CodeBuilder, compile_functions, gen
from .loading import NetworkAnalysis, load_network_spec
from .model import Channel, Institution, NetworkSpec, Service

if TYPE_CHECKING:
    import networkx as nx

    from ..assessment import Assessment

__all__ = ["ReferralNetwork", "load_network"]

_ASSESSMENT_NAMES = ("outcome", "highest", "determined", "score")


class ReferralNetwork:
    """Institutions (nodes) and referral channels (edges) of one referral mechanism.

    ``graph`` is a :class:`networkx.MultiDiGraph` whose nodes are institution ids and
    whose edges (keyed by channel id) carry the channel's attributes, for any networkx
    algorithm. Conditions are compiled once, like a rule set's.
    """

    def __init__(self, spec: NetworkSpec, analysis: NetworkAnalysis | None = None) -> None:
        if analysis is None:
            from .loading import analyze_network

            analysis = analyze_network(spec)
        self.spec = spec
        self._needs_only: ReferralNetwork | None = None
        self.institutions: dict[str, Institution] = {i.id: i for i in spec.institutions}
        self.services: dict[str, Service] = {s.id: s for s in spec.services}
        self.channels: dict[str, Channel] = {c.id: c for c in spec.channels}
        self.facts = FactReader(spec.facts)
        self._compile(analysis)
        # Outgoing channels in a fixed order (stage, then id): pathways are deterministic.
        self.outgoing: dict[str, list[Channel]] = {i: [] for i in self.institutions}
        for ch in sorted(spec.channels, key=lambda c: (c.stage.order, c.id)):
            self.outgoing[ch.from_].append(ch)

    def needs_only(self) -> ReferralNetwork:
        """The same outcomes, facts, services and needs, without institutions or channels:
        what a case needs is evaluated on it cheaply (kept after first use)."""
        if self._needs_only is None:
            import attrs

            self._needs_only = ReferralNetwork(
                attrs.evolve(self.spec, institutions=(), channels=())
            )
        return self._needs_only

    @property
    def fact_ids(self) -> frozenset[str]:
        """Facts the network declares: pass them to ``Screener.evaluate(allow_facts=...)``."""
        return frozenset(self.facts.index)

    # -- construction -------------------------------------------------------------
    def _compile(self, analysis: NetworkAnalysis) -> None:
        fact_index = {f.id: j for j, f in enumerate(self.spec.facts)}

        def resolve(name: str) -> tuple[str, str]:
            if name in _ASSESSMENT_NAMES:
                k = _ASSESSMENT_NAMES.index(name)
                return f"F[{2 * k}]", f"F[{2 * k + 1}]"
            j = 2 * (len(_ASSESSMENT_NAMES) + fact_index[name])
            return f"F[{j}]", f"F[{j + 1}]"

        def node_type(node: Node) -> str:
            return analysis.node_types[id(node)]

        b = CodeBuilder()
        b.lines.append("def evaluate(F):")
        outputs: list[str] = []
        trees: list[Node] = [
            *analysis.needs,
            *analysis.eligibility.values(),
            *analysis.conditions.values(),
        ]
        for tree in trees:
            lo, hi = gen(tree, b, resolve, node_type)
            outputs += [f"bool({lo})", f"bool({hi})"]
        b.emit("return (" + "".join(f"{o}, " for o in outputs) + ")")
        namespace = compile_functions(
            "\n".join(b.lines) + "\n", b.consts, f"<thbscreen:{self.spec.id}>"
        )
        self._evaluate: Callable[[list[Any]], tuple[bool, ...]] = namespace["evaluate"]  # type: ignore[assignment]
        n = len(analysis.needs)
        self._need_at = {i: i for i in range(n)}
        self._eligibility_at = {inst: n + k for k, inst in enumerate(analysis.eligibility)}
        base = n + len(analysis.eligibility)
        self._condition_at = {ch: base + k for k, ch in enumerate(analysis.conditions)}
        facts = set(fact_index)
        self.need_facts = tuple(tuple(sorted(names_in(t) & facts)) for t in analysis.needs)
        self.eligibility_facts = {
            k: tuple(sorted(names_in(t) & facts)) for k, t in analysis.eligibility.items()
        }
        self.condition_facts = {
            k: tuple(sorted(names_in(t) & facts)) for k, t in analysis.conditions.items()
        }

    @functools.cached_property
    def graph(self) -> nx.MultiDiGraph[str]:
        """The network as a networkx graph, built on first use: screening and pathways
        do not need networkx, whose import alone takes longer than loading a network."""
        import networkx as nx

        g: nx.MultiDiGraph[str] = nx.MultiDiGraph(
            id=self.spec.id, version=self.spec.version, hash=self.spec.hash
        )
        for inst in self.spec.institutions:
            g.add_node(
                inst.id,
                name=inst.name.en,
                kind=inst.kind.value,
                services=list(inst.services),
                first_contact=inst.first_contact,
                eligibility=inst.eligibility or "true",
                confidence=_confidence(self.spec, inst),
            )
        for ch in self.spec.channels:
            g.add_edge(
                ch.from_,
                ch.to,
                key=ch.id,
                stage=ch.stage.value,
                when=ch.when or "true",
                consent=ch.consent,
                notification=ch.notification.duty.en if ch.notification else None,
                deadline_days=ch.notification.deadline_days if ch.notification else None,
                confidence=_confidence(self.spec, ch),
            )
        return g

    # -- evaluation -------------------------------------------------------------------
    def conditions_for(
        self,
        assessment: Assessment,
        facts: Mapping[str, Any] | None,
        case_id: str | None = None,
        allow: Collection[str] = (),
    ) -> Conditions:
        """Every need, eligibility and channel condition, three-valued, for one case.

        ``allow`` names facts declared by the rule set: the case may give them too.
        """
        score = assessment.score
        fvec: list[Any] = [
            assessment.outcome,
            assessment.outcome,
            assessment.outcome_range.high,
            assessment.outcome_range.high,
            assessment.determined,
            assessment.determined,
            score,
            score,
        ]
        fvec += self.facts.vector(case_id, facts or {}, allow=allow)
        return Conditions(self, self._evaluate(fvec))

    # -- presentation -------------------------------------------------------------------
    def __repr__(self) -> str:
        return (
            f"ReferralNetwork({self.spec.id!r}, version={self.spec.version!r}, "
            f"institutions={len(self.institutions)}, channels={len(self.channels)})"
        )

    def _repr_svg_(self) -> str | None:
        from .export import to_svg

        try:
            return to_svg(self)
        except Exception:  # Jupyter falls back to HTML when Graphviz is missing
            return None

    def _repr_html_(self) -> str:
        from .export import to_html_table

        return to_html_table(self)


class Conditions:
    """Three-valued condition values for one case: ``(definitely, possibly)`` pairs."""

    def __init__(self, network: ReferralNetwork, values: tuple[bool, ...]) -> None:
        self.network = network
        self.values = values

    def _pair(self, at: int | None) -> tuple[bool, bool]:
        if at is None:
            return True, True
        return self.values[2 * at], self.values[2 * at + 1]

    def need(self, i: int) -> tuple[bool, bool]:
        return self._pair(self.network._need_at[i])

    def eligible(self, institution: str) -> tuple[bool, bool]:
        return self._pair(self.network._eligibility_at.get(institution))

    def channel(self, channel: str) -> tuple[bool, bool]:
        return self._pair(self.network._condition_at.get(channel))


def _confidence(spec: NetworkSpec, item: Institution | Channel) -> str | None:
    conf = spec.provenance_of(item).confidence
    return conf.value if conf is not None else None


def load_network(name_or_path: str | os.PathLike[str]) -> ReferralNetwork:
    """Load and check a referral network by bundled name (``referral/slovenia``) or path.

    Raises :class:`~thbscreen.NetworkError` listing every problem with its location.
    """
    spec, analysis = load_network_spec(name_or_path)
    return ReferralNetwork(spec, analysis)
