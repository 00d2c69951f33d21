"""The Optimizer Race applet (``_static/race/``) in a real browser.

These tests load the built book from a local server; the parity tests, which
load ``race_data.js`` and ``race_core.js`` alone on a blank page and replay
the vectors computed by optlab, are in ``test_race_core.py``. That the
committed vectors and ``race_data.js`` are what optlab computes today is
checked without a browser, in
``tests/unit/test_race_files.py``; whether a page logs an error or requests
anything from outside the site, once per page, in ``test_pages.py``.
"""

from __future__ import annotations

import pytest

from booktools import ROOT
from optlab.diagnostics import count_rises, late_climb

SCREENSHOT = ROOT / "_build" / "race-screenshot.png"
SCREENSHOT_DARK = ROOT / "_build" / "race-screenshot-dark.png"
RACE_PAGE = "chapters/race.html"
CHAPTER_PAGE = "chapters/momentum_rmsprop_adam.html"


@pytest.mark.parametrize("path", [RACE_PAGE, CHAPTER_PAGE])
def test_applet_is_mounted_once_and_draws_on_both_canvases(open_race, path):
    page = open_race(path=path)
    # The applet drew something other than its background on both canvases.
    inked = page.js(
        """(r) => [r.parts.map, r.parts.loss].map(c => {
                    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                    const seen = new Set();
                    for (let i = 0; i < d.length; i += 4 * 97) seen.add(d[i] + ',' + d[i + 1] + ',' + d[i + 2]);
                    return seen.size; })"""
    )
    assert min(inked) > 5, inked
    assert page.page.locator("[data-optimizer-race]").count() == 1
    assert page.errors == []


def test_changing_a_control_changes_the_race(race):
    race.reset("#race=1&on=SGD,Adam")
    race.step(60)
    before = race.readout("Adam")
    assert race.state()["t"] == 60
    race.set_field(race.lr_input("Adam"), "0.3")
    state = race.state()
    assert state["hyper"]["Adam"]["lr"] == 0.3
    assert state["t"] == 60, "a new learning rate re-runs the race up to the same step"
    assert race.readout("Adam") != before
    assert "Adam (\u03b7 0.3, " in state["caption"]
    assert "step 60 of 300" in state["caption"]

    # Turning an optimizer on or off puts it on or takes it off the caption and the plots.
    pixels = "() => Array.from(OptimizerRace.testHook().parts.loss.getContext('2d').getImageData(0,0,400,300).data).join()"
    drawn = race.page.evaluate(pixels)
    assert "AMSGrad (" not in race.state()["caption"]
    race.root.get_by_role("checkbox", name="AMSGrad").check()
    assert "AMSGrad (\u03b7 0.1, " in race.state()["caption"]
    assert race.page.evaluate(pixels) != drawn
    race.root.get_by_role("checkbox", name="SGD").uncheck()
    assert "SGD (" not in race.state()["caption"]

    # Another surface: new caption, start and suggested settings, race back at step 0.
    race.root.get_by_label("Surface").select_option("saddle")
    state = race.state()
    assert state["surface"] == "saddle" and state["t"] == 0
    assert state["start"] == [-2, 0.01]
    assert state["caption"].startswith("Saddle, L(w) = ")
    assert race.root.get_by_label("w\u2081").input_value() == "-2"


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [("Adam", "abc", "is not a number"), ("Adam", "7", "is outside"), ("Adam", "", "is not a number"),
     ("Momentum", "-0.1", "is outside"), ("start", "100", "is outside")],
)
def test_bad_input_is_refused_with_a_message(race, field, text, message):
    race.step(30)
    before = race.state()
    readout = race.readout("Adam")
    locator = race.root.get_by_label("w\u2081") if field == "start" else race.lr_input(field)
    old_value = locator.input_value()
    race.set_field(locator, text)
    state = race.state()
    error = race.root.locator(".race-error")
    assert error.is_visible()
    assert message in error.text_content() and "Not applied" in error.text_content()
    assert locator.get_attribute("aria-invalid") == "true"
    assert locator.input_value() == old_value, "the field shows the value still in use"
    assert state["hyper"] == before["hyper"] and state["start"] == before["start"]
    assert state["caption"] == before["caption"] and race.readout("Adam") == readout
    # The race still runs, and the next valid entry clears the message.
    race.step(1)
    assert race.state()["t"] == 31
    race.set_field(race.lr_input("Adam"), "0.2")
    assert not error.is_visible()
    assert locator.get_attribute("aria-invalid") is None


