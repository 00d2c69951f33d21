"""The Optimizer Race shows less, then more (issue 23, item 7).

A first sight of a dozen controls at most (v2 showed 63 controls, 65 tab
stops): gradient descent and momentum on the bowl, their rates and beta, Play
and Step, the map with its legend in view, one sentence of instructions.
"More" reveals the rest; the page's "things to try" are one-click buttons that set up a race link; a
teacher's link can hide parts, validated like every value of a link.
Screenshots of the first sight are written to ``_build/`` for the notes.
"""

from __future__ import annotations

import pytest

from booktools import ROOT

SHOTS = ROOT / "_build"
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}

CONTROLS = """(r) => [...r.parts.root.querySelectorAll("button, input, select, textarea, a[href], [tabindex]:not([tabindex='-1'])")]
                    .filter((n) => n.getClientRects().length > 0).map((n) => n.getAttribute('aria-label') || n.textContent.trim())"""


@pytest.mark.parametrize(("options", "shot"), [(LAPTOP, "race-first-sight-laptop.png"), (PHONE, "race-first-sight-phone.png")])
def test_the_first_sight_has_at_most_twelve_controls_and_the_legend_in_view(open_race, options, shot):
    race = open_race(first_sight=True, **options)
    controls = race.js(CONTROLS)
    print(f"\nfirst sight: {len(controls)} controls: {controls}")
    assert len(controls) <= 12, controls
    assert {"Play the race", "Single step", "More"} <= set(controls)
    assert race.state()["visible"] == {n: n in ("SGD", "Momentum") for n in race.state()["visible"]}
    race.js("(r) => r.parts.root.scrollIntoView({block: 'start', behavior: 'instant'})")
    height = options["viewport"]["height"]
    legend = race.js("(r) => [r.rows.SGD.tr, r.rows.Momentum.tr].map((n) => n.getBoundingClientRect().bottom)")
    assert max(legend) <= height, legend
    assert race.root.locator(".race-intro").is_visible()
    race.page.screenshot(path=str(SHOTS / shot))


def test_more_reveals_every_control_of_v2(open_race):
    race = open_race(first_sight=True)
    before = len(race.js(CONTROLS))
    race.root.get_by_role("button", name="More").click()
    after = race.js(CONTROLS)
    assert len(after) >= 60 and len(after) > before
    for name in ("Surface", "noise seed (0 to 4294967295)", "Link to this race", "Full width"):
        assert name in after, name
    assert race.root.get_by_role("checkbox", name="AMSGrad").is_visible()
    assert race.root.locator(".race-explain-table").is_visible()
    race.root.get_by_role("button", name="Less").click()
    assert len(race.js(CONTROLS)) == before


def test_a_link_to_more_than_the_first_sight_opens_more(open_race):
    race = open_race("#race=1&surface=saddle", first_sight=True)
    assert race.js("(r) => r.state().more") is True and race.root.get_by_label("Surface").is_visible()


def test_a_teachers_link_hides_parts_and_is_checked(open_race):
    race = open_race("#race=1&on=SGD,Momentum&hide=step,more", first_sight=True)
    controls = race.js(CONTROLS)
    assert "Single step" not in controls and "More" not in controls and "Play the race" in controls
    assert race.state()["error"] is None
    assert "hide=step,more" in race.js("(r) => r.parts.link.value")
    other = open_race("#race=1&hide=step,everything", first_sight=True)
    assert "\u201ceverything\u201d cannot be hidden" in other.state()["error"]
    assert "Single step" not in other.js(CONTROLS)


def test_each_thing_to_try_is_a_button_that_sets_it_up(race):
    links = race.page.eval_on_selector_all("[data-race-link]", "(bs) => bs.map((b) => b.dataset.raceLink)")
    assert len(links) >= 7
    for link in links:
        assert race.page.evaluate("(f) => OptimizerRace.share.decode(f).problems", link) == [], link
    race.page.locator("[data-race-link*='surface=plateau']").click()
    race.page.wait_for_function("OptimizerRace.testHook().state().surface === 'plateau'")
    state = race.state()
    assert state["visible"]["AdaGrad"] and not state["visible"]["Momentum"] and state["error"] is None
    top = race.js("(r) => r.parts.root.getBoundingClientRect().top")
    assert 0 <= top < 200, "the race scrolls into view"
