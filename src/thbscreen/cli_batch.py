"""``thbscreen batch``: screen a CSV, JSON Lines or Parquet file of cases, row by row.

Registered on the main command group in :mod:`thbscreen.cli`; it also runs on its own
(``CliRunner().invoke(batch, [...])``), so it handles its own errors. Importing this
module imports neither numpy nor pyarrow: the ``batch`` extra is loaded when the
command runs.

Exit status: 0 every row screened; 1 some rows rejected (without ``--allow-rejects``);
2 bad usage, a missing extra or a whole-file problem (nothing written); 130
interrupted (nothing written).
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from .errors import ThbscreenError

__all__ = ["batch"]


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr, shown only when stdout is a terminal."""
    if not enabled:
        yield None
        return
    state: dict[str, Any] = {"bar": None, "done": 0}

    def update(done: int, total: int) -> None:
        bar = state["bar"]
        if bar is None:
            bar = click.progressbar(length=max(total, 1), label="screening", file=sys.stderr)
            bar.__enter__()
            state["bar"] = bar
        bar.update(max(done - state["done"], 0))
        state["done"] = done

    try:
        yield update
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM ends the run like Ctrl-C: temporary files are removed on the way out."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _missing_extra(exc: ImportError, scheduler: str | None) -> str:
    name = (exc.name or "").split(".")[0]
    if name in ("dask", "distributed"):
        extra = "dask"
    elif name in ("numpy", "pyarrow"):
        extra = "batch"
    else:
        raise exc
    hint = "batch,dask" if scheduler and extra == "dask" else extra
    return f"thbscreen batch needs {name}: pip install 'thbscreen[{hint}]'"


@click.command("batch", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option("--rules", required=True, help="Rule set name or path.")
@click.option(
    "--out",
    "output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Output file (.csv, .jsonl or .parquet).",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False),
    default=None,
    help="Rejects file (default: beside the output, out.rejects.csv for out.csv).",
)
@click.option("--allow-rejects", is_flag=True, help="Exit 0 even when some rows were rejected.")
@click.option(
    "--resume",
    is_flag=True,
    help="Keep checkpoints, and continue an interrupted run of the same command.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Format of the summary printed at the end.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000_000),
    default=None,
    help="Rows per record batch [default: 131072].",
)
@click.option(
    "--lists",
    type=click.Choice(["ids", "bits"]),
    default="ids",
    show_default=True,
    help="How fired and unknown are written: ';'-joined ids, or bits in hexadecimal.",
)
@click.option(
    "--ignore-column",
    "ignore_columns",
    multiple=True,
    metavar="NAME",
    help="An input column to leave unread (repeatable).",
)
@click.option(
    "--dask",
    "scheduler",
    default=None,
    metavar="SCHEDULER",
    help="Screen on a dask cluster: a scheduler address, or 'local' to start one here.",
)
def batch(
    input_path: str,
    rules: str,
    output: str,
    rejects: str | None,
    allow_rejects: bool,
    resume: bool,
    fmt: str,
    batch_size: int | None,
    lists: str,
    ignore_columns: tuple[str, ...],
    scheduler: str | None,
) -> None:
    """Screen every row of a CSV, JSON Lines or Parquet file (formats by suffix).

    One column per indicator id (present, absent, unknown, true, false; empty is
    unknown), fact columns named by fact id, an optional id column. Each good row
    gives one output row; every other row goes to the rejects file with its row
    number and the reason. Output and rejects appear only when the run completes.

    \b
    Example:
      thbscreen batch cases.csv --rules ilo-ec-2009/adult-labour --out results.csv
      thbscreen batch survey.parquet --rules ilo-icls-2018/forced-labour-statistical \\
          --out results.parquet --lists bits --allow-rejects
      thbscreen batch big.parquet --rules ilo-ec-2009/adult-labour --out r.parquet --dask local
    """
    ctx = click.get_current_context()
    if resume and scheduler:
        click.echo("thbscreen: --resume cannot be combined with --dask", err=True)
        ctx.exit(2)
    try:
        with _sigterm_interrupts():
            summary = _run(
                input_path,
                rules,
                output,
                rejects,
                resume,
                batch_size,
                lists,
                ignore_columns,
                scheduler,
            )
    except ThbscreenError as exc:
        click.echo(f"thbscreen: {exc}", err=True)
        ctx.exit(2)
    except ImportError as exc:
        click.echo(f"thbscreen: {_missing_extra(exc, scheduler)}", err=True)
        ctx.exit(2)
    except KeyboardInterrupt:
        click.echo("thbscreen: interrupted; nothing was written", err=True)
        ctx.exit(130)
    except OSError as exc:
        click.echo(f"thbscreen: {exc.filename or ''}: {exc.strerror or exc}", err=True)
        ctx.exit(2)
    failed = summary.rejected > 0 and not allow_rejects
    if fmt == "json":
        click.echo(json.dumps({**summary.to_dict(), "ok": not failed}, indent=2))
    else:
        click.echo(_text_summary(summary))
    if failed:
        click.echo(
            f"thbscreen: {summary.rejected} row{'s' if summary.rejected != 1 else ''} "
            f"rejected, see {summary.rejects} (pass --allow-rejects to accept)",
            err=True,
        )
        ctx.exit(1)


def _text_summary(s: Any) -> str:
    lines = [
        f"read {s.read} rows: {s.written} written to {s.output}, "
        f"{s.rejected} rejected to {s.rejects}"
    ]
    extra = []
    if s.blank:
        extra.append(f"{s.blank} blank line{'s' if s.blank != 1 else ''} skipped")
    if s.resumed:
        extra.append(f"{s.resumed} rows taken over from the interrupted run")
    if s.scheduler:
        extra.append(f"screened on {s.scheduler}")
    rate = s.read / s.seconds if s.seconds > 0 else 0.0
    extra.append(f"{s.seconds:.1f} s, {rate:,.0f} rows/s")
    lines.append("; ".join(extra))
    lines.append(f"rule set {s.ruleset}")
    return "\n".join(lines)


def _run(
    input_path: str,
    rules: str,
    output: str,
    rejects: str | None,
    resume: bool,
    batch_size: int | None,
    lists: str,
    ignore_columns: tuple[str, ...],
    scheduler: str | None,
) -> Any:
    from .batch.files import DEFAULT_BATCH_SIZE, screen_file
    from .loading import load_ruleset

    ruleset = load_ruleset(rules)
    size = batch_size or DEFAULT_BATCH_SIZE
    with _progress(sys.stdout.isatty()) as progress:
        if scheduler is None:
            return screen_file(
                input_path,
                ruleset,
                output,
                rejects=rejects,
                batch_size=size,
                lists=lists,
                ignore_columns=ignore_columns,
                resume=resume,
                progress=progress,
            )
        from .batch.dask import close_client, screen_file_on, start_client

        client = start_client(scheduler)
        try:
            return screen_file_on(
                client,
                input_path,
                ruleset,
                output,
                rejects=rejects,
                batch_size=size,
                lists=lists,
                ignore_columns=ignore_columns,
                progress=progress,
            )
        finally:
            close_client(client)
