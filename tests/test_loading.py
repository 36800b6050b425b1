from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import thbscreen
from thbscreen import RuleSetError

from .conftest import ROOT, write
from .helpers import TINY


def test_bundled_rule_sets_are_found_by_name_and_by_path() -> None:
    names = thbscreen.bundled_rulesets()
    assert "ilo-ec-2009/adult-labour" in names
    by_name = thbscreen.load_ruleset("ilo-ec-2009/adult-labour")
    by_path = thbscreen.load_ruleset(ROOT / "rules" / "ilo-ec-2009" / "adult-labour.yaml")
    assert by_name == by_path
    assert by_name.hash == by_path.hash
    assert by_name.hash.startswith("sha256:")


def test_unknown_name_lists_the_bundled_ones() -> None:
    with pytest.raises(RuleSetError, match="did you mean 'ilo-ec-2009/adult-labour'"):
        thbscreen.load_ruleset("ilo-ec-2009/adult-labour2")


def test_json_is_accepted_and_hashes_like_yaml(tmp_path: Path) -> None:
    data = yaml.safe_load(TINY)
    y = thbscreen.load_ruleset(write(tmp_path, "tiny.yaml", TINY))
    j = thbscreen.load_ruleset(write(tmp_path, "tiny.json", json.dumps(data, indent=1)))
    assert y == j
    assert y.hash == j.hash


def test_hash_ignores_layout_but_not_content(tmp_path: Path) -> None:
    a = thbscreen.load_ruleset(write(tmp_path, "a.yaml", TINY))
    b = thbscreen.load_ruleset(
        write(
            tmp_path,
            "b.yaml",
            "# a comment\n"
            + TINY.replace("{id: low, min: 0, max: 4}", "{max: 4, id: low, min: 0}"),
        )
    )
    c = thbscreen.load_ruleset(write(tmp_path, "c.yaml", TINY.replace("weak: 1}", "weak: 2}")))
    assert a.hash == b.hash
    assert a.hash != c.hash


def test_every_problem_is_reported_at_once_with_its_location(tmp_path: Path) -> None:
    broken = (
        TINY.replace("strength: strong, text: A one", "strength: stong, text: A one")
        .replace("title: Tiny test rule set", "title: Tiny test rule set\ncolour: red")
        .replace(
            "positive: strong >= 1 and medium + weak >= 1 or medium >= 2",
            "positive: strong >= 1 and mediun >= 1",
        )
    )
    path = write(tmp_path, "broken.yaml", broken)
    with pytest.raises(RuleSetError) as info:
        thbscreen.load_ruleset(path)
    messages = [str(p) for p in info.value.problems]
    text = "\n".join(messages)
    assert "expected one of strong, medium, weak, got 'stong' (did you mean 'strong'?)" in text
    assert "unknown key 'colour'" in text
    assert f"{path}:4:1: $.colour" in text
    strength = next(m for m in messages if "stong" in m)
    assert strength.startswith(f"{path}:12:")
    assert "$.indicators[0].strength" in strength


def test_expression_errors_point_into_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "x.yaml",
        TINY.replace(
            "positive: strong >= 1 and medium >= 1 or medium >= 2",
            "positive: strong >= 1 and medum >= 1",
        ),
    )
    with pytest.raises(thbscreen.ExpressionError) as info:
        thbscreen.load_ruleset(path)
    err = info.value
    line = (
        TINY.splitlines().index(
            next(x for x in TINY.splitlines() if x.startswith("  - {id: b, title: Dimension B"))
        )
        + 1
    )
    assert err.line == line
    assert err.column is not None
    assert "unknown name 'medum' (did you mean 'medium'?)" in str(err)
    assert err.path == "$.dimensions[1].positive"
    source_line = path.read_text().splitlines()[line - 1]
    assert source_line[err.column - 1 :].startswith("medum")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (("id: a.two,", "id: a.one,"), "duplicate id 'a.one'"),
        (
            (
                "dimension: b, strength: medium, text: Other",
                "dimension: c, strength: medium, text: Other",
            ),
            "unknown dimension 'c'",
        ),
        (
            ("strength: weak, text: A three", "strength: weak, weight: 2, text: A three"),
            "exactly one of 'strength' and 'weight'",
        ),
        (("{id: minor, type: bool}", "{id: minor, type: bool, min: 3}"), "only for int and float"),
        (("{id: low, min: 0, max: 4}", "{id: low, min: 5, max: 4}"), "must be greater than min"),
        (
            ("expect: {outcome: high,", "expect: {outcome: hihg,"),
            "unknown outcome 'hihg' (did you mean 'high'?)",
        ),
        (
            ("indicators: {a.one: present,", "indicators: {a.onee: present,"),
            "unknown indicator 'a.onee'",
        ),
        (("derive: weekly_hours > 60", "derive: weekly_hours + 60"), "expected a bool expression"),
        (('version: "0.1"', "version: 0.1"), "expected a string, got float"),
        (
            ("{id: high, title: High, when: a and b}", "{id: some, title: High, when: a and b}"),
            "duplicate outcome id 'some'",
        ),
        (("{id: a, title: Dimension A", "{id: strong, title: Dimension A"), "reserved word"),
    ],
)
def test_semantic_errors(tmp_path: Path, change: tuple[str, str], fragment: str) -> None:
    assert change[0] in TINY
    path = write(tmp_path, "x.yaml", TINY.replace(*change))
    with pytest.raises(RuleSetError) as info:
        thbscreen.load_ruleset(path)
    assert fragment in str(info.value)
    assert all(p.source == str(path) and p.line is not None for p in info.value.problems)


def test_derivation_cycles_are_refused(tmp_path: Path) -> None:
    text = TINY.replace("derive: weekly_hours > 60", "derive: b.farm").replace(
        "derive: 'sector == \"agriculture\"'", "derive: b.hours"
    )
    with pytest.raises(RuleSetError, match="depends on itself"):
        thbscreen.load_ruleset(write(tmp_path, "x.yaml", text))


def test_case_files_load_with_their_rule_set_name() -> None:
    [cf] = list(
        thbscreen.load_cases(ROOT / "examples" / "cases" / "adult" / "seasonal-farm-worker.yaml")
    )
    assert cf.rules == "ilo-ec-2009/adult-labour"
    assert cf.id == "seasonal-farm-worker"
    assert "facts" not in repr(cf.case) or "{" not in repr(cf.case)


def test_case_file_errors_are_located(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "id: x\nindicators:\n  a.one: maybe\nnotes: hi\n")
    with pytest.raises(RuleSetError) as info:
        list(thbscreen.load_cases(path))
    text = str(info.value)
    assert (
        f"{path}:3:10: $.indicators['a.one']: expected present, absent or unknown" in text
        or f"{path}:3:10: $.indicators.a.one" in text
        or "3:10" in text
    )
    assert "unknown key 'notes'" in text


@pytest.mark.parametrize(
    "name",
    [
        "ilo-ec-2009/../referral/slovenia",
        "referral/slovenia",
        "schema/ruleset.schema",
        "/ilo-ec-2009/adult-labour",
    ],
)
def test_bundled_names_cannot_reach_other_kinds_of_file(name: str) -> None:
    with pytest.raises(thbscreen.RuleSetError, match="no bundled rule set of this name"):
        thbscreen.load_ruleset(name)
