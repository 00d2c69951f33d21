/* The Optimizer Race, its model: the reader's race as data, its runs and its explanations. No DOM.
 *
 * A RaceModel holds one configuration (what a link holds: surface, start,
 * optimizers shown, their settings, noise, schedule, length, step and the
 * view), the runs of the pure core (race_core.js) and, while the race is
 * paused, the explanation of the next update. Its snapshot() is what the
 * applet (race_ui.js) draws and writes, and what the tests read through the
 * applet's test hook; tests/browser/test_race_model.py drives a bare model on
 * a blank page, as the core's tests do.
 */
(function () {
  "use strict";

  const R = window.OptimizerRace;
  if (R.RaceModel) return; // a page that embeds the applet twice loads this twice
  const { SURFACES, OPTIMIZERS, HORIZONS, EPS, run, explain, formatNumber } = R; // race_core.js, race_input.js
  const DATA = window.RACE_DATA;
  const BY_NAME = Object.fromEntries(OPTIMIZERS.map((o) => [o.name, o]));

  // A run has "arrived" when its loss gap first falls below this.
  const TARGET_GAP = 1e-6;

  /** True when a race needs no more than the first sight: the bowl, the first two optimizers, no noise, no schedule. */
  function firstSight(c) {
    return c.surface === Object.keys(SURFACES)[0] && c.on.every((n) => R.SHOWN_AT_FIRST.includes(n)) &&
      c.sigma === 0 && c.schedule === DATA.schedules[0].key && c.length === HORIZONS[0] && !c.wide;
  }

  class RaceModel {
    constructor() {
      this.runs = {};
      this.explanations = null;
      this.playing = false;
      this.arrowsOf = null;
      this.wide = false;
      this.more = false;
      this.hidden = [];
    }

    /** The race as a configuration (race_input.js's share.encode writes it as a link). */
    config() {
      return {
        surface: this.surface.key,
        start: this.start.slice(),
        on: OPTIMIZERS.filter((o) => this.visible[o.name]).map((o) => o.name),
        hyper: Object.fromEntries(OPTIMIZERS.map((o) => [o.name, Object.fromEntries(o.hyper.map((k) => [k, this.hyper[o.name][k]]))])),
        sigma: this.sigma,
        seed: this.seed,
        schedule: this.schedule,
        length: this.horizon,
        step: this.t,
        speed: this.speed,
        floor: this.floor,
        scale: this.toScale ? "equal" : "auto",
        wide: this.wide ? 1 : 0,
        more: this.more ? 1 : 0,
        hide: this.hidden.slice(),
      };
    }

    /** Take every value of a validated configuration (wide is the view's to apply) and run the race. */
    setConfig(c) {
      this.surface = SURFACES[c.surface];
      this.start = c.start.slice();
      this.visible = Object.fromEntries(OPTIMIZERS.map((o) => [o.name, c.on.includes(o.name)]));
      this.hyper = Object.fromEntries(OPTIMIZERS.map((o) => [o.name, { ...c.hyper[o.name], eps: EPS }]));
      this.sigma = c.sigma;
      this.seed = c.seed;
      this.schedule = c.schedule;
      this.horizon = c.length;
      this.t = Math.min(c.step, c.length);
      this.speed = c.speed;
      this.floor = c.floor;
      this.toScale = c.scale === "equal";
      this.more = Boolean(c.more) || !firstSight(c); // a race the first sight cannot show opens More
      this.hidden = c.hide.slice();
      this.recompute();
    }

    /** A new surface: its start and its suggested learning rates; the decay rates, noise and schedule stay. */
    loadSurface(key) {
      this.surface = SURFACES[key];
      this.start = this.surface.start.slice();
      for (const opt of OPTIMIZERS) this.hyper[opt.name] = { ...this.hyper[opt.name], lr: DATA.settings[key][opt.name].lr };
      this.t = 0;
    }

    /** The conditions of the race for the core: noise, its seed, the schedule and the race's length. */
    options() {
      return { sigma: this.sigma, seed: this.seed, schedule: this.schedule, horizon: this.horizon };
    }

    /** Run the race again: every optimizer, or only the one named `only` (whose setting changed). */
    recompute(only) {
      for (const opt of OPTIMIZERS) {
        if (only && opt.name !== only) continue;
        const r = run(this.surface, opt, this.hyper[opt.name], this.start, this.horizon, this.options());
        const arrived = r.gap.findIndex((g) => g < TARGET_GAP);
        this.runs[opt.name] = { ...r, arrived: arrived < 0 ? null : arrived };
      }
    }

    shown() {
      return OPTIMIZERS.filter((o) => this.visible[o.name]);
    }

    /** The loss gaps drawn for an optimizer: steps 0..t (fewer if it diverged). */
    series(name) {
      return this.runs[name].gap.slice(0, this.t + 1);
    }

    /** The update from step t to t + 1 of each shown optimizer still running. */
    explainAll() {
      const result = {};
      for (const opt of this.shown()) {
        const r = this.runs[opt.name];
        if (this.t >= r.path.length - 1) continue; // diverged before this step
        result[opt.name] = explain(this.surface, opt, this.hyper[opt.name], this.start, this.t, this.options());
      }
      return result;
    }

    /** Explanations while the race is paused before its end with More open (the readout is in More); none otherwise. */
    updateExplanations() {
      this.explanations = this.playing || this.t >= this.horizon || !this.more ? null : this.explainAll();
    }

    /** The optimizer whose update the map draws as arrows: the reader's choice while it is shown, else the first shown. */
    arrowOwner() {
      const names = Object.keys(this.explanations || {});
      return names.includes(this.arrowsOf) ? this.arrowsOf : names[0] || null;
    }

    /**
     * The stability map of the optimizer whose update is explained (the arrows' owner): its rate
     * of convergence over a grid of learning rates (log-spaced over their range, across) and decay
     * rates (evenly in -log10(1 - beta), up), on the curvatures of its explained update (the
     * Hessian at w_t, preconditioned for an adaptive method: exact on a quadratic, whose Hessian
     * is constant). null when nothing is explained or the method has no known limit.
     */
    stabilityMap(columns = 48, rows = 40) {
      const name = this.arrowOwner();
      const opt = name && BY_NAME[name];
      if (!opt || !opt.limit) return null;
      const e = this.explanations[name];
      const { lr: lrRange, beta: betaRange } = DATA.ranges;
      const lrs = Array.from({ length: columns }, (_, i) => lrRange.min * (lrRange.max / lrRange.min) ** (i / (columns - 1)));
      const top = -Math.log10(1 - betaRange.max);
      const betas = Array.from({ length: rows }, (_, j) => 1 - 10 ** (-(top * j) / (rows - 1)));
      const betaKey = opt.limit.beta;
      return {
        name, kind: opt.limit.kind, betaKey, curvature: e.curvatures, lrs, betas, surface: this.surface.key, adaptive: e.adaptive,
        rates: R.stabilityRates(opt.limit.kind, e.curvatures, lrs, betas),
        lr: this.hyper[name].lr, beta: betaKey ? this.hyper[name][betaKey] : null,
        rate: Math.max(...e.curvatures.map((c) => R.convergenceRate(opt.limit.kind, this.hyper[name].lr * c, betaKey ? this.hyper[name][betaKey] : 0))),
      };
    }

    /**
     * The race as data, for the drawing, the readout and the tests: `config`
     * (what a link holds, config()), the surface itself, the start, the step
     * t, the horizon, the loss floor, toScale, whether it is playing, the
     * names of the optimizers shown (in the table's order), every
     * optimizer's run, the explanations of the next update (null while
     * playing), the optimizer whose update the map draws as arrows (null if
     * none) and the stability map (null while playing or without a limit).
     */
    snapshot() {
      return {
        config: this.config(),
        surface: this.surface,
        start: this.start.slice(),
        t: this.t,
        horizon: this.horizon,
        floor: this.floor,
        toScale: this.toScale,
        playing: this.playing,
        shown: this.shown().map((o) => o.name),
        runs: this.runs,
        explanations: this.explanations,
        arrowsOf: this.arrowOwner(),
        stability: this.playing ? null : this.stabilityMap(),
      };
    }

    describeHyper(name) {
      const hp = this.hyper[name];
      return BY_NAME[name].hyper.map((k) => `${DATA.fields[k].symbol} ${formatNumber(hp[k])}`).join(", ");
    }

    describeRace() {
      const schedule = DATA.schedules.find((s) => s.key === this.schedule);
      const noise = this.sigma > 0 ? `gradient noise \u03c3 = ${formatNumber(this.sigma)} (seed ${this.seed}, the same draws for every optimizer)` : "exact gradients";
      return `${noise}; ${schedule.name.toLowerCase()} learning rate`;
    }
  }

  Object.assign(R, { RaceModel, TARGET_GAP, firstSight });
})();
