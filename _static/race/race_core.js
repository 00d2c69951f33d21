/* The Optimizer Race, its pure core: surfaces, update rules and the race itself. No DOM.
 *
 * What the applet shares with the Python package optlab (surface names,
 * formulas, minima, starts and windows; optimizer names, hyperparameters and
 * starting settings; race lengths; palette) is in race_data.js, generated
 * from optlab by `python -m booktools.race_data`. This file keeps only what
 * must be JavaScript: each surface's loss and gradient, and each optimizer's
 * update rule (its init, point and step). tests/browser/test_race.py loads
 * race_data.js and this file alone on a blank page and replays vectors
 * computed by optlab (booktools.race_vectors), to 1e-12 relative.
 *
 * Every operation in a step is written in the order optlab evaluates it
 * (for instance lr * beta * v is (lr * beta) * v), which keeps the two
 * float64 computations bit-for-bit equal except where a library function
 * (pow, exp) rounds differently in its last bit.
 *
 * Load order: race_data.js, race_core.js, race_draw.js, race_ui.js (plain
 * scripts, no build step, so the page works from file:// too).
 */
(function () {
  "use strict";

  if (window.OptimizerRace) return; // a page that embeds the applet twice loads this twice

  const DATA = window.RACE_DATA;

  /* ---------------------------------------------------------------- surfaces */

  // Loss and gradient of each surface of optlab.surfaces.SURFACES, in optlab's order of operations.
  const SURFACE_RULES = {
    // optlab.surfaces.quadratic(): 1/2 (w - c)^T diag(2, 100) (w - c), c = 0.
    quadratic: {
      loss: (x, y) => 0.5 * (x * 2 * x + y * 100 * y),
      grad: (x, y) => [x * 2, y * 100],
    },
    rosenbrock: {
      loss(x, y) {
        const u = 1 - x;
        const v = y - x * x;
        return u * u + 100 * (v * v);
      },
      grad(x, y) {
        const v = y - x * x;
        return [-2 * (1 - x) - 4 * 100 * x * v, 2 * 100 * v];
      },
    },
    saddle: {
      loss: (x, y) => 0.5 * (x * x) - 0.5 * (y * y) + 0.25 * y ** 4,
      grad: (x, y) => [x, y ** 3 - y],
    },
    plateau: {
      loss: (x, y) => -Math.expm1(-0.5 * (x * x + 4 * (y * y))), // no cancellation near 0, unlike 1 - exp
      grad(x, y) {
        const bump = Math.exp(-0.5 * (x * x + 4 * (y * y)));
        return [x * bump, 4 * y * bump];
      },
    },
  };

  /* ------------------------------------------------------------ update rules */

  function map2(f, a, b, c, d) {
    return [f(a[0], b && b[0], c && c[0], d && d[0]), f(a[1], b && b[1], c && c[1], d && d[1])];
  }

  const same = (hp, w) => w;

  // Adam's step, shared by Adam, AdamW and AMSGrad (optlab.Adam.update).
  function adamStep(hp, w, g, s, amsgrad) {
    const count = s.count + 1;
    const mu = map2((m, gi) => hp.beta1 * m + (1 - hp.beta1) * gi, s.mu, g);
    const nu = map2((v, gi) => hp.beta2 * v + (1 - hp.beta2) * gi * gi, s.nu, g);
    const correction1 = 1 - hp.beta1 ** count;
    const correction2 = 1 - hp.beta2 ** count;
    const muHat = map2((m) => m / correction1, mu);
    let nuHat = map2((v) => v / correction2, nu);
    let nuMax = s.nuMax;
    if (amsgrad) {
      nuMax = map2((vm, v) => Math.max(vm, v), nuMax, nuHat);
      nuHat = nuMax;
    }
    const next = map2((wi, m, v) => wi - (hp.lr * m) / (Math.sqrt(v) + hp.eps), w, muHat, nuHat);
    return { w: next, state: { count, mu, nu, nuMax } };
  }

  const adamInit = () => ({ count: 0, mu: [0, 0], nu: [0, 0], nuMax: [0, 0] });

  function momentumStep(hp, w, g, s) {
    const velocity = map2((v, gi) => hp.beta * v + gi, s.velocity, g);
    return { w: map2((wi, v) => wi - hp.lr * v, w, velocity), state: { velocity } };
  }

  // Each optimizer of the race by its name in race_data.js, as three pure
  // functions: init() -> state; point(hp, w, state) -> where the gradient is
  // taken (optlab's gradient_point); step(hp, w, g, state) -> {w, state}.
  const UPDATE_RULES = {
    SGD: {
      init: () => ({}),
      point: same,
      step: (hp, w, g, s) => ({ w: map2((wi, gi) => wi - hp.lr * gi, w, g), state: s }),
    },
    Momentum: { init: () => ({ velocity: [0, 0] }), point: same, step: momentumStep },
    Nesterov: {
      init: () => ({ velocity: [0, 0] }),
      point: (hp, w, s) => map2((wi, v) => wi - hp.lr * hp.beta * v, w, s.velocity),
      step: momentumStep,
    },
    AdaGrad: {
      init: () => ({ sumSq: [0, 0] }),
      point: same,
      step(hp, w, g, s) {
        const sumSq = map2((G, gi) => G + gi * gi, s.sumSq, g);
        const next = map2((wi, gi, G) => wi - (hp.lr * gi) / (Math.sqrt(G) + hp.eps), w, g, sumSq);
        return { w: next, state: { sumSq } };
      },
    },
    RMSProp: {
      init: () => ({ nu: [0, 0] }),
      point: same,
      step(hp, w, g, s) {
        const nu = map2((v, gi) => hp.beta * v + (1 - hp.beta) * gi * gi, s.nu, g);
        const next = map2((wi, gi, v) => wi - (hp.lr * gi) / (Math.sqrt(v) + hp.eps), w, g, nu);
        return { w: next, state: { nu } };
      },
    },
    Adam: { init: adamInit, point: same, step: (hp, w, g, s) => adamStep(hp, w, g, s, false) },
    AdamW: {
      init: adamInit,
      point: same,
      // The chapter's decoupled decay: w <- (Adam's step from w) - lambda * w.
      step(hp, w, g, s) {
        const stepped = adamStep(hp, w, g, s, false);
        return { w: map2((si, wi) => si - hp.weight_decay * wi, stepped.w, w), state: stepped.state };
      },
    },
    AMSGrad: { init: adamInit, point: same, step: (hp, w, g, s) => adamStep(hp, w, g, s, true) },
  };

  /* --------------------------------------------- the data joined to the rules */

  // A name in race_data.js without a rule here (or the reverse) is a mistake
  // that must show at once, not as a missing row.
  function joined(table, rules, what) {
    const missing = Object.keys(table).filter((k) => !rules[k]);
    const extra = Object.keys(rules).filter((k) => !(k in table));
    if (missing.length || extra.length)
      throw new Error(`race_core.js and race_data.js disagree on the ${what}: no rule for [${missing}], no data for [${extra}]`);
    return Object.fromEntries(Object.entries(table).map(([k, v]) => [k, { ...v, ...rules[k] }]));
  }

  const SURFACES = joined(DATA.surfaces, SURFACE_RULES, "surfaces");
  const OPTIMIZERS = Object.values(
    joined(Object.fromEntries(DATA.optimizers.map((o) => [o.name, o])), UPDATE_RULES, "optimizers"),
  );

  /** The hyperparameters a race of optimizer `name` on surface `surfaceKey` starts from (a fresh copy). */
  function defaultHyper(surfaceKey, name) {
    return { ...DATA.settings[surfaceKey][name] };
  }

  /**
   * Run `steps` updates of an optimizer on a surface, like
   * optlab.training.run_on_surface: the gradient is taken at point(), the
   * recorded loss at the parameters. Returns the path w_0..w_n, the loss and
   * the gap L - L* along it, and the step at which the run diverged (null if
   * it did not; the path then ends at the last finite point).
   */
  function run(surface, optimizer, hp, start, steps) {
    let w = [start[0], start[1]];
    let state = optimizer.init();
    const path = [w];
    const loss = [surface.loss(w[0], w[1])];
    let diverged = null;
    for (let t = 0; t < steps; t++) {
      const p = optimizer.point(hp, w, state);
      const g = surface.grad(p[0], p[1]);
      ({ w, state } = optimizer.step(hp, w, g, state));
      const value = surface.loss(w[0], w[1]);
      if (!(Math.abs(w[0]) <= DATA.diverged && Math.abs(w[1]) <= DATA.diverged && Number.isFinite(value))) {
        diverged = t + 1;
        break;
      }
      path.push(w);
      loss.push(value);
    }
    return { path, loss, gap: loss.map((v) => v - surface.minLoss), diverged };
  }

  window.OptimizerRace = {
    SURFACES,
    OPTIMIZERS,
    STYLES: DATA.styles,
    EPS: DATA.eps,
    HORIZONS: DATA.horizons,
    run,
    defaultHyper,
  };
})();
