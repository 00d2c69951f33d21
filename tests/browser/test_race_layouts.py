"""The Optimizer Race readable everywhere: contrast, the loss axis, pixel ratio, phone and projector, axe.

Each test here answers one defect found when the first version was tried on
a laptop, a phone and a projector (issue 15): it fails on that version. The
screenshots of the three layouts are written to ``_build/`` for the notes.
"""

from __future__ import annotations

import json

import pytest

from booktools import ROOT

SHOTS = ROOT / "_build"
AXE = ROOT / "tests" / "vendor" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}


@pytest.fixture
def phone(open_race):
    return open_race(**PHONE)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_path_stands_out_from_what_lies_under_it(race, theme):
    """Each line lies on a halo; line against halo is at least 3:1, and the halo is really drawn."""
    race.page.evaluate(f"() => {{ document.documentElement.dataset.theme = '{theme}'; }}")
    race.page.wait_for_timeout(50)
    ratios = race.js(
        """(r) => { const c = r.drawn().colors;
                    return Object.fromEntries(Object.keys(c.line).map(n => [n, OptimizerRace.contrast(c.line[n], c.halo[n])])); }"""
    )
    print(f"\n{theme}: line against halo " + ", ".join(f"{n} {v:.1f}:1" for n, v in ratios.items()))
    assert min(ratios.values()) >= 3, ratios
    # Momentum alone, its race drawn to the end: pixels of its halo colour appear along its path.
    race.js("(r) => { for (const [n, row] of Object.entries(r.rows)) if (row.checkbox.checked !== (n === 'Momentum')) row.checkbox.click();"
            " r.goTo(Infinity); }")
    haloed = race.js(
        """(r) => { const c = r.drawn().colors; const halo = c.halo.Momentum === '#000000' ? 0 : 255;
                    const f = r.drawn().frames.map; const d = r.parts.map.getContext('2d')
                      .getImageData(f.x * f.dpr + 2, f.y * f.dpr + 2, f.w * f.dpr - 4, f.h * f.dpr - 4).data;
                    let n = 0; for (let i = 0; i < d.length; i += 4)
                      if (Math.abs(d[i] - halo) + Math.abs(d[i + 1] - halo) + Math.abs(d[i + 2] - halo) < 30) n++;
                    return n; }"""
    )
    assert haloed > 200, haloed


def test_the_loss_axis_has_a_floor_and_its_labels_do_not_overlap(race):
    race.show_all()
    race.root.get_by_label("Length").select_option("3000")
    race.js("(r) => { r.goTo(Infinity); }")
    floor_range = race.js("(r) => r.drawn().lossRange")
    assert floor_range[0] == -16, "the default floor is 10^-16 (AdaGrad's gap underflows far below it)"
    assert floor_range[1] - floor_range[0] <= 20
    assert race.js("(r) => r.drawn().belowFloor")
    # The axis name sits left of the widest tick label.
    layout = race.js(
        """(r) => { const f = r.drawn().frames.loss; const ctx = r.parts.loss.getContext('2d');
                    ctx.font = f.size + 'px system-ui, sans-serif';
                    const widest = Math.max(...f.axes.yticks.map(v => ctx.measureText(f.axes.label(v, true)).width));
                    return {nameRight: f.size * 0.7 + 1 + f.size / 2, labelsLeft: f.x - 6 - widest}; }"""
    )
    assert layout["nameRight"] < layout["labelsLeft"], layout
    # The reader can lower the floor.
    race.root.get_by_label("Loss floor").select_option("-300")
    assert race.js("(r) => r.drawn().lossRange[0]") < -100


def test_a_pixel_ratio_change_redraws_sharp(race):
    """Browser zoom or a move to a 2x screen changes devicePixelRatio: the canvases follow."""
    cdp = race.context.new_cdp_session(race.page)
    # width and height 0 keep the window; only the pixel ratio changes, as on a move to a 2x screen.
    cdp.send("Emulation.setDeviceMetricsOverride", {"width": 0, "height": 0, "deviceScaleFactor": 2, "mobile": False})
    race.page.wait_for_function(
        "() => { const c = OptimizerRace.testHook().parts.map; return c.width === Math.round(parseFloat(c.style.width) * 2); }",
        timeout=5000,
    )


def test_the_bowl_can_be_drawn_to_scale(race):
    assert "not to scale" in race.state()["caption"]
    stretch = race.js("(r) => r.drawn().stretch")
    assert stretch > 3, "the bowl's window is 12 by 2: w2 is stretched"
    race.root.get_by_label("Equal scales", exact=False).check()
    view = race.js("(r) => { const [x0, x1, y0, y1] = r.drawn().view; const f = r.drawn().frames.map; return [f.w / (x1 - x0), f.h / (y1 - y0)]; }")
    assert view[0] == pytest.approx(view[1], rel=1e-9)
    assert "drawn to scale" in race.state()["caption"]


