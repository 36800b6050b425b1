"""What every ``thbscreen`` command shares: the ``--format`` option and the promise that
errors become one located message (exit 2) and never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from .errors import ThbscreenError

__all__ = ["FORMATS", "ErrorHandlingGroup", "format_option", "lang_option"]

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
