"""``thbscreen exercise run`` driven through a pseudo-terminal, as a trainee would use it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pexpect
import pytest

from thbscreen.exercises import Answers, SceneAnswer, load_exercise, mark
from thbscreen.exercises.render import numbering

PROMPT = "empty line: done):"
HOURS = "exploitative_conditions_of_work.excessive_working_days_hours"
HOUSING = "exploitative_conditions_of_work.bad_living_conditions"
PASSPORT = "coercion_at_destination.confiscation_of_documents"


def command() -> list[str]:
    # The registered `thbscreen exercise` once the lead wires it in; the module until then.
    from thbscreen.cli import main

    script = Path(sys.executable).parent / "thbscreen"
    if "exercise" in getattr(main, "commands", {}) and script.exists():
        return [str(script), "exercise"]
    return [sys.executable, "-m", "thbscreen.cli_exercise"]


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("env") is None or sys.platform == "win32", reason="needs a POSIX pty"
)
def test_trainee_answers_a_scene_through_a_pty() -> None:
    ex = load_exercise("seasonal-worker-inspection")
    n = numbering(ex.context()[0].ruleset)
    program, *args = command()
    child = pexpect.spawn(
        program,
        [*args, "run", "seasonal-worker-inspection"],
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 200),
    )
    try:
        child.expect_exact("Scene 1 of 4: The orchard at seven in the evening")
        child.expect_exact(PROMPT)
        child.sendline(f"{n[HOURS]} {n[HOUSING]} {n[PASSPORT]}")
        child.expect_exact(f"marked: {n[HOURS]} {n[HOUSING]} {n[PASSPORT]}")
        child.expect_exact(PROMPT)
        child.sendline("")
        child.expect_exact("You marked 3: 2 hit(s), 0 miss(es), 1 over-call(s).")
        child.expect_exact(f"over-call [{n[PASSPORT]}] Confiscation of documents")
        child.expect_exact("not shown yet")
        child.expect_exact("What the rule set finds so far: indications")
        child.expect_exact("Scene 2 of 4")
        child.expect_exact(PROMPT)
        child.sendline("")  # nothing new: the interview's indicators are missed
        child.expect_exact("You marked 3: 2 hit(s), 6 miss(es), 1 over-call(s).")
        child.expect_exact(f"missed    [{n['coercive_recruitment.debt_bondage']}] Debt bondage")
        for scene in (3, 4):
            child.expect_exact(f"Scene {scene} of 4")
            child.expect_exact(PROMPT)
            child.sendline("")
        child.expect_exact("Score: ")
        child.expect(r"(\d\.\d\d)")
        shown = float(child.match.group(1))
        child.expect_exact("never replaces")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    expected = mark(ex, Answers((SceneAnswer("the-orchard", (HOURS, HOUSING, PASSPORT)),)))
    assert shown == round(expected.score, 2)
    assert (expected.hits, expected.overcalls) == (2 + 2 + 3 + 3, 1 + 1)
