"""Rule-set and network texts in the reader's language, escaped, with English fallback marked.

Every string that comes from a rule set or a network passes through :class:`Texts`, so
nothing from a file reaches the page unescaped and every fallback to English is counted
for the one note per page that says so.
"""

from __future__ import annotations

import html
import re
import textwrap

from ..i18n import Localizer
from ..model import Text

__all__ = ["LANG_PATTERN", "Texts", "check_lang", "esc", "wrap_lines"]

#: A BCP 47 language tag as far as a page needs it (``en``, ``sl``, ``pt-BR``).
LANG_PATTERN = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def esc(value: object) -> str:
    """HTML-escaped text, quotes included (safe in text and in attribute values)."""
    return html.escape(str(value), quote=True)


def wrap_lines(text: str, width: int, most: int) -> list[str]:
    """``text`` wrapped to ``most`` lines, the last one ending in an ellipsis if cut."""
    lines = textwrap.wrap(text, width)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 1].rstrip() + "\u2026"
    return lines


def check_lang(lang: str) -> str:
    """``lang`` if it is a well-formed language tag; a ``ValueError`` saying what was expected."""
    if not LANG_PATTERN.fullmatch(lang):
        raise ValueError(f"expected a language code such as en, sl or pt-BR, got {lang[:40]!r}")
    return lang


class Texts:
    """Picks each text in one language, escapes it and marks fallbacks to English.

    Counting and the wording of the note come from :class:`thbscreen.i18n.Localizer`,
    as in every other rendering; this class adds the HTML markup per text.
    """

    def __init__(self, lang: str = "en") -> None:
        self.lang = check_lang(lang)
        self._loc = Localizer(self.lang)

    @property
    def fell_back(self) -> int:
        return self._loc.missing

    def _get(self, text: Text) -> tuple[str, bool]:
        before = self._loc.missing
        value = self._loc(text)
        return value, self._loc.missing > before

    def plain(self, text: Text | None, default: str = "") -> str:
        """The text itself, unescaped (for SVG labels and attribute values, escape it)."""
        return default if text is None else self._get(text)[0]

    def __call__(self, text: Text | None, default: str = "") -> str:
        """The text as escaped HTML; a fallback is marked ``lang="en"`` and styled."""
        if text is None:
            return esc(default)
        value, fell_back = self._get(text)
        if fell_back:
            return f'<span lang="en" class="fallback">{esc(value)}</span>'
        if self.lang != "en":
            return f'<span lang="{self.lang}">{esc(value)}</span>'
        return esc(value)

    def note(self) -> str:
        """The page's one note on fallbacks (empty when every text was in ``lang``)."""
        note = self._loc.note()
        if note is None:
            return ""
        return (
            f'<p class="note" role="note">{esc(note)} They are '
            '<span class="fallback">marked like this</span>.</p>'
        )
