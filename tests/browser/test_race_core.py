"""The Optimizer Race's pure core (``race_core.js``) in a real browser, on a blank page: no DOM of the applet, no book.

The parity tests replay the vectors that ``booktools.race_vectors`` computed
with optlab (plain, noisy and scheduled runs, explained updates, and each
surface's loss, gradient and Hessian at a few points) and require agreement
to ``RTOL`` relative. The others check what the vectors cannot: how fast the
noise is made, that every optimizer of a race sees the same noise, that
``explain`` and ``run`` tell the same story, and that bad options are refused.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from booktools import ROOT, race_vectors
from harness.race import load_scripts, replay
from optlab.noise import standard_normal

RACE = ROOT / "_static" / "race"
VECTORS = race_vectors.OUTPUT
RTOL = race_vectors.RTOL


@pytest.fixture(scope="module")
def core(browser):
    """A blank page with the applet's data and pure core alone: no DOM of the applet, no book."""
    page = browser.new_page()
    load_scripts(page, RACE)
    yield page
    page.close()


def test_parity_with_the_python_vectors(core):
    vectors = json.loads(VECTORS.read_text())
    result = replay(core, vectors)
    print(
        f"\nparity: {result['compared']} float64 values compared, {result['identical']} bit-identical, "
        f"largest relative difference {result['worst']['value']:.3g} ({result['worst']['where']})"
    )
    assert result["lengths"] == [], "cases where the applet's run ended early or has another length"
    assert result["worst"]["value"] <= RTOL, result["worst"]
    assert result["surfaces"] == list(vectors["samples"])
    assert len(vectors["cases"]) >= 64 and {c["optimizer"] for c in vectors["cases"]} == set(result["optimizers"])
    for group in ("noisy", "scheduled", "explained"):
        assert {c["optimizer"] for c in vectors[group]} == set(result["optimizers"]), group
        assert {c["surface"] for c in vectors[group]} == set(result["surfaces"]), group
    assert {c["options"]["schedule"] for c in vectors["scheduled"]} == set(core.evaluate("Object.keys(OptimizerRace.SCHEDULES)"))


def test_the_parity_check_would_catch_a_wrong_rule(core):
    """Adam with beta2 dropped to 0 (a plausible slip) differs from the vectors by far more than 1e-12."""
    case = next(c for c in json.loads(VECTORS.read_text())["cases"] if c["optimizer"] == "Adam")
    moved = core.evaluate(
        """(c) => { const R = OptimizerRace; const adam = R.OPTIMIZERS.find(o => o.name === 'Adam');
                    const slip = {...adam, step: (hp, w, g, s) => adam.step({...hp, beta2: 0}, w, g, s)};
                    const r = R.run(R.SURFACES[c.surface], slip, c.hyper, c.start, c.steps);
                    return Math.abs(r.path[5][0] - c.path[5][0]) / Math.abs(c.path[5][0]); }""",
        case,
    )
    assert moved > 1e-6


def test_the_parity_check_would_catch_other_noise(core):
    """A noisy run replayed with the next seed's draws misses the vectors by far more than 1e-12."""
    case = json.loads(VECTORS.read_text())["noisy"][0]
    moved = core.evaluate(
        """(c) => { const R = OptimizerRace; const o = R.OPTIMIZERS.find(o => o.name === c.optimizer);
                    const r = R.run(R.SURFACES[c.surface], o, c.hyper, c.start, c.steps, {...c.options, seed: c.options.seed + 1});
                    return Math.abs(r.path[3][0] - c.path[3][0]) / Math.abs(c.path[3][0]); }""",
        case,
    )
    assert moved > 1e-6


