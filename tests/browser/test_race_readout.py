"""The Optimizer Race's readout and map say what is true (issue 23, items 1 to 3 and 8).

Each test fails on the second version of the applet: its stability readout
used the Hessian's diagonal alone, its arrows had no common scale (546 px
for a real step of 11 px) and its whole-race paths were faint lines at 45 %
opacity with no halo and no name; and it had no stability map.
"""

from __future__ import annotations

import numpy as np
import pytest

from optlab.race import convergence_rate, stability_map


def explained(race, name):
    return race.js("(r, n) => r.state().explanations[n]", name)


def readout_row(race, name):
    return race.root.locator(".race-explain-table tbody tr").filter(has_text=name).first.text_content()


def test_the_verdict_uses_the_largest_eigenvalue_of_the_full_hessian(race):
    race.reset("#race=1&surface=rosenbrock&on=SGD")
    e = explained(race, "SGD")
    assert e["hessian"] == [[1902, 600], [600, 200]]
    # Its diagonal gives 0.001 x 1902 = 1.902 < 2; the largest eigenvalue gives 2.092 > 2.
    assert e["stepCurvature"] == pytest.approx(0.001 * max(np.linalg.eigvalsh(e["hessian"])), rel=1e-12)
    assert e["stable"] is False
    row = readout_row(race, "SGD")
    assert "\u03b7\u209c\u03bb\u2098\u2090\u2093(H) = 2.092" in row and "unstable" in row
    assert "2 = 2" not in row


def test_an_adaptive_method_is_judged_by_its_preconditioned_hessian(race):
    race.reset("#race=1&surface=rosenbrock&on=Adam,RMSProp&step=10")
    for name in ("Adam", "RMSProp"):
        e = explained(race, name)
        preconditioned = np.diag(e["effectiveLr"]) @ np.array(e["hessian"])
        assert e["stepCurvature"] == pytest.approx(max(np.linalg.eigvals(preconditioned).real), rel=1e-12)
        assert e["stable"] == (e["stepCurvature"] < e["limit"] and min(np.linalg.eigvals(preconditioned).real) > 0)
        assert "\u03bb\u2098\u2090\u2093(diag(s)H)" in readout_row(race, name)
    assert "preconditioned Hessian diag(s)H" in race.root.locator(".race-explain").text_content()


def _arrows(race):
    return race.js("(r) => ({arrows: r.drawn().arrows, scale: r.drawn().arrowScale, of: r.drawn().arrowsOf, "
                   "f: r.drawn().frames.map, note: r.parts.root.querySelector('.race-arrow-scale').textContent})")


def _inside(point, f):
    return f["x"] - 0.5 <= point[0] <= f["x"] + f["w"] + 0.5 and f["y"] - 0.5 <= point[1] <= f["y"] + f["h"] + 0.5


@pytest.mark.parametrize(("fragment", "name"), [
    ("#race=1&on=Adam", "Adam"),  # step 0: v2 drew 546 px arrows for an 11 px step
    ("#race=1&on=Adam&step=40", "Adam"),
    ("#race=1&surface=rosenbrock&on=Momentum&step=60", "Momentum"),  # v2: every arrow under 1 px
    ("#race=1&surface=rosenbrock&on=AdamW&step=30", "AdamW"),
])
def test_the_arrows_of_one_optimizer_share_one_scale_and_add_up_to_the_step(race, fragment, name):
    race.reset(fragment)
    drawn = _arrows(race)
    f = drawn["f"]
    assert drawn["of"] == name
    longest = max(np.hypot(*np.subtract(a["to"], a["from"])) for a in drawn["arrows"])
    assert 30 - 1e-9 <= longest <= 0.35 * min(f["w"], f["h"]) + 1e-9, longest
    assert all(_inside(a["from"], f) and _inside(a["to"], f) for a in drawn["arrows"])
    # The parts are drawn one after another from w_t: where the last ends, the step ends.
    by_kind = {a["kind"]: a for a in drawn["arrows"]}
    parts = [a for a in drawn["arrows"] if a["kind"] != "step"]
    if parts and not any(a["edge"] for a in drawn["arrows"]):
        assert parts[-1]["to"] == pytest.approx(by_kind["step"]["to"], abs=0.5)
    k = drawn["scale"]
    assert drawn["note"].startswith(f" {name}'s arrows are drawn")
    assert ("true length" in drawn["note"]) and (k == 1 or str(round(k if k > 1 else 1 / k)) in drawn["note"])


def test_an_arrow_off_the_map_stops_at_its_edge_with_a_marker(race):
    race.reset("#race=1&on=SGD&lr.SGD=0.021&step=20")  # |w2| grows by 1.1 a step: off the map by step 20
    drawn = _arrows(race)
    assert drawn["arrows"] and all(_inside(a["to"], drawn["f"]) for a in drawn["arrows"])
    assert any(a["edge"] for a in drawn["arrows"])