def test_quadratic_bowl_with_adam_at_lr_0_3_shows_the_sawtooth(race):
    race.root.get_by_label("Surface").select_option("quadratic")
    race.root.get_by_label("Speed").select_option("120")
    calm = race.page.evaluate("() => OptimizerRace.testHook().state().runs.Adam.gap")  # lr 0.1, the default
    race.set_field(race.lr_input("Adam"), "0.3")
    race.root.get_by_role("button", name="Play the race").click()
    race.page.wait_for_function("!OptimizerRace.testHook().state().playing", timeout=20_000)
    assert race.state()["t"] == 300
    assert "Race finished" in race.root.get_by_role("status").text_content()
    sawtooth = race.series("Adam")
    assert len(sawtooth) == 301
    # Teeth: climbs of the loss by more than a factor of 10 (optlab.diagnostics.count_rises).
    rises, calm_rises = count_rises(sawtooth), count_rises(calm)
    print(f"\nAdam on the quadratic bowl, 300 steps: {rises} tenfold rises of the loss at lr 0.3, {calm_rises} at lr 0.1")
    assert rises >= 5, rises
    assert rises > 2 * calm_rises, (rises, calm_rises)
    assert sawtooth[-1] < 1e-6 * sawtooth[0], "it still descends overall"


def test_adam_at_lr_1_blows_up_in_a_long_race_and_amsgrad_does_not(race):
    """The chapter's second claim: at lr 1 a long enough race throws Adam's converged iterate back."""
    race.root.get_by_label("Length").select_option("3000")
    race.root.get_by_role("checkbox", name="AMSGrad").check()
    race.set_field(race.lr_input("Adam"), "1")
    race.set_field(race.lr_input("AMSGrad"), "1")
    race.root.get_by_label("Speed").select_option("600")
    race.root.get_by_role("button", name="Play the race").click()
    race.page.wait_for_function("!OptimizerRace.testHook().state().playing", timeout=30_000)
    state = race.state()
    assert state["t"] == 3000 and "step 3000 of 3000" in state["caption"]
    adam, amsgrad = race.series("Adam"), race.series("AMSGrad")
    assert len(adam) == len(amsgrad) == 3001
    climbs = late_climb(adam, 1500), late_climb(amsgrad, 1500)
    print(f"\nlr 1, 3000 steps: after step 1500 Adam's loss climbs {climbs[0]:.1f} decades above its best, AMSGrad's {climbs[1]:.1f}")
    assert climbs[0] > 20 and climbs[1] < 2, climbs


def test_keyboard_alone_runs_the_race(race):
    page = race.page
    keyboard = page.keyboard
    focused = "() => { const a = document.activeElement; return a.getAttribute('aria-label') || (a.labels && a.labels[0] ? a.labels[0].textContent.trim() : '') || a.textContent.trim(); }"
    race.root.get_by_label("Surface").focus()

    # Tab reaches every control of the applet, in reading order.
    names = [page.evaluate(focused)]
    for _ in range(150):
        keyboard.press("Tab")
        if not page.evaluate("() => document.querySelector('.optimizer-race').contains(document.activeElement)"):
            break
        names.append(page.evaluate(focused))
    for expected in ["Surface", "Play the race", "Single step", "Reset the race to step 0", "Speed", "w\u2081", "w\u2082",
                     "Default start", "Contour map", "SGD", "Adam learning rate", "AMSGrad beta2", "AdamW weight decay"]:
        assert any(n.startswith(expected) for n in names), (expected, names)

    # Choose a surface with the arrow keys.
    race.root.get_by_label("Surface").focus()
    keyboard.press("ArrowDown")
    assert race.state()["surface"] == "rosenbrock"
    keyboard.press("ArrowUp")
    assert race.state()["surface"] == "quadratic"

    # Step with Enter and Space, play and pause with Space, reset with Enter.
    keyboard.press("Tab")  # Play
    keyboard.press("Tab")  # Step
    keyboard.press("Enter")
    keyboard.press("Space")
    assert race.state()["t"] == 2
    keyboard.press("Shift+Tab")  # back to Play
    keyboard.press("Space")
    page.wait_for_function("OptimizerRace.testHook().state().t > 3")
    assert race.state()["playing"]
    keyboard.press("Space")
    assert not race.state()["playing"]
    assert race.root.get_by_role("status").text_content().startswith("Paused at step")
    keyboard.press("Tab")
    keyboard.press("Tab")  # Reset
    keyboard.press("Enter")
    assert race.state()["t"] == 0

    # Move the start point on the map with the arrow keys; Home restores it.
    race.root.get_by_role("application", name="Contour map", exact=False).focus()
    keyboard.press("ArrowLeft")
    keyboard.press("Shift+ArrowDown")
    assert race.state()["start"] == [4.76, 0.3]
    assert "from (4.76, 0.3)" in race.state()["caption"]
    keyboard.press("Home")
    assert race.state()["start"] == [5, 0.5]

    # Toggle an optimizer with Space, and type a learning rate.
    race.root.get_by_role("checkbox", name="SGD").focus()
    keyboard.press("Space")
    assert race.state()["visible"]["SGD"] is False
    keyboard.press("Space")
    assert race.state()["visible"]["SGD"] is True
    race.lr_input("Adam").focus()
    keyboard.press("Control+A")
    keyboard.type("0.3")
    keyboard.press("Enter")
    assert race.state()["hyper"]["Adam"]["lr"] == 0.3


