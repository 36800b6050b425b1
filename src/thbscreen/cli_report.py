"""``thbscreen report``, ``cards`` and ``studio``: pages people look at.

Registered in :mod:`thbscreen.cli` with ``main.add_command(...)``. Exit status as for
every thbscreen command: 0 success; 2 bad usage or bad input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ._cli_common import lang_option

__all__ = ["cards", "report", "studio"]


def _checked_lang(lang: str) -> str:
    from .report._texts import check_lang

    try:
        return check_lang(lang)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--lang") from None


def _checked_output(path: str) -> Path:
    out = Path(path)
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise click.BadParameter(f"no folder {str(parent)!r} to write into", param_hint="--html")
    return out


def _html_option(f: Any) -> Any:
    return click.option(
        "--html",
        "out",
        required=True,
        type=click.Path(dir_okay=False),
        metavar="OUT",
        help="The HTML file to write (atomically; one self-contained file).",
    )(f)


@click.command("report")
@click.argument("cases", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--rules", default=None, help="Rule set name or path (default: the case file's own).")
@click.option(
    "--network",
    default=None,
    help="Referral network name or path (default: the case file's own, else referral/slovenia); used with --from.",
)
@click.option(
    "--from",
    "start",
    default=None,
    metavar="INSTITUTION",
    help="Draw the referral pathway from this first-contact institution.",
)
@click.option("--title", default=None, help="The page's title (default: from the case ids).")
@_html_option
@lang_option
def report(
    cases: tuple[str, ...],
    rules: str | None,
    network: str | None,
    start: str | None,
    title: str | None,
    out: str,
    lang: str,
) -> None:
    """Write screened cases as one self-contained HTML report.

    The outcome, a picture of the dimensions, the indicators present with their
    evidence, the next questions, the unknowns, the referral pathway as a diagram
    (with --from), the rule set's provenance and the disclaimer. No scripts, nothing
    fetched; large type for a projector and a print style sheet.

    \b
    Example:
      thbscreen report examples/cases/adult/seasonal-farm-worker.yaml --html farm.html
      thbscreen report examples/cases/adult/*.yaml --from labour_inspectorate --html adults.html
    """
    from ._io import write_atomic
    from .cli import DEFAULT_NETWORK, _screen_files
    from .referral import NoReferralPath, Pathway, ReferralNetwork, load_network, pathway
    from .report import cases_report, html_report

    lang = _checked_lang(lang)
    target = _checked_output(out)
    if network is not None and start is None:
        raise click.UsageError("--network draws a pathway only together with --from INSTITUTION")
    screened = _screen_files(cases, rules, network)
    net: ReferralNetwork | None = None
    paths: list[Pathway | str | None] = []
    if start is not None:
        names = {network or cf.network or DEFAULT_NETWORK for cf, _ in screened}
        if len(names) > 1:
            raise click.UsageError(
                f"the cases name different networks ({', '.join(sorted(names))}); choose one with --network"
            )
        net = load_network(names.pop())
    for cf, assessment in screened:
        if net is None or start is None:
            paths.append(None)
            continue
        try:
            paths.append(pathway(net, assessment, cf.case, start=start))
        except NoReferralPath as exc:
            paths.append(exc.problems[0].message)
    if len(screened) == 1:
        (cf, assessment), path = screened[0], paths[0]
        page = html_report(
            assessment,
            pathway=path if isinstance(path, Pathway) else None,
            pathway_problem=path if isinstance(path, str) else None,
            network=net,
            lang=lang,
            title=title or (cf.title.get(lang)[0] if cf.title else None),
        )
    else:
        entries = [
            (_case_heading(cf, k, lang), a, p)
            for k, ((cf, a), p) in enumerate(zip(screened, paths, strict=True), 1)
        ]
        page = cases_report(
            title or f"Screening report: {len(entries)} cases", entries, network=net, lang=lang
        )
    write_atomic(target, page)
    click.echo(
        f"wrote {target} ({len(screened)} case{'s' if len(screened) != 1 else ''})", err=True
    )


def _case_heading(cf: Any, k: int, lang: str) -> str:
    if cf.title is not None:
        title: str = cf.title.get(lang)[0]
        return f"{cf.id}: {title}" if cf.id else title
    return str(cf.id) if cf.id else f"Case {k}"


@click.command("cards")
@click.option(
    "--rules",
    default="ilo-ec-2009/adult-labour",
    show_default=True,
    help="Rule set name or path.",
)
@_html_option
@lang_option
def cards(rules: str, out: str, lang: str) -> None:
    """Write a rule set's indicators as printable cards, by dimension and strength.

    One card per indicator with its question and grade; each dimension starts a new
    printed page.

    \b
    Example:
      thbscreen cards --rules ilo-ec-2009/adult-labour --html cards.html
      thbscreen cards --rules my-rules.yaml --lang sl --html kartice.html
    """
    from ._io import write_atomic
    from .loading import load_ruleset
    from .report import indicator_cards

    lang = _checked_lang(lang)
    target = _checked_output(out)
    rs = load_ruleset(rules)
    write_atomic(target, indicator_cards(rs, lang=lang))
    click.echo(f"wrote {target} ({len(rs.indicators)} cards)", err=True)


@click.command("studio")
@click.option(
    "--rules",
    default="ilo-ec-2009/adult-labour",
    show_default=True,
    help="Rule set name or path.",
)
@click.option("--network", default=None, help="Referral network name or path (shows pathways).")
@click.option(
    "--from",
    "start",
    default=None,
    metavar="INSTITUTION",
    help="First-contact institution selected at first (default: the network's first).",
)
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="127.0.0.1 or localhost; the studio never serves other machines.",
)
@lang_option
def studio(
    rules: str, network: str | None, start: str | None, port: int, host: str, lang: str
) -> None:
    """Serve the trainer's page on this machine: tick indicators, see the assessment.

    For live demonstrations: each indicator has present / absent / unknown; the
    outcome, the dimensions, the evidence, the next questions and (with --network) the
    referral pathway update at once. Nothing is stored and nothing is logged. Stop
    with Ctrl-C.

    \b
    Example:
      thbscreen studio
      thbscreen studio --rules ilo-ec-2009/child-labour --network referral/slovenia --port 8080
    """
    from .loading import load_ruleset
    from .referral import load_network
    from .report.studio import Studio, studio_server

    lang = _checked_lang(lang)
    rs = load_ruleset(rules)
    net = load_network(network) if network else None
    app = Studio(rs, net, lang=lang, start=start)
    try:
        server = studio_server(app, host=host, port=port)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--host") from None
    except OSError as exc:
        raise click.BadParameter(
            f"cannot listen on port {port} ({exc.strerror}); choose another, or 0 for any free port",
            param_hint="--port",
        ) from None
    from .explain import DISCLAIMER

    click.echo(f"thbscreen studio for {rs.id} {rs.version}: {server.url}")
    click.echo(DISCLAIMER)
    click.echo("Nothing is stored or logged. Press Ctrl-C to stop.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()
