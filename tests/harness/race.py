"""The Optimizer Race's core on a blank browser page, and its replay of optlab's parity vectors.

:mod:`booktools.race_vectors` computes the vectors with optlab (``make book``
needs nothing else); the tests load the applet's scripts alone on a
Playwright page with :func:`load_scripts` and compare the core's runs with
the vectors through :func:`replay`.
"""

from __future__ import annotations

from pathlib import Path

CORE = ("race_data.js", "race_core.js")
"""The applet's data and pure core: the scripts every blank-page test loads first."""


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
  const checkAll = (a, b, where) => Array.isArray(a) ? a.forEach((x, i) => checkAll(x, (b || [])[i], where))
                                                    : check(a, b, where);
  for (const group of ["cases", "noisy", "scheduled"]) for (const [k, c] of v[group].entries()) {
    const r = R.run(R.SURFACES[c.surface], byName[c.optimizer], c.hyper, c.start, c.steps, c.options);
    const name = `${group} ${k} (${c.surface} ${c.optimizer} ${JSON.stringify(c.options || {})})`;
    if (r.diverged !== null || r.path.length !== c.path.length) lengths.push(name);
    c.path.forEach((p, i) => p.forEach((x, j) => check(x, (r.path[i] || [])[j], `${name} step ${i} w${j + 1}`)));
    c.loss.forEach((x, i) => check(x, r.loss[i], `${name} loss ${i}`));
    c.gap.forEach((x, i) => check(x, r.gap[i], `${name} gap ${i}`));
  }
  for (const [k, e] of v.explained.entries()) {
    const r = R.explain(R.SURFACES[e.surface], byName[e.optimizer], e.hyper, e.start, e.t, e.options);
    const name = `explained ${k} (${e.surface} ${e.optimizer} t ${e.t})`;
    for (const field of ["lr", "step", "effectiveLr", "hessian", "stepCurvature", "curvatures"]) checkAll(e[field], r[field], `${name} ${field}`);
    if (e.limit === null ? r.limit !== null : (check(e.limit, r.limit, `${name} limit`), false)) lengths.push(name);
  }
  for (const [k, m] of v.maps.entries()) {
    const name = `map ${k} (${m.surface} ${m.kind})`;
    checkAll(m.curvature, R.curvatures([1, 1], R.SURFACES[m.surface].hessian(...R.SURFACES[m.surface].start)), `${name} curvature`);
    checkAll(m.rates, R.stabilityRates(m.kind, m.curvature, m.lrs, m.betas), `${name} rates`);
  }
  for (const [key, s] of Object.entries(v.samples)) {
    const js = R.SURFACES[key];
    s.points.forEach(([x, y], i) => {
      check(s.loss[i], js.loss(x, y), `${key} loss at point ${i}`);
      check(s.gap[i], R.gap(js, x, y), `${key} gap at point ${i}`);
      checkAll(s.grad[i], js.grad(x, y), `${key} grad at point ${i}`);
      checkAll(s.hessian[i], js.hessian(x, y), `${key} hessian at point ${i}`);
    });
  }
  return {worst, lengths, compared, identical, optimizers: R.OPTIMIZERS.map(o => o.name),
          surfaces: Object.keys(R.SURFACES)};
}"""


def load_scripts(page, race_dir: Path, *more: str) -> None:
    """Put the applet's data and pure core, then the scripts ``more`` (names in ``race_dir``), on a Playwright page."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for script in (*CORE, *more):
        page.add_script_tag(path=str(race_dir / script))
    if errors or page.evaluate("typeof OptimizerRace.run") != "function":
        raise RuntimeError(f"the applet's scripts did not load: {errors}")


def replay(page, vectors: dict) -> dict:
    """Every case of ``vectors`` run by the core loaded on ``page``, compared value by value.

    Returns how many float64 values were compared and how many are
    bit-identical, the largest relative difference and where, the cases whose
    run has another length (or whose explained update has no limit where
    optlab has one, or the reverse), and the core's optimizers and surfaces.
    """
    return page.evaluate(REPLAY, vectors)
