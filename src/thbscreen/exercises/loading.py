"""Load and check exercises: structure, references, passages, and the expected result.

Every problem is collected with its file, line, column and path, and one
:class:`~thbscreen.RuleSetError` lists them all. The last check replays the story:
the outcome and pathway an exercise expects must be what the rule set and the network
actually give, so an exercise can never teach a result the tool would not produce.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from .._analysis import Collector
from .._language.suggest import did_you_mean
from .._yaml import Located, PathT, read_located
from ..errors import RuleSetError, ThbscreenError
from ..loading import load_ruleset, resolve_path, structure
from ..model import Observation, Text
from ..referral.network import ReferralNetwork, load_network
from ..referral.pathway import NoReferralPath
from ..screening import Screener
from .model import EXERCISE_FORMAT, Exercise, _Context
from .replay import ReplayError, replay

__all__ = ["bundled_exercises", "exercises_dir", "iter_texts", "load_exercise"]

_SUFFIXES = (".yaml", ".yml", ".json")
_SCENE_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


def exercises_dir() -> Path:
    """Where the bundled exercises are: inside the wheel, or the source tree's examples/."""
    packaged = Path(str(resources.files("thbscreen"))) / "_exercises"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "examples" / "exercises"


def bundled_exercises() -> list[str]:
    """Names of the bundled exercises, such as ``seasonal-worker-inspection``."""
    root = exercises_dir()
    if not root.is_dir():
        return []
    return sorted(p.stem for p in root.iterdir() if p.suffix in _SUFFIXES and p.is_file())


def _resolve(name_or_path: str | os.PathLike[str]) -> Path:
    return resolve_path(name_or_path, bundled_exercises(), "exercise", root=exercises_dir())


def load_exercise(name_or_path: str | os.PathLike[str]) -> Exercise:
    """Load and check an exercise given by bundled name or file path.

    Raises :class:`~thbscreen.RuleSetError` listing every problem, each with file, line,
    column and path: unknown keys, unknown indicators, facts or institutions (with a
    "did you mean"), passages missing from their scene, and an expected outcome or
    pathway that the rule set and network do not give.
    """
    path = _resolve(name_or_path)
    located = read_located(path)
    return exercise_from_located(located, base=path.parent)


def exercise_from_text(text: str | bytes, source: str = "<input>") -> Exercise:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return exercise_from_located(read_located(raw, source), base=Path.cwd())


def exercise_from_located(located: Located, base: Path) -> Exercise:
    exercise: Exercise = structure(located, Exercise)
    c = Collector(located.source, located)
    _check_own(exercise, c)
    screener = _load_rules(exercise, base, c)
    network = _load_network(exercise, base, c)
    if screener is not None:
        _check_against_rules(exercise, screener, network, c)
    if network is not None:
        _check_against_network(exercise, screener, network, c)
    if c.problems:
        raise RuleSetError(c.problems)
    assert screener is not None  # a failed load added a problem above
    exercise._loaded.append(_Context(located.source, screener, network))
    _check_expectation(exercise, c)
    if c.problems:
        raise RuleSetError(c.problems)
    return exercise


# -- the file on its own ---------------------------------------------------------------------
def iter_texts(value: Any, path: PathT = ()) -> Iterator[tuple[PathT, Text]]:
    """Every :class:`Text` in a model object, with its path in the file."""
    if isinstance(value, Text):
        yield path, value
    elif attrs.has(type(value)):
        for a in attrs.fields(type(value)):
            if a.init:
                yield from iter_texts(getattr(value, a.name), (*path, a.name.rstrip("_")))
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from iter_texts(item, (*path, i))


def _normal(text: str) -> str:
    # Passages are quoted from the narrative; line breaks, case and typographic
    # quotes may differ between the two, nothing else.
    table = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
    return " ".join(text.translate(table).split()).casefold()


