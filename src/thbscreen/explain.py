"""Explanations: an assessment rendered as terminal text, Markdown, JSON or HTML.

Rendering is a view of the assessment's data; nothing is computed here that the
assessment does not already hold.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from .assessment import NEGATIVE, POSITIVE, Assessment, NextQuestion
from .i18n import Localizer
from .model import RuleSet

__all__ = ["DISCLAIMER", "render", "render_html_fragment", "render_markdown", "render_text"]

DISCLAIMER = (
    "This screening result supports, and never replaces, the judgement of a trained "
    "professional. It is not an identification: in most countries only designated "
    "authorities formally identify a victim of trafficking."
)
MAX_QUESTIONS = 5
_MARK = {POSITIVE: "[+]", NEGATIVE: "[-]"}


def _ruleset(a: Assessment) -> RuleSet:
    return a._screener.ruleset


def _band_title(rs: RuleSet, band_id: str, loc: Localizer) -> str:
    for band in rs.outcomes.bands:
        if band.id == band_id:
            return loc(band.title)
    return loc(rs.outcomes.fallback.title)


def _dim_title(rs: RuleSet, dim_id: str, loc: Localizer) -> str:
    return loc(next(d.title for d in rs.dimensions if d.id == dim_id))


def _ind_text(rs: RuleSet, ind_id: str, loc: Localizer) -> str:
    return loc(rs.indicator(ind_id).text)


def _ind_question(rs: RuleSet, ind_id: str, loc: Localizer) -> str:
    ind = rs.indicator(ind_id)
    return loc(ind.question if ind.question is not None else ind.text)


def _band_rule(rs: RuleSet, band_id: str) -> str | None:
    for band in rs.outcomes.bands:
        if band.id == band_id:
            return " ".join(band.when.split())
    return None


def _score_note(rs: RuleSet) -> str | None:
    if rs.scoring is None:
        return None
    prov = rs.provenance_of(rs.scoring)
    if prov.confidence is not None and prov.confidence.value == "thbscreen":
        return "thbscreen's own score, not part of the source method"
    return None


def _questions(a: Assessment) -> Sequence[NextQuestion]:
    return [q for q in a.next_questions if q.impact > 0][:MAX_QUESTIONS]


def render_text(a: Assessment, lang: str = "en") -> str:
    """Plain terminal text; rule-set texts in ``lang`` where the rule set has them."""
    rs = _ruleset(a)
    loc = Localizer(lang)
    lines: list[str] = []
    head = f"Case {a.case_id}" if a.case_id else "Case"
    lines.append(f"{head}: screened with {loc(rs.title)} ({rs.id} {rs.version})")
    lines.append(f"Outcome: {a.outcome} - {_band_title(rs, a.outcome, loc)}")
    if a.determined:
        lines.append("  Determined: no answer to the open questions could change it.")
    else:
        lines.append(
            f"  Not determined: answers to the unknowns could give anything from "
            f"{a.outcome_range.low} to {a.outcome_range.high}."
        )
    note = _score_note(rs)
    score = f"Score: {a.score} (could be {a.score_range[0]} to {a.score_range[1]})"
    if a.score_band:
        score += f", band {a.score_band}"
    lines.append(score + (f"  [{note}]" if note else ""))
    lines.append("")
    lines.append("Why:")
    rule = _band_rule(rs, a.outcome)
    if rule:
        lines.append(f"  {a.outcome} because: {rule}")
    by_dim: dict[str, list[str]] = {}
    for f in a.fired:
        how = "observed" if f.evidence.kind == "observed" else f"derived: {f.evidence.expression}"
        by_dim.setdefault(f.dimension, []).append(
            f"{_ind_text(rs, f.id, loc)} ({f.strength or f'weight {f.weight}'}; {how})"
        )
    for d in a.dimension_results:
        mark = _MARK.get(d.status, "[?]")
        extra = f" - holds: {d.combination}" if d.combination else ""
        lines.append(f"  {mark} {_dim_title(rs, d.id, loc)}: {d.status}{extra}")
        for item in by_dim.get(d.id, []):
            lines.append(f"        + {item}")
    lines.append("")
    lines.append(f"Unknown: {len(a.unknown)} indicator(s) not answered.")
    questions = _questions(a)
    if questions:
        lines.append("Ask next (ranked by how much an answer could change the assessment):")
        for i, q in enumerate(questions, 1):
            lines.append(f"  {i}. {_ind_question(rs, q.indicator, loc)}")
            lines.append(
                f"     if yes: {q.outcome_if_present}; "
                f"range if yes {q.outcome_range_if_present.low}..{q.outcome_range_if_present.high}, "
                f"if no {q.outcome_range_if_absent.low}..{q.outcome_range_if_absent.high}"
            )
    lines.append("")
    lines.append(
        f"Rule set {rs.id} {rs.version} ({a.ruleset.hash[:19]}), confidence: "
        f"{rs.provenance.confidence.value if rs.provenance.confidence else 'unstated'}"
    )
    note = loc.note()
    if note:
        lines.append(note)
    lines.append(DISCLAIMER)
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def render_markdown(a: Assessment, lang: str = "en") -> str:
    """Markdown, for case notes and training material; rule-set texts in ``lang``."""
    rs = _ruleset(a)
    loc = Localizer(lang)
    out: list[str] = []
    out.append(f"### Screening{' of case ' + _md(a.case_id) if a.case_id else ''}: **{a.outcome}**")
    out.append("")
    out.append(f"*{_md(_band_title(rs, a.outcome, loc))}*")
    out.append("")
    if a.determined:
        out.append("- Determined: no answer to the open questions could change the outcome.")
    else:
        out.append(
            f"- Not determined: possible outcomes range from `{a.outcome_range.low}` to `{a.outcome_range.high}`."
        )
    note = _score_note(rs)
    out.append(
        f"- Score: {a.score} (range {a.score_range[0]} to {a.score_range[1]})"
        + (f", band `{a.score_band}`" if a.score_band else "")
        + (f" ({note})" if note else "")
    )
    rule = _band_rule(rs, a.outcome)
    if rule:
        out.append(f"- Rule for `{a.outcome}`: `{rule}`")
    out.append("")
    out.append("| Dimension | Status | Holds | Indicators present |")
    out.append("|---|---|---|---|")
    for d in a.dimension_results:
        fired = "; ".join(
            _md(_ind_text(rs, f.id, loc)) + (" (derived)" if f.evidence.kind == "derived" else "")
            for f in a.fired
            if f.dimension == d.id
        )
        out.append(
            f"| {_md(_dim_title(rs, d.id, loc))} | {d.status} | {('`' + d.combination + '`') if d.combination else ''} | {fired} |"
        )
    out.append("")
    out.append(f"Unknown: {len(a.unknown)} indicator(s) not answered.")
    questions = _questions(a)
    if questions:
        out.append("")
        out.append("**Ask next**")
        out.append("")
        for i, q in enumerate(questions, 1):
            out.append(
                f"{i}. {_md(_ind_question(rs, q.indicator, loc))} (if yes: `{q.outcome_if_present}`)"
            )
    out.append("")
    out.append(f"Rule set `{rs.id}` {rs.version}, `{a.ruleset.hash[:19]}`.")
    lang_note = loc.note()
    if lang_note:
        out.append("")
        out.append(f"*{lang_note}*")
    out.append("")
    out.append(f"> {DISCLAIMER}")
    return "\n".join(out) + "\n"


def render_html_fragment(a: Assessment) -> str:
    """A small HTML view for Jupyter (no scripts, no external resources)."""
    rs = _ruleset(a)
    e = html.escape
    colour = {POSITIVE: "#8b1a1a", NEGATIVE: "#2f5f2f"}
    rows = "".join(
        f"<tr><td>{e(d.title)}</td><td style='color:{colour.get(d.status, '#444')}'>"
        f"<b>{e(d.status)}</b></td><td><code>{e(d.combination or '')}</code></td></tr>"
        for d in a.dimension_results
    )
    questions = "".join(f"<li>{e(q.question)}</li>" for q in _questions(a))
    state = (
        "determined"
        if a.determined
        else f"range {e(a.outcome_range.low)} to {e(a.outcome_range.high)}"
    )
    return (
        f"<div><p><b>Outcome: {e(a.outcome)}</b> ({state}): {e(_band_title(rs, a.outcome, Localizer()))}<br>"
        f"Score {e(str(a.score))}</p><table><tr><th>Dimension</th><th>Status</th><th>Holds</th></tr>"
        f"{rows}</table>"
        + (f"<p>Ask next:</p><ol>{questions}</ol>" if questions else "")
        + f"<p><small>{e(DISCLAIMER)}</small></p></div>"
    )


def render(a: Assessment, fmt: str, lang: str = "en") -> str:
    """``text``, ``markdown`` or ``json``; ``lang`` picks the rule set's texts (not JSON's,
    which always holds the ids and the English texts, so that it is the same everywhere)."""
    if fmt == "json":
        return a.to_json(indent=2) + "\n"
    if fmt == "markdown":
        return render_markdown(a, lang)
    return render_text(a, lang)
