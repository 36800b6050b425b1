"""Texts in the reader's language, falling back to English string by string.

Rule sets, networks and exercises carry ``en`` and optionally other languages (see
:class:`thbscreen.model.Text`). A renderer asks a :class:`Localizer` for each text; the
localizer remembers whether any text fell back to English so that the rendering can
say so once, instead of silently mixing languages. Interface labels of thbscreen's own
(``Outcome``, ``Why``) are English only: a translation needs a checked source.
"""

from __future__ import annotations

from attrs import define, field

from .model import Text

__all__ = ["Localizer"]


@define
class Localizer:
    """One rendering's language, and the texts that were not available in it.

    With ``mark_fallback`` each English stand-in is followed by `` [en]`` (exercise
    texts, where a trainee should see which passages are not in their language);
    ``marked=False`` on a call leaves that one unmarked (labels in a list).
    """

    lang: str = "en"
    mark_fallback: bool = False
    missing: int = field(default=0, init=False)

    def __call__(self, text: Text | str | None, default: str = "", *, marked: bool = True) -> str:
        if text is None:
            return default
        if isinstance(text, str):
            # Plain strings (ids, expressions) have no language to fall back from.
            return text
        value, fell_back = text.get(self.lang)
        if fell_back:
            self.missing += 1
            if self.mark_fallback and marked:
                return f"{value} [en]"
        return value

    @property
    def fell_back(self) -> bool:
        return self.missing > 0

    def note(self) -> str | None:
        """The sentence a rendering shows when some texts are in English instead."""
        if not self.fell_back:
            return None
        return (
            f"{self.missing} text(s) have no '{self.lang}' version in the source and are "
            "shown in English."
        )
