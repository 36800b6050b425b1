"""The rule-set model: frozen attrs classes mirroring the rule-file format.

Serialization lives in :mod:`thbscreen._convert`; these classes only hold data.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

__all__ = [
    "Band",
    "Case",
    "CaseSelection",
    "Confidence",
    "Dimension",
    "ExampleTest",
    "Expectation",
    "Fact",
    "FactType",
    "Fallback",
    "Indicator",
    "Observation",
    "Outcomes",
    "Property",
    "Provenance",
    "RuleSet",
    "ScoreBand",
    "Scoring",
    "Strength",
    "Text",
]


class Strength(enum.Enum):
    STRONG = "strong"
    MEDIUM = "medium"
    WEAK = "weak"


class Confidence(enum.Enum):
    """How a piece of content was checked (see the domain reference)."""

    CONFIRMED = "confirmed"
    SECONDARY = "secondary"
    UNCONFIRMED = "unconfirmed"
    THBSCREEN = "thbscreen"


class FactType(enum.Enum):
    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    STRING = "string"
    ENUM = "enum"
    DATE = "date"


class Observation(enum.Enum):
    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


@frozen
class Text:
    """A text in several languages; English is always there."""

    en: str
    translations: tuple[tuple[str, str], ...] = ()

    def get(self, lang: str = "en") -> tuple[str, bool]:
        """The text in ``lang`` and whether it fell back to English."""
        if lang == "en":
            return self.en, False
        for code, text in self.translations:
            if code == lang:
                return text, False
        return self.en, True

    def __str__(self) -> str:
        return self.en


@frozen
class Provenance:
    """Where content comes from. Partial provenances override the rule set's, key by key."""

    source: str | None = None
    publisher: str | None = None
    year: int | None = None
    url: str | None = None
    confidence: Confidence | None = None
    note: str | None = None

    def over(self, base: Provenance) -> Provenance:
        """This provenance with missing keys taken from ``base``."""
        return Provenance(
            source=self.source if self.source is not None else base.source,
            publisher=self.publisher if self.publisher is not None else base.publisher,
            year=self.year if self.year is not None else base.year,
            url=self.url if self.url is not None else base.url,
            confidence=self.confidence if self.confidence is not None else base.confidence,
            note=self.note if self.note is not None else base.note,
        )


@frozen
class Fact:
    id: str
    type: FactType
    text: Text | None = None
    min: float | None = None
    max: float | None = None
    values: tuple[str, ...] | None = None
    provenance: Provenance | None = None


@frozen
class Indicator:
    id: str
    dimension: str
    text: Text
    question: Text | None = None
    strength: Strength | None = None
    weight: float | None = None
    derive: str | None = None
    provenance: Provenance | None = None


@frozen
class Dimension:
    id: str
    title: Text
    positive: str
    description: Text | None = None
    provenance: Provenance | None = None


@frozen
class Band:
    id: str
    title: Text
    when: str
    description: Text | None = None
    provenance: Provenance | None = None


@frozen
class Fallback:
    id: str
    title: Text
    description: Text | None = None
    provenance: Provenance | None = None


@frozen
class Outcomes:
    bands: tuple[Band, ...]
    fallback: Fallback


@frozen
class ScoreBand:
    id: str
    min: float
    max: float | None = None
    title: Text | None = None


@frozen
class Scoring:
    weights: Mapping[Strength, float] = field(factory=dict, hash=False)
    indicator_weights: Mapping[str, float] = field(factory=dict, hash=False)
    bands: tuple[ScoreBand, ...] = ()
    provenance: Provenance | None = None


@frozen
class Expectation:
    outcome: str | None = None
    outcome_range: tuple[str, str] | None = None
    determined: bool | None = None
    dimensions: Mapping[str, str] | None = field(default=None, hash=False)
    score: float | None = None
    score_range: tuple[float, float] | None = None
    score_band: str | None = None


@frozen
class Case:
    """One person's case: raw facts and indicator observations.

    ``repr`` never shows the facts or observations: case data stays out of logs.
    """

    id: str | None = None
    facts: Mapping[str, Any] = field(factory=dict, hash=False, repr=False)
    indicators: Mapping[str, Observation] = field(factory=dict, hash=False, repr=False)


@frozen
class ExampleTest:
    name: str
    case: Case
    expect: Expectation


@frozen
class CaseSelection:
    """Which cases a property speaks about; every key is optional (none: every case).

    ``present``, ``absent`` and ``unknown`` fix the observation of the indicators they
    name (a dimension id names every indicator of that dimension); ``facts`` fixes facts
    (``None``: left unknown). The counts bound the case's own observations.
    """

    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    facts: Mapping[str, Any] = field(factory=dict, hash=False)
    present_at_most: int | None = None
    present_at_least: int | None = None
    unknown_at_most: int | None = None


@frozen
class Property:
    """A declared invariant, checked by ``thbscreen check`` on generated cases.

    Exactly one of ``holds`` (an expression over the assessment that must be true for
    every selected case) and ``monotone: true`` (turning an indicator present never
    lowers the outcome or the score) is given.
    """

    name: str
    holds: str | None = None
    monotone: bool | None = None
    cases: CaseSelection | None = None
    description: Text | None = None


@frozen
class RuleSet:
    """A validated rule set as written in its file (compile it with :class:`Screener`)."""

    id: str
    version: str
    title: Text
    provenance: Provenance
    indicators: tuple[Indicator, ...]
    dimensions: tuple[Dimension, ...]
    outcomes: Outcomes
    format: int = 1
    description: Text | None = None
    languages: tuple[str, ...] = ("en",)
    facts: tuple[Fact, ...] = ()
    scoring: Scoring | None = None
    tests: tuple[ExampleTest, ...] = ()
    #: Declared invariants (see :class:`Property`), checked by ``thbscreen check``.
    properties: tuple[Property, ...] = ()
    #: Where the rule set was read from (not part of its content or hash).
    source: str | None = field(default=None, eq=False, repr=False)
    #: ``sha256:`` of the canonical JSON form.
    hash: str = field(default="", eq=False, repr=False)
    #: The checked analysis, kept by the loader so that compiling does not redo it.
    _analysis: list[Any] = field(factory=list, eq=False, repr=False, init=False)

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def provenance_of(self, item: Indicator | Dimension | Band | Fallback | Scoring) -> Provenance:
        """The effective provenance of a part: its own keys over the rule set's."""
        own = item.provenance
        return own.over(self.provenance) if own is not None else self.provenance

    def _repr_markdown_(self) -> str:
        return (
            f"**{self.title}** (`{self.id}` {self.version}): {len(self.indicators)} indicators, "
            f"{len(self.dimensions)} dimensions, bands "
            + ", ".join(b.id for b in self.outcomes.bands)
            + f", fallback {self.outcomes.fallback.id}"
        )
