/* The Optimizer Race, its pure core: surfaces, update rules, noise, schedules and the race itself. No DOM.
 *
 * What the applet shares with the Python package optlab (surface names,
 * formulas, minima, starts and windows; optimizer names, hyperparameters,
 * starting settings and stability limits; race lengths; fields and ranges;
 * noise defaults; schedules; palette) is in race_data.js, generated from
 * optlab.race's roster by `python -m booktools.race_data` (make book runs it). This file keeps only what must be
 * JavaScript: each surface's loss, gradient and Hessian, each optimizer's
 * update rule (its init, point and step), optlab.noise's generator, the
 * schedules' formulas and the stability limits' formulas.
 * tests/browser/test_race_core.py loads race_data.js and this file alone on a
 * blank page and replays vectors computed by optlab (booktools.race_vectors),
 * noisy and scheduled runs included, to 1e-12 relative.
 *
 * Every operation in a step is written in the order optlab evaluates it
 * (for instance lr * beta * v is (lr * beta) * v), which keeps the two
 * float64 computations bit-for-bit equal except where a library function
 * (pow, exp) rounds differently in its last bit.
 *
 * Loaded first after race_data.js; race.html lists the others in order
 * (plain scripts, no build step, so the page works from file:// too).
 */
(function () {
  "use strict";

  if (window.OptimizerRace) return; // a page that embeds the applet twice loads this twice

  const DATA = window.RACE_DATA;

  /* ---------------------------------------------------------------- surfaces */

  // Loss, gradient and Hessian ([[h11, h12], [h12, h22]], optlab's Surface.hessian_at) of each surface
  // of optlab.surfaces.SURFACES, in optlab's order of operations, and the gap L - L* where optlab
  // computes it otherwise than as loss - minLoss.
  const SURFACE_RULES = {
    // optlab.surfaces.quadratic(): 1/2 (w - c)^T diag(2, 100) (w - c), c = 0.
    quadratic: {
      loss: (x, y) => 0.5 * (x * 2 * x + y * 100 * y),
      grad: (x, y) => [x * 2, y * 100],
      hessian: () => [[2, 0], [0, 100]],
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
      hessian(x, y) {
        const h12 = -4 * 100 * x;
        return [[2 - 4 * 100 * (y - x * x) + 8 * 100 * (x * x), h12], [h12, 2 * 100]];
      },
    },
    saddle: {
      loss: (x, y) => 0.5 * (x * x) - 0.5 * (y * y) + 0.25 * y ** 4,
      grad: (x, y) => [x, y ** 3 - y],
      hessian: (x, y) => [[1, 0], [0, 3 * (y * y) - 1]],
      // optlab's Saddle.gap: L + 1/4 without its cancellation next to a minimum.
      gap(x, y) {
        const d = (y - 1) * (y + 1);
        return 0.5 * (x * x) + 0.25 * (d * d);
      },
    },
    plateau: {
      loss: (x, y) => -Math.expm1(-0.5 * (x * x + 4 * (y * y))), // no cancellation near 0, unlike 1 - exp
      grad(x, y) {
        const bump = Math.exp(-0.5 * (x * x + 4 * (y * y)));
        return [x * bump, 4 * y * bump];
      },
      hessian(x, y) {
        const bump = Math.exp(-0.5 * (x * x + 4 * (y * y)));
        const h12 = bump * (-4 * x * y);
        return [[bump * (1 - x * x), h12], [h12, bump * (4 - 16 * (y * y))]];
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
    // muHat and nuHat (AMSGrad: the running maximum) are what the step used, kept for the readout.
    return { w: next, state: { count, mu, nu, nuMax, muHat, nuHat } };
  }

  const adamInit = () => ({ count: 0, mu: [0, 0], nu: [0, 0], nuMax: [0, 0] });
  const adamMoment = (s) => s.nuHat;
  const ADAM_SYMBOLS = { muHat: "m\u0302", nuHat: "v\u0302" };

  // Adam's step -eta m_hat / (sqrt(v_hat) + eps) as the sum of its gradient part
  // -eta (1 - beta1) g / c1 / (sqrt(v_hat) + eps) and its momentum part -eta beta1 m_t / c1 / (...),
  // c1 = 1 - beta1^t: the preconditioned terms whose sum is the step.
  function adamTerms(hp, w, g, before, after) {
    const correction1 = 1 - hp.beta1 ** after.count;
    const part = (weight, v) => map2((vi, n) => -((hp.lr * weight * vi) / correction1) / (Math.sqrt(n) + hp.eps), v, after.nuHat);
    return { gradient: part(1 - hp.beta1, g), momentum: part(hp.beta1, before.mu) };
  }

  // Momentum's step -eta b_{t+1} = -eta g_t - eta beta b_t.
  const momentumTerms = (hp, w, g, before) => ({
    gradient: map2((gi) => -hp.lr * gi, g),
    momentum: map2((b) => -hp.lr * hp.beta * b, before.velocity),
  });
  // An adaptive method without momentum: its step is the preconditioned gradient alone.
  const preconditionedTerms = (moment) => (hp, w, g, before, after) => ({
    gradient: map2((gi, s) => -(hp.lr * gi) / (Math.sqrt(s) + hp.eps), g, moment(after)),
  });

  function momentumStep(hp, w, g, s) {
    const velocity = map2((v, gi) => hp.beta * v + gi, s.velocity, g);
    return { w: map2((wi, v) => wi - hp.lr * v, w, velocity), state: { velocity } };
  }

  // Each optimizer of the race by its name in race_data.js, as three pure
  // functions: init() -> state; point(hp, w, state) -> where the gradient is
  // taken (optlab's gradient_point); step(hp, w, g, state) -> {w, state}. An
  // adaptive method adds moment(state), the second moment s that divides its
  // step (optlab's Adaptive.second_moment), from which stepSizes() follows.
  // Optional: terms(hp, w, g, before, after) -> the named parts (gradient,
  // momentum, decay) whose sum is the step, which the map draws as arrows; and
  // symbols, the chapter's symbol of each state field the readout shows.
  const UPDATE_RULES = {
    SGD: {
      init: () => ({}),
      point: same,
      step: (hp, w, g, s) => ({ w: map2((wi, gi) => wi - hp.lr * gi, w, g), state: s }),
      terms: (hp, w, g) => ({ gradient: map2((gi) => -hp.lr * gi, g) }),
    },
    Momentum: { init: () => ({ velocity: [0, 0] }), point: same, step: momentumStep, terms: momentumTerms, symbols: { velocity: "b" } },
    Nesterov: {
      init: () => ({ velocity: [0, 0] }),
      point: (hp, w, s) => map2((wi, v) => wi - hp.lr * hp.beta * v, w, s.velocity),
      step: momentumStep,
      terms: momentumTerms,
      symbols: { velocity: "b" },
    },
    AdaGrad: {
      init: () => ({ sumSq: [0, 0] }),
      point: same,
      moment: (s) => s.sumSq,
      terms: preconditionedTerms((s) => s.sumSq),
      symbols: { sumSq: "G" },
      step(hp, w, g, s) {
        const sumSq = map2((G, gi) => G + gi * gi, s.sumSq, g);
        const next = map2((wi, gi, G) => wi - (hp.lr * gi) / (Math.sqrt(G) + hp.eps), w, g, sumSq);
        return { w: next, state: { sumSq } };
      },
    },
    RMSProp: {
      init: () => ({ nu: [0, 0] }),
      point: same,
      moment: (s) => s.nu,
      terms: preconditionedTerms((s) => s.nu),
      symbols: { nu: "v" },
      step(hp, w, g, s) {
        const nu = map2((v, gi) => hp.beta * v + (1 - hp.beta) * gi * gi, s.nu, g);
        const next = map2((wi, gi, v) => wi - (hp.lr * gi) / (Math.sqrt(v) + hp.eps), w, g, nu);
        return { w: next, state: { nu } };
      },
    },
    Adam: { init: adamInit, point: same, moment: adamMoment, step: (hp, w, g, s) => adamStep(hp, w, g, s, false), terms: adamTerms, symbols: ADAM_SYMBOLS },
    AdamW: {
      init: adamInit,
      point: same,
      moment: adamMoment,
      symbols: ADAM_SYMBOLS,
      // Adam's two terms, and the decay -omega w (not scaled by eta).
      terms: (hp, w, g, before, after) => ({ ...adamTerms(hp, w, g, before, after), decay: map2((wi) => -hp.weight_decay * wi, w) }),
      // The chapter's decoupled decay: w <- (Adam's step from w) - omega * w.
      step(hp, w, g, s) {
        const stepped = adamStep(hp, w, g, s, false);
        return { w: map2((si, wi) => si - hp.weight_decay * wi, stepped.w, w), state: stepped.state };
      },
    },
    AMSGrad: {
      init: adamInit,
      point: same,
      moment: adamMoment,
      step: (hp, w, g, s) => adamStep(hp, w, g, s, true),
      terms: adamTerms,
      symbols: { muHat: "m\u0302", nuHat: "v\u0303" }, // its step divides by the running maximum, the chapter's v-tilde
    },
  };

  /** Each coordinate's step size: eta / (sqrt(s) + eps) for an adaptive method (optlab's effective_lr), else eta. */
  function stepSizes(optimizer, hp, state) {
    if (!optimizer.moment) return [hp.lr, hp.lr];
    return map2((s) => hp.lr / (Math.sqrt(s) + hp.eps), optimizer.moment(state));
  }

  /* -------------------------------------------------------- stability limits */

  // optlab.race.stability_limit: the largest (step size) x (curvature) for which each kind of
  // update is stable on a quadratic, as a function of its beta (race_data.js says which racer is
  // which kind, and which hyperparameter is its beta).
  const LIMIT_RULES = {
    gradient_descent: () => 2,
    heavy_ball: (beta) => 2 * (1 + beta),
    nesterov: (beta) => (2 * (1 + beta)) / (1 + 2 * beta),
    averaged_momentum: (beta) => (2 * (1 + beta)) / (1 - beta),
  };

  /**
   * Both eigenvalues of diag(p) H, the larger first, for p > 0 and a symmetric 2 x 2 Hessian H
   * (optlab.race.curvatures). diag(p) H is similar to the symmetric diag(p)^1/2 H diag(p)^1/2, so
   *   lambda = (a + d)/2 +- sqrt(((a - d)/2)^2 + p1 p2 h12^2),  a = p1 h11, d = p2 h22.
   * With p the step sizes s, the first is the largest eigenvalue of diag(s) H
   * (optlab.race.largest_step_curvature): eta lambda_max(H) for s = (eta, eta).
   */
  function curvatures(p, h) {
    const a = p[0] * h[0][0];
    const d = p[1] * h[1][1];
    const half = (a - d) / 2;
    const root = Math.sqrt(half * half + p[0] * p[1] * (h[0][1] * h[0][1]));
    return [(a + d) / 2 + root, (a + d) / 2 - root];
  }

  // optlab.race.convergence_rate: the spectral radius of each kind's iteration, lambda^2 - T lambda + D,
  // on a one-dimensional quadratic at x = (step size) x (curvature).
  const ITERATIONS = {
    heavy_ball: (x, beta) => [1 + beta - x, beta],
    nesterov: (x, beta) => [(1 + beta) * (1 - x), beta * (1 - x)],
    averaged_momentum: (x, beta) => [1 + beta - x * (1 - beta), beta],
  };

  /** The per-step contraction of a `kind` of step at x = s h with decay rate beta (optlab.race.convergence_rate). */
  function convergenceRate(kind, x, beta) {
    if (kind === "gradient_descent") return Math.abs(1 - x);
    const [trace, det] = ITERATIONS[kind](x, beta);
    const half = trace / 2;
    const disc = half * half - det;
    if (disc < 0) return Math.sqrt(Math.abs(det));
    const root = Math.sqrt(disc);
    return Math.max(Math.abs(half + root), Math.abs(half - root));
  }

  /** rates[j][i]: the slowest contraction over `curvature` (per unit rate) at lrs[i], betas[j] (optlab.race.stability_map). */
  function stabilityRates(kind, curvature, lrs, betas) {
    return betas.map((beta) => lrs.map((lr) => Math.max(...curvature.map((c) => convergenceRate(kind, lr * c, beta)))));
  }

  /* ------------------------------------------------------------------- noise */

  // optlab.noise.standard_normal: SplitMix64 outputs mix(mix(seed) + (k + 1) gamma) mod 2^64, six
  // per deviate, each giving its two 32-bit halves to z = (S + 6) / 2^32 - 6, S the sum of the
  // twelve halves. A 64-bit integer is held as its high and low unsigned 32-bit halves; every
  // operation below is exact, so the deviates equal optlab's bit for bit. A 3000-step race needs
  // 36 000 outputs, so the halves live in one reused pair rather than in new arrays.
  const GAMMA_HIGH = 0x9e3779b9, GAMMA_LOW = 0x7f4a7c15;
  const MIX1_HIGH = 0xbf58476d, MIX1_LOW = 0x1ce4e5b9;
  const MIX2_HIGH = 0x94d049bb, MIX2_LOW = 0x133111eb;
  const TWO_TO_32 = 4294967296;
  const z64 = new Uint32Array(2); // [high, low] of the number being mixed

  /** The high 32 bits of a * b for unsigned 32-bit a, b, from 16-bit limbs (every partial product is exact). */
  function mulHigh32(a, b) {
    const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
    const cross1 = a1 * b0, cross2 = a0 * b1;
    const carry = (((a0 * b0) >>> 16) + (cross1 & 0xffff) + (cross2 & 0xffff)) >>> 16;
    return a1 * b1 + (cross1 >>> 16) + (cross2 >>> 16) + carry;
  }

  /** z64 <- z64 * c mod 2^64. */
  function multiply(cHigh, cLow) {
    const high = z64[0], low = z64[1];
    z64[0] = mulHigh32(low, cLow) + Math.imul(low, cHigh) + Math.imul(high, cLow); // the Uint32Array wraps mod 2^32
    z64[1] = Math.imul(low, cLow);
  }

  /** z64 <- z64 XOR (z64 >> s), 0 < s < 32. */
  function xorShift(s) {
    const high = z64[0], low = z64[1];
    z64[0] = high ^ (high >>> s);
    z64[1] = low ^ ((low >>> s) | (high << (32 - s)));
  }

  /** z64 <- SplitMix64's finaliser of z64 (optlab.noise.mix64). */
  function mix64() {
    xorShift(30);
    multiply(MIX1_HIGH, MIX1_LOW);
    xorShift(27);
    multiply(MIX2_HIGH, MIX2_LOW);
    xorShift(31);
  }

  function generateNormals(seed, count) {
    const out = new Float64Array(count);
    z64[0] = 0;
    z64[1] = seed;
    mix64();
    let high = z64[0], low = z64[1]; // the state mix(seed) + k gamma
    for (let j = 0; j < count; j++) {
      let sum = 0;
      for (let i = 0; i < 6; i++) {
        low += GAMMA_LOW;
        high = (high + GAMMA_HIGH + (low >= TWO_TO_32 ? 1 : 0)) >>> 0;
        low >>>= 0;
        z64[0] = high;
        z64[1] = low;
        mix64();
        sum += z64[0] + z64[1];
      }
      out[j] = (sum + 6) / TWO_TO_32 - 6;
    }
    return out;
  }

  const normalCache = new Map(); // seed -> the longest array made for it, the few most recent seeds
  const CACHED_SEEDS = 4;

  /** Deviates 0 .. count - 1 of `seed` (an integer in [0, 2^32)), as optlab.noise.standard_normal([seed], 0, count). */
  function normals(seed, count) {
    let made = normalCache.get(seed);
    if (!made || made.length < count) made = generateNormals(seed, count);
    normalCache.delete(seed);
    normalCache.set(seed, made); // the most recent last
    if (normalCache.size > CACHED_SEEDS) normalCache.delete(normalCache.keys().next().value);
    return made.subarray(0, count);
  }

  /* --------------------------------------------------------------- schedules */

  // optlab.schedules' rates in its order of operations, for the schedules of optlab.race.SCHEDULES
  // (race_data.js gives their constants): rates(spec, lr, horizon) makes t -> eta_t for a race of
  // `horizon` updates, t = 0 the first update; null for a rate that never changes.
  const cosineFactor = (t, total) => (1 + Math.cos((Math.PI * Math.min(t, total)) / total)) / 2;
  const SCHEDULE_RULES = {
    constant: { rates: () => null },
    step: {
      rates(spec, lr, horizon) {
        const size = Math.max(1, Math.floor(horizon / spec.parts));
        return (t) => lr * spec.gamma ** Math.floor(t / size);
      },
    },
    cosine: { rates: (spec, lr, horizon) => (t) => lr * cosineFactor(t, horizon) },
    warmup_cosine: {
      rates(spec, lr, horizon) {
        const warmup = Math.max(1, Math.floor(horizon / spec.parts));
        const f = spec.start_factor;
        return (t) => (t < warmup ? lr * (f + ((1 - f) * t) / warmup) : lr * cosineFactor(t - warmup, horizon - warmup));
      },
    },
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

  const byKey = (list, key) => Object.fromEntries(list.map((o) => [o[key], o]));
  const SURFACES = joined(DATA.surfaces, SURFACE_RULES, "surfaces");
  const OPTIMIZERS = Object.values(joined(byKey(DATA.optimizers, "name"), UPDATE_RULES, "optimizers"));
  const SCHEDULES = joined(byKey(DATA.schedules, "key"), SCHEDULE_RULES, "schedules");

  /** The hyperparameters a race of optimizer `name` on surface `surfaceKey` starts from (a fresh copy). */
  function defaultHyper(surfaceKey, name) {
    return { ...DATA.settings[surfaceKey][name] };
  }

  /** L - L* at (x, y): the surface's own gap where it has one (it avoids cancellation), else loss - minLoss. */
  function gap(surface, x, y) {
    return surface.gap ? surface.gap(x, y) : surface.loss(x, y) - surface.minLoss;
  }

  /**
   * The conditions of a race of `steps` updates: hyper(t), the hyperparameters of update t (the
   * schedule's rate in place of lr, as optlab's runners call optimizer.with_lr; AdamW's decay is
   * not scaled), and gradient(g, t), the gradient update t sees: g + sigma z_t, z_t the deviates
   * 2t and 2t + 1 of the seed (optlab.noise.GradientNoise in two dimensions). Every optimizer of a
   * race shares the seed, so they all see the same noise.
   */
  function conditions(hp, steps, options) {
    const { sigma = DATA.noise.sigma, seed = DATA.noise.seed, schedule = "constant", horizon = steps } = options;
    const { ranges } = DATA;
    if (!SCHEDULES[schedule]) throw new Error(`schedule must be one of ${Object.keys(SCHEDULES)}, got ${schedule}`);
    if (!(sigma >= ranges.sigma.min && sigma <= ranges.sigma.max))
      throw new Error(`sigma must lie in [${ranges.sigma.min}, ${ranges.sigma.max}], got ${sigma}`);
    if (!(Number.isInteger(seed) && seed >= ranges.seed.min && seed <= ranges.seed.max))
      throw new Error(`seed must be an integer in [${ranges.seed.min}, ${ranges.seed.max}], got ${seed}`);
    if (schedule !== "constant" && !(Number.isInteger(horizon) && horizon >= 2))
      throw new Error(`horizon must be an integer of at least 2, got ${horizon}`);
    const rate = SCHEDULES[schedule].rates(SCHEDULES[schedule], hp.lr, horizon);
    const z = sigma > 0 ? normals(seed, 2 * steps) : null;
    return {
      hyper: rate ? (t) => ({ ...hp, lr: rate(t) }) : () => hp,
      gradient: z ? (g, t) => [g[0] + sigma * z[2 * t], g[1] + sigma * z[2 * t + 1]] : (g) => g,
    };
  }

  /** Update t of a race (optlab.training's loop): where the gradient is taken, the gradient seen, and the step. */
  function advance(surface, optimizer, race, t, w, state) {
    const hp = race.hyper(t);
    const point = optimizer.point(hp, w, state);
    const g = race.gradient(surface.grad(point[0], point[1]), t);
    const next = optimizer.step(hp, w, g, state);
    return { hp, point, g, w: next.w, state: next.state };
  }

  /**
   * Run `steps` updates of an optimizer on a surface, like optlab.training.run_on_surface (with
   * options.schedule, its lr_schedule) or optlab.noise.run_noisy (with options.sigma > 0): the
   * gradient is taken at point(), the recorded loss at the parameters, on the true surface.
   * options: {sigma = 0, seed = 0, schedule = "constant" (a key of race_data.js's schedules),
   * horizon = steps (the race length the schedule spans)}. Returns the path w_0..w_n, the loss and
   * the gap L - L* along it, and the step at which the run diverged (null if it did not; the path
   * then ends at the last finite point).
   */
  function run(surface, optimizer, hp, start, steps, options = {}) {
    const race = conditions(hp, steps, options);
    let w = [start[0], start[1]];
    let state = optimizer.init();
    const path = [w];
    const loss = [surface.loss(w[0], w[1])];
    let diverged = null;
    for (let t = 0; t < steps; t++) {
      ({ w, state } = advance(surface, optimizer, race, t, w, state));
      const value = surface.loss(w[0], w[1]);
      if (!(Math.abs(w[0]) <= DATA.diverged && Math.abs(w[1]) <= DATA.diverged && Number.isFinite(value))) {
        diverged = t + 1;
        break;
      }
      path.push(w);
      loss.push(value);
    }
    return { path, loss, gap: path.map(([x, y]) => gap(surface, x, y)), diverged };
  }

  /**
   * Update t + 1 of a race, explained: the race is replayed to w_t, then update number t (0 the
   * first) is taken apart. options as for run(); with a schedule, options.horizon (the race's
   * length) is required. Returns
   *   t, w (w_t), point (where the gradient is taken: w_t, or Nesterov's look-ahead),
   *   gradient (g_t as the optimizer sees it, noise included), lr (eta_t, after the schedule),
   *   before, after (the state: velocity; sumSq; nu; count, mu, nu, nuMax and, after the step,
   *   the bias-corrected muHat and nuHat that the step used), next (w_{t+1}), step (w_{t+1} - w_t),
   *   terms (the parts whose sum is the step, each as a vector, named by the rule's terms(); the
   *   step alone for a rule without them), effectiveLr (per coordinate: eta_t, or
   *   eta_t / (sqrt(s) + eps) for an adaptive method, as optlab's effective_lr of the state after
   *   the step), adaptive (true for a method with a per-coordinate step size), hessian (at w_t,
   *   [[h11, h12], [h12, h22]]), stepCurvature (the largest eigenvalue of diag(effectiveLr) H:
   *   eta lambda_max(H), or for an adaptive method that of the preconditioned Hessian), curvatures
   *   (both eigenvalues of diag(effectiveLr / eta_t) H, for the stability map), limit (the
   *   number stepCurvature is compared with, optlab.race.stability_limit; null for a method
   *   without one), formula (the limit in the chapter's notation, such as "2(1 + β)"),
   *   leastCurvature (the smaller eigenvalue of diag(effectiveLr) H) and stable (both eigenvalues
   *   in (0, limit), where the step contracts; null without a limit).
   */
  function explain(surface, optimizer, hp, start, t, options = {}) {
    if (options.schedule && options.schedule !== "constant" && options.horizon === undefined)
      throw new Error("explain needs options.horizon, the race's length, to follow a schedule");
    const race = conditions(hp, t + 1, options);
    let w = [start[0], start[1]];
    let state = optimizer.init();
    for (let k = 0; k < t; k++) ({ w, state } = advance(surface, optimizer, race, k, w, state));
    const update = advance(surface, optimizer, race, t, w, state);
    const hessian = surface.hessian(w[0], w[1]);
    const effectiveLr = stepSizes(optimizer, update.hp, update.state);
    const step = map2((a, b) => a - b, update.w, w);
    const [stepCurvature, leastCurvature] = curvatures(effectiveLr, hessian);
    const limit = optimizer.limit ? LIMIT_RULES[optimizer.limit.kind](optimizer.limit.beta ? hp[optimizer.limit.beta] : 0) : null;
    return {
      t,
      w,
      point: update.point,
      gradient: update.g,
      lr: update.hp.lr,
      before: state,
      after: update.state,
      next: update.w,
      step,
      terms: optimizer.terms ? optimizer.terms(update.hp, w, update.g, state, update.state) : { step },
      effectiveLr,
      adaptive: Boolean(optimizer.moment),
      hessian,
      stepCurvature,
      // The curvatures per unit learning rate, for the stability map: eigenvalues of diag(s / eta) H.
      curvatures: curvatures(effectiveLr.map((si) => si / update.hp.lr), hessian),
      limit,
      formula: optimizer.limit ? optimizer.limit.formula : null,
      leastCurvature,
      // Stable when every eigenvalue of diag(s) H lies in (0, limit): the iteration's spectral radius is then below 1.
      stable: limit === null ? null : stepCurvature < limit && leastCurvature > 0,
    };
  }

  window.OptimizerRace = {
    SURFACES,
    gap,
    OPTIMIZERS,
    STYLES: DATA.styles,
    EPS: DATA.eps,
    HORIZONS: DATA.horizons,
    RANGES: DATA.ranges,
    NOISE: DATA.noise,
    SCHEDULES,
    run,
    explain,
    curvatures,
    convergenceRate,
    stabilityRates,
    normals,
    defaultHyper,
  };
})();
