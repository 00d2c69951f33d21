"""Test vectors for the Optimizer Race applet, computed with optlab.

The applet's core (``_static/race/race_core.js``) re-implements the update
rules in JavaScript so the book can run them without a Python kernel. This
module runs optlab's optimizers, as :mod:`optlab.race` names them, on
optlab's surfaces (surfaces x racers x two settings x steps) and writes every
iterate and its loss in float64 to ``tests/vectors/race_vectors.json``, with
each surface's loss and gradient at a few points. ``tests/browser/test_race.py``
replays each case in the browser and requires agreement to 1e-12 relative;
``tests/unit/test_race_files.py`` checks without a browser that the committed
file still matches what this module computes.

Usage: ``python -m booktools.race_vectors`` (rewrites the JSON file).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from optlab import race
from optlab.surfaces import SURFACES
from optlab.training import run_on_surface

from . import ROOT

OUTPUT = ROOT / "tests" / "vectors" / "race_vectors.json"
STEPS = 40

RTOL = 1e-12
"""The relative agreement required of the applet's iterates, and of the committed vectors with a fresh run.
(In practice they agree to the last bit except where ``pow`` or ``exp`` rounds differently.)"""

UNUSUAL = {"beta": 0.5, "beta1": 0.5, "beta2": 0.9, "weight_decay": 0.2}
"""The second setting of every racer: decay rates far from the usual ones (and half the learning rate)."""

SAMPLE_FRACTIONS = [(0.1, 0.2), (0.5, 0.5), (0.73, 0.31), (0.9, 0.85), (0.25, 0.95)]
"""Points where the surfaces' loss and gradient are compared, as fractions of the window."""


def case(surface_key: str, racer: race.Racer, hyper: dict, steps: int, start=None) -> dict:
    """One run: ``racer`` with ``hyper`` for ``steps`` steps, every iterate kept."""
    surface = SURFACES[surface_key]
    start = tuple(surface.start if start is None else start)
    trajectory = run_on_surface(surface, racer.make(**hyper), steps, start=start)
    path = trajectory.path
    if not (np.all(np.isfinite(path)) and np.max(np.abs(path)) < race.DIVERGED):
        raise ValueError(f"{racer.name} {hyper} diverges on {surface_key}; pick a smaller learning rate")
    return {
        "surface": surface_key,
        "optimizer": racer.name,
        "hyper": hyper,
        "start": list(start),
        "steps": steps,
        "path": path.tolist(),
        "loss": trajectory.losses.tolist(),
    }


def two_settings(surface_key: str, racer: race.Racer) -> list[dict]:
    """The race's starting settings, and half the learning rate with :data:`UNUSUAL` decay rates."""
    usual = racer.settings(surface_key)
    unusual = usual | {k: v for k, v in UNUSUAL.items() if k in racer.hyper} | {"lr": usual["lr"] * 0.5}
    return [usual, unusual]


def surface_samples() -> dict:
    """Each surface's loss and gradient at a few points of its window."""
    table = {}
    for key, s in SURFACES.items():
        x0, x1, y0, y1 = s.window
        points = np.array([[x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)] for fx, fy in SAMPLE_FRACTIONS])
        table[key] = {"points": points.tolist(), "loss": s.loss(points).tolist(), "grad": s.grad(points).tolist()}
    return table


def build_vectors() -> dict:
    """Everything the browser test compares the applet's core with."""
    racers = {r.name: r for r in race.racers()}
    cases = [case(key, r, hyper, STEPS) for key in SURFACES for r in racers.values() for hyper in two_settings(key, r)]
    # The chapter's sawtooth (Adam at lr 0.3 on the bowl) over the shortest race, its AMSGrad fix, and a moved start.
    adam = {"lr": 0.3, "beta1": 0.9, "beta2": 0.999, "eps": race.EPS}
    cases.append(case("quadratic", racers["Adam"], adam, race.HORIZONS[0]))
    cases.append(case("quadratic", racers["AMSGrad"], adam, race.HORIZONS[0]))
    nesterov = {"lr": 0.0005, "beta": 0.95, "eps": race.EPS}
    cases.append(case("rosenbrock", racers["Nesterov"], nesterov, STEPS, start=(1.2, -0.5)))
    return {
        "about": "Iterates of optlab's optimizers on optlab's surfaces; made by python -m booktools.race_vectors",
        "samples": surface_samples(),
        "cases": cases,
    }


REPLAY = """(v) => {
  const R = OptimizerRace;
  const byName = Object.fromEntries(R.OPTIMIZERS.map(o => [o.name, o]));
  const worst = {value: 0, where: null}, lengths = [];
  let compared = 0, identical = 0;
  const check = (a, b, where) => {
    compared += 1;
    if (a === b) { identical += 1; return; }
    const rel = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    if (!(rel <= worst.value)) { worst.value = Number.isNaN(rel) ? Infinity : rel; worst.where = where; }
  };
  for (const [k, c] of v.cases.entries()) {
    const r = R.run(R.SURFACES[c.surface], byName[c.optimizer], c.hyper, c.start, c.steps);
    if (r.diverged !== null || r.path.length !== c.path.length) lengths.push(k);
    c.path.forEach((p, i) => p.forEach((x, j) =>
      check(x, (r.path[i] || [])[j], `case ${k} (${c.surface} ${c.optimizer}) step ${i} w${j + 1}`)));
    c.loss.forEach((x, i) => check(x, r.loss[i], `case ${k} loss ${i}`));
  }
  for (const [key, s] of Object.entries(v.samples)) {
    const js = R.SURFACES[key];
    s.points.forEach(([x, y], i) => {
      check(s.loss[i], js.loss(x, y), `${key} loss at point ${i}`);
      js.grad(x, y).forEach((g, j) => check(s.grad[i][j], g, `${key} grad at point ${i}`));
    });
  }
  return {worst, lengths, compared, identical, optimizers: R.OPTIMIZERS.map(o => o.name),
          surfaces: Object.keys(R.SURFACES)};
}"""


def load_core(page, race_dir: Path) -> None:
    """Put the applet's data and pure core (``race_data.js``, ``race_core.js`` of ``race_dir``) on a Playwright page."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for script in ("race_data.js", "race_core.js"):
        page.add_script_tag(path=str(race_dir / script))
    if errors or page.evaluate("typeof OptimizerRace.run") != "function":
        raise RuntimeError(f"the applet's core did not load: {errors}")


def replay(page, vectors: dict) -> dict:
    """Every case of ``vectors`` run by the core loaded on ``page``, compared value by value.

    Returns how many float64 values were compared and how many are
    bit-identical, the largest relative difference and where, the cases whose
    run has another length, and the core's optimizers and surfaces.
    """
    return page.evaluate(REPLAY, vectors)


def render(vectors: dict) -> str:
    """JSON text with one case per line, so a change shows as a readable diff."""
    head = {k: v for k, v in vectors.items() if k != "cases"}
    text = json.dumps(head, indent=1)
    lines = ",\n".join("  " + json.dumps(c) for c in vectors["cases"])
    return text[:-2] + ',\n "cases": [\n' + lines + "\n ]\n}\n"


def main(output: Path = OUTPUT) -> None:
    vectors = build_vectors()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(vectors))
    print(f"wrote {len(vectors['cases'])} cases to {output.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
