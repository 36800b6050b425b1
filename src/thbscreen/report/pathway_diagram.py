"""The referral pathway as a diagram, laid out in pure Python (no Graphviz needed).

A pathway's steps form a breadth-first tree from the first-contact institution: each
step goes one referral deeper. So a column per depth, institutions in the order the
steps reach them, and each step an arrow from one column to the next, numbered as in
the list of steps printed beside the diagram.
"""

from __future__ import annotations

from ..referral.network import ReferralNetwork
from ..referral.pathway import Pathway
from ._texts import Texts, esc, wrap_lines

__all__ = ["pathway_diagram"]

_BOX_W, _BOX_H, _COL_GAP, _ROW_GAP = 260, 132, 110, 26
_CHARS = 23  # per name line at 18px in a box this wide
_SERVICE_CHARS = 31  # per service line at 14px
_INK, _ACCENT = "#111111", "#0a4f8a"


def pathway_diagram(
    pathway: Pathway, *, network: ReferralNetwork | None = None, lang: str = "en", uid: str = "path"
) -> str:
    """Inline SVG of ``pathway``: institutions as boxes, numbered referral arrows.

    The start has a double border; channels not confirmed by a source are dashed.
    Institution names come from ``network`` when given (else their ids).
    """
    return _pathway_diagram(pathway, network, Texts(lang), uid)


def _layout(p: Pathway) -> dict[str, tuple[int, int]]:
    """(column, row) of each institution: column = referrals from the start."""
    depth = {p.start: 0}
    for s in p.steps:
        depth.setdefault(s.to, depth.get(s.from_, 0) + 1)
    rows: dict[int, int] = {}
    place: dict[str, tuple[int, int]] = {}
    for inst in p.institutions:
        col = depth[inst]
        place[inst] = (col, rows.get(col, 0))
        rows[col] = rows.get(col, 0) + 1
    return place


def _name(inst: str, network: ReferralNetwork | None, texts: Texts) -> str:
    if network is not None and inst in network.institutions:
        return texts.plain(network.institutions[inst].name, inst)
    return inst


def _service(sid: str, network: ReferralNetwork | None, texts: Texts) -> str:
    if network is not None and sid in network.services:
        return texts.plain(network.services[sid].title, sid)
    return sid


def _pathway_diagram(p: Pathway, network: ReferralNetwork | None, texts: Texts, uid: str) -> str:
    place = _layout(p)
    cols = max(c for c, _ in place.values()) + 1
    rows = max(r for _, r in place.values()) + 1
    width = cols * _BOX_W + (cols - 1) * _COL_GAP + 8
    height = rows * _BOX_H + (rows - 1) * _ROW_GAP + 8

    def origin(inst: str) -> tuple[int, int]:
        c, r = place[inst]
        return 4 + c * (_BOX_W + _COL_GAP), 4 + r * (_BOX_H + _ROW_GAP)

    offered: dict[str, list[str]] = {}
    for route in p.routes:
        offered.setdefault(route.institution, []).append(route.service)
    parts: list[str] = []
    described: list[str] = []
    for inst in p.institutions:
        x, y = origin(inst)
        name = _name(inst, network, texts)
        lines = wrap_lines(name, _CHARS, 3)
        services = [_service(s, network, texts) for s in offered.get(inst, [])]
        extra = "".join(
            f'<text x="{x + 12}" y="{y + _BOX_H - 32 + 17 * i}" font-size="14" fill="{_ACCENT}">'
            f"{esc(line)}</text>"
            for i, line in enumerate(wrap_lines(", ".join(services), _SERVICE_CHARS, 2))
        )
        start = inst == p.start
        parts.append(
            f'<g class="institution" data-institution="{esc(inst)}">'
            f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="8" fill="#ffffff" '
            f'stroke="{_INK}" stroke-width="{4 if start else 2}"/>'
            + (
                f'<rect x="{x + 5}" y="{y + 5}" width="{_BOX_W - 10}" height="{_BOX_H - 10}" rx="5" '
                f'fill="none" stroke="{_INK}" stroke-width="1.5"/>'
                if start
                else ""
            )
            + "".join(
                f'<text x="{x + 12}" y="{y + 28 + 21 * i}" font-size="18" '
                f'font-weight="{700 if i == 0 else 400}" fill="{_INK}">{esc(line)}</text>'
                for i, line in enumerate(lines)
            )
            + extra
            + "</g>"
        )
        described.append(name + (f" (provides {', '.join(services)})" if services else ""))
    arrows: list[str] = []
    steps_described: list[str] = []
    for i, s in enumerate(p.steps, 1):
        x1, y1 = origin(s.from_)
        x2, y2 = origin(s.to)
        ax, ay = x1 + _BOX_W, y1 + _BOX_H // 2
        bx, by = x2 - 4, y2 + _BOX_H // 2
        mid = (ax + bx) // 2
        # The number sits just before the arrowhead: steps into one column stay apart.
        lx, ly = bx - 34, by
        dashed = s.confidence not in (None, "confirmed")
        arrows.append(
            f'<g class="step" data-step="{i}">'
            f'<path d="M{ax},{ay} C{mid},{ay} {mid},{by} {bx},{by}" fill="none" stroke="{_INK}" '
            f'stroke-width="2.5"{" stroke-dasharray=" + chr(34) + "8 6" + chr(34) if dashed else ""} '
            f'marker-end="url(#{uid}-arrow)"/>'
            f'<circle cx="{lx}" cy="{ly}" r="14" fill="#ffffff" stroke="{_INK}" '
            'stroke-width="2"/>'
            f'<text x="{lx}" y="{ly + 6}" text-anchor="middle" font-size="16" '
            f'font-weight="700" fill="{_INK}">{i}</text>'
            "</g>"
        )
        steps_described.append(
            f"{i}: {_name(s.from_, network, texts)} to {_name(s.to, network, texts)}"
        )
    desc = "Institutions: " + "; ".join(described)
    if steps_described:
        desc += ". Referrals: " + "; ".join(steps_described)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{uid}-title {uid}-desc" '
        'font-family="system-ui, sans-serif">'
        f'<title id="{uid}-title">Referral pathway from {esc(_name(p.start, network, texts))}</title>'
        f'<desc id="{uid}-desc">{esc(desc)}.</desc>'
        f'<defs><marker id="{uid}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        f'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{_INK}"/>'
        "</marker></defs>" + "".join(arrows) + "".join(parts) + "</svg>"
    )
