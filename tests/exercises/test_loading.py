"""Bad exercise files: one error listing every problem, each with file:line:column and path."""

from __future__ import annotations

from pathlib import Path

import pytest

from thbscreen import RuleSetError
from thbscreen.exercises import load_exercise

from ._data import write_mini


def line_of(path: Path, fragment: str) -> int:
    lines = path.read_text("utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if fragment in line)


def problems(path: Path) -> list[str]:
    with pytest.raises(RuleSetError) as info:
        load_exercise(path)
    return [str(p) for p in info.value.problems]


def test_the_mini_exercise_loads(tmp_path: Path) -> None:
    ex = load_exercise(write_mini(tmp_path))
    assert ex.id == "mini"
    assert ex.source.endswith("mini.yaml")
    assert [s.id for s in ex.scenes] == ["one", "two"]


def test_unknown_indicator_is_located_with_did_you_mean(tmp_path: Path) -> None:
    path = write_mini(
        tmp_path,
        (
            "indicator: exploitative_conditions_of_work.low_or_no_salary",
            "indicator: exploitative_conditions_of_work.low_or_no_salry",
        ),
    )
    (only,) = problems(path)
    line = line_of(path, "low_or_no_salry")
    assert only.startswith(f"{path}:{line}:20: $.scenes[1].reveals[0].indicator: unknown indicator")
    assert "did you mean 'exploitative_conditions_of_work.low_or_no_salary'" in only


def test_unknown_key_and_bad_level_are_reported_together(tmp_path: Path) -> None:
    path = write_mini(tmp_path, ("level: introductory", "level: beginner\nduration: 10"))
    found = problems(path)
    assert any(
        "$.level: expected one of introductory, intermediate, advanced, got 'beginner'" in p
        for p in found
    )
    assert any(
        "unknown key 'duration'" in p and "did you mean 'duration_minutes'" in p for p in found
    )


def test_passage_must_be_quoted_from_the_scene(tmp_path: Path) -> None:
    path = write_mini(
        tmp_path, ("passage: He is paid almost nothing", "passage: He is paid nothing at all")
    )
    (only,) = problems(path)
    assert (
        f"mini.yaml:{line_of(path, 'paid nothing at all')}:18: $.scenes[1].reveals[0].passage"
        in only
    )
    assert "not in the scene's narrative" in only


def test_expected_outcome_must_be_what_the_rule_set_gives(tmp_path: Path) -> None:
    path = write_mini(
        tmp_path,
        ("outcome: indications", "outcome: victim"),
        ("determined: false", "determined: true"),
    )
    found = problems(path)
    assert any(
        "$.expect.outcome: after the last scene the rule set gives 'indications' (range indications..victim), not 'victim'"
        in p
        for p in found
    )
    assert any("$.expect.determined" in p for p in found)


def test_expected_outcome_must_be_a_band(tmp_path: Path) -> None:
    path = write_mini(tmp_path, ("outcome: indications", "outcome: indication"))
    (only,) = problems(path)
    assert (
        "expected one of the bands of ilo-ec-2009/adult-labour: victim, indications, no_indication"
        in only
    )
    assert "did you mean 'indications'" in only


def test_expected_pathway_must_be_the_networks(tmp_path: Path) -> None:
    path = write_mini(
        tmp_path,
        (
            "institutions: [labour_inspectorate, kljuc, counselling_office_for_workers]",
            "institutions: [labour_inspectorate, police]",
        ),
    )
    (only,) = problems(path)
    assert (
        "$.expect.pathway.institutions: the pathway from labour_inspectorate reaches labour_inspectorate, counselling_office_for_workers, kljuc"
        in only
    )


def test_unknown_institution_start_and_service(tmp_path: Path) -> None:
    path = write_mini(
        tmp_path,
        ("start: labour_inspectorate", "start: caritas_crisis_accommodation"),
        ("institutions: [labour_inspectorate,", "institutions: [labour_inspektorate,"),
        ("services: [counselling,", "services: [counseling,"),
    )
    found = problems(path)
    assert any(
        "'caritas_crisis_accommodation' is not a first-contact institution" in p for p in found
    )
    assert any(
        "unknown institution 'labour_inspektorate'" in p
        and "did you mean 'labour_inspectorate'" in p
        for p in found
    )
    assert any("unknown service 'counseling'" in p for p in found)


def test_unknown_fact_and_bad_fact_value(tmp_path: Path) -> None:
    path = write_mini(tmp_path, ("facts: {age: 30,", "facts: {agee: 30,"))
    (only,) = problems(path)
    assert "$.scenes[0].facts.agee: unknown fact 'agee'" in only
    assert "did you mean 'age'" in only
    path = write_mini(tmp_path, ("facts: {age: 30,", "facts: {age: thirty,"))
    (only,) = problems(path)
    assert "$.scenes[0].facts: the case after this scene does not fit" in only
    assert "thirty" not in only  # case values stay out of error text


def test_network_that_does_not_know_the_rule_sets_bands(tmp_path: Path) -> None:
    path = write_mini(
        tmp_path, ("rules: ilo-ec-2009/adult-labour", "rules: ilo-2012/forced-labour-11")
    )
    found = problems(path)
    assert any(
        "$.network: network referral/slovenia knows the outcomes victim, indications, no_indication, not strong_indication, indication"
        in p
        for p in found
    )


def test_languages(tmp_path: Path) -> None:
    path = write_mini(tmp_path, ("languages: [en, sl]", "languages: [sl]"))
    found = problems(path)
    assert any("$.languages: languages must include 'en'" in p for p in found)
    path = write_mini(tmp_path, ("languages: [en, sl]", "languages: [en]"))
    (only,) = problems(path)
    assert "$.title.sl: text in language 'sl'" in only


def test_duplicate_scene_and_nothing_to_spot(tmp_path: Path) -> None:
    path = write_mini(tmp_path, ("  - id: two", "  - id: one"))
    assert any("duplicate scene id 'one'" in p for p in problems(path))
    path = write_mini(
        tmp_path, ("debrief:\n  - Exploitation is positive; recruitment is open.", "debrief: []")
    )
    assert any("$.debrief: write at least one debrief note" in p for p in problems(path))


def test_missing_file_and_unknown_name() -> None:
    with pytest.raises(RuleSetError, match="no bundled exercise of this name") as info:
        load_exercise("seasonal-worker-inspektion")
    assert "did you mean 'seasonal-worker-inspection'" in str(info.value)