def test_phone_layout_fits_the_race_on_one_screen_with_44px_targets(phone):
    page = phone.page
    page.evaluate("() => document.querySelector('.optimizer-race').scrollIntoView({block: 'start', behavior: 'instant'})")
    boxes = phone.js(
        """(r) => { const box = (e) => e.getBoundingClientRect().toJSON();
                    return {bar: box(r.parts.play), map: box(r.parts.map), table: box(r.parts.standings),
                            wrap: box(r.parts.standings.parentElement), root: box(r.parts.root),
                            lr: box(r.rows.SGD.inputs.lr), loss: box(r.parts.loss)}; }"""
    )
    height = PHONE["viewport"]["height"]
    print(f"\nphone: Play at {boxes['bar']['top']:.0f} px, map {boxes['map']['top']:.0f}-{boxes['map']['bottom']:.0f} px, "
          f"standings end at {boxes['table']['bottom']:.0f} px of {height}, the first learning rate at {boxes['lr']['top']:.0f} px, "
          f"the loss plot at {boxes['loss']['top']:.0f} px")
    assert boxes["bar"]["top"] >= 0 and boxes["table"]["bottom"] <= height, boxes
    assert boxes["map"]["bottom"] <= boxes["table"]["top"] + 1, "the standings come right after the map"
    assert boxes["lr"]["top"] - boxes["table"]["bottom"] < 100, "the settings come right after the standings"
    assert boxes["table"]["width"] <= boxes["wrap"]["width"] + 0.5, "the standings fit the width"
    small = phone.js(
        """(r) => Array.from(r.parts.root.querySelectorAll('button, select, input'))
                  .filter(e => e.offsetParent !== null)
                  .map(e => [e.type === 'checkbox' ? e.labels[0] : e, e])
                  .map(([target, e]) => ({what: e.getAttribute('aria-label') || e.id || e.textContent,
                                          height: target.getBoundingClientRect().height}))
                  .filter(x => x.height < 44 - 0.5)"""
    )
    assert small == [], small
    page.screenshot(path=str(SHOTS / "race-phone.png"))  # the screen the reader sees


def test_projector_layout_is_full_width_with_large_ticks(open_race):
    race = open_race(**PROJECTOR)
    race.root.get_by_role("button", name="Full width").click()
    race.page.wait_for_function("() => OptimizerRace.testHook().parts.map.getBoundingClientRect().width > 0.45 * innerWidth")
    sizes = race.js(
        """(r) => [r.parts.map, r.parts.loss].map(c => c.getBoundingClientRect().width / innerWidth)
                  .concat([r.drawn().frames.map.size, r.drawn().frames.loss.size])"""
    )
    print(f"\nprojector: plots {sizes[0]:.0%} and {sizes[1]:.0%} of the width, ticks {sizes[2]} and {sizes[3]} px")
    assert min(sizes[:2]) >= 0.45 and min(sizes[2:]) >= 14, sizes
    race.show_all()
    race.js("(r) => { r.goTo(80); }")  # paused mid-race, the update explained
    race.page.screenshot(path=str(SHOTS / "race-projector.png"))
    race.page.keyboard.press("Escape")
    assert race.js("(r) => r.state().wide") is False


def test_a_full_width_plot_on_a_2x_screen_keeps_to_the_pixel_budget(open_race):
    """Full width at 1920 x 1080 at 2x: 2.5 million device pixels a plot, each change too slow to draw (issue 23, item 4).

    A plot's canvas holds at most the drawing's pixel budget, and is still drawn
    finer than one device pixel a CSS pixel; a smaller plot keeps the screen's ratio.
    """
    race = open_race("#race=1&wide=1", viewport=PROJECTOR["viewport"], device_scale_factor=2)
    race.page.wait_for_function("() => OptimizerRace.testHook().parts.map.getBoundingClientRect().width > 0.45 * innerWidth")
    canvases = race.js(
        """(r) => [r.parts.map, r.parts.loss].map(c => ({pixels: c.width * c.height, ratio: c.width / c.getBoundingClientRect().width,
                                                       budget: r.pixelBudget}))"""
    )
    print(f"\nfull width at 2x: {canvases}")
    for c in canvases:
        assert c["pixels"] <= c["budget"] * 1.01 and 1.2 < c["ratio"] < 2, c
    race.page.keyboard.press("Escape")  # back in the book's column: under the budget at the screen's ratio
    race.page.wait_for_function(
        "() => [OptimizerRace.testHook().parts.map, OptimizerRace.testHook().parts.loss]"
        ".every(c => c.width === Math.round(parseFloat(c.style.width) * 2))"
    )


def test_laptop_screenshot(open_race):
    race = open_race(**LAPTOP)
    race.show_all()
    race.root.get_by_label("Surface").select_option("rosenbrock")
    race.js("(r) => { r.goTo(120); r.parts.root.scrollIntoView({block: 'start', behavior: 'instant'}); }")
    race.page.screenshot(path=str(SHOTS / "race-laptop.png"))  # the screen the reader sees
    assert (SHOTS / "race-laptop.png").stat().st_size > 20_000


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_finds_no_violation_in_the_applet(race, theme):
    race.page.evaluate(f"() => {{ document.documentElement.dataset.theme = '{theme}'; }}")
    race.step(3)  # paused mid-race: the explanation of one update is on show too
    race.page.add_script_tag(path=str(AXE))
    report = race.page.evaluate("axe.run(document.querySelector('.optimizer-race'), {resultTypes: ['violations']})")
    problems = [f"{v['impact']} {v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})" for v in report["violations"]]
    assert problems == [], json.dumps(problems, indent=1)
