"""The pages in a real browser: headless Chromium loads a report, the cards and the studio.

Fails on any console error (a blocked inline script or style would show there) and on
any request that leaves this machine; runs the axe accessibility checker on every page
and fails on any violation; saves screenshots (into docs/gallery/ when
THBSCREEN_UPDATE_GALLERY=1 is set, so that ordinary runs leave the tree alone).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import thbscreen
from thbscreen.exercises import load_exercise
from thbscreen.report import Studio, StudioServer, html_report, indicator_cards, studio_server

from ..conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
GALLERY = ROOT / "docs" / "gallery"
SHOTS = (
    GALLERY
    if os.environ.get("THBSCREEN_UPDATE_GALLERY") == "1"
    else Path(tempfile.gettempdir()) / "thbscreen-screenshots"
)
LOCAL = ("http://127.0.0.1:", "http://localhost:", "data:", "about:", "file://")
FARM = ROOT / "examples/cases/adult/seasonal-farm-worker.yaml"
# What the labour inspector in the farm case heard, ticked one by one in the studio.
TICKS = (
    "deceptive_recruitment.deceived_wages",
    "deceptive_recruitment.deceived_conditions_of_work",
    "deceptive_recruitment.deceived_housing",
    "exploitative_conditions_of_work.excessive_working_days_hours",
    "exploitative_conditions_of_work.low_or_no_salary",
    "coercion_at_destination.confiscation_of_documents",
    "coercion_at_destination.debt_bondage",
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"Debian's chromium is not installed at {CHROMIUM}"
    ),
]


class Watch:
    """Console errors, page errors and every request a page makes."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def check(self) -> None:
        assert self.errors == [], self.errors
        leaving = [u for u in self.requests if not u.startswith(LOCAL)]
        assert leaving == [], leaving


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    p = context.new_page()
    watch = Watch(p)
    yield p, watch
    context.close()


@pytest.fixture(scope="module")
def studio() -> Iterator[StudioServer]:
    app = Studio(
        thbscreen.load_ruleset("ilo-ec-2009/adult-labour"),
        thbscreen.load_network("referral/slovenia"),
        start="labour_inspectorate",
    )
    srv = studio_server(app, port=0)
    srv.start_in_thread()
    yield srv
    srv.shutdown()
    srv.server_close()


def no_accessibility_violations(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]
    assert found == [], results.generate_report()


def screenshot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))
    assert (SHOTS / name).stat().st_size > 10_000


def test_report_in_the_browser(page: tuple[Any, Watch], tmp_path: Path) -> None:
    p, watch = page
    net = thbscreen.load_network("referral/slovenia")
    cf = next(thbscreen.load_cases(FARM))
    a = thbscreen.Screener(thbscreen.load_ruleset(cf.rules or "")).evaluate(
        cf.case, allow_facts=net.fact_ids
    )
    path = thbscreen.pathway(net, a, cf.case, start="labour_inspectorate")
    out = tmp_path / "report.html"
    out.write_text(
        html_report(a, pathway=path, network=net, title=cf.title.en if cf.title else None)
    )
    p.goto(out.as_uri())
    assert p.locator("#r-outcome").get_attribute("data-outcome") == "victim"
    assert p.locator("svg[role=img]").count() == 2
    screenshot(p, "report.png")
    # Printing uses the print style sheet and still shows the whole report.
    p.emulate_media(media="print")
    assert p.locator("#r-h-prov").is_visible()
    p.emulate_media(media="screen")
    no_accessibility_violations(p)
    watch.check()


def test_cards_in_the_browser(page: tuple[Any, Watch], tmp_path: Path) -> None:
    p, watch = page
    out = tmp_path / "cards.html"
    out.write_text(indicator_cards(thbscreen.load_ruleset("ilo-ec-2009/adult-labour")))
    p.goto(out.as_uri())
    assert p.locator("article.card").count() == 67
    screenshot(p, "cards.png")
    no_accessibility_violations(p)
    watch.check()


def test_exercise_report_in_the_browser(page: tuple[Any, Watch], tmp_path: Path) -> None:
    from thbscreen.report import exercise_report

    p, watch = page
    ex = load_exercise("forced-marriage-minor")
    story = ex.replay()
    scenes = [(s.title.en, st.assessment) for s, st in zip(ex.scenes, story.states, strict=True)]
    out = tmp_path / "exercise.html"
    out.write_text(exercise_report(ex.title.en, scenes, pathway=story.pathway))
    p.goto(out.as_uri())
    assert p.locator("h2", has_text="Scene 1").count() == 1
    screenshot(p, "exercise.png")
    no_accessibility_violations(p)
    watch.check()


def test_studio_ticks_change_the_outcome(page: tuple[Any, Watch], studio: StudioServer) -> None:
    p, watch = page
    p.goto(studio.url)
    outcome = p.locator("#st-outcome")
    before = outcome.get_attribute("data-outcome")
    assert before == "no_indication"
    no_accessibility_violations(p)
    screenshot(p, "studio-before.png")
    p.select_option("#start", "labour_inspectorate")
    with p.expect_response(lambda r: r.url.endswith("/assess") and r.status == 200):
        p.get_by_label("Age in years").fill("34")
        p.keyboard.press("Tab")
    for indicator in TICKS:
        radio = p.locator(f'input[name="i:{indicator}"][value="present"]')
        with p.expect_response(lambda r: r.url.endswith("/assess") and r.status == 200):
            radio.click()
        assert radio.is_checked()
    p.wait_for_function("document.querySelector('#st-outcome').dataset.outcome !== 'no_indication'")
    after = outcome.get_attribute("data-outcome")
    assert after == "victim"
    assert after != before
    assert p.locator("#result g.step").count() >= 1  # the pathway appeared with the outcome
    # The keyboard alone moves within a radio group and updates the assessment.
    first = p.locator(f'input[name="i:{TICKS[0]}"][value="present"]')
    first.focus()
    with p.expect_response(lambda r: r.url.endswith("/assess")):
        p.keyboard.press("ArrowRight")
    assert p.locator(f'input[name="i:{TICKS[0]}"][value="absent"]').is_checked()
    with p.expect_response(lambda r: r.url.endswith("/assess")):
        p.keyboard.press("ArrowLeft")
    p.evaluate("window.scrollTo(0, 0)")
    p.locator("#result").evaluate("el => el.scrollTo(0, 0)")
    screenshot(p, "studio-after.png")
    no_accessibility_violations(p)
    watch.check()
    assert any(u.endswith("/assess") for u in watch.requests)
