"""A small exercise for tests, and a helper that writes variants of it."""

from __future__ import annotations

from pathlib import Path

MINI = """\
format: 1
id: mini
title: {en: The orchard, sl: Sadovnjak}
summary: A two-scene test exercise.
audience: [labour_inspectors]
level: introductory
languages: [en, sl]
rules: ilo-ec-2009/adult-labour
network: referral/slovenia
scenes:
  - id: one
    title: Scene one
    narrative: >-
      They work from six in the morning until nine at night, every day. His passport is
      in his own pocket. Whether he owes anyone money he would not say.
    facts: {age: 30, exploitation: labour}
    reveals:
      - indicator: exploitative_conditions_of_work.excessive_working_days_hours
        passage: from six in the morning until nine at night, every day
        note: Fifteen hours a day.
      - indicator: coercion_at_destination.confiscation_of_documents
        observation: absent
        passage: His passport is in his own pocket.
      - indicator: coercion_at_destination.debt_bondage
        observation: unknown
        passage: Whether he owes anyone money he would not say.
  - id: two
    title: Scene two
    narrative: >-
      He is paid almost nothing and owes the boss for the journey, which he repays from
      his wages.
    reveals:
      - indicator: exploitative_conditions_of_work.low_or_no_salary
        passage: He is paid almost nothing
      - indicator: coercion_at_destination.debt_bondage
        passage: owes the boss for the journey, which he repays from his wages
expect:
  outcome: indications
  determined: false
  pathway:
    start: labour_inspectorate
    institutions: [labour_inspectorate, kljuc, counselling_office_for_workers]
    services: [counselling, labour_rights_counselling]
debrief:
  - Exploitation is positive; recruitment is open.
"""

HOURS = "exploitative_conditions_of_work.excessive_working_days_hours"
PAY = "exploitative_conditions_of_work.low_or_no_salary"
DEBT = "coercion_at_destination.debt_bondage"
PASSPORT = "coercion_at_destination.confiscation_of_documents"
VIOLENCE = "coercion_at_destination.violence_on_victim"


def write_mini(tmp_path: Path, *replacements: tuple[str, str], name: str = "mini.yaml") -> Path:
    text = MINI
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
