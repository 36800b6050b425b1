"""Export: DOT, Mermaid, GraphML and node-link JSON read back; SVG when Graphviz is there."""

from __future__ import annotations

import io
import json
import shutil
from typing import Any

import networkx as nx
import pytest
from hypothesis import given

import thbscreen
from thbscreen import NetworkError
from thbscreen.referral import ReferralNetwork
from thbscreen.referral.export import (
    from_node_link,
    to_dot,
    to_graphml,
    to_html_table,
    to_mermaid,
    to_node_link,
    to_svg,
)

from .network_strategies import load_data, network_data

NETWORKS = {name: thbscreen.load_network(name) for name in thbscreen.bundled_networks()}


def _same_graph(a: nx.MultiDiGraph[str], b: nx.MultiDiGraph[str]) -> None:
    """Isomorphic with equal attributes, and in fact equal: same ids, keys and data."""
    assert nx.is_isomorphic(a, b, node_match=lambda x, y: x == y, edge_match=lambda x, y: x == y)
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
    assert sorted(a.edges(keys=True, data=True), key=repr) == sorted(
        b.edges(keys=True, data=True), key=repr
    )
    assert a.graph == b.graph


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_node_link_round_trip_of_the_bundled_networks(name: str) -> None:
    net = NETWORKS[name]
    data = json.loads(json.dumps(to_node_link(net)))
    _same_graph(from_node_link(data), net.graph)
    assert {e["key"] for e in data["edges"]} == set(net.channels)


@given(network_data())
def test_node_link_round_trip_of_random_networks(data: dict[str, Any]) -> None:
    net = load_data(data)
    text = json.dumps(to_node_link(net), ensure_ascii=False)
    _same_graph(from_node_link(json.loads(text)), net.graph)


def _graphml_back(net: ReferralNetwork) -> nx.MultiDiGraph[str]:
    graph = nx.read_graphml(io.BytesIO(to_graphml(net).encode("utf-8")), force_multigraph=True)
    assert isinstance(graph, nx.MultiDiGraph)
    return graph


@given(network_data())
def test_graphml_parses_back_with_networkx(data: dict[str, Any]) -> None:
    net = load_data(data)
    back = _graphml_back(net)
    assert set(back.nodes) == set(net.graph.nodes)
    assert sorted((u, v, k) for u, v, k in back.edges(keys=True)) == sorted(
        (u, v, k) for u, v, k in net.graph.edges(keys=True)
    )
    for node, attrs in net.graph.nodes(data=True):
        got = back.nodes[node]
        assert got["name"] == attrs["name"]
        assert json.loads(got["services"]) == attrs["services"]  # lists travel as JSON text
        assert got["first_contact"] is attrs["first_contact"]
    for u, v, key, attrs in net.graph.edges(keys=True, data=True):
        got = back.edges[u, v, key]
        assert got["stage"] == attrs["stage"]
        assert got["consent"] is attrs["consent"]
        assert got.get("deadline_days") == attrs["deadline_days"]


def test_graphml_of_the_slovenian_network() -> None:
    net = NETWORKS["referral/slovenia"]
    text = to_graphml(net)
    assert '<graph edgedefault="directed" id="referral/slovenia">' in text
    back = _graphml_back(net)
    assert (back.graph["version"], back.graph["hash"]) == (net.spec.version, net.spec.hash)
    assert back.number_of_edges() == len(net.channels)
    assert back.nodes["police"]["kind"] == "LawEnforcement"


def test_dot_text() -> None:
    net = NETWORKS["referral/slovenia"]
    dot = to_dot(net)
    assert dot.startswith('digraph "referral/slovenia" {')
    assert dot.count(" -> ") == len(net.channels)
    # First contacts have a double border; unconfirmed channels are dashed.
    assert '"police" [label="Police (Policija)", shape=box, peripheries=2];' in dot
    assert '"police" -> "specialised_state_prosecutor" [label="proceedings", style=dashed];' in dot


@given(network_data())
def test_dot_and_mermaid_keep_one_statement_per_line(data: dict[str, Any]) -> None:
    net = load_data(data)
    dot = to_dot(net).splitlines()
    assert len(dot) == 4 + len(net.institutions) + len(net.channels)
    for line in dot[3:-1]:
        # Every quote inside a DOT string is escaped: an even number of bare quotes.
        assert line.replace("\\\\", "").replace('\\"', "").count('"') % 2 == 0
    mermaid = to_mermaid(net).splitlines()
    assert len(mermaid) == 1 + len(net.institutions) + len(net.channels)


def test_mermaid_text() -> None:
    mermaid = to_mermaid(NETWORKS["referral/slovenia"])
    assert mermaid.startswith("flowchart LR\n")
    assert '  n0(["Police (Policija)"])' in mermaid  # first contact: rounded
    assert '  n0 -->|"first_assistance (consent)"| n5' in mermaid  # confirmed: solid


def test_html_table_escapes() -> None:
    html = to_html_table(NETWORKS["referral/slovenia"])
    assert "<script" not in html
    assert "&quot;victim&quot;" in html


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"nodes": []},
        {"nodes": [{"id": "a"}], "edges": [{"source": "a"}]},
        {"nodes": 3, "edges": []},
    ],
)
def test_from_node_link_rejects_other_data(data: Any) -> None:
    with pytest.raises(NetworkError, match="node-link"):
        from_node_link(data)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_svg_with_graphviz() -> None:
    svg = to_svg(NETWORKS["referral/slovenia"])
    assert "<svg" in svg
    assert "Policija" in svg


def test_svg_without_graphviz_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(NetworkError, match="apt-get install graphviz") as info:
        to_svg(NETWORKS["referral/slovenia"])
    assert "brew install graphviz" in str(info.value)
    # Jupyter gets None (and falls back to HTML) instead of an error.
    assert NETWORKS["referral/slovenia"]._repr_svg_() is None
