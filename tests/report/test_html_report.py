"""The HTML report, the exercise report and the indicator cards, read back as HTML."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from html.parser import HTMLParser

import pytest

import thbscreen
from thbscreen.report import (
    cases_report,
    dimension_svg,
    exercise_report,
    html_report,
    indicator_cards,
    pathway_diagram,
)

FARM = "examples/cases/adult/seasonal-farm-worker.yaml"


class Page(HTMLParser):
    """Tags, attributes and text of a page, to ask questions a string search cannot."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]

    @property
    def ids(self) -> list[str]:
        return [a["id"] for _, a in self.tags if a.get("id")]  # type: ignore[misc]

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture(scope="module")
def farm() -> tuple[thbscreen.Assessment, thbscreen.Pathway, thbscreen.ReferralNetwork]:
    net = thbscreen.load_network("referral/slovenia")
    cf = next(thbscreen.load_cases(FARM))
    a = thbscreen.Screener(thbscreen.load_ruleset(cf.rules or "")).evaluate(
        cf.case, allow_facts=net.fact_ids
    )
    return a, thbscreen.pathway(net, a, cf.case, start="labour_inspectorate"), net


def assert_self_contained(text: str) -> None:
    page = Page(text)
    assert not page.all("script")
    assert not page.all("iframe")
    assert not page.all("img")
    for _, attrs in page.tags:
        for name in ("src", "href", "action"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith(("#", "data:")), (name, value)
    assert "@import" not in text
    assert "url(http" not in text
    # Every id is unique, so every aria-labelledby and url(#...) points at one element.
    duplicated = [i for i, n in Counter(page.ids).items() if n > 1]
    assert duplicated == []
    for ref in re.findall(r'aria-labelledby="([^"]+)"', text):
        for part in ref.split():
            assert part in page.ids, part


def test_report_shows_everything_the_issue_asks_for(farm) -> None:  # type: ignore[no-untyped-def]
    a, path, net = farm
    text = html_report(a, pathway=path, network=net)
    page = Page(text)
    assert_self_contained(text)
    headings = [t for t, _ in page.tags if t in ("h1", "h2")]
    assert headings[0] == "h1"
    assert headings.count("h1") == 1
    plain = page.plain
    for heading in (
        "Outcome",
        "Dimensions",
        "Indicators present, with evidence",
        "Ask next",
        "Unknowns",
        "Referral pathway",
        "Provenance",
    ):
        assert f"{heading}" in [s.strip() for s in page.text], heading
    assert plain.count(thbscreen.DISCLAIMER) == 2  # at the top and at the foot
    outcome = next(t for t in page.all("div") if t.get("id") == "r-outcome")
    assert outcome["data-outcome"] == "victim"
    assert outcome["data-determined"] == "true"
    # One tile per dimension, each with its status as data, word and pattern or fill.
    tiles = [t for t in page.all("g") if t.get("class") == "tile"]
    assert [t["data-status"] for t in tiles] == [d.status for d in a.dimension_results]
    # Every present indicator, with its evidence, and every unknown by its text.
    for f in a.fired:
        assert f.text in plain
    assert plain.count("observed present") == len(a.fired)
    assert f"{len(a.unknown)} indicators not answered" in plain
    # The pathway: one numbered arrow per step, a box per institution, names from the network.
    assert len([g for g in page.all("g") if g.get("class") == "step"]) == len(path.steps)
    boxes = [g["data-institution"] for g in page.all("g") if g.get("class") == "institution"]
    assert boxes == list(path.institutions)
    assert "Labour Inspectorate of the Republic of Slovenia" in plain
    assert "needs the person's consent" in plain
    # Provenance of the rule set and the network, with the hashes.
    assert a.ruleset.hash in plain
    assert net.spec.hash in plain
    assert "Confidence secondary" in plain
    assert "Confidence unconfirmed" in plain


def test_report_is_deterministic(farm) -> None:  # type: ignore[no-untyped-def]
    a, path, net = farm
    assert html_report(a, pathway=path, network=net) == html_report(a, pathway=path, network=net)


def test_print_and_projector_styles_are_inline(farm) -> None:  # type: ignore[no-untyped-def]
    text = html_report(farm[0])
    assert "@media print" in text
    assert re.search(r"html \{ font-size: 20px; \}", text)


def test_rule_set_text_is_escaped_everywhere(mixed: thbscreen.Screener) -> None:
    a = mixed.evaluate({"id": "<case&1>", "indicators": {"a.two": "present", "b.one": "present"}})
    text = html_report(a)
    assert "<img" not in text
    assert "<script>" not in text
    assert "<b>rules" not in text
    assert "A two &lt;img src=x onerror=alert(1)&gt;" in text
    assert "Mixed &lt;b&gt;rules&lt;/b&gt; &amp; co" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Screening of case &lt;case&amp;1&gt;" in text
    assert "Dimension B &quot;quoted&quot;" in text
    assert_self_contained(text)


def test_language_falls_back_per_text_and_says_so(mixed: thbscreen.Screener) -> None:
    a = mixed.evaluate({"indicators": {"a.one": "present", "b.one": "present"}})
    english = html_report(a)
    assert 'class="fallback"' not in english
    assert 'class="note"' not in english
    text = html_report(a, lang="sl")
    page = Page(text)
    assert '<span lang="sl">Visoko</span>' in text
    assert '<span lang="sl">A ena</span>' in text
    assert '<span lang="en" class="fallback">B one</span>' in text
    fallbacks = [
        s for s in page.all("span") if s.get("class") == "fallback" and s.get("lang") == "en"
    ]
    note = [p for p in page.all("p") if p.get("class") == "note"]
    assert len(note) == 1
    count = int(re.search(r"(\d+) text\(s\) have no 'sl' version", page.plain).group(1))  # type: ignore[union-attr]
    # The note counts every fallback: the marked ones, and "Dimension B" drawn in the SVG.
    assert len(fallbacks) > 0
    assert count == len(fallbacks) + 1


def test_a_bad_language_code_is_refused(mixed: thbscreen.Screener) -> None:
    a = mixed.evaluate({"indicators": {}})
    with pytest.raises(ValueError, match="expected a language code"):
        html_report(a, lang='sl" onload="x')


def test_dimension_picture_never_depends_on_colour_alone(mixed: thbscreen.Screener) -> None:
    a = mixed.evaluate({"indicators": {"a.one": "present", "b.one": "absent", "b.two": "absent"}})
    svg = dimension_svg(a, uid="x")
    assert [d.status for d in a.dimension_results] == ["positive", "negative"]
    assert 'fill="url(#x-positive)"' in svg
    assert "+ positive" in svg
    assert "\u2212 negative" in svg
    b = mixed.evaluate({"indicators": {}})
    assert 'fill="url(#x-undetermined)"' in dimension_svg(b, uid="x")
    assert "? undetermined" in dimension_svg(b, uid="x")
    assert re.search(r'role="img" aria-labelledby="x-title x-desc"', svg)
    assert "Dimension A: positive; Dimension B &quot;quoted&quot;: negative" in svg


def test_pathway_diagram_lays_out_steps_left_to_right(farm) -> None:  # type: ignore[no-untyped-def]
    _, path, net = farm
    svg = pathway_diagram(path, network=net, uid="p")
    page = Page(svg)
    boxes = {
        g["data-institution"]: int(r["x"] or 0)  # type: ignore[index]
        for g, r in zip(
            [g for g in page.all("g") if g.get("class") == "institution"],
            [r for k, r in enumerate(page.all("rect")) if r.get("rx") == "8"],
            strict=True,
        )
    }
    for step in path.steps:
        assert boxes[step.from_] < boxes[step.to]
    # Without the network the ids stand in for the names.
    assert ">labour_inspectorate<" in pathway_diagram(path, uid="q")
    dashed = svg.count('stroke-dasharray="8 6"')
    assert dashed == sum(s.confidence != "confirmed" for s in path.steps)


def test_pathway_problem_is_shown_in_place_of_the_pathway(mixed: thbscreen.Screener) -> None:
    text = html_report(mixed.evaluate({"indicators": {}}), pathway_problem="no route <here>")
    assert "Referral pathway" in text
    assert "no route &lt;here&gt;" in text


def test_exercise_report_has_a_summary_and_one_section_per_scene(farm, mixed) -> None:  # type: ignore[no-untyped-def]
    a, path, net = farm
    first = mixed.evaluate({"indicators": {}})
    second = mixed.evaluate({"indicators": {"a.one": "present", "b.one": "present"}})
    text = exercise_report(
        "Exercise <1>",
        [("Arrival", first), ("Interview", second), ("Inspection", a)],
        pathway=path,
        network=net,
    )
    assert_self_contained(text)
    page = Page(text)
    rows = [c.strip() for c in page.text if c.strip() in ("Arrival", "Interview", "Inspection")]
    assert rows == ["Arrival", "Interview", "Inspection"]
    assert "Scene 2: Interview" in page.plain
    assert "Exercise &lt;1&gt;" in text
    outcomes = [d["data-outcome"] for d in page.all("div") if d.get("data-outcome")]
    assert outcomes == ["none", "high", "victim"]
    assert text.count('class="step"') == len(path.steps)  # the pathway once, at the end
    # Headings never skip a level (h1, h2 per scene, h3 inside).
    levels = [int(t[1]) for t, _ in page.tags if re.fullmatch(r"h[1-6]", t)]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    with pytest.raises(ValueError, match="at least one scene"):
        exercise_report("x", [])


def test_cases_report_puts_several_cases_on_one_page(mixed: thbscreen.Screener) -> None:
    entries = [
        ("one", mixed.evaluate({"indicators": {"a.one": "present"}}), None),
        ("two", mixed.evaluate({"indicators": {}}), "no pathway: reason"),
    ]
    text = cases_report("Two cases", entries)
    assert_self_contained(text)
    assert '<a href="#s1">one</a>' in text
    assert 'id="s2"' in text
    assert "no pathway: reason" in text
    assert text.count('class="outcome"') == 2


def test_cards_group_by_dimension_and_order_by_strength(adult_rules: thbscreen.RuleSet) -> None:
    text = indicator_cards(adult_rules)
    assert_self_contained(text)
    page = Page(text)
    cards = [a["class"] for a in page.all("article")]
    assert len(cards) == len(adult_rules.indicators)
    sections = text.split('<section class="dimension-cards"')[1:]
    assert len(sections) == len(adult_rules.dimensions)
    rank = {"strong": 0, "medium": 1, "weak": 2}
    for dim, section in zip(adult_rules.dimensions, sections, strict=True):
        grades = re.findall(r'<article class="card (\w+)">', section)
        assert len(grades) == sum(i.dimension == dim.id for i in adult_rules.indicators)
        assert grades == sorted(grades, key=rank.__getitem__)
    first = adult_rules.indicators[0]
    assert first.question is not None
    assert first.question.en.replace("'", "&#x27;") in text
    assert "break-before: page" in text


def test_cards_in_another_language(mixed_rules: thbscreen.RuleSet) -> None:
    text = indicator_cards(mixed_rules, lang="sl")
    assert '<span lang="sl">Ali je A ena res?</span>' in text
    assert '<span lang="en" class="fallback">Is B one so?</span>' in text
    assert text.count('class="note"') == 1
