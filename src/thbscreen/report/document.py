"""Self-contained HTML reports: one case, several cases, or an exercise run.

One file, nothing fetched: inline CSS and SVG, no scripts, no fonts, no images by URL.
Readable on a projector (large type, high contrast) and printable (a print style sheet).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..assessment import Assessment
from ..explain import DISCLAIMER, _ruleset
from ..referral.network import ReferralNetwork
from ..referral.pathway import Pathway
from ._style import CSS
from ._texts import Texts, esc
from .sections import _pathway, assessment_sections, band_text, provenance_section

__all__ = ["cases_report", "exercise_report", "html_report", "page"]


def page(
    title: str,
    body: str,
    texts: Texts,
    *,
    nonce: str | None = None,
    script: str = "",
    css: str = "",
    body_class: str | None = None,
) -> str:
    """A whole HTML document around ``body``: the style sheet, the disclaimer at the top and
    the note on texts shown in English (``title`` is plain text; ``body`` is HTML).

    The interface words are English, so the document is ``lang="en"``; texts in another
    language carry their own ``lang``.
    """
    n = f' nonce="{esc(nonce)}"' if nonce else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # An empty icon: the browser asks for nothing, not even /favicon.ico.
        '<link rel="icon" href="data:,">'
        f"<title>{esc(title)}</title><style{n}>{CSS}{css}</style></head>"
        + (f'<body class="{esc(body_class)}">' if body_class else "<body>")
        + f"<main><h1>{esc(title)}</h1>"
        f'<p class="disclaimer" role="note">{esc(DISCLAIMER)}</p>'
        f"{texts.note()}{body}"
        f'</main><footer><p class="disclaimer">{esc(DISCLAIMER)}</p></footer>'
        + (f"<script{n}>{script}</script>" if script else "")
        + "</body></html>\n"
    )


def html_report(
    assessment: Assessment,
    *,
    pathway: Pathway | None = None,
    network: ReferralNetwork | None = None,
    lang: str = "en",
    title: str | None = None,
    pathway_problem: str | None = None,
) -> str:
    """One case's assessment as a self-contained HTML page.

    The outcome, a picture of the dimensions, the indicators present with their
    evidence, the next questions, the unknowns, the referral pathway as a diagram (when
    ``pathway`` is given; ``network`` supplies institution and service names), the
    provenance of the rule set and the disclaimer. Texts of the rule set and network
    are shown in ``lang`` where they have it, else in English, marked as such.
    ``pathway_problem`` says why there is no pathway (a :class:`NoReferralPath`'s
    message, say), shown in its place.

    >>> import thbscreen
    >>> s = thbscreen.Screener(thbscreen.load_ruleset("ilo-ec-2009/adult-labour"))
    >>> page = html_report(s.evaluate({"id": "c1", "indicators": {}}))
    >>> page.startswith("<!DOCTYPE html>") and "<script" not in page
    True
    """
    texts = Texts(lang)
    rs = _ruleset(assessment)
    heading = title or (
        f"Screening of case {assessment.case_id}" if assessment.case_id else "Screening"
    )
    body = (
        f'<p class="sub">Screened with {texts(rs.title)} (<code>{esc(rs.id)}</code> '
        f"{esc(rs.version)}).</p>"
        + assessment_sections(
            assessment, texts, pathway=pathway, network=network, pathway_problem=pathway_problem
        )
        + provenance_section(rs, assessment.ruleset.hash, network, pathway, texts, 2, "r")
    )
    return page(heading, body, texts)


def _summary(entries: Sequence[tuple[str, Assessment]], texts: Texts, label: str) -> str:
    rows = []
    for k, (name, a) in enumerate(entries, 1):
        band = texts(band_text(_ruleset(a), a.outcome))
        state = (
            "determined"
            if a.determined
            else f"could be <code>{esc(a.outcome_range.low)}</code> to "
            f"<code>{esc(a.outcome_range.high)}</code>"
        )
        rows.append(
            f'<tr><td><a href="#s{k}">{esc(name)}</a></td>'
            f'<td class="outcome-cell">{band} <code>{esc(a.outcome)}</code></td>'
            f"<td>{state}</td><td>{len(a.fired)}</td><td>{len(a.unknown)}</td></tr>"
        )
    return (
        '<section aria-labelledby="h-summary"><h2 id="h-summary">Summary</h2>'
        f'<table class="summary"><thead><tr><th scope="col">{esc(label)}</th>'
        '<th scope="col">Outcome</th><th scope="col">Determined</th>'
        '<th scope="col">Present</th><th scope="col">Unknown</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _provenances(
    entries: Sequence[Assessment],
    network: ReferralNetwork | None,
    pathway: Pathway | None,
    texts: Texts,
) -> str:
    seen: list[str] = []
    out: list[str] = []
    for a in entries:
        if a.ruleset.hash in seen:
            continue
        seen.append(a.ruleset.hash)
        out.append(
            provenance_section(
                _ruleset(a),
                a.ruleset.hash,
                network if not out else None,
                pathway if not out else None,
                texts,
                2,
                f"p{len(seen)}",
            )
        )
    return "".join(out)


def cases_report(
    title: str,
    entries: Sequence[tuple[str, Assessment, Pathway | str | None]],
    *,
    network: ReferralNetwork | None = None,
    lang: str = "en",
    label: str = "Case",
) -> str:
    """Several assessments on one page: a summary table, then one section each.

    ``entries`` are (heading, assessment, pathway): the pathway, or a sentence saying
    why there is none, or None for no pathway section.
    """
    if not entries:
        raise ValueError("expected at least one assessment to report")
    texts = Texts(lang)
    body = [_summary([(n, a) for n, a, _ in entries], texts, label)]
    for k, (name, a, p) in enumerate(entries, 1):
        body.append(
            f'<section aria-labelledby="s{k}"><h2 id="s{k}">{esc(name)}</h2>'
            + assessment_sections(
                a,
                texts,
                pathway=p if isinstance(p, Pathway) else None,
                network=network,
                level=3,
                uid=f"s{k}",
                pathway_problem=p if isinstance(p, str) else None,
            )
            + "</section>"
        )
    paths = [p for _, _, p in entries if isinstance(p, Pathway)]
    body.append(
        _provenances([a for _, a, _ in entries], network, paths[0] if paths else None, texts)
    )
    return page(title, "".join(body), texts)


def exercise_report(
    title: str,
    scenes: Sequence[tuple[str, Assessment]],
    *,
    pathway: Pathway | None = None,
    network: ReferralNetwork | None = None,
    lang: str = "en",
) -> str:
    """An exercise run as one HTML page: how the assessment developed scene by scene.

    ``scenes`` are (scene title, assessment after that scene), in order. ``pathway``,
    when given, is the referral at the end of the exercise and is drawn after the last
    scene.
    """
    if not scenes:
        raise ValueError("expected at least one scene to report")
    texts = Texts(lang)
    body = [_summary(scenes, texts, "Scene")]
    for k, (name, a) in enumerate(scenes, 1):
        body.append(
            f'<section aria-labelledby="s{k}"><h2 id="s{k}">Scene {k}: {esc(name)}</h2>'
            + assessment_sections(a, texts, level=3, uid=f"s{k}", unknowns=False)
            + "</section>"
        )
    if pathway is not None:
        body.append(_pathway(pathway, network, texts, 2, "end", None))
    body.append(_provenances([a for _, a in scenes], network, pathway, texts))
    return page(title, "".join(body), texts)
