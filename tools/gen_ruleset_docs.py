#!/usr/bin/env python3
"""Write the generated part of the rule-set pages in docs/rulesets/ from the rule files.

Each bundled rule set ``<group>/<name>`` has a page ``docs/rulesets/<group>-<name>.md``. The
part of the page between the markers

    <!-- BEGIN GENERATED -->
    <!-- END GENERATED -->

is written by this script from the rule file (provenance, facts, dimensions, outcome bands,
scoring, indicators with dimension, grade or weight and question, embedded tests), so it cannot
drift from the rules; the rest of the page is written by hand and left alone. The index page
``docs/rulesets/index.md`` gets a generated table of all rule sets the same way.

Usage:
    python tools/gen_ruleset_docs.py           # rewrite the generated sections
    python tools/gen_ruleset_docs.py --check   # exit 1 if any page is out of date

A missing page is created with a short hand-written skeleton to fill in. Only the public API
is used: ``thbscreen.load_ruleset`` and the fields of ``thbscreen.RuleSet``.

Worked examples in the hand-written part are kept real the same way: in every block

    ```console
    $ thbscreen screen <arguments>
    <output>
    ```

of a page in docs/rulesets/, the output is what the ``thbscreen`` command prints now for
those arguments (run from the repository root), so an edited rule file (new hash, new
outcome) cannot leave a stale example behind.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import thbscreen
from thbscreen.loading import expand_rule_paths

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
PAGES = ROOT / "docs" / "rulesets"
INDEX = PAGES / "index.md"
BEGIN = "<!-- BEGIN GENERATED -->"
END = "<!-- END GENERATED -->"
NOTICE = (
    "<!-- This section is generated from the rule file by tools/gen_ruleset_docs.py; "
    "edit the rule file and run the script, not this text. -->"
)


# -- helpers ------------------------------------------------------------------------------
def rule_files() -> list[Path]:
    """The rule-set files in rules/, in a stable order."""
    return [Path(f) for f in expand_rule_paths([str(RULES)])]


def page_name(ruleset_id: str) -> str:
    return ruleset_id.replace("/", "-") + ".md"


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def cell(text: object) -> str:
    """Text for a Markdown table cell."""
    return one_line(text).replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")


def code(text: object) -> str:
    """An expression or id as inline code in a table cell."""
    body = one_line(text).replace("|", "\\|")
    return f"`{body}`"


def fmt_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def confidence(prov: Any) -> str:
    return prov.confidence.value if prov.confidence is not None else "unstated"


def table(head: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    head = list(head)
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def grade(ind: Any) -> str:
    if ind.strength is not None:
        return str(ind.strength.value)
    return f"weight {fmt_number(ind.weight)}"


# -- the generated section of one rule-set page -----------------------------------------
def ruleset_section(rs: thbscreen.RuleSet, rel_file: str) -> list[str]:
    prov = rs.provenance
    out = [NOTICE, "", "## Reference (generated from the rule file)", ""]
    out += table(
        [
            "rule set",
            "version",
            "file",
            "indicators",
            "dimensions",
            "outcome bands",
            "embedded tests",
        ],
        [
            [
                code(rs.id),
                cell(rs.version),
                code(rel_file),
                str(len(rs.indicators)),
                str(len(rs.dimensions)),
                str(len(rs.outcomes.bands) + 1),
                str(len(rs.tests)),
            ]
        ],
    )
    out += ["", "### Provenance", ""]
    rows = [["source", cell(prov.source or "")]]
    if prov.publisher:
        rows.append(["publisher", cell(prov.publisher)])
    if prov.year is not None:
        rows.append(["year", str(prov.year)])
    if prov.url:
        rows.append(["address", f"<{one_line(prov.url)}>"])
    rows.append(["confidence", f"**{confidence(prov)}**"])
    if prov.note:
        rows.append(["note", cell(prov.note)])
    out += table(["", ""], rows)

    # What each part carries: the effective confidence, key by key over the rule set's.
    out += ["", "### Confidence of each part", ""]
    out.append(
        "Effective labels: a part's own provenance over the rule set's. `confirmed`: read in a "
        "primary source; `secondary`: read in a third party's restatement; `unconfirmed`: "
        "believed, not checked; `thbscreen`: thbscreen's own choice."
    )
    out.append("")
    parts: list[list[str]] = []
    fb = rs.outcomes.fallback
    items: list[tuple[str, Any]] = [(f"dimension {code(d.id)}", d) for d in rs.dimensions]
    items += [(f"band {code(b.id)}", b) for b in rs.outcomes.bands]
    items.append((f"fallback {code(fb.id)}", fb))
    if rs.scoring is not None:
        items.append(("scoring", rs.scoring))
    for label, item in items:
        own = item.provenance
        conf = confidence(rs.provenance_of(item))
        if own is None or own.confidence is None:
            conf += " (the rule set's)"
        note = cell(own.note) if own is not None and own.note else "the rule set's note"
        parts.append([label, conf, note])
    counts: dict[str, int] = {}
    for ind in rs.indicators:
        c = confidence(rs.provenance_of(ind))
        counts[c] = counts.get(c, 0) + 1
    summary = ", ".join(f"{n} {c}" for c, n in sorted(counts.items()))
    parts.append(["indicators", cell(summary), "per indicator in the list below"])
    out += table(["part", "confidence", "note"], parts)

    if rs.facts:
        out += ["", "### Facts", ""]
        out.append("Raw case facts (for example survey answers); a fact not given is unknown.")
        out.append("")
        rows = []
        for fact in rs.facts:
            if fact.values is not None:
                allowed = ", ".join(code(v) for v in fact.values)
            elif fact.min is not None or fact.max is not None:
                allowed = f"{fmt_number(fact.min)} to {fmt_number(fact.max)}"
            else:
                allowed = ""
            rows.append([code(fact.id), fact.type.value, allowed, cell(fact.text or "")])
        out += table(["fact", "type", "values", "meaning"], rows)

    out += ["", "### Dimensions", ""]
    rows = []
    for dim in rs.dimensions:
        n = sum(1 for ind in rs.indicators if ind.dimension == dim.id)
        rows.append([code(dim.id), cell(dim.title), str(n), code(dim.positive)])
    out += table(["dimension", "title", "indicators", "positive when"], rows)

    out += ["", "### Outcome bands", ""]
    out.append(
        "Most severe first; the first band whose condition holds on present evidence is the "
        "outcome, and the fallback applies when none holds."
    )
    out.append("")
    rows = []
    for i, band in enumerate(rs.outcomes.bands, 1):
        rows.append([str(i), code(band.id), cell(band.title), code(band.when)])
    rows.append([str(len(rs.outcomes.bands) + 1), code(fb.id), cell(fb.title), "fallback"])
    out += table(["order", "band", "title", "when"], rows)

    if rs.scoring is not None:
        out += ["", "### Scoring", ""]
        sc = rs.scoring
        if sc.weights:
            weights = ", ".join(f"{s.value} {fmt_number(w)}" for s, w in sc.weights.items())
            out.append(f"Weights per grade: {weights}.")
        else:
            out.append("Every indicator carries its own weight (see the list below).")
        if sc.indicator_weights:
            overrides = ", ".join(
                f"{code(k)} {fmt_number(v)}" for k, v in sorted(sc.indicator_weights.items())
            )
            out.append(f"Per-indicator weights: {overrides}.")
        if sc.bands:
            out.append("")
            out += table(
                ["score band", "from (inclusive)", "to (exclusive)"],
                [
                    [code(b.id), fmt_number(b.min), fmt_number(b.max) or "no limit"]
                    for b in sc.bands
                ],
            )

    out += ["", "### Indicators", ""]
    derived = any(ind.derive is not None for ind in rs.indicators)
    head = ["indicator", "grade", "text", "question"]
    if derived:
        head.append("derived from facts")
    head.append("confidence")
    for dim in rs.dimensions:
        members = [ind for ind in rs.indicators if ind.dimension == dim.id]
        out += [f"#### {one_line(dim.title)} (`{dim.id}`)", ""]
        rows = []
        for ind in members:
            row = [code(ind.id), grade(ind), cell(ind.text), cell(ind.question or "")]
            if derived:
                row.append(code(ind.derive) if ind.derive else "")
            row.append(confidence(rs.provenance_of(ind)))
            rows.append(row)
        out += table(head, rows)
        out.append("")
    # Notes an indicator gives itself (inherited notes are in the provenance above).
    notes: dict[str, list[str]] = {}
    for ind in rs.indicators:
        if ind.provenance is not None and ind.provenance.note:
            notes.setdefault(one_line(ind.provenance.note), []).append(ind.id)
    if notes:
        out += ["Notes that indicators carry in their own provenance:", ""]
        for note, ids in sorted(notes.items()):
            who = ", ".join(code(i) for i in ids) if len(ids) <= 3 else f"{len(ids)} indicators"
            out.append(f"- {cell(note)} ({who})")
        out.append("")

    out += ["### Embedded tests", ""]
    out.append(f"Run with `thbscreen test {rs.id}`. Expected results, as written in the rule file:")
    out.append("")
    rows = []
    for t in rs.tests:
        e = t.expect
        rng = f"{e.outcome_range[0]} .. {e.outcome_range[1]}" if e.outcome_range else ""
        det = "" if e.determined is None else ("yes" if e.determined else "no")
        rows.append([cell(t.name), code(e.outcome) if e.outcome else "", cell(rng), det])
    out += table(["test", "outcome", "range", "determined"], rows)
    return out


def index_section(entries: list[tuple[thbscreen.RuleSet, str]]) -> list[str]:
    out = [NOTICE, ""]
    rows = []
    for rs, _rel in entries:
        rows.append(
            [
                f"[`{rs.id}`]({page_name(rs.id)})",
                cell(rs.version),
                confidence(rs.provenance),
                str(len(rs.indicators)),
                " ".join(code(b.id) for b in rs.outcomes.bands)
                + f" {code(rs.outcomes.fallback.id)}",
                cell(rs.title),
            ]
        )
    out += table(
        ["rule set", "version", "confidence", "indicators", "bands (most severe first)", "title"],
        rows,
    )
    return out


# -- worked examples -------------------------------------------------------------------------
EXAMPLE = re.compile(
    r"(?P<head>```console\n\$ thbscreen screen (?P<args>[^\n]+)\n)(?P<out>.*?)(?P<tail>```)",
    re.DOTALL,
)


def thbscreen_command() -> list[str]:
    script = Path(sys.executable).with_name("thbscreen")
    if script.exists():
        return [str(script)]
    found = shutil.which("thbscreen")
    if found is None:
        raise SystemExit("the thbscreen command is not installed in this environment")
    return [found]


def screen_output(args: str, where: str) -> str:
    # The arguments come from our own docs pages; no shell is involved.
    done = subprocess.run(  # noqa: S603
        [*thbscreen_command(), "screen", *shlex.split(args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{where}: `thbscreen screen {args}` failed:\n{done.stderr}")
    return done.stdout


def with_examples(text: str, where: str) -> str:
    """``text`` with the output of every ``thbscreen screen`` example block rerun."""

    def rerun(m: re.Match[str]) -> str:
        out = screen_output(m.group("args"), where)
        if not out.endswith("\n"):
            out += "\n"
        return m.group("head") + out + m.group("tail")

    return EXAMPLE.sub(rerun, text)


# -- pages -----------------------------------------------------------------------------------
def skeleton(rs: thbscreen.RuleSet) -> str:
    return "\n".join(
        [
            f"# {one_line(rs.title)}",
            "",
            "<!-- Hand-written: source and how to cite it, what is confirmed and what is not, how",
            "the combination works, a worked example. The generated reference follows. -->",
            "",
            one_line(rs.description or ""),
            "",
            BEGIN,
            END,
            "",
        ]
    )


def with_section(text: str, section: list[str], where: str) -> str:
    """``text`` with the generated section replaced (or appended when the markers are missing)."""
    body = "\n".join(section)
    start = text.find(BEGIN)
    end = text.find(END)
    if start == -1 and end == -1:
        return text.rstrip("\n") + f"\n\n{BEGIN}\n{body}\n{END}\n"
    if start == -1 or end == -1 or end < start or text.count(BEGIN) != 1 or text.count(END) != 1:
        raise SystemExit(f"{where}: expected exactly one {BEGIN} before one {END}")
    return text[: start + len(BEGIN)] + "\n" + body + "\n" + text[end:]


def expected_pages() -> dict[Path, str]:
    """Every page's full expected text, keyed by path."""
    entries: list[tuple[thbscreen.RuleSet, str]] = []
    for path in rule_files():
        rs = thbscreen.load_ruleset(path)
        entries.append((rs, path.relative_to(ROOT).as_posix()))
    entries.sort(key=lambda e: e[0].id)
    pages: dict[Path, str] = {}
    for rs, rel in entries:
        page = PAGES / page_name(rs.id)
        if page in pages:
            raise SystemExit(f"two rule files give the page {page.name}: rule set ids clash")
        current = page.read_text(encoding="utf-8") if page.exists() else skeleton(rs)
        text = with_section(current, ruleset_section(rs, rel), str(page))
        pages[page] = with_examples(text, str(page))
    current = INDEX.read_text(encoding="utf-8") if INDEX.exists() else "# Rule sets\n\n"
    text = with_section(current, index_section(entries), str(INDEX))
    pages[INDEX] = with_examples(text, str(INDEX))
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="report pages that are out of date and exit 1; write nothing",
    )
    args = parser.parse_args(argv)
    pages = expected_pages()
    stale = [p for p in sorted(PAGES.glob("*.md")) if p not in pages]
    outdated = []
    for path, text in pages.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        outdated.append(path)
        if args.check:
            diff = difflib.unified_diff(
                (current or "").splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"{path.relative_to(ROOT)} (on disk)",
                tofile=f"{path.relative_to(ROOT)} (generated)",
                n=1,
            )
            sys.stdout.writelines(list(diff)[:60])
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    for path in stale:
        print(f"{path.relative_to(ROOT)}: no bundled rule set has this page; remove or rename it")
    if args.check:
        for path in outdated:
            print(f"{path.relative_to(ROOT)}: out of date; run python tools/gen_ruleset_docs.py")
        if outdated or stale:
            return 1
        print(f"{len(pages)} pages up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
