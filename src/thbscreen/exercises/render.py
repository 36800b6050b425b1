"""Exercises as terminal text, Markdown and JSON: scenes, feedback, reports.

Every text is taken in the language asked for and falls back to English per string;
a string shown in English for want of a translation is marked ``[en]`` (the indicator
list, which comes from the rule set, says so once in its heading instead).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from typing import Any

from ..explain import DISCLAIMER
from ..i18n import Localizer
from ..model import RuleSet
from .loading import iter_texts
from .marking import (
    LEFT_OPEN,
    NOT_IN_STORY,
    NOT_SHOWN_YET,
    SHOWN_ABSENT,
    Finding,
    Marking,
    SceneMarking,
)
from .model import Exercise
from .replay import Replay, SceneState

__all__ = [
    "REPORT_FORMAT",
    "exercise_localizer",
    "fallback_note",
    "feedback_text",
    "final_text",
    "indicator_list",
    "intro_text",
    "report",
    "scene_text",
]

REPORT_FORMAT = "thbscreen-exercise-marking/1"
WIDTH = 78
QUESTIONS = 3


def exercise_localizer(lang: str = "en") -> Localizer:
    """Texts in ``lang``, each falling back to English on its own, marked ``[en]``."""
    return Localizer(lang, mark_fallback=True)


def _wrap(text: str, indent: str = "", first: str | None = None) -> str:
    return "\n".join(
        textwrap.fill(
            para,
            WIDTH,
            initial_indent=indent if first is None or k else first,
            subsequent_indent=indent,
        )
        for k, para in enumerate(p for p in text.split("\n") if p.strip())
    )


def fallback_note(exercise: Exercise, lang: str) -> str | None:
    """One sentence saying how many texts are shown in English, or None."""
    if lang == "en":
        return None
    texts = [t for _, t in iter_texts(exercise)]
    missing = sum(1 for t in texts if t.get(lang)[1])
    if not missing:
        return None
    return (
        f"{missing} of {len(texts)} texts of this exercise have no {lang!r} version and are "
        "shown in English, marked [en]."
    )


def numbering(ruleset: RuleSet) -> dict[str, int]:
    """Indicator id -> the number a trainee types (1-based, in rule-set order)."""
    return {ind.id: n for n, ind in enumerate(ruleset.indicators, 1)}


def _label(ruleset: RuleSet, indicator: str, lang: Localizer) -> str:
    number = numbering(ruleset)[indicator]
    return f"[{number}] {lang(ruleset.indicator(indicator).text, marked=False)}"


def indicator_list(ruleset: RuleSet, lang: Localizer, only: Sequence[str] | None = None) -> str:
    """The numbered indicators grouped by dimension (or just those in ``only``)."""
    numbers = numbering(ruleset)
    keep = set(only) if only is not None else None
    lines: list[str] = []
    english = [ind for ind in ruleset.indicators if ind.text.get(lang.lang)[1]]
    if lang.lang != "en" and english:
        lines.append(f"(indicator texts in English: the rule set has no {lang.lang!r} text)")
    for dim in ruleset.dimensions:
        items = [
            ind
            for ind in ruleset.indicators
            if ind.dimension == dim.id and (keep is None or ind.id in keep)
        ]
        if not items:
            continue
        lines.append(lang(dim.title, marked=False) + ":")
        lines.extend(f"  {numbers[i.id]:>3}. {lang(i.text, marked=False)}" for i in items)
    return "\n".join(lines)


def intro_text(exercise: Exercise, lang: Localizer) -> str:
    screener, _ = exercise.context()
    rs = screener.ruleset
    lines = [
        lang(exercise.title),
        "=" * min(WIDTH, len(lang(exercise.title))),
        _wrap(lang(exercise.summary)),
        "",
        _wrap(
            f"Audience: {', '.join(exercise.audience)}; level: {exercise.level.value}; "
            f"{len(exercise.scenes)} scenes; rule set {rs.id} {rs.version}."
        ),
    ]
    note = fallback_note(exercise, lang.lang)
    if note:
        lines.append(note)
    lines += [
        "",
        _wrap("All people and places are fictional. " + DISCLAIMER),
        "",
        "After each scene, mark the indicators the story shows so far: type their numbers",
        "(e.g. 3 12), '/word' to search, '-N' to withdraw a mark, 'l' for the list,",
        "and an empty line when done.",
    ]
    return "\n".join(lines)


def scene_text(exercise: Exercise, index: int, lang: Localizer) -> str:
    scene = exercise.scenes[index]
    head = f"Scene {index + 1} of {len(exercise.scenes)}: {lang(scene.title)}"
    lines = [head, "-" * min(WIDTH, len(head)), _wrap(lang(scene.narrative))]
    if scene.prompt is not None:
        lines += ["", _wrap(lang(scene.prompt))]
    return "\n".join(lines)


def _reason(f: Finding, lang: Localizer) -> str:
    passage = f' "{lang(f.reveal.passage)}"' if f.reveal else ""
    if f.reason == SHOWN_ABSENT:
        return f"the story shows it absent (scene {f.shown_in}):{passage}"
    if f.reason == LEFT_OPEN:
        return f"the story leaves it open (scene {f.shown_in}): ask, do not assume:{passage}"
    if f.reason == NOT_SHOWN_YET:
        return "not shown yet: nothing up to this scene shows it"
    if f.reason == NOT_IN_STORY:
        return "nothing in the story shows it"
    return ""  # pragma: no cover - every over-call has a reason


def _findings(sm: SceneMarking, rs: RuleSet, lang: Localizer) -> Iterator[str]:
    yield (
        f"You marked {len(sm.marked)}: {len(sm.hits)} hit(s), {len(sm.misses)} miss(es), "
        f"{len(sm.overcalls)} over-call(s)."
    )
    for f in sm.hits:
        yield f"  + hit       {_label(rs, f.indicator, lang)}"
    for f in sm.misses:
        yield f"  - missed    {_label(rs, f.indicator, lang)}"
        if f.shown_in != sm.scene:  # the passage was quoted when this scene showed it
            yield f"              still unmarked (shown in scene {f.shown_in})"
        elif f.reveal is not None:
            yield _wrap(f'shown in scene {f.shown_in}: "{lang(f.reveal.passage)}"', " " * 14)
            if f.reveal.note is not None:
                yield _wrap(f"why: {lang(f.reveal.note)}", " " * 14)
    for f in sm.overcalls:
        yield f"  ! over-call {_label(rs, f.indicator, lang)}"
        yield _wrap(_reason(f, lang), " " * 14)


def _assessment(state: SceneState, rs: RuleSet) -> Iterator[str]:
    a = state.assessment
    titles = {b.id: b.title for b in rs.outcomes.bands} | {
        rs.outcomes.fallback.id: rs.outcomes.fallback.title
    }
    yield _wrap(f"What the rule set finds so far: {a.outcome} - {titles[a.outcome].en}")
    if a.determined:
        yield "  Determined: no answer to the open questions could change it."
    else:
        yield f"  Not determined: answers still to come could give {a.outcome_range.low} to {a.outcome_range.high}."
    positive = [d.title for d in a.dimension_results if d.status == "positive"]
    if positive:
        yield _wrap("Positive: " + "; ".join(positive), "  ")
    questions = [q for q in a.next_questions if q.impact > 0][:QUESTIONS]
    if questions:
        yield "  Ask next:"
        for i, q in enumerate(questions, 1):
            yield _wrap(f"{i}. {q.question}", "    ")


def feedback_text(exercise: Exercise, sm: SceneMarking, lang: Localizer) -> str:
    """After a scene: the marking, what the rule set finds, and what to ask next."""
    rs = exercise.context()[0].ruleset
    return "\n".join([*_findings(sm, rs, lang), "", *_assessment(sm.state, rs)])


def _expected(exercise: Exercise, story: Replay, lang: Localizer) -> Iterator[str]:
    a = story.final.assessment
    yield f"Expected result after the last scene: {a.outcome}" + (
        "" if a.determined else f" (could still be {a.outcome_range.low}..{a.outcome_range.high})"
    )
    if story.pathway is not None:
        p = story.pathway
        yield _wrap(f"Referral pathway from {p.start}: " + " -> ".join(p.institutions), "")
        if p.needed:
            yield _wrap("Services called for: " + ", ".join(p.needed), "  ")
        if p.consent_needed:
            yield _wrap("Needs the person's consent: " + ", ".join(p.consent_needed), "  ")


def final_text(exercise: Exercise, marking: Marking, story: Replay, lang: Localizer) -> str:
    lines = [
        f"Score: {marking.score:.2f} (F1 over all scenes: {marking.hits} hit(s), "
        f"{marking.misses} miss(es), {marking.overcalls} over-call(s))",
        "",
        *_expected(exercise, story, lang),
        "",
        "Debrief:",
        *(_wrap(lang(note), "  ", first="- ") for note in exercise.debrief),
        "",
        _wrap(DISCLAIMER),
    ]
    return "\n".join(lines)


# -- bulk reports --------------------------------------------------------------------------------
def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def _report_text(
    exercise: Exercise, story: Replay, markings: Sequence[Marking], lang: Localizer
) -> str:
    rs = exercise.context()[0].ruleset
    out = [f"{lang(exercise.title)} ({exercise.id}), rule set {rs.id} {rs.version}"]
    note = fallback_note(exercise, lang.lang)
    if note:
        out.append(note)
    for m in markings:
        out += [
            "",
            f"Trainee {m.trainee or '-'}: score {m.score:.2f} "
            f"({m.hits} hit(s), {m.misses} miss(es), {m.overcalls} over-call(s))",
        ]
        for k, sm in enumerate(m.scenes):
            out.append(
                f" Scene {k + 1} ({sm.scene}), outcome so far {sm.state.assessment.outcome}:"
            )
            out.extend("  " + line for line in _findings(sm, rs, lang))
    out += ["", *_expected(exercise, story, lang), "", DISCLAIMER]
    return "\n".join(out) + "\n"


def _report_markdown(
    exercise: Exercise, story: Replay, markings: Sequence[Marking], lang: Localizer
) -> str:
    rs = exercise.context()[0].ruleset
    out = [
        f"### Exercise: {_md(lang(exercise.title))}",
        "",
        f"`{exercise.id}`, rule set `{rs.id}` {rs.version}.",
        "",
    ]
    note = fallback_note(exercise, lang.lang)
    if note:
        out += [f"*{_md(note)}*", ""]
    out += ["| trainee | score | hits | misses | over-calls |", "|---|---|---|---|---|"]
    out += [
        f"| {_md(m.trainee or '-')} | {m.score:.2f} | {m.hits} | {m.misses} | {m.overcalls} |"
        for m in markings
    ]
    for m in markings:
        out += [
            "",
            f"#### {_md(m.trainee or '-')}",
            "",
            "| scene | outcome | hits | missed | over-called |",
            "|---|---|---|---|---|",
        ]
        for sm in m.scenes:
            cells = [
                ", ".join(_md(_label(rs, f.indicator, lang)) for f in group)
                for group in (sm.hits, sm.misses, sm.overcalls)
            ]
            out.append(
                f"| {_md(sm.scene)} | {sm.state.assessment.outcome} | " + " | ".join(cells) + " |"
            )
    out += ["", *(f"- {_md(line.strip())}" for line in _expected(exercise, story, lang))]
    out += ["", "**Debrief**", "", *(f"- {_md(lang(n))}" for n in exercise.debrief)]
    out += ["", f"> {DISCLAIMER}"]
    return "\n".join(out) + "\n"


def report_dict(
    exercise: Exercise, story: Replay, markings: Sequence[Marking], lang: Localizer
) -> dict[str, Any]:
    rs = exercise.context()[0].ruleset
    return {
        "format": REPORT_FORMAT,
        "exercise": {"id": exercise.id, "title": lang(exercise.title, marked=False)},
        "ruleset": {"id": rs.id, "version": rs.version, "hash": rs.hash},
        "lang": lang.lang,
        "fallback": fallback_note(exercise, lang.lang),
        "replay": story.to_dict(),
        "trainees": [m.to_dict(lang.lang) for m in markings],
        "debrief": [lang(n, marked=False) for n in exercise.debrief],
        "disclaimer": DISCLAIMER,
    }


def report(
    exercise: Exercise, story: Replay, markings: Sequence[Marking], fmt: str, lang: Localizer
) -> str:
    """Bulk marking results as ``text``, ``markdown`` or ``json``."""
    if fmt == "json":
        import json

        return (
            json.dumps(report_dict(exercise, story, markings, lang), indent=2, ensure_ascii=False)
            + "\n"
        )
    if fmt == "markdown":
        return _report_markdown(exercise, story, markings, lang)
    return _report_text(exercise, story, markings, lang)
