"""The parts of an assessment's page: outcome, dimensions, evidence, questions, pathway,
provenance. Shared by the HTML report and the studio, so both look the same.

A view of the assessment's data: nothing is decided here. The helpers of
:mod:`thbscreen.explain` pick the band rule, the score note and the next questions.
"""

from __future__ import annotations

from ..assessment import Assessment
from ..explain import _band_rule, _questions, _ruleset, _score_note
from ..model import Provenance, RuleSet, Text
from ..referral.network import ReferralNetwork
from ..referral.pathway import Pathway
from ._style import STATUS_SYMBOL
from ._texts import Texts, esc
from .dimensions import _dimension_svg
from .pathway_diagram import _name, _pathway_diagram, _service

__all__ = ["assessment_sections", "band_text", "provenance_section"]

_STRENGTH_ORDER = {"strong": 0, "medium": 1, "weak": 2}


def band_text(rs: RuleSet, band_id: str) -> Text:
    for band in rs.outcomes.bands:
        if band.id == band_id:
            return band.title
    return rs.outcomes.fallback.title


def _h(level: int, text: str, hid: str | None = None) -> str:
    n = min(level, 6)
    return f"<h{n}{f' id={chr(34)}{hid}{chr(34)}' if hid else ''}>{text}</h{n}>"


def _outcome(a: Assessment, texts: Texts, level: int, uid: str) -> str:
    rs = _ruleset(a)
    band = texts(band_text(rs, a.outcome))
    if a.determined:
        state = "Determined: no answer to the open questions could change it."
    else:
        low = texts(band_text(rs, a.outcome_range.low))
        high = texts(band_text(rs, a.outcome_range.high))
        state = (
            "Not determined: answers to the open questions could give anything from "
            f"<b>{low}</b> (<code>{esc(a.outcome_range.low)}</code>) to <b>{high}</b> "
            f"(<code>{esc(a.outcome_range.high)}</code>)."
        )
    note = _score_note(rs)
    score = f"Score {esc(a.score)} (could be {esc(a.score_range[0])} to {esc(a.score_range[1])})"
    if a.score_band:
        score += f", band <code>{esc(a.score_band)}</code>"
    if note:
        score += f" ({esc(note)})"
    rule = _band_rule(rs, a.outcome)
    why = (
        f"<p>Why: <code>{esc(a.outcome)}</code> because <code>{esc(rule)}</code></p>"
        if rule
        else ""
    )
    return (
        f"{_region(uid, 'outcome', level)}"
        + _h(level, "Outcome", f"{uid}-h-outcome")
        + f'<div class="outcome" id="{uid}-outcome" data-outcome="{esc(a.outcome)}" '
        f'data-determined="{str(a.determined).lower()}">'
        f'<span class="band">{band} <code>{esc(a.outcome)}</code></span>'
        f"<p>{state}</p><p>{score}</p></div>{why}</section>"
    )