def test_the_reader_chooses_whose_arrows_are_drawn(race):
    race.reset("#race=1&on=SGD,Momentum&step=5")
    assert _arrows(race)["of"] == "SGD"
    race.root.get_by_label("Arrows on the map for").select_option("Momentum")
    assert _arrows(race)["of"] == "Momentum"
    assert {a["kind"] for a in _arrows(race)["arrows"]} == {"gradient", "momentum", "step"}


def _colour_count(race, colour_of):
    """Pixels of the map's plot area within 30 (sum of channel differences) of a colour the page computes."""
    return race.js(
        f"""(r) => {{ const c = r.drawn().colors; const hex = ({colour_of})(c);
                     const rgb = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
                     const f = r.drawn().frames.map; const d = r.parts.map.getContext('2d')
                       .getImageData(f.x * f.dpr + 2, f.y * f.dpr + 2, f.w * f.dpr - 4, f.h * f.dpr - 4).data;
                     let n = 0; for (let i = 0; i < d.length; i += 4)
                       if (Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) < 30) n++;
                     return n; }}"""
    )


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_whole_race_paths_lie_on_a_halo_at_full_colour(race, theme):
    """At step 0 only the whole races are drawn: their own colour and their halo must show, not a 45 % tint."""
    race.reset("#race=1&on=Momentum")
    race.page.evaluate(f"() => {{ document.documentElement.dataset.theme = '{theme}'; }}")
    race.page.wait_for_timeout(50)
    assert race.js("(r) => OptimizerRace.contrast(r.drawn().colors.line.Momentum, r.drawn().colors.halo.Momentum)") >= 3
    assert _colour_count(race, "(c) => c.line.Momentum") > 300
    halo = _colour_count(race, "(c) => c.halo.Momentum")
    assert halo > 300, halo


def test_each_whole_race_is_labelled_at_its_end(race):
    race.reset("#race=1&on=SGD,Momentum,RMSProp,Adam,AdamW")
    for kind in ("map", "loss"):
        labels = race.js(f"(r) => ({{labels: r.drawn().labels.{kind}, f: r.drawn().frames.{kind}}})")
        f = labels["f"]
        boxes = labels["labels"]
        assert [b["name"] for b in boxes] == ["SGD", "Momentum", "RMSProp", "Adam", "AdamW"]
        for b in boxes:
            assert f["x"] - 1 <= b["x"] and b["x"] + b["w"] <= f["x"] + f["w"] + 1 and f["y"] <= b["y"] <= f["y"] + f["h"]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                apart = a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"] or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"]
                assert apart, (kind, a, b)


# ------------------------------------------------------------- the stability map (item 8)


@pytest.mark.parametrize(("fragment", "name"), [
    ("#race=1&on=Momentum&step=3", "Momentum"),
    ("#race=1&on=Momentum&lr.Momentum=0.05&step=3", "Momentum"),  # 0.05 x 100 = 5 > 2(1 + 0.9)
    ("#race=1&surface=rosenbrock&on=SGD", "SGD"),
    ("#race=1&surface=rosenbrock&on=Nesterov&step=40", "Nesterov"),
    ("#race=1&surface=saddle&on=RMSProp&step=20", "RMSProp"),  # negative curvature along w2
    ("#race=1&surface=plateau&on=Adam&step=30", "Adam"),
])
def test_the_verdict_agrees_with_the_spectral_radius_of_the_step_at_the_current_point(race, fragment, name):
    """optlab's convergence_rate on the explained update's curvatures: below 1 exactly when the readout says stable."""
    race.reset(fragment)
    e = explained(race, name)
    m = race.js("(r) => r.state().stability")
    kind = m["kind"]
    beta = m["beta"] or 0.0
    rate = max(convergence_rate(kind, e["lr"] * c, beta) for c in e["curvatures"])
    assert m["rate"] == pytest.approx(rate, rel=1e-12)
    assert e["stable"] == (rate < 1), (rate, e["stable"])
    assert f"rate {rate:.3f}" in race.root.locator(".race-stability").text_content()


def test_the_stability_map_is_optlabs_and_its_circle_moves_the_setting(race):
    race.reset("#race=1&on=Momentum&step=3")
    m = race.js("(r) => r.state().stability")
    assert np.allclose(m["rates"], stability_map(m["kind"], m["curvature"], m["lrs"], m["betas"]), rtol=1e-12)
    canvas = race.root.locator(".race-stability-map")
    box = canvas.bounding_box()
    grid = race.js("(r) => r.drawn().stabilityGrid")
    # A click at three quarters across and half way up sets eta and beta there.
    canvas.click(position={"x": grid["x"] + 0.75 * grid["w"], "y": grid["y"] + 0.5 * grid["h"]})
    hyper = race.state()["hyper"]["Momentum"]
    lr_range = (1e-4, 5)
    assert hyper["lr"] == pytest.approx(lr_range[0] * (lr_range[1] / lr_range[0]) ** 0.75, rel=0.01)
    assert hyper["beta"] == pytest.approx(0.99, abs=0.002)
    assert race.lr_input("Momentum").input_value() == str(hyper["lr"])
    canvas.focus()
    race.page.keyboard.press("ArrowLeft")
    assert race.state()["hyper"]["Momentum"]["lr"] < hyper["lr"]
    assert box["width"] > 0
