"""The picture of an assessment's dimensions: one labelled tile per dimension.

Each tile says its status three ways, so nothing depends on colour: the word, a symbol
(+, -, ?) and a pattern (stripes for positive, dots for undetermined, solid for
negative). Pure function of the assessment; inline SVG, nothing fetched.
"""

from __future__ import annotations

from ..assessment import Assessment
from ..explain import _ruleset
from ._style import STATUS_COLOUR, STATUS_SYMBOL
from ._texts import Texts, esc, wrap_lines

__all__ = ["dimension_svg"]

_COLS = 3
_W, _H, _GAP = 300, 150, 14
_BAND = 34  # height of the patterned strip at the top of a tile
_CHARS = 27  # characters per title line at the tile's font size


def _patterns(uid: str) -> str:
    pos, und = STATUS_COLOUR["positive"], STATUS_COLOUR["undetermined"]
    return (
        "<defs>"
        f'<pattern id="{uid}-positive" width="12" height="12" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="12" height="12" fill="{pos}"/><rect width="4" height="12" fill="#ffffff"/>'
        "</pattern>"
        f'<pattern id="{uid}-undetermined" width="10" height="10" patternUnits="userSpaceOnUse">'
        f'<rect width="10" height="10" fill="#ffffff"/><circle cx="5" cy="5" r="2.6" fill="{und}"/>'
        "</pattern>"
        "</defs>"
    )


def _fill(uid: str, status: str) -> str:
    if status == "negative":
        return STATUS_COLOUR["negative"]
    return f"url(#{uid}-{status})"


def dimension_svg(assessment: Assessment, *, lang: str = "en", uid: str = "dims") -> str:
    """Inline SVG of the dimensions and their status (``uid`` keeps ids unique on a page)."""
    return _dimension_svg(assessment, Texts(lang), uid)


def _dimension_svg(assessment: Assessment, texts: Texts, uid: str) -> str:
    rs = _ruleset(assessment)
    titles = {d.id: d.title for d in rs.dimensions}
    results = assessment.dimension_results
    cols = max(1, min(_COLS, len(results)))
    rows = (len(results) + cols - 1) // cols
    width = cols * _W + (cols - 1) * _GAP
    height = rows * _H + (rows - 1) * _GAP
    tiles: list[str] = []
    described: list[str] = []
    for k, d in enumerate(results):
        x = (k % cols) * (_W + _GAP)
        y = (k // cols) * (_H + _GAP)
        title = texts.plain(titles.get(d.id), d.title)
        colour = STATUS_COLOUR.get(d.status, STATUS_COLOUR["undetermined"])
        described.append(f"{title}: {d.status}")
        lines = wrap_lines(title, _CHARS, 3)
        text = "".join(
            f'<tspan x="{x + 14}" dy="{0 if i == 0 else 21}">{esc(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        symbol = STATUS_SYMBOL.get(d.status, "?")
        tiles.append(
            f'<g class="tile" data-dimension="{esc(d.id)}" data-status="{esc(d.status)}">'
            f'<rect x="{x + 2}" y="{y + 2}" width="{_W - 4}" height="{_H - 4}" fill="#ffffff" '
            f'stroke="{colour}" stroke-width="4"/>'
            f'<rect x="{x + 2}" y="{y + 2}" width="{_W - 4}" height="{_BAND}" '
            f'fill="{_fill(uid, d.status)}" stroke="{colour}" stroke-width="4"/>'
            f'<circle cx="{x + _W - 26}" cy="{y + 19}" r="15" fill="#ffffff" stroke="{colour}" '
            'stroke-width="3"/>'
            f'<text x="{x + _W - 26}" y="{y + 26}" text-anchor="middle" font-size="22" '
            f'font-weight="700" fill="{colour}">{esc(symbol)}</text>'
            f'<text x="{x + 14}" y="{y + _BAND + 26}" font-size="18" fill="#111111">{text}</text>'
            f'<text x="{x + 14}" y="{y + _H - 14}" font-size="18" font-weight="700" '
            f'fill="{colour}">{esc(symbol)} {esc(d.status)}</text>'
            "</g>"
        )
    desc = "; ".join(described)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{uid}-title {uid}-desc" '
        'font-family="system-ui, sans-serif">'
        f'<title id="{uid}-title">Dimensions and their status</title>'
        f'<desc id="{uid}-desc">{esc(desc)}</desc>' + _patterns(uid) + "".join(tiles) + "</svg>"
    )
