"""``thbscreen exercise``: run (interactive and --answers), list, check, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from thbscreen.cli_exercise import exercise
from thbscreen.exercises import load_exercise
from thbscreen.exercises.render import numbering

from ..conftest import ROOT
from ._data import DEBT, HOURS, PAY, VIOLENCE, write_mini

BUNDLED = ROOT / "examples" / "exercises"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(exercise, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def answers_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


ANSWERS = f"""\
exercise: mini
trainees:
  - trainee: group-a
    scenes:
      one: [{HOURS}]
      two: [{PAY}, {DEBT}]
  - trainee: group-b
    scenes:
      one: [{HOURS}, {VIOLENCE}]
      two: {{mark: [{PAY}], withdraw: [{VIOLENCE}]}}
"""


@pytest.mark.parametrize("command", [(), ("run",), ("list",), ("check",), ("schema",)])
def test_every_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0
    assert "Example:" in out


def test_answers_text_markdown_json(tmp_path: Path) -> None:
    mini = str(write_mini(tmp_path))
    answers = answers_file(tmp_path, ANSWERS)
    code, out, err = run("run", mini, "--answers", answers)
    assert code == 0, err
    assert "Trainee group-a: score 1.00 (4 hit(s), 0 miss(es), 0 over-call(s))" in out
    assert "Trainee group-b: score 0.75 (3 hit(s), 1 miss(es), 1 over-call(s))" in out
    assert "nothing in the story shows it" in out
    assert "never replaces" in out
    code, out, _ = run("run", mini, "--answers", answers, "--format", "markdown")
    assert code == 0
    assert "| group-a | 1.00 | 4 | 0 | 0 |" in out
    code, out, _ = run("run", mini, "--answers", answers, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["format"] == "thbscreen-exercise-marking/1"
    assert [t["score"] for t in data["trainees"]] == [1.0, 0.75]
    assert data["replay"]["scenes"][-1]["outcome"] == "indications"
    assert data["replay"]["pathway"]["start"] == "labour_inspectorate"


def test_answers_written_atomically_to_a_file(tmp_path: Path) -> None:
    out_file = tmp_path / "marks.json"
    code, out, err = run(
        "run", str(write_mini(tmp_path)), "--answers", answers_file(tmp_path, ANSWERS),
        "--format", "json", "-o", str(out_file),
    )  # fmt: skip
    assert code == 0
    assert out == ""
    assert "wrote" in err
    assert json.loads(out_file.read_text("utf-8"))["exercise"]["id"] == "mini"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_lang_falls_back_to_english_and_says_so(tmp_path: Path) -> None:
    mini = str(write_mini(tmp_path))
    code, out, _ = run("run", mini, "--answers", answers_file(tmp_path, ANSWERS), "--lang", "sl")
    assert code == 0
    assert out.startswith("Sadovnjak (mini)")
    assert "have no 'sl' version and are shown in English, marked [en]" in out
    code, out, _ = run("run", mini, "--lang", "sl", stdin="\n\n")
    assert code == 0
    assert "Scene 1 of 2: Scene one [en]" in out
    assert "(indicator texts in English: the rule set has no 'sl' text)" in out


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            ANSWERS.replace("one: [", "onee: [", 1),
            "$.trainees[0].scenes.onee: unknown scene 'onee'",
        ),
        (
            ANSWERS.replace(f"[{PAY}, {DEBT}]", f"[{PAY}, {DEBT}x]"),
            f"$.trainees[0].scenes.two[1]: unknown indicator '{DEBT}x'",
        ),
        (
            ANSWERS.replace("exercise: mini", "exercise: other"),
            "these answers are for 'other', not 'mini'",
        ),
        (ANSWERS.replace("trainee: group-b", "trainee: group-a"), "duplicate trainee 'group-a'"),
        ("trainees: 3\n", "$.trainees: expected a list"),
    ],
)
def test_bad_answers_exit_2_with_a_location(tmp_path: Path, text: str, fragment: str) -> None:
    code, out, err = run(
        "run", str(write_mini(tmp_path)), "--answers", answers_file(tmp_path, text)
    )
    assert code == 2
    assert fragment in err
    assert "answers.yaml:" in err
    assert "Traceback" not in err + out


def test_bad_usage_exits_2() -> None:
    code, _, err = run("run", "seasonal-worker-inspection", "--format", "json")
    assert code == 2
    assert "--format and --out go with --answers" in err
    code, _, err = run("run", "no-such-exercise")
    assert code == 2
    assert "thbscreen: no-such-exercise: $: no file at this path and no bundled exercise" in err


def test_check_bundled_ok_and_broken_file_fails(tmp_path: Path) -> None:
    code, out, _ = run("check", str(BUNDLED))
    assert code == 0
    assert "6 of 6 exercise(s) ok" in out
    broken = write_mini(tmp_path, ("outcome: indications", "outcome: victim"), name="broken.yaml")
    code, out, _ = run("check", str(BUNDLED / "border-minibus.yaml"), str(broken))
    assert code == 1
    assert "broken.yaml: FAILED" in out
    assert "$.expect.outcome: after the last scene the rule set gives 'indications'" in out
    code, out, _ = run("check", str(broken), "--format", "json")
    assert code == 1
    (result,) = json.loads(out)["results"]
    assert result["ok"] is False
    assert result["problems"][0]["path"] == "$.expect.outcome"


def test_list() -> None:
    code, out, _ = run("list", "--format", "json")
    assert code == 0
    names = [row["name"] for row in json.loads(out)]
    assert "escape-room-car-wash" in names
    assert len(names) >= 6


def test_schema_command_writes_the_committed_schema(tmp_path: Path) -> None:
    target = tmp_path / "exercise.schema.json"
    code, _, _ = run("schema", "--out", str(target))
    assert code == 0
    assert target.read_text("utf-8") == (
        ROOT / "rules" / "schema" / "exercise.schema.json"
    ).read_text("utf-8")


def test_interactive_run_on_plain_stdin(tmp_path: Path) -> None:
    mini = write_mini(tmp_path)
    n = numbering(load_exercise(mini).context()[0].ruleset)
    stdin = f"/passport\nl\n{n[HOURS]} {n[VIOLENCE]} x\n-{n[VIOLENCE]}\n\n{n[PAY]}\n\n"
    code, out, err = run("run", str(mini), stdin=stdin)
    assert code == 0, err
    assert "not understood: 'x'" in out
    assert f"marked: {n[HOURS]}\n" in out  # after withdrawing
    assert "You marked 1: 1 hit(s), 0 miss(es), 0 over-call(s)." in out
    assert "You marked 2: 2 hit(s), 1 miss(es), 0 over-call(s)." in out
    assert 'shown in scene two: "owes the boss for the journey' in out
    assert "Score: 0.86" in out
    assert "never replaces" in out


def test_end_of_input_stops_the_session_without_a_traceback(tmp_path: Path) -> None:
    code, out, err = run("run", str(write_mini(tmp_path)), stdin="")
    assert code == 130
    assert "exercise stopped before the end" in err
    assert "Traceback" not in out + err


def test_html_shows_every_scene_and_the_pathway(tmp_path: Path) -> None:
    out = tmp_path / "ex.html"
    code, _, err = run("run", "seasonal-worker-inspection", "--html", str(out))
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    ex = load_exercise("seasonal-worker-inspection")
    for k, scene in enumerate(ex.scenes, 1):
        assert f"Scene {k}: " in page
        assert scene.title.en.split("&")[0] in page
    assert "never replaces" in page
    assert "<script" not in page
    assert "labour_inspectorate" in page or "Labour Inspectorate" in page
    assert (
        run("run", "seasonal-worker-inspection", "--html", str(out), "--answers", "a.yaml")[0] == 2
    )
