"""'Did you mean' hints, as rule-engine and jsonschema give them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean"]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    if len(word) > 200:  # nothing useful to suggest, and difflib is quadratic
        return ""
    pool = list(choices)
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not close:
        # Dotted ids: also compare the last part, so "debt_bondge" finds "x.debt_bondage".
        tails = {c.rsplit(".", 1)[-1]: c for c in pool}
        close = [
            tails[m] for m in difflib.get_close_matches(word.rsplit(".", 1)[-1], tails, 1, 0.75)
        ]
    return f" (did you mean {close[0]!r}?)" if close else ""
