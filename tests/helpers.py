"""Small rule sets written in tests, in the file format."""

from __future__ import annotations

TINY = """\
id: test/tiny
version: "0.1"
title: Tiny test rule set
provenance: {source: thbscreen tests, confidence: thbscreen}
facts:
  - {id: weekly_hours, type: int, min: 0, max: 168}
  - {id: sector, type: enum, values: [agriculture, construction, domestic_work]}
  - {id: minor, type: bool}
  - {id: arrived, type: date}
indicators:
  - {id: a.one, dimension: a, strength: strong, text: A one}
  - {id: a.two, dimension: a, strength: medium, text: A two}
  - {id: a.three, dimension: a, strength: weak, text: A three}
  - {id: b.hours, dimension: b, strength: strong, text: Long hours, derive: weekly_hours > 60}
  - {id: b.farm, dimension: b, strength: medium, text: Farm work, derive: 'sector == "agriculture"'}
  - {id: b.other, dimension: b, strength: medium, text: Other, question: 'Anything else?'}
dimensions:
  - {id: a, title: Dimension A, positive: strong >= 1 and medium + weak >= 1 or medium >= 2}
  - {id: b, title: Dimension B, positive: strong >= 1 and medium >= 1 or medium >= 2}
outcomes:
  bands:
    - {id: high, title: High, when: a and b}
    - {id: some, title: Some, when: a or b}
  fallback: {id: none, title: None}
scoring:
  weights: {strong: 3, medium: 2, weak: 1}
  bands:
    - {id: low, min: 0, max: 4}
    - {id: raised, min: 4}
tests:
  - name: both dimensions
    case:
      facts: {weekly_hours: 70, sector: agriculture}
      indicators: {a.one: present, a.two: present}
    expect: {outcome: high, determined: true, score: 10}
"""
