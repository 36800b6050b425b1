"""``thbscreen network``: check, analyse, export and draw referral networks.

Registered in :mod:`thbscreen.cli` with ``main.add_command(network)``. The same exit
status as every thbscreen command: 0 success; 1 checks failed (``check`` found an error,
``coverage --fail-on-gap`` found a gap); 2 bad usage or bad input.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from ._cli_common import ErrorHandlingGroup, format_option

__all__ = ["network"]

EXPORT_FORMATS = click.Choice(["dot", "mermaid", "graphml", "json"])
F = TypeVar("F", bound=Callable[..., Any])


def _network_argument(f: F) -> F:
    return click.argument("name", metavar="NETWORK")(f)


def _json(payload: Any) -> None:
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


@click.group("network", cls=ErrorHandlingGroup)
def network() -> None:
    """Check, analyse, export and draw referral networks.

    NETWORK is a bundled network's name (referral/slovenia) or a file.

    \b
    Example:
      thbscreen network check referral/slovenia
      thbscreen network coverage referral/slovenia --from labour_inspectorate
      thbscreen network export referral/slovenia --format mermaid -o slovenia.mmd
    """


# -- check ---------------------------------------------------------------------------------------
@network.command("check", short_help="Check a network's consistency (exit 1 on an error finding).")
@_network_argument
@format_option
def check_cmd(name: str, fmt: str) -> None:
    """Check a network's consistency: services nobody offers, unreachable institutions, ...

    Each finding has a code (NET001...), a severity, a location and a fix hint. Exits 1
    when any finding is an error.

    \b
    Example:
      thbscreen network check referral/slovenia
      thbscreen network check my-network.yaml --format json
    """
    from .referral.analysis import check, summarize
    from .referral.network import load_network

    net = load_network(name)
    findings = check(net)
    counts = summarize(findings)
    head = f"{net.spec.id} {net.spec.version}"
    if fmt == "json":
        _json(
            {
                "format": "thbscreen-network-check/1",
                "network": {"id": net.spec.id, "version": net.spec.version, "hash": net.spec.hash},
                "counts": counts,
                "findings": [f.to_dict() for f in findings],
            }
        )
    elif fmt == "markdown":
        click.echo(f"### Network check: `{net.spec.id}` {net.spec.version}\n")
        if findings:
            click.echo("| severity | code | location | message | fix |\n|---|---|---|---|---|")
            for f in findings:
                cells = [f.severity, f.code, f"`{f.location}` `{f.path}`", f.message, f.hint or ""]
                click.echo("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
            click.echo("")
        click.echo(_counts_line(counts))
    else:
        for f in findings:
            click.echo(str(f))
        click.echo(f"{head}: {_counts_line(counts)}")
    if counts["error"]:
        raise SystemExit(1)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _counts_line(counts: dict[str, int]) -> str:
    return f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')}, {counts['info']} info"


# -- coverage ---------------------------------------------------------------------------------------
def _read_profiles(path: str) -> list[Any]:
    from ._yaml import read_located
    from .errors import NetworkError, Problem

    located = read_located(path)
    if not isinstance(located.data, list):
        raise NetworkError(
            located.problem(
                f"expected a list of profiles ({{outcome: ..., facts: {{...}}}}), got {type(located.data).__name__}",
                (),
            )
        )
    if not located.data:
        raise NetworkError(Problem("the profile file lists no profile", source=located.source))
    return located.data


def _labels(labels: Sequence[str], shown: int = 4) -> str:
    head = "; ".join(labels[:shown])
    rest = len(labels) - shown
    return head + (f"; and {rest} more" if rest > 0 else "")


@network.command("coverage", short_help="Which needed services each kind of case can reach.")
@_network_argument
@click.option(
    "--from",
    "starts",
    multiple=True,
    metavar="INSTITUTION",
    help="Start from this institution (repeatable; default: every first-contact institution).",
)
@click.option(
    "--profiles",
    "profiles_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="YAML or JSON list of profiles ({outcome: ..., facts: {...}, label: ...}) instead of the default ones.",
)
@click.option(
    "--fail-on-gap", is_flag=True, help="Exit 1 when some profile cannot reach a needed service."
)
@format_option
def coverage_cmd(
    name: str, starts: tuple[str, ...], profiles_file: str | None, fail_on_gap: bool, fmt: str
) -> None:
    """Which needed services each kind of case can reach from each first contact.

    A profile is an outcome band with facts (age, legal status, form of exploitation);
    by default every outcome that needs a service x adult and child x every form of
    exploitation x every legal status the network declares. Channels are followed with
    the rules of a pathway: only where their condition holds and the receiving
    institution admits the person.

    \b
    Example:
      thbscreen network coverage referral/slovenia
      thbscreen network coverage referral/slovenia --from police --format json
      thbscreen network coverage my-network.yaml --profiles profiles.yaml --fail-on-gap
    """
    from .referral.analysis import coverage
    from .referral.network import load_network

    net = load_network(name)
    profiles = _read_profiles(profiles_file) if profiles_file else None
    cov = coverage(net, profiles, starts or None)
    if fmt == "json":
        _json(cov.to_dict())
    else:
        md = fmt == "markdown"
        gaps = cov.gaps
        title = f"Coverage of {net.spec.id} {net.spec.version}"
        click.echo(f"### {title}\n" if md else title)
        click.echo(
            f"{_plural(len(cov.profiles), 'profile')} x {_plural(len(cov.starts), 'starting institution')}: "
            f"{len(cov.rows) - len(gaps)} of {len(cov.rows)} reach every needed service."
        )
        missing = cov.missing_by_service()
        if missing:
            click.echo("")
            click.echo(
                "**Services out of reach** (profile x start rows)\n"
                if md
                else "Services out of reach (profile x start rows):"
            )
            for sid, n in missing.items():
                click.echo(f"- `{sid}`: {n}" if md else f"  {sid}: {n}")
        undecided = sorted({s for r in cov.rows for s in r.undecided})
        if undecided:
            click.echo("")
            click.echo(
                "Whether these are needed depends on facts the profiles do not give: "
                + ", ".join(undecided)
            )
        grouped: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for r in gaps:
            grouped.setdefault((r.start, r.unreached), []).append(r.profile)
        if grouped:
            click.echo("")
            click.echo("**Gaps**\n" if md else "Gaps:")
            for (start, unreached), labels in grouped.items():
                line = f"{start} cannot reach {', '.join(unreached)} for {_plural(len(labels), 'profile')}: {_labels(labels)}"
                click.echo(f"- {line}" if md else f"  {line}")
    if fail_on_gap and cov.gaps:
        raise SystemExit(1)


# -- bottlenecks --------------------------------------------------------------------------------------
@network.command(
    "bottlenecks", short_help="Articulation points, bridges and single points of failure."
)
@_network_argument
@click.option(
    "--top",
    default=10,
    show_default=True,
    type=click.IntRange(min=0),
    help="How many institutions to rank by betweenness.",
)
@click.option(
    "--samples",
    type=click.IntRange(min=0),
    default=None,
    help="Sources sampled for betweenness; 0 = exact (default: exact for small networks).",
)
@format_option
def bottlenecks_cmd(name: str, top: int, samples: int | None, fmt: str) -> None:
    """Weak points of the channel graph: articulation points, bridges, single points of failure.

    Computed on the channels as drawn (conditions ignored). A single point of failure
    of a first-contact institution is an institution that every route from it to some
    needed service passes through (including the only provider of a service).

    \b
    Example:
      thbscreen network bottlenecks referral/slovenia
      thbscreen network bottlenecks big-network.yaml --samples 50 --format json
    """
    from .referral.analysis import bottlenecks
    from .referral.network import load_network

    net = load_network(name)
    result = bottlenecks(net, top=top, samples="auto" if samples is None else (samples or "exact"))
    if fmt == "json":
        _json(result.to_dict())
        return
    md = fmt == "markdown"
    title = (
        f"Bottlenecks of {net.spec.id} {net.spec.version} (channels as drawn, conditions ignored)"
    )
    click.echo(f"### {title}\n" if md else title)

    def item(text: str) -> str:
        return f"- {text}" if md else f"  {text}"

    click.echo(f"Articulation points: {', '.join(result.articulation_points) or 'none'}")
    click.echo(f"Bridges (channels): {', '.join(result.bridges) or 'none'}")
    how = (
        "exact"
        if result.betweenness_samples is None
        else f"estimated from {result.betweenness_samples} sampled sources"
    )
    click.echo(f"\nBetweenness centrality ({how}), top {top}:" + ("\n" if md else ""))
    for inst, c in result.betweenness:
        click.echo(item(f"{inst}: {c:.4f}"))
    click.echo(
        "\nSingle points of failure (start: institution -> needed services lost):"
        + ("\n" if md else "")
    )
    if not result.single_points_of_failure:
        click.echo(item("none"))
    for s in result.single_points_of_failure:
        services = ", ".join(f"{x} (sole provider)" if x in s.provides else x for x in s.services)
        click.echo(item(f"{s.start}: {s.institution} -> {services}"))


# -- export and draw ----------------------------------------------------------------------------------
@network.command("export", short_help="Export as DOT, Mermaid, GraphML or node-link JSON.")
@_network_argument
@click.option(
    "--format", "fmt", type=EXPORT_FORMATS, default="dot", show_default=True, help="Output format."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to this file (atomically) instead of standard output.",
)
def export_cmd(name: str, fmt: str, output: str | None) -> None:
    """Export a network as Graphviz DOT, Mermaid, GraphML or node-link JSON.

    JSON is networkx node-link data (networkx.node_link_graph reads it back); GraphML
    opens in Gephi, yEd and Cytoscape; Mermaid renders in GitHub and GitLab.

    \b
    Example:
      thbscreen network export referral/slovenia --format mermaid
      thbscreen network export referral/slovenia --format graphml -o slovenia.graphml
    """
    from ._io import write_atomic
    from .referral.export import to_dot, to_graphml, to_mermaid, to_node_link
    from .referral.network import load_network

    net = load_network(name)
    if fmt == "json":
        text = json.dumps(to_node_link(net), indent=2, ensure_ascii=False) + "\n"
    else:
        text = {"dot": to_dot, "mermaid": to_mermaid, "graphml": to_graphml}[fmt](net)
    if output:
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


@network.command("draw", short_help="Draw a network as SVG (needs Graphviz).")
@_network_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    required=True,
    help="The SVG file to write (atomically).",
)
def draw_cmd(name: str, output: str) -> None:
    """Draw a network as SVG with Graphviz (needs Graphviz's dot program).

    First-contact institutions have a double border; channels that are not confirmed
    are dashed.

    \b
    Example:
      thbscreen network draw referral/slovenia -o slovenia.svg
    """
    from ._io import write_atomic
    from .referral.export import to_svg
    from .referral.network import load_network

    svg = to_svg(load_network(name))
    write_atomic(output, svg)
