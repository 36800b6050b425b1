"""What every ``thbscreen`` command shares: the ``--format`` option and the promise that
errors become one located message (exit 2) and never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from .errors import ThbscreenError

__all__ = [
    "FORMATS",
    "AuditTarget",
    "ErrorHandlingGroup",
    "audit_options",
    "format_option",
    "lang_option",
    "open_audit",
]

FORMATS = click.Choice(["text", "markdown", "json"])
F = TypeVar("F", bound=Callable[..., Any])


def format_option(f: F) -> F:
    """``--format text|markdown|json`` (default text), as every data command has."""
    return click.option(
        "--format", "fmt", type=FORMATS, default="text", show_default=True, help="Output format."
    )(f)


def lang_option(f: F) -> F:
    """``--lang CODE``: rule-set texts in that language where the rule set has them."""
    return click.option(
        "--lang",
        default="en",
        show_default=True,
        metavar="CODE",
        help="Language of rule-set texts (falls back to English per text, saying so).",
    )(f)


def audit_options(f: F) -> F:
    """``--audit-log FILE --salt-file FILE [--user REF] [--timestamp T]`` (off by default)."""
    for option in reversed(
        (
            click.option(
                "--audit-log",
                type=click.Path(dir_okay=False),
                default=None,
                help="Append one audit record per assessment to this JSON Lines file "
                "(needs --salt-file).",
            ),
            click.option(
                "--salt-file",
                type=click.Path(dir_okay=False),
                default=None,
                help="Salt for the audit log's case digests (see: thbscreen audit new-salt).",
            ),
            click.option(
                "--user", default=None, help="User reference for the audit log (a pseudonym)."
            ),
            click.option(
                "--timestamp",
                default=None,
                help="Timestamp for the audit log, ISO 8601 (default: now, in UTC).",
            ),
        )
    ):
        f = option(f)
    return f


class AuditTarget:
    """An open audit log with the caller's timestamp and user, for one command run."""

    def __init__(self, log: Any, timestamp: str, user: str | None) -> None:
        self.log = log
        self.timestamp = timestamp
        self.user = user

    def record(self, assessment: Any, case: Any) -> None:
        self.log.record(assessment, case, timestamp=self.timestamp, user=self.user)


def open_audit(
    audit_log: str | None, salt_file: str | None, user: str | None, timestamp: str | None
) -> AuditTarget | None:
    """The audit log the options ask for, or None (the default: no log)."""
    if audit_log is None:
        if salt_file is not None or user is not None or timestamp is not None:
            raise click.UsageError("--salt-file, --user and --timestamp need --audit-log")
        return None
    if salt_file is None:
        raise click.UsageError("--audit-log needs --salt-file")
    from .audit import open_log, utc_now

    # The command line is the caller here: it reads the clock; the library never does.
    stamp = timestamp if timestamp is not None else utc_now()
    return AuditTarget(open_log(audit_log, salt_file), stamp, user)


class ErrorHandlingGroup(click.Group):
    """A group whose commands' errors become one message on stderr: bad input exits 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ThbscreenError as exc:
            click.echo(f"thbscreen: {exc}", err=True)
            ctx.exit(2)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("thbscreen: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(0)
        except Exception as exc:  # the promise: never a traceback
            click.echo(
                f"thbscreen: internal error ({type(exc).__name__}); please report it with the "
                "command you ran (not the case data)",
                err=True,
            )
            ctx.exit(2)