def test_controls_have_names_for_screen_readers(race):
    unnamed = race.page.evaluate(
        """() => Array.from(document.querySelectorAll('.optimizer-race :is(input, select, button, canvas)'))
                 .filter(e => !(e.getAttribute('aria-label') || (e.labels && e.labels.length) || e.textContent.trim()))
                 .map(e => e.outerHTML)"""
    )
    assert unnamed == []
    assert race.root.get_attribute("role") == "region"
    assert race.root.get_by_role("status").count() == 1
    race.set_field(race.lr_input("SGD"), "9")
    assert race.root.get_by_role("alert").text_content().startswith("Not applied")


def test_resizes_with_the_page(race):
    boxes = """() => [OptimizerRace.testHook().parts.map, OptimizerRace.testHook().parts.loss]
                 .map(c => ({...c.getBoundingClientRect().toJSON(), pixels: c.width, cell: c.parentElement.clientWidth}))"""
    seen = {}
    for width in (1100, 480, 360):
        race.page.set_viewport_size({"width": width, "height": 1400})
        race.page.wait_for_function(
            "() => [OptimizerRace.testHook().parts.map, OptimizerRace.testHook().parts.loss]"
            ".every(c => Math.abs(c.getBoundingClientRect().width - c.parentElement.clientWidth) < 1"
                "          && c.width === Math.round(c.getBoundingClientRect().width * devicePixelRatio))"
        )
        seen[width] = map_box, loss_box = race.page.evaluate(boxes)
        assert map_box["right"] <= width and loss_box["right"] <= width
        for box in (map_box, loss_box):
            assert box["pixels"] == round(box["width"]), "the canvas is redrawn at its new size"
    wide, narrow, narrower = (seen[w] for w in (1100, 480, 360))
    assert abs(wide[1]["top"] - wide[0]["top"]) < 1, "on a wide page the plots sit side by side"
    assert narrow[1]["top"] >= narrow[0]["bottom"] - 1, "on a narrow page they stack"
    assert narrower[0]["width"] < narrow[0]["width"] - 50


def _corner_brightness(race):
    return race.page.evaluate(
        "() => { const d = OptimizerRace.testHook().parts.loss.getContext('2d').getImageData(3, 3, 1, 1).data; return (d[0] + d[1] + d[2]) / 3; }"
    )


def test_mid_race_screenshot_and_dark_mode(race):
    race.show_all()
    race.root.get_by_label("Speed").select_option("60")
    race.root.get_by_role("button", name="Play the race").click()
    race.page.wait_for_function("OptimizerRace.testHook().state().t >= 120", timeout=20_000)
    race.root.get_by_role("button", name="Pause the race").click()
    t = race.state()["t"]
    assert 120 <= t < 300 and all(race.state()["visible"].values())
    SCREENSHOT.parent.mkdir(exist_ok=True)
    race.root.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000
    assert _corner_brightness(race) > 200

    # The theme's dark mode: dark canvases, SGD drawn in the text colour.
    race.page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
    race.page.wait_for_timeout(100)
    assert _corner_brightness(race) < 80
    stroke = race.js("(r) => r.rows.SGD.swatch.querySelector('line').getAttribute('stroke')")
    assert stroke.lower() not in ("#000000", "#000", "black")
    race.root.screenshot(path=str(SCREENSHOT_DARK))


def test_applet_runs_from_the_file_system(browser, built_site):
    """Plain scripts loaded in order, no build step and no server: the page works opened as a file."""
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto((built_site / RACE_PAGE).as_uri(), wait_until="load")
        page.wait_for_function("window.OptimizerRace && OptimizerRace.testHook && OptimizerRace.testHook(0) && !OptimizerRace.testHook(1)")
        caption = page.evaluate("OptimizerRace.testHook().parts.caption.textContent")
    finally:
        page.close()
    assert errors == []
    assert caption.startswith("Quadratic bowl, L(w) = w\u2081\u00b2 + 50 w\u2082\u00b2")
