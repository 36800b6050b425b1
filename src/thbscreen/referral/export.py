"""Export a network (or a pathway) for drawing and for other tools.

DOT and Mermaid are written here; GraphML and node-link JSON come from networkx.
SVG needs Graphviz's ``dot`` program; without it, a clear error says how to install it.
"""

from __future__ import annotations

import html
import inspect
import json
import shutil
import subprocess
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..errors import NetworkError, Problem

if TYPE_CHECKING:
    from .network import ReferralNetwork
    from .pathway import Pathway

__all__ = [
    "from_node_link",
    "pathway_svg",
    "to_dot",
    "to_graphml",
    "to_html_table",
    "to_mermaid",
    "to_node_link",
    "to_svg",
]

_KIND_SHAPE = {
    "LawEnforcement": "box",
    "NGO": "ellipse",
    "CentralGovernmentOrganisation": "box",
    "LocalGovernmentOrganisation": "box",
    "HealthServiceOrganisation": "ellipse",
    "ImmigrationService": "box",
    "LegalService": "ellipse",
    "CorporateBusiness": "ellipse",
}


def _dot_id(text: str) -> str:
    # Newlines become DOT's own line break, so a label never spans source lines.
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n") + '"'


def to_dot(network: ReferralNetwork, highlight: Pathway | None = None) -> str:
    """Graphviz DOT text; unconfirmed channels are dashed, a pathway is drawn bold."""
    on_path = {s.channel for s in highlight.steps} if highlight else set()
    lines = [
        f"digraph {_dot_id(network.spec.id)} {{",
        "  rankdir=LR;",
        '  node [fontname="Helvetica"];',
    ]
    for inst in network.spec.institutions:
        attrs = [
            f"label={_dot_id(inst.name.en)}",
            f"shape={_KIND_SHAPE.get(inst.kind.value, 'ellipse')}",
        ]
        if inst.first_contact:
            attrs.append("peripheries=2")
        if highlight and inst.id in highlight.institutions:
            attrs.append("style=bold")
        lines.append(f"  {_dot_id(inst.id)} [{', '.join(attrs)}];")
    for ch in network.spec.channels:
        conf = network.spec.provenance_of(ch).confidence
        attrs = [f"label={_dot_id(ch.stage.value + (' (consent)' if ch.consent else ''))}"]
        if conf is None or conf.value != "confirmed":
            attrs.append("style=dashed")
        if ch.id in on_path:
            attrs.append("penwidth=3")
        lines.append(f"  {_dot_id(ch.from_)} -> {_dot_id(ch.to)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    # A Mermaid statement is one line; quotes would end the label.
    return " ".join(text.split()).replace('"', "#quot;")


def to_mermaid(network: ReferralNetwork) -> str:
    """Mermaid flowchart text (renders in GitHub, GitLab and many wikis)."""
    ids = {inst.id: f"n{k}" for k, inst in enumerate(network.spec.institutions)}
    lines = ["flowchart LR"]
    for inst in network.spec.institutions:
        open_, close = ("([", "])") if inst.first_contact else ("[", "]")
        lines.append(f'  {ids[inst.id]}{open_}"{_mermaid_text(inst.name.en)}"{close}')
    for ch in network.spec.channels:
        conf = network.spec.provenance_of(ch).confidence
        arrow = "-->" if conf is not None and conf.value == "confirmed" else "-.->"
        label = ch.stage.value + (" (consent)" if ch.consent else "")
        lines.append(f'  {ids[ch.from_]} {arrow}|"{_mermaid_text(label)}"| {ids[ch.to]}')
    return "\n".join(lines) + "\n"


def _graphml_safe(graph: nx.MultiDiGraph[str]) -> nx.MultiDiGraph[str]:
    # GraphML attributes are scalars: lists become JSON text, missing values are left out.
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph(
        **{k: v for k, v in graph.graph.items() if v is not None}
    )
    for node, data in graph.nodes(data=True):
        g.add_node(
            node,
            **{
                k: (json.dumps(v) if isinstance(v, list) else v)
                for k, v in data.items()
                if v is not None
            },
        )
    for u, v, key, data in graph.edges(keys=True, data=True):
        g.add_edge(u, v, key=key, **{k: val for k, val in data.items() if val is not None})
    return g


def to_graphml(network: ReferralNetwork) -> str:
    """GraphML text (for Gephi, yEd, Cytoscape)."""
    return "\n".join(nx.generate_graphml(_graphml_safe(network.graph))) + "\n"


# networkx 3.4 renamed the keyword that names the list of edges ("link" -> "edges");
# the data always calls it "edges", whichever networkx is installed.
_EDGES_KEYWORD: dict[str, str] = (
    {"edges": "edges"}
    if "edges" in inspect.signature(nx.node_link_data).parameters
    else {"link": "edges"}
)


def to_node_link(network: ReferralNetwork) -> dict[str, Any]:
    """networkx node-link data: JSON-ready, and back with :func:`from_node_link`.

    Nodes carry the institution attributes and edges the channel attributes of
    :attr:`ReferralNetwork.graph`, edges keyed by channel id (``"key"``).
    """
    return nx.node_link_data(network.graph, **_EDGES_KEYWORD)


def from_node_link(data: Mapping[str, Any]) -> nx.MultiDiGraph[str]:
    """The :class:`networkx.MultiDiGraph` of node-link data written by :func:`to_node_link`.

    Raises :class:`NetworkError` when ``data`` is not node-link data.
    """
    if (
        not isinstance(data, Mapping)
        or not isinstance(data.get("nodes"), list)
        or not isinstance(data.get("edges"), list)
    ):
        raise NetworkError(
            Problem(
                "expected node-link data: a mapping with lists 'nodes' and 'edges'",
                source="node-link",
            )
        )
    try:
        graph = nx.node_link_graph(dict(data), directed=True, multigraph=True, **_EDGES_KEYWORD)
    except (KeyError, TypeError, nx.NetworkXError) as exc:
        raise NetworkError(
            Problem(f"malformed node-link data ({type(exc).__name__}: {exc})", source="node-link")
        ) from None
    if not isinstance(graph, nx.MultiDiGraph):
        # The data said directed: false or multigraph: false; a referral network is neither.
        graph = nx.MultiDiGraph(graph)
    return graph


def _run_dot(dot: str) -> str:
    exe = shutil.which("dot")
    if exe is None:
        raise NetworkError(
            Problem(
                "drawing needs Graphviz's 'dot' program, which is not installed; install it "
                "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz) or "
                "export DOT text (thbscreen network export NETWORK --format dot) and draw it elsewhere",
                source="graphviz",
            )
        )
    try:
        done = subprocess.run(  # noqa: S603 - a fixed program fed our own DOT text
            [exe, "-Tsvg"], input=dot, capture_output=True, text=True, check=False, timeout=60
        )
    except subprocess.TimeoutExpired:
        raise NetworkError(
            Problem(
                "Graphviz took longer than 60 seconds; export DOT text and draw it elsewhere",
                source="graphviz",
            )
        ) from None
    except OSError as exc:
        raise NetworkError(
            Problem(
                f"cannot run Graphviz's 'dot' ({exe}): {exc.strerror or exc}", source="graphviz"
            )
        ) from None
    if done.returncode != 0:
        raise NetworkError(
            Problem(f"Graphviz failed: {done.stderr.strip()[:300]}", source="graphviz")
        )
    return done.stdout


def to_svg(network: ReferralNetwork) -> str:
    """An SVG picture of the network (needs Graphviz)."""
    return _run_dot(to_dot(network))


def pathway_svg(path: Pathway, network: ReferralNetwork | None = None) -> str:
    """An SVG picture of a pathway: only the institutions and channels it uses."""
    lines = ["digraph pathway {", "  rankdir=LR;", '  node [fontname="Helvetica", shape=box];']
    for inst in path.institutions:
        peripheries = ", peripheries=2" if inst == path.start else ""
        lines.append(f"  {_dot_id(inst)} [label={_dot_id(inst)}{peripheries}];")
    for step in path.steps:
        label = step.stage + (" (consent)" if step.consent else "")
        if step.services:
            label += "\\n" + ", ".join(step.services)
        lines.append(f"  {_dot_id(step.from_)} -> {_dot_id(step.to)} [label={_dot_id(label)}];")
    lines.append("}")
    return _run_dot("\n".join(lines) + "\n")


def to_html_table(network: ReferralNetwork) -> str:
    """A plain HTML view (no scripts), for Jupyter when Graphviz is absent."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(ch.from_)}</td><td>{e(ch.to)}</td><td>{e(ch.stage.value)}</td>"
        f"<td>{'yes' if ch.consent else ''}</td><td><code>{e(ch.when or 'true')}</code></td></tr>"
        for ch in network.spec.channels
    )
    return (
        f"<div><p><b>{e(network.spec.title.en)}</b> ({e(network.spec.id)} {e(network.spec.version)}): "
        f"{len(network.institutions)} institutions, {len(network.channels)} channels</p>"
        "<table><tr><th>from</th><th>to</th><th>stage</th><th>consent</th><th>when</th></tr>"
        f"{rows}</table></div>"
    )
