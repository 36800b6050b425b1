"""``thbscreen htcds`` (HTCDS records in and out) and ``thbscreen audit`` (audit logs).

Registered in :mod:`thbscreen.cli` with ``main.add_command(htcds)`` and
``main.add_command(audit)``. Exit status as every thbscreen command: 0 success; 1 checks
failed (``audit verify`` found a record that does not match); 2 bad usage or bad input.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._cli_common import ErrorHandlingGroup, audit_options, format_option, open_audit

if TYPE_CHECKING:
    from .interop.htcds import HtcdsMapping, ImportResult

__all__ = ["audit", "htcds"]


def _json(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


# -- reading record files ---------------------------------------------------------------------
def _records(path: str) -> Iterator[tuple[str, int, Any, Any]]:
    """``(label, number, record, locate)`` for each record in a JSON, YAML or CSV file."""
    from ._yaml import Located, PathT, read_located
    from .errors import CaseDataError, Problem

    if path.lower().endswith(".csv"):
        yield from _csv_records(path)
        return
    located = read_located(path)
    data = located.data
    items = data if isinstance(data, list) else [data]
    for i, item in enumerate(items):
        prefix: PathT = (i,) if isinstance(data, list) else ()

        def locate(
            message: str, at: PathT, _prefix: PathT = prefix, _loc: Located = located
        ) -> CaseDataError:
            return CaseDataError(_loc.problem(message, (*_prefix, *at)))

        if not isinstance(item, dict):
            raise CaseDataError(
                Problem(
                    "expected a record (a mapping of HTCDS field to value) or a list of records",
                    source=path,
                    path="$" + (f"[{i}]" if prefix else ""),
                )
            )
        yield f"{path}#{i + 1}", i + 1, item, locate


def _csv_records(path: str) -> Iterator[tuple[str, int, Any, Any]]:
    """Rows of a spreadsheet export: one record per row, multiselect cells ';'-separated."""
    import csv

    from ._yaml import PathT, format_path
    from .errors import CaseDataError, Problem

    try:
        fh = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise CaseDataError(
            Problem(f"cannot read file: {exc.strerror or exc}", source=path)
        ) from None
    with fh:
        reader = csv.DictReader(fh)
        try:
            for n, row in enumerate(reader, start=1):
                line = reader.line_num

                def locate(message: str, at: PathT, _line: int = line) -> CaseDataError:
                    return CaseDataError(
                        Problem(message, source=path, line=_line, path=format_path(at))
                    )

                if None in row:
                    raise locate("more cells than column names", ())
                # An empty cell is no value; the field is still reported if unmapped.
                yield (
                    f"{path}#{n}",
                    n,
                    {k: (v if v != "" else None) for k, v in row.items()},
                    locate,
                )
        except csv.Error as exc:
            raise CaseDataError(
                Problem(f"not valid CSV: {exc}", source=path, line=reader.line_num)
            ) from None
        except UnicodeDecodeError:
            raise CaseDataError(Problem("not UTF-8 text", source=path)) from None


def _import_all(files: tuple[str, ...], mapping: HtcdsMapping) -> list[tuple[str, ImportResult]]:
    from .interop.htcds import read_record

    return [
        (label, read_record(record, mapping, locate=locate))
        for path in files
        for label, _, record, locate in _records(path)
    ]


def _load(mapping_name: str, rules: str | None) -> tuple[HtcdsMapping, Any]:
    from .interop.htcds import load_mapping
    from .loading import load_ruleset

    ruleset = load_ruleset(rules) if rules else None
    mapping = load_mapping(mapping_name, ruleset)
    return mapping, ruleset if ruleset is not None else load_ruleset(mapping.rules)


def _unmapped_lines(result: ImportResult) -> list[str]:
    return [
        f"  unmapped {u.path}" + (f" ({u.value})" if u.value else "") + f": {u.reason}"
        for u in result.unmapped
    ]


_MAPPING_OPTION = click.option(
    "--mapping",
    "mapping_name",
    default="htcds/adult-labour",
    show_default=True,
    help="HTCDS mapping: a bundled name (see `thbscreen htcds mappings`) or a file.",
)
_RULES_OPTION = click.option(
    "--rules",
    default=None,
    help="Rule set (name or file) the mapping is for, when it is not bundled.",
)
_RECORDS_ARGUMENT = click.argument(
    "records", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=False)
)


@click.group("htcds", cls=ErrorHandlingGroup)
def htcds() -> None:
    """Read HTCDS-style case records and write results back as HTCDS-style fields.

    RECORDS are JSON or YAML files (one record or a list) or CSV spreadsheet exports (one
    record per row, multiselect values separated by ';'), keyed by HTCDS field names such
    as vic_MethodsOfControl.

    \b
    Example:
      thbscreen htcds import examples/htcds/records.json --mapping htcds/adult-labour
      thbscreen htcds screen examples/htcds/records.json --from labour_inspectorate -o out.json
    """


@htcds.command("mappings", short_help="List the bundled HTCDS mappings.")
@format_option
def mappings_cmd(fmt: str) -> None:
    """List the bundled HTCDS mappings with their rule set and how many values map.

    \b
    Example:
      thbscreen htcds mappings --format json
    """
    from .interop.htcds import bundled_mappings, load_mapping

    rows = []
    for name in bundled_mappings():
        m = load_mapping(name)
        values = [vm for fm in m.fields for vm in fm.values]
        rows.append(
            {
                "id": m.id,
                "version": m.version,
                "rules": m.rules,
                "values": len(values),
                "to_indicators": sum(1 for vm in values if vm.indicators),
                "confidence": m.provenance.confidence.value if m.provenance.confidence else None,
            }
        )
    if fmt == "json":
        click.echo(_json(rows), nl=False)
    elif fmt == "markdown":
        click.echo("| mapping | version | rule set | values mapped to indicators | confidence |")
        click.echo("|---|---|---|---|---|")
        for r in rows:
            click.echo(
                f"| `{r['id']}` | {r['version']} | `{r['rules']}` | {r['to_indicators']} of "
                f"{r['values']} | {r['confidence']} |"
            )
    else:
        for r in rows:
            click.echo(
                f"{r['id']:<24} {r['version']:<7} {r['rules']:<28} "
                f"{r['to_indicators']}/{r['values']} values map  {r['confidence']}"
            )


@htcds.command(
    "import", short_help="Read HTCDS-style records into cases, reporting unmapped fields."
)
@_RECORDS_ARGUMENT
@_MAPPING_OPTION
@_RULES_OPTION
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Also write one case file per record here (record-0001.json, ...), atomically.",
)
@format_option
def import_cmd(
    records: tuple[str, ...], mapping_name: str, rules: str | None, out_dir: str | None, fmt: str
) -> None:
    """Read HTCDS-style records into thbscreen cases through a mapping.

    Every field and value is accounted for: it maps to indicators (or a fact), or it is
    reported as unmapped with its path and why. A method of control a record does not
    list leaves its indicators unknown, never absent.

    \b
    Example:
      thbscreen htcds import examples/htcds/records.json --format json
      thbscreen htcds import cases.csv --mapping htcds/forced-labour-11 --out-dir cases/
    """
    from ._io import write_atomic

    mapping, _ = _load(mapping_name, rules)
    results = _import_all(records, mapping)
    if out_dir is not None:
        target = Path(out_dir)
        target.mkdir(parents=True, exist_ok=True)
        for n, (_, result) in enumerate(results, start=1):
            write_atomic(target / f"record-{n:04d}.json", _json(result.to_dict()["case"]))
    if fmt == "json":
        click.echo(_json([r.to_dict() for _, r in results]), nl=False)
        return
    md = fmt == "markdown"
    for label, result in results:
        case = result.case
        head = f"{label}: case {case.id or '(no id)'}: {len(case.indicators)} indicators present, "
        head += f"{len(result.matches)} values mapped, {len(result.unmapped)} unmapped"
        click.echo(f"- **{head}**" if md else head)
        for line in _unmapped_lines(result):
            click.echo(("  -" + line[1:]) if md else line)
    if out_dir is not None:
        click.echo(f"wrote {len(results)} case files to {out_dir}")


@htcds.command("screen", short_help="Screen HTCDS-style records and write HTCDS-style output.")
@_RECORDS_ARGUMENT
@_MAPPING_OPTION
@_RULES_OPTION
@click.option(
    "--from",
    "start",
    default=None,
    help="First-contact institution: also export the referral pathway from it.",
)
@click.option(
    "--network",
    default=None,
    help="Referral network (name or file) for --from (default: referral/slovenia).",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the HTCDS-style JSON here (atomically) instead of stdout.",
)
@audit_options
@format_option
def screen_cmd(
    records: tuple[str, ...],
    mapping_name: str,
    rules: str | None,
    start: str | None,
    network: str | None,
    out: str | None,
    audit_log: str | None,
    salt_file: str | None,
    user: str | None,
    timestamp: str | None,
    fmt: str,
) -> None:
    """Screen HTCDS-style records and write each back as an HTCDS-style record.

    The output keeps every field of the input record: mapped fields in place (with
    values the assessment adds), unknown fields under "thbscreen_unmapped", and the
    screening result under "thbscreen" with the disclaimer. With --from, the referral
    pathway's outgoing referrals fill cas_ReferredOrganisation and its reason and details.
    The JSON goes to --out (or stdout with --format json); text and markdown summarise.

    \b
    Example:
      thbscreen htcds screen examples/htcds/records.json --format json
      thbscreen htcds screen records.csv --from labour_inspectorate -o screened.json
      thbscreen htcds screen records.json --audit-log audit.jsonl --salt-file audit.salt --user w-17
    """
    from ._io import write_atomic
    from .explain import DISCLAIMER
    from .interop.htcds import export
    from .screening import Screener

    log = open_audit(audit_log, salt_file, user, timestamp)
    if start is None and network is not None:
        raise click.UsageError("--network needs --from")
    mapping, ruleset = _load(mapping_name, rules)
    screener = Screener(ruleset)
    net = None
    if start is not None:
        from .referral import load_network

        net = load_network(network or "referral/slovenia")
    outputs = []
    lines = []
    for label, result in _import_all(records, mapping):
        assessment = screener.evaluate(result.case)
        path = None
        if net is not None and start is not None:
            from .referral import NoReferralPath, pathway

            try:
                path = pathway(net, assessment, result.case, start=start)
            except NoReferralPath as exc:
                lines.append(f"{label}: no referral pathway: {exc.problems[0].message}")
        outputs.append(export(assessment, path, mapping=mapping, original=result, network=net))
        if log is not None:
            log.record(assessment, result.case)
        range_ = assessment.outcome_range
        lines.append(
            f"{label}: {assessment.outcome} (could be {range_.low} to {range_.high}), "
            f"score {assessment.score:g}; {len(result.unmapped)} unmapped"
        )
        lines.extend(_unmapped_lines(result))
    payload = _json(outputs)
    if out is not None:
        write_atomic(out, payload)
    if fmt == "json":
        if out is None:
            click.echo(payload, nl=False)
        return
    md = fmt == "markdown"
    for line in lines:
        click.echo(f"- {line.strip()}" if md else line)
    if out is not None:
        click.echo(f"wrote {len(outputs)} HTCDS-style records to {out}")
    click.echo(("\n> " if md else "\n") + DISCLAIMER)


# -- audit ------------------------------------------------------------------------------------
@click.group("audit", cls=ErrorHandlingGroup)
def audit() -> None:
    """Audit logs: one JSON line per assessment, with a salted hash instead of the case.

    \b
    Example:
      thbscreen audit new-salt audit.salt
      thbscreen audit verify audit.jsonl --rules ilo-ec-2009/adult-labour \\
          --cases examples/cases/adult/seasonal-farm-worker.yaml --salt-file audit.salt
    """


@audit.command("new-salt", short_help="Write a new random salt file (mode 0600).")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing salt file (old records then cannot be verified).",
)
def new_salt_cmd(path: str, force: bool) -> None:
    """Write a new random salt (64 hex characters) to PATH, readable by its owner only.

    Keep it apart from the log, and keep it as long as the log: without it, no record
    can be verified.

    \b
    Example:
      thbscreen audit new-salt /secure/place/audit.salt
    """
    import secrets

    from ._io import write_atomic

    if Path(path).exists() and not force:
        raise click.UsageError(f"{path} exists; pass --force to replace it")
    write_atomic(path, secrets.token_hex(32) + "\n")
    click.echo(f"wrote a new salt to {path}")


@audit.command("verify", short_help="Check that past audit records match a re-run (exit 1 if not).")
@click.argument("log", type=click.Path(dir_okay=False))
@click.option(
    "--rules",
    default="ilo-ec-2009/adult-labour",
    show_default=True,
    help="Rule set name or file to re-run with.",
)
@click.option(
    "--cases",
    "case_files",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False),
    help="Case file(s) holding the cases (repeatable); each record is matched to its case by digest.",
)
@click.option(
    "--salt-file",
    required=True,
    type=click.Path(dir_okay=False),
    help="The salt the log was written with.",
)
@format_option
def verify_cmd(log: str, rules: str, case_files: tuple[str, ...], salt_file: str, fmt: str) -> None:
    """Re-run the cases of an audit log and check every record field by field.

    Each record is matched to a case by its salted digest, then the case is screened
    again with --rules and the rule set (id, version, hash), outcome, outcome range,
    score and score range are compared. Exits 1 when any record does not match or has
    no case among --cases.

    \b
    Example:
      thbscreen audit verify audit.jsonl --rules ilo-ec-2009/adult-labour \\
          --cases case-17.yaml --cases case-18.yaml --salt-file audit.salt --format json
    """
    from .audit import case_digest, load_salt, read_log, verify
    from .loading import load_cases, load_ruleset
    from .screening import Screener

    salt = load_salt(salt_file)
    screener = Screener(load_ruleset(rules))
    by_digest: dict[str, Any] = {}
    network_facts: dict[str, frozenset[str]] = {}
    for path in case_files:
        for cf in load_cases(path):
            # A case meant for a network may give its facts, as `thbscreen screen` allows.
            if cf.network is not None and cf.network not in network_facts:
                from .referral import load_network

                network_facts[cf.network] = load_network(cf.network).fact_ids
            allow = network_facts.get(cf.network, frozenset()) if cf.network else frozenset()
            by_digest.setdefault(case_digest(cf.case, salt), (cf.case, allow))
    rows: list[dict[str, Any]] = []
    for n, record in enumerate(read_log(log), start=1):
        found = by_digest.get(record.case_digest)
        if found is None:
            rows.append(
                {"record": n, "status": "no case", "timestamp": record.timestamp, "mismatched": []}
            )
            continue
        case, allow = found
        result = verify(record, case, screener, salt=salt, allow_facts=allow)
        rows.append(
            {
                "record": n,
                "status": "matches" if result.matches else "differs",
                "timestamp": record.timestamp,
                "mismatched": list(result.mismatched),
                "checks": [c.to_dict() for c in result.checks],
            }
        )
    failed = sum(1 for r in rows if r["status"] != "matches")
    if fmt == "json":
        click.echo(
            _json({"format": "thbscreen-audit-verify/1", "records": rows, "failed": failed}),
            nl=False,
        )
    else:
        md = fmt == "markdown"
        if md:
            click.echo("| record | timestamp | status | differs in |\n|---|---|---|---|")
        for r in rows:
            differs = ", ".join(r["mismatched"])
            if md:
                click.echo(f"| {r['record']} | {r['timestamp']} | {r['status']} | {differs} |")
            else:
                click.echo(
                    f"{log}: record {r['record']}: {r['status']}"
                    + (f" ({differs})" if differs else "")
                )
        click.echo(("\n" if md else "") + f"{len(rows) - failed} of {len(rows)} records match")
    if failed:
        raise SystemExit(1)
