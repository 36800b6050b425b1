"""Rendering in another language falls back to English per text, and says so."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from thbscreen import Screener, load_ruleset, render
from thbscreen.cli import main
from thbscreen.i18n import Localizer
from thbscreen.model import Text

from .conftest import write
from .helpers import TINY

# Test-only translations (x-test is a private-use tag): no claim about any real language.
TRANSLATED = (
    TINY.replace('version: "0.1"\n', 'version: "0.1"\nlanguages: [en, x-test]\n')
    .replace("title: Tiny test rule set", "title: {en: Tiny test rule set, x-test: TITLE-XT}")
    .replace("text: A one}", "text: {en: A one, x-test: ONE-XT}}")
)


def _screener(tmp_path: Path) -> Screener:
    return Screener(load_ruleset(write(tmp_path, "t.yaml", TRANSLATED)))


def test_localizer_counts_fallbacks_per_text() -> None:
    loc = Localizer("x-test")
    assert loc(Text("hello", (("x-test", "HELLO"),))) == "HELLO"
    assert not loc.fell_back
    assert loc(Text("bye")) == "bye"
    assert loc("an id") == "an id"
    assert loc(None, "-") == "-"
    assert loc.missing == 1
    assert "1 text(s) have no 'x-test' version" in (loc.note() or "")


def test_a_marking_localizer_marks_english_stand_ins_unless_told_not_to() -> None:
    loc = Localizer("sl", mark_fallback=True)
    both = Text("Debt", (("sl", "Dolg"),))
    english = Text("Threats")
    assert loc(both) == "Dolg"
    assert loc(english) == "Threats [en]"
    assert loc(english, marked=False) == "Threats"
    assert loc.missing == 2
    assert Localizer("sl")(english) == "Threats"


def test_render_uses_the_language_where_the_rule_set_has_it(tmp_path: Path) -> None:
    a = _screener(tmp_path).evaluate({"indicators": {"a.one": "present"}})
    for fmt in ("text", "markdown"):
        out = render(a, fmt, lang="x-test")
        assert "TITLE-XT" in out or fmt == "markdown"
        assert "ONE-XT" in out
        assert "Dimension A" in out  # no translation: English
        assert "shown in English" in out
        english = render(a, fmt)
        assert "ONE-XT" not in english
        assert "shown in English" not in english


def test_json_is_the_same_whatever_the_language(tmp_path: Path) -> None:
    a = _screener(tmp_path).evaluate({"indicators": {"a.one": "present"}})
    assert render(a, "json", lang="x-test") == render(a, "json")


def test_cli_lang_option(tmp_path: Path) -> None:
    rules = write(tmp_path, "t.yaml", TRANSLATED)
    case = write(tmp_path, "c.yaml", "indicators: {a.one: present}\n")
    result = CliRunner().invoke(
        main, ["screen", str(case), "--rules", str(rules), "--lang", "x-test"]
    )
    assert result.exit_code == 0, result.output
    assert "ONE-XT" in result.stdout
    assert "shown in English" in result.stdout
