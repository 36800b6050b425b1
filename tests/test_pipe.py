"""Subprocess mode: ``thbscreen screen -`` and ``refer -`` driven through a real pipe."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from thbscreen import Screener, load_ruleset
from thbscreen.pipe import run_pipe

DEBT = "coercion_at_destination.debt_bondage"
GOOD = json.dumps({"id": "a", "indicators": {DEBT: "present"}})
UNKNOWN_ID = json.dumps({"id": "b", "indicators": {"no.such": "present"}})
WRONG_TYPE = json.dumps([1, 2])
NOT_JSON = "{not json"


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "thbscreen", *args]


def test_one_answer_per_line_in_order_with_bad_lines_interleaved() -> None:
    lines = [GOOD, NOT_JSON, UNKNOWN_ID, "", GOOD, WRONG_TYPE, GOOD]
    done = subprocess.run(
        _command("screen", "-"),
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    out = [json.loads(x) for x in done.stdout.splitlines()]
    # The blank line 4 is not a record; every other line gets exactly one answer.
    assert [o["line"] for o in out] == [1, 2, 3, 5, 6, 7]
    assert ["assessment" in o for o in out] == [True, False, False, True, False, True]
    assert out[1]["error"]["title"] == "InvalidJSON"
    assert out[2]["error"]["errors"][0]["path"] == "$.indicators['no.such']"
    assert out[0]["assessment"]["fired"][0]["id"] == DEBT
    assert done.returncode == 2
    assert "3 of 6 records refused" in done.stderr
    # Errors never echo the case.
    assert "not json" not in done.stdout


def test_a_driver_gets_each_answer_before_sending_the_next_case() -> None:
    with subprocess.Popen(
        _command("screen", "-"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdin is not None
        assert proc.stdout is not None
        for n in range(1, 4):
            proc.stdin.write(GOOD + "\n")
            proc.stdin.flush()
            answer = json.loads(proc.stdout.readline())
            assert answer["line"] == n
            assert "assessment" in answer
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0


def test_refer_pipe_gives_assessment_and_pathway_and_a_json_array_works() -> None:
    cases = [{"id": "x", "indicators": {DEBT: "present"}}, {"id": "y", "facts": {"nope": 1}}]
    done = subprocess.run(
        _command("refer", "-", "--from", "labour_inspectorate"),
        input=json.dumps(cases, indent=2),
        capture_output=True,
        text=True,
        timeout=60,
    )
    out = [json.loads(x) for x in done.stdout.splitlines()]
    assert [o["index"] for o in out] == [1, 2]
    assert out[0]["pathway"]["start"] == "labour_inspectorate"
    assert out[1]["error"]["title"] == "CaseDataError"


def test_unknown_start_institution_is_one_located_error() -> None:
    done = subprocess.run(
        _command("refer", "-", "--from", "polic"),
        input=GOOD + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "did you mean 'police'" in done.stderr
    assert "Traceback" not in done.stderr


def _evaluate_with(screener: Screener) -> Any:
    return lambda case: {"assessment": screener.evaluate(case).to_dict()}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(exclude_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        ),
        max_size=8,
    )
)
def test_every_non_blank_line_gets_exactly_one_answer(lines: list[str]) -> None:
    # Arbitrary text never crashes the pipe and is never answered out of order.
    screener = Screener(load_ruleset("ilo-ec-2009/adult-labour"))
    text = "".join(line + "\n" for line in lines)
    if text.lstrip().startswith("["):
        return  # one JSON document, covered above
    out = io.StringIO()
    summary = run_pipe(io.StringIO(text), out, _evaluate_with(screener))
    answers = [json.loads(x) for x in out.getvalue().splitlines()]
    expected = [i for i, line in enumerate(lines, 1) if line.strip()]
    assert [a["line"] for a in answers] == expected
    assert summary.read == len(expected) == summary.ok + summary.failed
