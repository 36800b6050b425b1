"""``thbscreen serve``: the local HTTP JSON service (needs the ``serve`` extra).

Registered in :mod:`thbscreen.cli` with ``main.add_command(serve)``; it also runs on its
own and handles its own bad input (exit 2).
"""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import click

from .service.config import DEFAULT_MAX_BATCH, DEFAULT_MAX_BODY_BYTES, MAX_BODY_CEILING

__all__ = ["is_loopback", "serve"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


@click.command("serve", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback exposes case screening to the network.",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--rules-dir",
    type=click.Path(file_okay=False, dir_okay=True, exists=True, path_type=Path),
    default=None,
    help="A folder of your own rule sets (networks in its referral/ folder); requests name "
    "them by their path inside it, without suffix.",
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(1, MAX_BODY_CEILING),
    default=DEFAULT_MAX_BODY_BYTES,
    show_default=True,
    help="Larger request bodies get 413.",
)
@click.option(
    "--max-batch",
    type=click.IntRange(1, 1_000_000),
    default=DEFAULT_MAX_BATCH,
    show_default=True,
    help="More cases in one POST /screen/batch get 413.",
)
@click.option(
    "--audit-log",
    type=click.Path(dir_okay=False),
    default=None,
    help="Append one audit record per assessment to this JSON Lines file (needs "
    "--salt-file); requests may give their own timestamp and user.",
)
@click.option(
    "--salt-file",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Salt for the audit log's case digests (see: thbscreen audit new-salt).",
)
def serve(
    host: str,
    port: int,
    rules_dir: Path | None,
    max_body_bytes: int,
    max_batch: int,
    audit_log: str | None,
    salt_file: str | None,
) -> None:
    """Serve screening, pathways and linting as an HTTP JSON API (OpenAPI at /openapi.json).

    Listens on 127.0.0.1 unless --host says otherwise. Stateless: it stores nothing,
    logs no request body and sends nothing anywhere. Needs: pip install 'thbscreen[serve]'.

    \b
    Example:
      thbscreen serve
      thbscreen serve --port 8080 --rules-dir my-rules/
      thbscreen serve --audit-log audit.jsonl --salt-file audit.salt
      curl -s localhost:8000/screen -H 'content-type: application/json' \\
        -d '{"rules": "ilo-ec-2009/adult-labour", "case": {"indicators": {}}}'
    """
    from .errors import ThbscreenError
    from .explain import DISCLAIMER

    try:
        import uvicorn

        from .service import ServiceConfig, create_app
    except ImportError as exc:
        click.echo(
            f"thbscreen: serve needs {exc.name or 'starlette and uvicorn'}: "
            "pip install 'thbscreen[serve]'",
            err=True,
        )
        sys.exit(2)
    if not is_loopback(host):
        click.echo(
            f"thbscreen: warning: listening on {host}, not on loopback: anyone who can reach "
            "this address can send case data to this service; it has no authentication and "
            "no TLS. Put it behind your own access control.",
            err=True,
        )
    if (audit_log is None) != (salt_file is None):
        raise click.UsageError("--audit-log and --salt-file go together")
    try:
        log = None
        if audit_log is not None and salt_file is not None:
            from .audit import open_log

            log = open_log(audit_log, salt_file)
        app = create_app(
            ServiceConfig(
                max_body_bytes=max_body_bytes,
                max_batch=max_batch,
                rules_dir=rules_dir,
                audit=log,
            )
        )
    except ThbscreenError as exc:
        click.echo(f"thbscreen: {exc}", err=True)
        sys.exit(2)
    click.echo(DISCLAIMER, err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"thbscreen: serving on http://{shown}:{port} (OpenAPI at /openapi.json)", err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        server_header=False,
        proxy_headers=False,
        log_level="info",
    )