def _duplicates(ids: list[str]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if x in seen:
            yield i, x
        seen.add(x)


def _check_own(ex: Exercise, c: Collector) -> None:
    if ex.format != EXERCISE_FORMAT:
        c.add(
            f"unsupported format {ex.format}; this version reads format {EXERCISE_FORMAT}",
            ("format",),
        )
    if "en" not in ex.languages:
        c.add("languages must include 'en' (English is the fallback of every text)", ("languages",))
    for path, text in iter_texts(ex):
        for code, _ in text.translations:
            if code not in ex.languages:
                c.add(
                    f"text in language {code!r}, which the exercise does not list in languages "
                    f"({', '.join(ex.languages)})",
                    (*path, code),
                )
    if not ex.audience:
        c.add("name at least one audience (who the exercise is written for)", ("audience",))
    if not ex.debrief:
        c.add("write at least one debrief note", ("debrief",))
    if not ex.scenes:
        c.add("an exercise needs at least one scene", ("scenes",))
    for i, dup in _duplicates([s.id for s in ex.scenes]):
        c.add(f"duplicate scene id {dup!r}", ("scenes", i, "id"))
    for i, scene in enumerate(ex.scenes):
        if not _SCENE_ID.match(scene.id):
            c.add(
                "a scene id is lower-case letters, digits, '-' and '_' (it is typed in answer files)",
                ("scenes", i, "id"),
            )
        for j, dup in _duplicates([r.indicator for r in scene.reveals]):
            c.add(
                f"indicator {dup!r} is revealed twice in this scene; keep one reveal",
                ("scenes", i, "reveals", j, "indicator"),
            )
        for j, reveal in enumerate(scene.reveals):
            for lang, passage, fallback in _passage_pairs(scene.narrative, reveal.passage):
                if _normal(passage) not in _normal(fallback):
                    c.add(
                        f"the passage ({lang}) is not in the scene's narrative: quote the words "
                        "of the narrative that show the indicator",
                        ("scenes", i, "reveals", j, "passage"),
                    )
    if ex.scenes and not any(
        r.observation is Observation.PRESENT for s in ex.scenes for r in s.reveals
    ):
        c.add("no scene reveals an indicator as present: there is nothing to spot", ("scenes",))


def _passage_pairs(narrative: Text, passage: Text) -> Iterator[tuple[str, str, str]]:
    yield "en", passage.en, narrative.en
    for code, text in passage.translations:
        own, fell_back = narrative.get(code)
        if not fell_back:
            yield code, text, own


# -- references -------------------------------------------------------------------------------
def _relative(name: str, base: Path) -> str | Path:
    # A path in an exercise is relative to the exercise file, as in an editor.
    if name.endswith(_SUFFIXES) and not Path(name).is_absolute():
        return base / name
    return name


def _load_rules(ex: Exercise, base: Path, c: Collector) -> Screener | None:
    try:
        return Screener(load_ruleset(_relative(ex.rules, base)))
    except ThbscreenError as exc:
        c.add(f"cannot use rule set {ex.rules!r}: {exc.problems[0]}", ("rules",))
        return None


def _load_network(ex: Exercise, base: Path, c: Collector) -> ReferralNetwork | None:
    if ex.network is None:
        if ex.expect.pathway is not None:
            c.add("an expected pathway needs the exercise's network", ("expect", "pathway"))
        return None
    try:
        return load_network(_relative(ex.network, base))
    except ThbscreenError as exc:
        c.add(f"cannot use network {ex.network!r}: {exc.problems[0]}", ("network",))
        return None


def _check_against_rules(
    ex: Exercise, screener: Screener, network: ReferralNetwork | None, c: Collector
) -> None:
    rs = screener.ruleset
    indicators = [ind.id for ind in rs.indicators]
    known = set(indicators)
    facts = {f.id for f in rs.facts} | (set(network.fact_ids) if network is not None else set())
    for i, scene in enumerate(ex.scenes):
        for j, reveal in enumerate(scene.reveals):
            if reveal.indicator not in known:
                c.add(
                    f"unknown indicator {reveal.indicator!r} in rule set {rs.id}"
                    + did_you_mean(reveal.indicator, indicators),
                    ("scenes", i, "reveals", j, "indicator"),
                )
        for key in scene.facts:
            if key not in facts:
                where = f"rule set {rs.id}" + (f" or network {ex.network}" if network else "")
                c.add(
                    f"unknown fact {key!r}: {where} declares "
                    f"{', '.join(sorted(facts)) or 'no facts'}{did_you_mean(key, facts)}",
                    ("scenes", i, "facts", key),
                    key=True,
                )
    bands = [b.id for b in rs.outcomes.bands] + [rs.outcomes.fallback.id]
    if ex.expect.outcome not in bands:
        c.add(
            f"expected one of the bands of {rs.id}: {', '.join(bands)}, got "
            f"{ex.expect.outcome!r}{did_you_mean(ex.expect.outcome, bands)}",
            ("expect", "outcome"),
        )
    if network is not None:
        foreign = [b for b in bands if b not in network.spec.outcomes]
        if foreign:
            c.add(
                f"network {network.spec.id} knows the outcomes {', '.join(network.spec.outcomes)}, "
                f"not {', '.join(foreign)} of rule set {rs.id}: leave the network out, or pick a "
                "rule set whose bands it knows",
                ("network",),
            )


def _check_against_network(
    ex: Exercise, screener: Screener | None, network: ReferralNetwork, c: Collector
) -> None:
    expected = ex.expect.pathway
    if expected is None:
        return
    institutions = network.institutions
    path: PathT = ("expect", "pathway")
    if expected.start not in institutions:
        c.add(
            f"unknown institution {expected.start!r} in network {network.spec.id}"
            + did_you_mean(expected.start, institutions),
            (*path, "start"),
        )
    elif not institutions[expected.start].first_contact:
        firsts = [i.id for i in network.spec.institutions if i.first_contact]
        c.add(
            f"{expected.start!r} is not a first-contact institution; first-contact: {', '.join(firsts)}",
            (*path, "start"),
        )
    for k, inst in enumerate(expected.institutions):
        if inst not in institutions:
            c.add(
                f"unknown institution {inst!r} in network {network.spec.id}"
                + did_you_mean(inst, institutions),
                (*path, "institutions", k),
            )
    for k, service in enumerate(expected.services or ()):
        if service not in network.services:
            c.add(
                f"unknown service {service!r} in network {network.spec.id}"
                + did_you_mean(service, network.services),
                (*path, "services", k),
            )


# -- the expected result ------------------------------------------------------------------------
def _check_expectation(ex: Exercise, c: Collector) -> None:
    """Replay the story; the expectation must be what the rule set and network give."""
    try:
        result = replay(ex)
    except ReplayError as exc:
        for p in exc.problems:
            c.add(
                f"the case after this scene does not fit: {p.path}: {p.message}",
                ("scenes", exc.scene, "facts"),
            )
        return
    except NoReferralPath as exc:
        c.add(
            f"the network gives no pathway: {exc.problems[0].message}",
            ("expect", "pathway", "start"),
        )
        return
    final = result.final.assessment
    expect = ex.expect
    if final.outcome != expect.outcome:
        c.add(
            f"after the last scene the rule set gives {final.outcome!r} (range "
            f"{final.outcome_range.low}..{final.outcome_range.high}), not {expect.outcome!r}: "
            "fix the exercise (its scenes or its expectation), not the rule set",
            ("expect", "outcome"),
        )
    if expect.determined is not None and final.determined != expect.determined:
        c.add(
            f"after the last scene the outcome is {'' if final.determined else 'not '}determined "
            f"(range {final.outcome_range.low}..{final.outcome_range.high})",
            ("expect", "determined"),
        )
    path, expected = result.pathway, expect.pathway
    if path is None or expected is None:
        return
    got = path.institutions
    if set(got) != set(expected.institutions):
        c.add(
            f"the pathway from {expected.start} reaches {', '.join(got)}; expected "
            f"{', '.join(expected.institutions) or 'nothing'}",
            ("expect", "pathway", "institutions"),
        )
    if expected.services is not None and set(path.needed) != set(expected.services):
        c.add(
            f"the assessment calls for {', '.join(path.needed) or 'no service'}; expected "
            f"{', '.join(expected.services) or 'no service'}",
            ("expect", "pathway", "services"),
        )