def _dimensions(a: Assessment, texts: Texts, level: int, uid: str) -> str:
    rs = _ruleset(a)
    titles = {d.id: d.title for d in rs.dimensions}
    by_dim: dict[str, int] = {}
    for f in a.fired:
        by_dim[f.dimension] = by_dim.get(f.dimension, 0) + 1
    unknown_by_dim: dict[str, int] = {}
    for ind_id in a.unknown:
        dim = rs.indicator(ind_id).dimension
        unknown_by_dim[dim] = unknown_by_dim.get(dim, 0) + 1
    rows = "".join(
        f'<tr><th scope="row">{texts(titles.get(d.id), d.title)}</th>'
        f'<td class="st-{esc(d.status)}">{esc(STATUS_SYMBOL.get(d.status, "?"))} {esc(d.status)}</td>'
        f"<td>{f'<code>{esc(d.combination)}</code>' if d.combination else ''}</td>"
        f"<td>{by_dim.get(d.id, 0)}</td><td>{unknown_by_dim.get(d.id, 0)}</td></tr>"
        for d in a.dimension_results
    )
    return (
        f"{_region(uid, 'dims', level)}"
        + _h(level, "Dimensions", f"{uid}-h-dims")
        + f"<figure>{_dimension_svg(a, texts, f'{uid}-dims')}"
        '<figcaption class="legend">Striped with + : positive; dotted with ? : undetermined '
        "(the unknowns could still make it positive); solid with \u2212 : negative.</figcaption>"
        "</figure>"
        '<table><caption class="legend">Dimensions, what holds, indicators present and unknown'
        '</caption><thead><tr><th scope="col">Dimension</th><th scope="col">Status</th>'
        '<th scope="col">What holds</th><th scope="col">Present</th>'
        '<th scope="col">Unknown</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )


def _fired(a: Assessment, texts: Texts, level: int, uid: str) -> str:
    rs = _ruleset(a)
    titles = {d.id: d.title for d in rs.dimensions}
    head = _h(level, "Indicators present, with evidence", f"{uid}-h-fired")
    if not a.fired:
        return f"{_region(uid, 'fired', level)}{head}<p>No indicator is present.</p></section>"
    rows = []
    for f in a.fired:
        ind = rs.indicator(f.id)
        if f.evidence.kind == "derived":
            facts = ", ".join(f"{esc(k)} = {esc(v)}" for k, v in f.evidence.facts)
            evidence = f"derived from the facts: <code>{esc(f.evidence.expression)}</code>" + (
                f" ({facts})" if facts else ""
            )
        else:
            evidence = "observed present"
        rows.append(
            f"<tr><td>{texts(ind.text, f.text)}</td><td>{texts(titles.get(f.dimension), f.dimension)}</td>"
            f"<td>{esc(f.strength or f'weight {f.weight:g}')}</td><td>{evidence}</td></tr>"
        )
    return (
        f"{_region(uid, 'fired', level)}{head}"
        '<table><thead><tr><th scope="col">Indicator</th><th scope="col">Dimension</th>'
        '<th scope="col">Strength</th><th scope="col">Evidence</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _next_questions(a: Assessment, texts: Texts, level: int, uid: str) -> str:
    rs = _ruleset(a)
    head = _h(level, "Ask next", f"{uid}-h-next")
    questions = _questions(a)
    if not questions:
        body = (
            "<p>No open question could change the outcome.</p>"
            if a.unknown
            else "<p>Every indicator has been answered.</p>"
        )
        return f"{_region(uid, 'next', level)}{head}{body}</section>"
    items = []
    for q in questions:
        ind = rs.indicator(q.indicator)
        question = texts(ind.question) if ind.question is not None else texts(ind.text)
        yes = texts(band_text(rs, q.outcome_if_present))
        items.append(
            f"<li><b>{question}</b><br>If yes: {yes} (<code>{esc(q.outcome_if_present)}</code>); "
            f"range if yes <code>{esc(q.outcome_range_if_present.low)}</code> to "
            f"<code>{esc(q.outcome_range_if_present.high)}</code>, if no "
            f"<code>{esc(q.outcome_range_if_absent.low)}</code> to "
            f"<code>{esc(q.outcome_range_if_absent.high)}</code>.</li>"
        )
    return (
        f"{_region(uid, 'next', level)}{head}"
        '<p class="sub">Ranked by how much an answer could change the assessment.</p>'
        f"<ol>{''.join(items)}</ol></section>"
    )


def _unknowns(a: Assessment, texts: Texts, level: int, uid: str) -> str:
    rs = _ruleset(a)
    head = _h(level, "Unknowns", f"{uid}-h-unknown")
    if not a.unknown:
        return f"{_region(uid, 'unknown', level)}{head}<p>No indicator is unknown.</p></section>"
    n = len(a.unknown)
    items = "".join(f"<li>{texts(rs.indicator(i).text, i)}</li>" for i in a.unknown)
    return (
        f"{_region(uid, 'unknown', level)}{head}"
        f"<p>{n} indicator{'s' if n != 1 else ''} not answered (unknown is never taken as absent):</p>"
        f'<ul class="unknowns">{items}</ul></section>'
    )


def _pathway(
    p: Pathway | None,
    network: ReferralNetwork | None,
    texts: Texts,
    level: int,
    uid: str,
    problem: str | None,
) -> str:
    head = _h(level, "Referral pathway", f"{uid}-h-path")
    if p is None:
        return (
            f"{_region(uid, 'path', level)}{head}<p>{esc(problem)}</p></section>" if problem else ""
        )
    start = esc(_name(p.start, network, texts))
    if p.needed:
        needed = ", ".join(esc(_service(s, network, texts)) for s in p.needed)
        intro = f"<p>From <b>{start}</b>. The assessment calls for: {needed}.</p>"
    else:
        intro = f"<p>From <b>{start}</b>. The assessment calls for no service in this network.</p>"
    steps = []
    for s in p.steps:
        extra = []
        if s.consent:
            extra.append("needs the person's consent")
        duty: str | None = s.notification
        if network is not None and s.channel in network.channels:
            note = network.channels[s.channel].notification
            duty = texts(note.duty) if note is not None else None
        elif duty is not None:
            duty = esc(duty)
        if duty:
            days = f" (within {s.deadline_days} days)" if s.deadline_days is not None else ""
            extra.append(f"duty: {duty}{days}")
        if s.confidence and s.confidence != "confirmed":
            extra.append(f"channel {esc(s.confidence)}")
        reach = (
            " for " + ", ".join(esc(_service(x, network, texts)) for x in s.services)
            if s.services
            else ""
        )
        steps.append(
            f"<li><b>{esc(_name(s.from_, network, texts))}</b> \u2192 "
            f"<b>{esc(_name(s.to, network, texts))}</b> ({esc(s.stage.replace('_', ' '))}){reach}"
            + (f"; {'; '.join(extra)}" if extra else "")
            + "</li>"
        )
    own = [r for r in p.routes if not r.channels]
    own_html = "".join(
        f"<li>{esc(_service(r.service, network, texts))}: offered by "
        f"{esc(_name(r.institution, network, texts))} itself</li>"
        for r in own
    )
    unreached = "".join(
        f"<li>{'Not reached' if u.kind == 'unreachable' else 'Open'}: "
        f"{esc(_service(u.service, network, texts))}: {esc(u.reason)}"
        + (f" (ask: {esc(', '.join(u.deciding_facts))})" if u.deciding_facts else "")
        + "</li>"
        for u in p.unreached
    )
    return (
        f"{_region(uid, 'path', level)}{head}{intro}"
        f"<figure>{_pathway_diagram(p, network, texts, f'{uid}-path')}"
        '<figcaption class="legend">Numbered arrows are the referrals listed below; the '
        "first-contact institution has a double border; dashed arrows are channels no "
        "source has confirmed.</figcaption></figure>"
        + (f"<ol>{''.join(steps)}</ol>" if steps else "<p>No referral is needed from here.</p>")
        + (f"<ul>{own_html}</ul>" if own_html else "")
        + (f"<p>Services not reached or still open:</p><ul>{unreached}</ul>" if unreached else "")
        + "</section>"
    )


def _provenance_rows(prov: Provenance) -> str:
    rows = [
        ("Source", prov.source),
        ("Publisher", prov.publisher),
        ("Year", prov.year),
        ("Address", prov.url),
        ("Confidence", prov.confidence.value if prov.confidence else "unstated"),
        ("Note", prov.note),
    ]
    return "".join(
        f'<tr><th scope="row">{label}</th><td>{esc(value)}</td></tr>'
        for label, value in rows
        if value is not None
    )


def provenance_section(
    rs: RuleSet,
    ruleset_hash: str,
    network: ReferralNetwork | None,
    pathway: Pathway | None,
    texts: Texts,
    level: int,
    uid: str,
) -> str:
    """Where the rules (and the network) come from and how sure we are of them."""
    from .. import __version__

    out = [
        f"{_region(uid, 'prov', level)}",
        _h(level, "Provenance", f"{uid}-h-prov"),
        f"<p>Rule set <b>{texts(rs.title)}</b> <code>{esc(rs.id)}</code> version "
        f"{esc(rs.version)}, <code>{esc(ruleset_hash)}</code>; screened with thbscreen "
        f"{esc(__version__)}.</p>",
        f"<table><tbody>{_provenance_rows(rs.provenance)}</tbody></table>",
    ]
    if network is not None:
        spec = network.spec
        out.append(
            f"<p>Referral network <b>{texts(spec.title)}</b> <code>{esc(spec.id)}</code> version "
            f"{esc(spec.version)}, <code>{esc(spec.hash)}</code>.</p>"
            f"<table><tbody>{_provenance_rows(spec.provenance)}</tbody></table>"
        )
    elif pathway is not None:
        out.append(
            f"<p>Referral network <code>{esc(pathway.network)}</code> version "
            f"{esc(pathway.network_version)}, <code>{esc(pathway.network_hash)}</code>.</p>"
        )
    out.append("</section>")
    return "".join(out)


def _region(uid: str, key: str, level: int) -> str:
    """A section named by its heading; below a scene's or case's own section (whose
    heading has the id ``uid``) also by that, so that every region's name is unique."""
    names = f"{uid} {uid}-h-{key}" if level > 2 else f"{uid}-h-{key}"
    return f'<section aria-labelledby="{names}">'


def assessment_sections(
    a: Assessment,
    texts: Texts,
    *,
    pathway: Pathway | None = None,
    network: ReferralNetwork | None = None,
    level: int = 2,
    uid: str = "r",
    pathway_problem: str | None = None,
    unknowns: bool = True,
) -> str:
    """Outcome, dimensions, evidence, next questions, unknowns and pathway, as HTML."""
    return (
        _outcome(a, texts, level, uid)
        + _dimensions(a, texts, level, uid)
        + _fired(a, texts, level, uid)
        + _next_questions(a, texts, level, uid)
        + (_unknowns(a, texts, level, uid) if unknowns else "")
        + _pathway(pathway, network, texts, level, uid, pathway_problem)
    )