def test_the_deviates_are_optlabs_bit_for_bit_and_cached(browser):
    """6000 deviates (a 3000-step race) on a fresh page equal optlab's; a seed already made is served from the cache.

    How fast they are made is a budget, reported by ``make bench`` (item 6), not checked here: a
    timing bound in a pass/fail test fails on a loaded machine.
    """
    page = browser.new_page()
    try:
        load_scripts(page, RACE)
        made = page.evaluate("() => Array.from(OptimizerRace.normals(4294967295, 6000))")
        again = page.evaluate("() => OptimizerRace.normals(4294967295, 10)[9] === OptimizerRace.normals(4294967295, 6000)[9]")
    finally:
        page.close()
    np.testing.assert_array_equal(made, standard_normal(np.array([2**32 - 1]), 0, 6000)[0])
    assert again


def test_every_optimizer_of_a_noisy_race_sees_the_same_noise(core):
    """explain's gradient minus the true gradient at its point is sigma z_t, the same z_t for every optimizer (Nesterov's at its look-ahead)."""
    result = core.evaluate(
        """() => { const R = OptimizerRace, s = R.SURFACES.rosenbrock, t = 12, sigma = 2, seed = 99;
                   const z = R.normals(seed, 2 * (t + 1));
                   return R.OPTIMIZERS.map(o => {
                     const e = R.explain(s, o, R.defaultHyper('rosenbrock', o.name), s.start, t, {sigma, seed});
                     const g = s.grad(e.point[0], e.point[1]);
                     return [o.name, e.gradient[0] - g[0] - sigma * z[2 * t], e.gradient[1] - g[1] - sigma * z[2 * t + 1],
                             e.point[0] !== e.w[0]]; }); }"""
    )
    for name, dx, dy, looks_ahead in result:
        assert abs(dx) < 1e-12 and abs(dy) < 1e-12, name
        assert looks_ahead == (name == "Nesterov"), name


def test_explain_takes_apart_the_update_that_run_makes(core):
    """For every optimizer, with noise and a schedule: explain's w and next are run's w_t and w_{t+1}, its step their difference."""
    result = core.evaluate(
        """() => { const R = OptimizerRace, s = R.SURFACES.quadratic, t = 40;
                   const options = {sigma: 1, seed: 5, schedule: 'step', horizon: 90};
                   return R.OPTIMIZERS.map(o => {
                     const hp = R.defaultHyper('quadratic', o.name);
                     const r = R.run(s, o, hp, s.start, 90, options);
                     const e = R.explain(s, o, hp, s.start, t, options);
                     return [o.name, e.w.concat(e.next), r.path[t].concat(r.path[t + 1]), e.lr, hp.lr, e.limit]; }); }"""
    )
    for name, explained, ran, lr, base, limit in result:
        assert explained == ran, name
        assert lr == pytest.approx(base * 0.1), name  # step decay: the second third of 90 steps
        assert limit > 1, name  # every limit of the chapter lies between 1 and 2(1+beta)/(1-beta)


@pytest.mark.parametrize(("options", "message"), [
    ({"schedule": "linear"}, "schedule must be one of"),
    ({"sigma": -1}, "sigma must lie in"),
    ({"sigma": 1, "seed": 1.5}, "seed must be an integer"),
    ({"seed": 2**32}, "seed must be an integer"),
])
def test_bad_options_are_refused_with_a_message(core, options, message):
    error = core.evaluate(
        """(options) => { const R = OptimizerRace;
                          try { R.run(R.SURFACES.quadratic, R.OPTIMIZERS[0], R.defaultHyper('quadratic', 'SGD'), [1, 1], 5, options); }
                          catch (e) { return e.message; } return null; }""",
        options,
    )
    assert error is not None and message in error


def test_explain_asks_for_the_horizon_of_a_schedule(core):
    error = core.evaluate(
        """() => { const R = OptimizerRace;
                   try { R.explain(R.SURFACES.quadratic, R.OPTIMIZERS[0], R.defaultHyper('quadratic', 'SGD'), [1, 1], 3, {schedule: 'cosine'}); }
                   catch (e) { return e.message; } return null; }"""
    )
    assert error and "horizon" in error
