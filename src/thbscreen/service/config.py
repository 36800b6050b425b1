"""What an operator can set for ``thbscreen serve``: limits and where extra rules live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from attrs import field, frozen

__all__ = ["DEFAULT_MAX_BATCH", "DEFAULT_MAX_BODY_BYTES", "ServiceConfig"]

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_BATCH = 1000
# The YAML reader refuses more than this anyway; a larger body limit would only move the
# refusal from a clear 413 to a less clear 422.
MAX_BODY_CEILING = 2 * 1024 * 1024


def _positive(_: object, attribute: object, value: int) -> None:
    if value < 1:
        raise ValueError(f"{getattr(attribute, 'name', 'limit')} must be at least 1, got {value}")


def _body_limit(instance: object, attribute: object, value: int) -> None:
    _positive(instance, attribute, value)
    if value > MAX_BODY_CEILING:
        raise ValueError(f"max_body_bytes must be at most {MAX_BODY_CEILING}, got {value}")


@frozen
class ServiceConfig:
    """Limits of one service instance.

    Expressions inside a posted rule set are bounded by the expression language's own
    limits (length, nesting, parts); the body limit bounds everything else.
    """

    max_body_bytes: int = field(default=DEFAULT_MAX_BODY_BYTES, validator=_body_limit)
    max_batch: int = field(default=DEFAULT_MAX_BATCH, validator=_positive)
    #: An operator's folder of rule sets (``referral/`` inside it: networks); requests
    #: name them by their path inside the folder, without suffix.
    rules_dir: Path | None = None
    #: A :class:`thbscreen.audit.AuditLog`: one record per assessment (off by default).
    audit: Any = field(default=None, eq=False, repr=False)
