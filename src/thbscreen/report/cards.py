"""Indicator cards: a printable handout of a rule set's indicators by dimension and strength."""

from __future__ import annotations

from ..model import Indicator, RuleSet
from ._texts import Texts, esc
from .document import page
from .sections import provenance_section

__all__ = ["indicator_cards"]

_ORDER = {"strong": 0, "medium": 1, "weak": 2}
_LABEL = {"strong": "Strong", "medium": "Medium", "weak": "Weak"}


def _card(ind: Indicator, texts: Texts) -> str:
    strength = ind.strength.value if ind.strength else None
    grade = _LABEL[strength] if strength else f"Weight {ind.weight:g}" if ind.weight else "Ungraded"
    parts = [
        f'<article class="card {esc(strength or "ungraded")}">',
        f"<h3>{texts(ind.text)}</h3>",
        f'<p class="strength">{esc(grade)} indicator</p>',
    ]
    if ind.question is not None:
        parts.append(f"<p>Ask: {texts(ind.question)}</p>")
    if ind.derive:
        parts.append(f"<p>Derived from the facts: <code>{esc(ind.derive)}</code></p>")
    parts.append(f'<p class="id">{esc(ind.id)}</p></article>')
    return "".join(parts)


def indicator_cards(ruleset: RuleSet, *, lang: str = "en") -> str:
    """A printable HTML handout: one card per indicator, grouped by dimension and ordered
    strong, medium, weak (each dimension starts a new printed page).

    >>> import thbscreen
    >>> html = indicator_cards(thbscreen.load_ruleset("ilo-2012/forced-labour-11"))
    >>> html.count('<article class="card')
    11
    """
    texts = Texts(lang)
    body = [
        f'<p class="sub">{texts(ruleset.title)} (<code>{esc(ruleset.id)}</code> '
        f"{esc(ruleset.version)}): {len(ruleset.indicators)} indicators in "
        f"{len(ruleset.dimensions)} dimension{'s' if len(ruleset.dimensions) != 1 else ''}. "
        "Border: thick for strong, solid for medium, dashed for weak.</p>"
    ]
    for k, dim in enumerate(ruleset.dimensions, 1):
        members = sorted(
            (i for i in ruleset.indicators if i.dimension == dim.id),
            key=lambda i: _ORDER.get(i.strength.value if i.strength else "", 3),
        )
        desc = f"<p>{texts(dim.description)}</p>" if dim.description is not None else ""
        body.append(
            f'<section class="dimension-cards" aria-labelledby="d{k}">'
            f'<h2 id="d{k}">{texts(dim.title)}</h2>{desc}'
            f'<p class="sub">{len(members)} indicator{"s" if len(members) != 1 else ""}; '
            f"positive when <code>{esc(' '.join(dim.positive.split()))}</code></p>"
            '<div class="cards">' + "".join(_card(i, texts) for i in members) + "</div></section>"
        )
    body.append(provenance_section(ruleset, ruleset.hash, None, None, texts, 2, "c"))
    return page(f"Indicator cards: {texts.plain(ruleset.title)}", "".join(body), texts)
