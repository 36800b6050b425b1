"""The ``thbscreen`` command.

Exit status: 0 success; 1 checks or tests failed; 2 bad usage or bad input. No
traceback ever reaches the user: every error is one located message.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ._cli_common import (
    AuditTarget,
    ErrorHandlingGroup,
    audit_options,
    format_option,
    lang_option,
    open_audit,
)

__all__ = ["main"]

DEFAULT_RULES = "ilo-ec-2009/adult-labour"
DEFAULT_NETWORK = "referral/slovenia"


@click.group(cls=ErrorHandlingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thbscreen")
def main() -> None:
    """Indicator-based screening of possible victims of trafficking in human beings.

    Results support, and never replace, the judgement of a trained professional.
    """


def _progress(items: list[Any], label: str) -> Any:
    if sys.stdout.isatty() and len(items) > 20:
        return click.progressbar(items, label=label, file=sys.stderr)
    import contextlib

    return contextlib.nullcontext(items)


def _is_pipe(cases: tuple[str, ...]) -> bool:
    """``-`` alone means subprocess mode; mixed with files it is a usage error."""
    if "-" not in cases:
        return False
    if len(cases) > 1:
        raise click.UsageError("'-' (read cases from stdin) cannot be mixed with case files")
    return True


def _run_pipe(handle: Any) -> None:
    from .pipe import run_pipe

    summary = run_pipe(sys.stdin, sys.stdout, handle)
    if summary.failed:
        click.echo(
            f"thbscreen: {summary.failed} of {summary.read} records refused (see their lines)",
            err=True,
        )
        sys.exit(2)


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--rules",
    "rules",
    default=None,
    help="Rule set name or path (default: the case file's own, else ilo-ec-2009/adult-labour).",
)
@lang_option
@audit_options
@format_option
def screen(
    cases: tuple[str, ...],
    rules: str | None,
    lang: str,
    audit_log: str | None,
    salt_file: str | None,
    user: str | None,
    timestamp: str | None,
    fmt: str,
) -> None:
    """Screen case files and explain each assessment.

    With CASES given as -, read cases as JSON Lines (or one JSON array) from stdin
    and write one JSON line per case to stdout, in order: {"line": N, "assessment":
    {...}} or {"line": N, "error": {...}}; exit 2 if any case was refused.

    \b
    Example:
      thbscreen screen examples/cases/adult/seasonal-farm-worker.yaml
      thbscreen screen case.json --rules ilo-ec-2009/child-labour --format json
      thbscreen screen - --rules ilo-ec-2009/adult-labour < cases.jsonl > results.jsonl
      thbscreen screen case.yaml --audit-log audit.jsonl --salt-file audit.salt --user w-17
    """
    from .explain import render

    audit = open_audit(audit_log, salt_file, user, timestamp)
    if _is_pipe(cases):
        from .loading import load_ruleset
        from .screening import Screener

        screener = Screener(load_ruleset(rules or DEFAULT_RULES))

        def handle(case: Any) -> dict[str, Any]:
            a = screener.evaluate(case)
            if audit is not None:
                audit.record(a, case)
            return {"assessment": a.to_dict()}

        _run_pipe(handle)
        return
    results = [a for _, a in _screen_files(cases, rules, audit=audit)]
    if fmt == "json":
        payload: Any = results[0].to_dict() if len(results) == 1 else [a.to_dict() for a in results]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    sep = "\n" + ("-" * 72 + "\n\n" if fmt == "text" else "---\n\n")
    click.echo(sep.join(render(a, fmt, lang=lang) for a in results), nl=False)


def _screen_files(
    cases: tuple[str, ...],
    rules: str | None,
    network: str | None = None,
    audit: AuditTarget | None = None,
) -> list[tuple[Any, Any]]:
    """(case file, assessment) for every case in the files; one screener per rule set."""
    from .loading import load_cases, load_ruleset
    from .referral import load_network
    from .screening import Screener

    screeners: dict[str, Screener] = {}
    network_facts: dict[str, frozenset[str]] = {}

    def screener_for(name: str) -> Screener:
        if name not in screeners:
            screeners[name] = Screener(load_ruleset(name))
        return screeners[name]

    def facts_of(network: str | None) -> frozenset[str]:
        # A case meant for a network may give the network's facts as well.
        if network is None:
            return frozenset()
        if network not in network_facts:
            network_facts[network] = load_network(network).fact_ids
        return network_facts[network]

    out = []
    entries = [cf for path in cases for cf in load_cases(path)]
    with _progress(entries, "screening") as bar:
        for cf in bar:
            screener = screener_for(rules or cf.rules or DEFAULT_RULES)
            allow = facts_of(network or cf.network)
            assessment = screener.evaluate(cf.case, allow_facts=allow)
            if audit is not None:
                audit.record(assessment, cf.case)
            out.append((cf, assessment))
    return out


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--from", "start", required=True, help="The first-contact institution (an id in the network)."
)
@click.option("--rules", default=None, help="Rule set name or path (default: the case file's own).")
@click.option(
    "--network",
    default=None,
    help="Referral network name or path (default: the case file's own, else referral/slovenia).",
)
@lang_option
@audit_options
@format_option
def refer(
    cases: tuple[str, ...],
    start: str,
    rules: str | None,
    network: str | None,
    lang: str,
    audit_log: str | None,
    salt_file: str | None,
    user: str | None,
    timestamp: str | None,
    fmt: str,
) -> None:
    """Screen case files and show the referral pathway from a first-contact institution.

    With CASES given as -, read cases from stdin as "screen -" does and write
    {"line": N, "assessment": {...}, "pathway": {...}} per case.

    \b
    Example:
      thbscreen refer examples/cases/adult/seasonal-farm-worker.yaml --from labour_inspectorate
      thbscreen refer case.yaml --from police --network referral/slovenia --format json
      thbscreen refer - --from police < cases.jsonl
    """
    from .explain import render
    from .referral import load_network, pathway
    from .referral.pathway import check_start
    from .referral.render import render_pathway

    audit = open_audit(audit_log, salt_file, user, timestamp)
    if _is_pipe(cases):
        from .loading import load_ruleset
        from .screening import Screener

        screener = Screener(load_ruleset(rules or DEFAULT_RULES))
        net = load_network(network or DEFAULT_NETWORK)
        check_start(net, start)

        def handle(case: Any) -> dict[str, Any]:
            a = screener.evaluate(case, allow_facts=net.fact_ids)
            if audit is not None:
                audit.record(a, case)
            return {
                "assessment": a.to_dict(),
                "pathway": pathway(net, a, case, start=start).to_dict(),
            }

        _run_pipe(handle)
        return

    networks: dict[str, Any] = {}
    blocks: list[str] = []
    payload: list[dict[str, Any]] = []
    for cf, assessment in _screen_files(cases, rules, network, audit):
        name = network or cf.network or DEFAULT_NETWORK
        if name not in networks:
            networks[name] = load_network(name)
        path = pathway(networks[name], assessment, cf.case, start=start)
        if fmt == "json":
            payload.append({"assessment": assessment.to_dict(), "pathway": path.to_dict()})
        else:
            blocks.append(render(assessment, fmt, lang=lang) + "\n" + render_pathway(path, fmt))
    if fmt == "json":
        click.echo(
            json.dumps(payload[0] if len(payload) == 1 else payload, indent=2, ensure_ascii=False)
        )
        return
    sep = "\n" + ("-" * 72 + "\n\n" if fmt == "text" else "---\n\n")
    click.echo(sep.join(blocks), nl=False)


@main.command("test")
@click.argument("rulesets", nargs=-1, required=True)
@click.option(
    "--coverage",
    "show_coverage",
    is_flag=True,
    help="Also report the indicators, dimension-rule parts and bands the examples exercise.",
)
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PCT",
    help="Exit 1 when a rule set's coverage is below PCT percent (implies --coverage).",
)
@format_option
def test_cmd(
    rulesets: tuple[str, ...], show_coverage: bool, min_coverage: float | None, fmt: str
) -> None:
    """Run the embedded example tests of rule sets (names, files or folders).

    Exits 1 when any example fails, printing expected and actual values, or when
    coverage is below --min-coverage.

    \b
    Example:
      thbscreen test rules/
      thbscreen test ilo-ec-2009/adult-labour
      thbscreen test rules/ilo-ec-2009 --coverage --min-coverage 60
    """
    from .loading import expand_rule_paths, load_ruleset
    from .screening import Screener
    from .testing_examples import Coverage, coverage, run_examples

    show_coverage = show_coverage or min_coverage is not None
    results = []
    covered: list[Coverage] = []
    for item in expand_rule_paths(rulesets):
        rs = load_ruleset(item)
        screener = Screener(rs)
        results.extend(run_examples(rs, screener))
        if show_coverage:
            covered.append(coverage(rs, screener))
    failed = [r for r in results if not r.passed]
    below = [c for c in covered if min_coverage is not None and c.percent < min_coverage]
    if fmt == "json":
        payload: dict[str, Any] = {
            "passed": len(results) - len(failed),
            "failed": len(failed),
            "results": [r.to_dict() for r in results],
        }
        if show_coverage:
            payload["coverage"] = [c.to_dict() for c in covered]
            payload["min_coverage"] = min_coverage
            payload["below_min_coverage"] = [c.ruleset for c in below]
        click.echo(json.dumps(payload, indent=2))
    else:
        md = fmt == "markdown"
        for r in results:
            if r.passed:
                continue
            click.echo(f"{'- **FAIL**' if md else 'FAIL'} {r.ruleset}: {r.name}")
            if r.error:
                click.echo(f"    error: {r.error}")
            for field, expected, actual in r.differences:
                click.echo(
                    f"    {field}:\n      - expected: {expected}\n      + actual:   {actual}"
                )
        by_set: dict[str, list[int]] = {}
        for r in results:
            by_set.setdefault(r.ruleset, [0, 0])[0 if r.passed else 1] += 1
        for name, (ok, bad) in by_set.items():
            click.echo(f"{'- ' if md else ''}{name}: {ok} passed, {bad} failed")
        click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
        for c in covered:
            _echo_coverage(c, md)
        for c in below:
            click.echo(
                f"coverage of {c.ruleset} is {c.percent:.1f}%, below --min-coverage "
                f"{min_coverage:g}%"
            )
    if failed or below:
        sys.exit(1)


def _echo_coverage(c: Any, md: bool) -> None:
    import textwrap

    parts = (
        ("indicators", c.indicators, "indicators never present"),
        ("dimension patterns", c.patterns, "dimension patterns never the first to hold"),
        ("bands", c.bands, "bands never reached"),
    )
    counts = ", ".join(f"{label} {len(x[0])}/{len(x[0]) + len(x[1])}" for label, x, _ in parts)
    head = f"coverage {c.ruleset}: {c.percent:.1f}% ({counts})"
    click.echo(f"\n**{head}**\n" if md else head)
    for _, (_, missing), label in parts:
        if not missing:
            continue
        if md:
            click.echo(f"- {label} ({len(missing)}): " + ", ".join(f"`{m}`" for m in missing))
        else:
            # Each item stays on one line: spaces inside it are not break points.
            text = textwrap.fill(
                "; ".join(m.replace(" ", "\0") for m in missing),
                width=100,
                initial_indent=f"  {label} ({len(missing)}): ",
                subsequent_indent="      ",
                break_on_hyphens=False,
                break_long_words=False,
            )
            click.echo(text.replace("\0", " "))


@main.command()
@click.option(
    "--kind",
    type=click.Choice(["ruleset", "case", "network", "audit"]),
    default="ruleset",
    show_default=True,
    help="Rule files, case files, referral-network files or audit-log lines (exercise "
    "and answer files: thbscreen exercise schema).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to this file (atomically) instead of stdout.",
)
def schema(kind: str, out: str | None) -> None:
    """Print the JSON Schema of rule files, case files, referral-network files or audit logs.

    \b
    Example:
      thbscreen schema --out rules/schema/ruleset.schema.json
      thbscreen schema --kind case --out rules/schema/case.schema.json
      thbscreen schema --kind network --out rules/schema/network.schema.json
      thbscreen schema --kind audit --out rules/schema/audit-record.schema.json
    """
    from ._io import write_atomic
    from ._schema import audit_schema, case_schema, network_schema, ruleset_schema

    makers = {
        "ruleset": ruleset_schema,
        "case": case_schema,
        "network": network_schema,
        "audit": audit_schema,
    }
    doc = makers[kind]()
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if out:
        write_atomic(out, text)
    else:
        click.echo(text, nl=False)


@main.command()
@format_option
def rules(fmt: str) -> None:
    """List the bundled rule sets with version and confidence.

    \b
    Example:
      thbscreen rules --format json
    """
    from .loading import bundled_rulesets, load_ruleset

    rows = []
    for name in bundled_rulesets():
        rs = load_ruleset(name)
        rows.append(
            {
                "id": rs.id,
                "version": rs.version,
                "title": rs.title.en,
                "confidence": rs.provenance.confidence.value if rs.provenance.confidence else None,
                "indicators": len(rs.indicators),
                "hash": rs.hash,
            }
        )
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if fmt == "markdown":
        click.echo("| id | version | confidence | indicators | title |\n|---|---|---|---|---|")
        for r in rows:
            click.echo(
                f"| `{r['id']}` | {r['version']} | {r['confidence']} | {r['indicators']} | {r['title']} |"
            )
        return
    width = max(len(str(r["id"])) for r in rows) if rows else 10
    for r in rows:
        click.echo(
            f"{r['id']:<{width}}  {r['version']:<8} {r['confidence']:<12} {r['indicators']:>3} indicators  {r['title']}"
        )


def _register() -> None:
    # Commands that live in their own modules; imported here, they load nothing heavy.
    from .cli_authoring import check, diff
    from .cli_batch import batch
    from .cli_exercise import exercise
    from .cli_interop import audit, htcds
    from .cli_lint import lint
    from .cli_network import network
    from .cli_report import cards, report, studio
    from .cli_research import compare, evaluate, synth
    from .cli_serve import serve

    main.add_command(lint)
    main.add_command(network)
    main.add_command(check)
    main.add_command(diff)
    main.add_command(synth)
    main.add_command(evaluate)
    main.add_command(compare)
    main.add_command(batch)
    main.add_command(report)
    main.add_command(cards)
    main.add_command(studio)
    main.add_command(htcds)
    main.add_command(audit)
    main.add_command(exercise)
    main.add_command(serve)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
