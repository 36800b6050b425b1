"""Audit records: salted case digests, append-only JSON lines, reading back, verifying."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import thbscreen
from thbscreen.audit import (
    AuditError,
    AuditLog,
    AuditRecord,
    case_digest,
    load_salt,
    read_log,
    verify,
)
from thbscreen.loading import load_cases, ruleset_from_text
from thbscreen.model import Case, Observation

from ..conftest import ROOT, write
from ..helpers import TINY

SALT = b"0123456789abcdef-test-salt"
TS = "2024-05-01T10:00:00+00:00"
DEBT = "coercion_at_destination.debt_bondage"
DOCS = "coercion_at_destination.confiscation_of_documents"
CASE = {"id": "c-1", "indicators": {DEBT: "present", DOCS: "absent"}}
FARM = ROOT / "examples" / "cases" / "adult" / "seasonal-farm-worker.yaml"


# -- digests ---------------------------------------------------------------------------
def test_the_same_case_in_any_spelling_has_the_same_digest() -> None:
    spellings: list[Any] = [
        CASE,
        Case("c-1", {}, {DEBT: Observation.PRESENT, DOCS: Observation.ABSENT}),
        {"id": "c-1", "facts": {}, "indicators": {DEBT: True, DOCS: False, "x.unknown": None}},
        {"indicators": {DOCS: "absent", DEBT: "present", "x.other": "unknown"}, "id": "c-1"},
    ]
    digests = {case_digest(c, SALT) for c in spellings}
    assert len(digests) == 1
    assert next(iter(digests)).startswith("hmac-sha256:")


def test_a_case_file_and_its_mapping_agree() -> None:
    (cf,) = list(load_cases(FARM))
    as_mapping = {
        "id": cf.id,
        "facts": dict(cf.facts),
        "indicators": {k: v.value for k, v in cf.indicators.items()},
    }
    assert case_digest(cf.case, SALT) == case_digest(as_mapping, SALT)


def test_facts_are_canonical_dates_numbers_and_unknowns() -> None:
    a = {"facts": {"arrived": dt.date(2024, 1, 2), "weekly_hours": 70.0, "minor": None}}
    b = {"facts": {"arrived": "2024-01-02", "weekly_hours": 70}}
    assert case_digest(a, SALT) == case_digest(b, SALT)
    assert case_digest({"id": 7}, SALT) == case_digest({"id": "7"}, SALT)


def test_digests_change_with_the_case_and_with_the_salt() -> None:
    base = case_digest(CASE, SALT)
    assert case_digest({**CASE, "indicators": {DEBT: "present"}}, SALT) != base
    assert case_digest({**CASE, "id": "c-2"}, SALT) != base
    assert case_digest(CASE, SALT + b"x") != base


observations = st.sampled_from(["present", "absent", "unknown", True, False, None])
cases = st.fixed_dictionaries(
    {
        "id": st.one_of(st.none(), st.text(max_size=10)),
        "indicators": st.dictionaries(st.sampled_from([DEBT, DOCS, "a.b", "c.d"]), observations),
    }
)


@given(case=cases)
def test_mapping_and_case_object_digests_agree(case: dict[str, Any]) -> None:
    obs = {k: Observation(v) if isinstance(v, str) else v for k, v in case["indicators"].items()}
    as_object = Case(case["id"], {}, obs)
    assert case_digest(case, SALT) == case_digest(as_object, SALT)


@pytest.mark.parametrize(
    ("case", "path"),
    [
        ({"id": "x", "name": "someone"}, "$.name"),
        ({"indicators": {DEBT: "yes"}}, f"$.indicators[{DEBT!r}]"),
        ({"facts": {"x": object()}}, "$.facts['x']"),
        ({"facts": {"x": float("nan")}}, "$.facts['x']"),
        ({"id": True}, "$.id"),
        ({"indicators": ["a"]}, "$.indicators"),
    ],
)
def test_bad_cases_raise_a_located_error_without_their_values(case: Any, path: str) -> None:
    with pytest.raises(AuditError) as info:
        case_digest(case, SALT)
    assert info.value.path == path
    assert "someone" not in str(info.value)
    assert "yes" not in str(info.value)


@pytest.mark.parametrize("salt", [b"short", "a string salt of many chars", b"x" * 5000])
def test_a_salt_must_be_16_to_4096_bytes(salt: Any) -> None:
    with pytest.raises(AuditError, match="salt"):
        case_digest(CASE, salt)


def test_load_salt_strips_whitespace_and_refuses_short_or_missing_files(tmp_path: Path) -> None:
    assert load_salt(write(tmp_path, "s", "  " + SALT.decode() + "\n")) == SALT
    with pytest.raises(AuditError, match=r"s2: \$: the salt must have 16"):
        load_salt(write(tmp_path, "s2", "abc\n"))
    with pytest.raises(AuditError, match="cannot read the salt file"):
        load_salt(tmp_path / "missing")


# -- writing and reading ----------------------------------------------------------------
@pytest.fixture
def screener() -> thbscreen.Screener:
    return thbscreen.Screener(thbscreen.load_ruleset("ilo-ec-2009/adult-labour"))


def test_a_record_is_one_json_line_without_case_content(
    tmp_path: Path, screener: thbscreen.Screener
) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, salt=SALT)
    assessment = screener.evaluate(CASE)
    record = log.record(assessment, CASE, timestamp=TS, user="worker-17")
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") == 1
    assert text.endswith("\n")
    data = json.loads(text)
    assert data == record.to_dict()
    assert data["ruleset"] == assessment.ruleset.to_dict()
    assert data["outcome"] == assessment.outcome
    assert data["outcome_range"] == assessment.outcome_range.to_list()
    assert data["score"] == assessment.score
    assert data["timestamp"] == TS
    assert data["user"] == "worker-17"
    assert data["case_digest"] == case_digest(CASE, SALT)
    for secret in ("c-1", DEBT, DOCS, "present", SALT.decode()):
        assert secret not in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "salt" not in repr(log)
    assert SALT.decode() not in repr(log)


def test_records_append_and_read_back_in_order(
    tmp_path: Path, screener: thbscreen.Screener
) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, salt=SALT, fsync=True)
    cases = [{"id": str(i), "indicators": {DEBT: "present"} if i % 2 else {}} for i in range(5)]
    written = [log.record(screener.evaluate(c), c, timestamp=TS) for c in cases]
    # A second log object on the same file appends, never truncates.
    written.append(AuditLog(path, salt=SALT).record(screener.evaluate(CASE), CASE, timestamp=TS))
    assert list(read_log(path)) == written
    assert all(isinstance(r, AuditRecord) for r in written)


@pytest.mark.parametrize(
    ("timestamp", "user"),
    [("", None), ("yesterday", None), (None, None), (TS, ""), (TS, "x" * 201)],
)
def test_timestamp_and_user_are_checked(
    tmp_path: Path, screener: thbscreen.Screener, timestamp: Any, user: Any
) -> None:
    log = AuditLog(tmp_path / "a.jsonl", salt=SALT)
    with pytest.raises(AuditError):
        log.record(screener.evaluate(CASE), CASE, timestamp=timestamp, user=user)
    assert not (tmp_path / "a.jsonl").exists()


def _append_many(args: tuple[str, int]) -> None:
    path, worker = args
    screener = thbscreen.Screener(thbscreen.load_ruleset("ilo-ec-2009/adult-labour"))
    log = AuditLog(path, salt=SALT)
    for i in range(150):
        case = {"id": f"{worker}-{i}", "indicators": {DEBT: "present"}}
        log.record(screener.evaluate(case), case, timestamp=TS, user=f"worker-{worker}" * 20)


def test_concurrent_writers_never_interleave_lines(tmp_path: Path) -> None:
    path = str(tmp_path / "audit.jsonl")
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_append_many, [(path, w) for w in range(4)])
    records = list(read_log(path))
    assert len(records) == 600
    assert len({r.case_digest for r in records}) == 600


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"format": "thbscreen-audit/1"\n', "a.jsonl:1:31: $: not valid JSON"),
        ("[]\n", "a.jsonl:1:1: $: expected a JSON object"),
        ('{"format": "other"}\n', "$.format: expected format 'thbscreen-audit/1'"),
        ("{}", "a.jsonl:1: $: the last line is incomplete"),
    ],
)
def test_bad_log_lines_name_their_line(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, "a.jsonl", text)
    with pytest.raises(AuditError) as info:
        list(read_log(path))
    assert expected in str(info.value)


def test_a_damaged_record_names_its_line_and_field(
    tmp_path: Path, screener: thbscreen.Screener
) -> None:
    path = tmp_path / "a.jsonl"
    log = AuditLog(path, salt=SALT)
    for _ in range(2):
        log.record(screener.evaluate(CASE), CASE, timestamp=TS)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    damaged = json.loads(lines[1])
    damaged["score"] = "high"
    path.write_text(lines[0] + "\n" + json.dumps(damaged) + "\n", encoding="utf-8")
    with pytest.raises(AuditError, match=r"a.jsonl:3:1: \$.score: expected a number"):
        list(read_log(path))
    damaged.pop("score")
    damaged["extra"] = 1
    path.write_text(json.dumps(damaged) + "\n", encoding="utf-8")
    with pytest.raises(AuditError, match=r"\$.extra: unknown key 'extra'"):
        list(read_log(path))


# -- verification --------------------------------------------------------------------------
def test_a_record_verifies_against_a_rerun(tmp_path: Path, screener: thbscreen.Screener) -> None:
    log = AuditLog(tmp_path / "a.jsonl", salt=SALT)
    record = log.record(screener.evaluate(CASE), CASE, timestamp=TS)
    result = verify(
        record,
        Case("c-1", {}, {DEBT: Observation.PRESENT, DOCS: Observation.ABSENT}),
        screener,
        salt=SALT,
    )
    assert result.matches
    assert result.mismatched == ()
    assert verify(record, CASE, screener.ruleset, salt=SALT).matches
    assert result.to_dict()["matches"] is True


def test_verification_names_what_differs(tmp_path: Path, screener: thbscreen.Screener) -> None:
    record = AuditLog(tmp_path / "a.jsonl", salt=SALT).record(
        screener.evaluate(CASE), CASE, timestamp=TS
    )
    changed = {"id": "c-1", "indicators": {DEBT: "present", DOCS: "present"}}
    result = verify(record, changed, screener, salt=SALT)
    assert not result.matches
    assert result.mismatched[0] == "case_digest"
    assert not {"ruleset.id", "ruleset.version", "ruleset.hash"} & set(result.mismatched)
    assert ("outcome" in result.mismatched) == (
        screener.evaluate(changed).outcome != record.outcome
    )
    # Same case, other rules: the rule set fields differ.
    tiny = thbscreen.Screener(ruleset_from_text(TINY))
    other = verify(record, {"id": "c-1"}, tiny, salt=SALT)
    assert {"ruleset.id", "ruleset.hash"} <= set(other.mismatched)
    with pytest.raises(AuditError, match="expected a Screener or a RuleSet"):
        verify(record, CASE, "ilo-ec-2009/adult-labour", salt=SALT)


def test_a_changed_rule_file_is_caught_by_its_hash(
    tmp_path: Path, screener: thbscreen.Screener
) -> None:
    record = AuditLog(tmp_path / "a.jsonl", salt=SALT).record(
        screener.evaluate(CASE), CASE, timestamp=TS
    )
    source = (ROOT / "rules" / "ilo-ec-2009" / "adult-labour.yaml").read_text(encoding="utf-8")
    edited = source.replace("Debt bondage", "Debt bondage (edited)", 1)
    assert edited != source
    changed = ruleset_from_text(edited)
    result = verify(record, CASE, changed, salt=SALT)
    assert result.mismatched == ("ruleset.hash",)
