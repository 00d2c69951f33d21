/* The Optimizer Race: eight optimizers on one loss surface, in the browser.
 *
 * The surfaces, the palette and the update rules mirror the Python package
 * optlab (optlab.surfaces.SURFACES, optlab.plotting.style_table() and
 * optlab.optimizers). tests/test_race.py runs the pure functions below
 * (window.OptimizerRace.run and the optimizers' init/point/step) against
 * vectors generated from optlab by scripts/make_race_vectors.py and requires
 * agreement to 1e-12 relative, so a change on either side is caught.
 *
 * Every operation in a step is written in the order optlab evaluates it
 * (for instance lr * beta * v is (lr * beta) * v), which keeps the two
 * float64 computations bit-for-bit equal except where a library function
 * (pow, exp) rounds differently in its last bit.
 *
 * No framework, no network: the file is self-contained, so the book works
 * offline. race.html (the fragment a page embeds) loads it; if a page embeds
 * the fragment twice, the second load only mounts the new applet.
 */
(function () {
  "use strict";

  if (window.OptimizerRace) {
    window.OptimizerRace.mountAll();
    return;
  }

  /* ---------------------------------------------------------------- surfaces */

  // optlab.surfaces.SURFACES: same keys, names, minima, L*, starts and windows.
  // `formula` is the plain-text form of optlab's LaTeX formula, for captions.
  const SURFACES = {
    quadratic: {
      key: "quadratic",
      name: "Quadratic bowl",
      formula: "w\u2081\u00b2 + 50 w\u2082\u00b2",
      minima: [[0, 0]],
      minLoss: 0,
      start: [5, 0.5],
      window: [-6, 6, -1, 1],
      // optlab.surfaces.quadratic(): 1/2 (w - c)^T diag(2, 100) (w - c), c = 0.
      loss(x, y) {
        return 0.5 * (x * 2 * x + y * 100 * y);
      },
      grad(x, y) {
        return [x * 2, y * 100];
      },
    },
    rosenbrock: {
      key: "rosenbrock",
      name: "Rosenbrock valley",
      formula: "(1 \u2212 w\u2081)\u00b2 + 100 (w\u2082 \u2212 w\u2081\u00b2)\u00b2",
      minima: [[1, 1]],
      minLoss: 0,
      start: [-1.5, 2],
      window: [-2, 2, -1, 3],
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
      key: "saddle",
      name: "Saddle",
      formula: "\u00bd w\u2081\u00b2 \u2212 \u00bd w\u2082\u00b2 + \u00bc w\u2082\u2074",
      minima: [[0, 1], [0, -1]],
      minLoss: -0.25,
      start: [-2, 0.01],
      window: [-2.5, 2.5, -1.8, 1.8],
      loss(x, y) {
        return 0.5 * (x * x) - 0.5 * (y * y) + 0.25 * y ** 4;
      },
      grad(x, y) {
        return [x, y ** 3 - y];
      },
    },
    plateau: {
      key: "plateau",
      name: "Plateau",
      formula: "1 \u2212 exp(\u2212\u00bd (w\u2081\u00b2 + 4 w\u2082\u00b2))",
      minima: [[0, 0]],
      minLoss: 0,
      start: [3.5, 1.5],
      window: [-4, 4, -2.5, 2.5],
      loss(x, y) {
        return -Math.expm1(-0.5 * (x * x + 4 * (y * y))); // no cancellation near 0, unlike 1 - exp
      },
      grad(x, y) {
        const bump = Math.exp(-0.5 * (x * x + 4 * (y * y)));
        return [x * bump, 4 * y * bump];
      },
    },
  };

  /* ------------------------------------------------------------------ styles */

  // optlab.plotting.style_table(): colour, SVG dash array and marker per optimizer.
  const STYLES = {
    SGD: { color: "#000000", dash: [], marker: "o" },
    Momentum: { color: "#E69F00", dash: [6, 3], marker: "s" },
    Nesterov: { color: "#56B4E9", dash: [6, 2, 1, 2], marker: "^" },
    AdaGrad: { color: "#CC79A7", dash: [1, 2], marker: "v" },
    RMSProp: { color: "#009E73", dash: [5, 1], marker: "D" },
    Adam: { color: "#0072B2", dash: [], marker: "P" },
    AdamW: { color: "#D55E00", dash: [3, 1, 1, 1], marker: "X" },
    AMSGrad: { color: "#8C6D00", dash: [1, 1], marker: "*" },
  };

  // Lines are as wide as the chapter's (matplotlib's lines.linewidth) and, as
  // matplotlib does, dash lengths are counted in line widths.
  const LINE_WIDTH = 1.8;
  const dashes = (name) => STYLES[name].dash.map((d) => d * LINE_WIDTH);

  // On the dark theme, black disappears: SGD takes the text colour, and
  // AMSGrad the palette's own yellow that the light theme avoids.
  const DARK_COLORS = { SGD: "var(--race-fg)", AMSGrad: "#F0E442" };

  /* -------------------------------------------------------------- optimizers */

  const EPS = 1e-8;
  const HORIZONS = [300, 1000, 3000]; // race lengths the reader can choose
  const DIVERGED = 1e6; // |w_i| beyond this (or a non-finite value) ends a run

  // Every hyperparameter the reader can set, with the range the inputs accept.
  const HYPER = {
    lr: { label: "lr", long: "learning rate", min: 1e-4, max: 5 },
    beta: { label: "\u03b2", long: "beta", min: 0, max: 0.9999 },
    beta1: { label: "\u03b2\u2081", long: "beta1", min: 0, max: 0.9999 },
    beta2: { label: "\u03b2\u2082", long: "beta2", min: 0, max: 0.9999 },
    weight_decay: { label: "\u03bb", long: "weight decay", min: 0, max: 0.5 },
  };

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

  function momentumPoint(hp, w, s) {
    return map2((wi, v) => wi - hp.lr * hp.beta * v, w, s.velocity);
  }

  function momentumStep(hp, w, g, s) {
    const velocity = map2((v, gi) => hp.beta * v + gi, s.velocity, g);
    return { w: map2((wi, v) => wi - hp.lr * v, w, velocity), state: { velocity } };
  }

  // One entry per optimizer of the race: which hyperparameters it has, and the
  // pure functions init() -> state, point(hp, w, state) -> where to take the
  // gradient, step(hp, w, g, state) -> {w, state}. `python` names the optlab
  // call that the test vectors were made with.
  const OPTIMIZERS = [
    {
      name: "SGD",
      python: "SGD(lr)",
      hyper: ["lr"],
      init: () => ({}),
      point: same,
      step: (hp, w, g, s) => ({ w: map2((wi, gi) => wi - hp.lr * gi, w, g), state: s }),
    },
    {
      name: "Momentum",
      python: "Momentum(lr, beta)",
      hyper: ["lr", "beta"],
      init: () => ({ velocity: [0, 0] }),
      point: same,
      step: momentumStep,
    },
    {
      name: "Nesterov",
      python: "Momentum(lr, beta, nesterov=True)",
      hyper: ["lr", "beta"],
      init: () => ({ velocity: [0, 0] }),
      point: momentumPoint,
      step: momentumStep,
    },
    {
      name: "AdaGrad",
      python: "AdaGrad(lr, eps)",
      hyper: ["lr"],
      init: () => ({ sumSq: [0, 0] }),
      point: same,
      step(hp, w, g, s) {
        const sumSq = map2((G, gi) => G + gi * gi, s.sumSq, g);
        const next = map2((wi, gi, G) => wi - (hp.lr * gi) / (Math.sqrt(G) + hp.eps), w, g, sumSq);
        return { w: next, state: { sumSq } };
      },
    },
    {
      name: "RMSProp",
      python: "RMSProp(lr, beta, eps)",
      hyper: ["lr", "beta"],
      init: () => ({ nu: [0, 0] }),
      point: same,
      step(hp, w, g, s) {
        const nu = map2((v, gi) => hp.beta * v + (1 - hp.beta) * gi * gi, s.nu, g);
        const next = map2((wi, gi, v) => wi - (hp.lr * gi) / (Math.sqrt(v) + hp.eps), w, g, nu);
        return { w: next, state: { nu } };
      },
    },
    {
      name: "Adam",
      python: "Adam(lr, beta1, beta2, eps)",
      hyper: ["lr", "beta1", "beta2"],
      init: adamInit,
      point: same,
      step: (hp, w, g, s) => adamStep(hp, w, g, s, false),
    },
    {
      name: "AdamW",
      python: "AdamW(lr, beta1, beta2, eps, weight_decay)",
      hyper: ["lr", "beta1", "beta2", "weight_decay"],
      init: adamInit,
      point: same,
      // The chapter's decoupled decay: w <- (Adam's step from w) - lambda * w.
      step(hp, w, g, s) {
        const stepped = adamStep(hp, w, g, s, false);
        return { w: map2((si, wi) => si - hp.weight_decay * wi, stepped.w, w), state: stepped.state };
      },
    },
    {
      name: "AMSGrad",
      python: "Adam(lr, beta1, beta2, eps, amsgrad=True)",
      hyper: ["lr", "beta1", "beta2"],
      init: adamInit,
      point: same,
      step: (hp, w, g, s) => adamStep(hp, w, g, s, true),
    },
  ];
  const BY_NAME = Object.fromEntries(OPTIMIZERS.map((o) => [o.name, o]));

  // Settings a fresh race starts from. Learning rates depend on the surface
  // (the quadratic bowl's are the chapter's); the decay rates do not.
  const DEFAULT_HYPER = { beta: 0.9, beta1: 0.9, beta2: 0.999, weight_decay: 0.01, eps: EPS };
  const RMSPROP_BETA = 0.99;
  const DEFAULT_LR = {
    quadratic: { SGD: 0.012, Momentum: 0.012, Nesterov: 0.012, AdaGrad: 1, RMSProp: 0.1, Adam: 0.1, AdamW: 0.1, AMSGrad: 0.1 },
    rosenbrock: { SGD: 0.002, Momentum: 0.001, Nesterov: 0.001, AdaGrad: 0.5, RMSProp: 0.01, Adam: 0.1, AdamW: 0.1, AMSGrad: 0.2 },
    saddle: { SGD: 0.1, Momentum: 0.02, Nesterov: 0.02, AdaGrad: 0.2, RMSProp: 0.01, Adam: 0.05, AdamW: 0.05, AMSGrad: 0.05 },
    plateau: { SGD: 0.5, Momentum: 0.1, Nesterov: 0.1, AdaGrad: 0.5, RMSProp: 0.01, Adam: 0.05, AdamW: 0.05, AMSGrad: 0.05 },
  };

  function defaultHyper(surfaceKey, name) {
    const hp = { eps: EPS };
    for (const key of BY_NAME[name].hyper) hp[key] = DEFAULT_HYPER[key];
    if (name === "RMSProp") hp.beta = RMSPROP_BETA;
    hp.lr = DEFAULT_LR[surfaceKey][name];
    return hp;
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
      if (!(Math.abs(w[0]) <= DIVERGED && Math.abs(w[1]) <= DIVERGED && Number.isFinite(value))) {
        diverged = t + 1;
        break;
      }
      path.push(w);
      loss.push(value);
    }
    return { path, loss, gap: loss.map((v) => v - surface.minLoss), diverged };
  }

  /* ------------------------------------------------------------ small helpers */

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    return node;
  }

  const PLUS = [[-0.35, -1], [0.35, -1], [0.35, -0.35], [1, -0.35], [1, 0.35], [0.35, 0.35], [0.35, 1], [-0.35, 1], [-0.35, 0.35], [-1, 0.35], [-1, -0.35], [-0.35, -0.35]];

  // Marker outlines as SVG path data centred on (0, 0), radius r; the same
  // strings draw the legend (SVG) and the plots (canvas Path2D).
  function markerPath(kind, r) {
    const pts = (list) => "M" + list.map(([x, y]) => `${(x * r).toFixed(2)} ${(y * r).toFixed(2)}`).join("L") + "Z";
    switch (kind) {
      case "o":
        return `M${r} 0A${r} ${r} 0 1 0 ${-r} 0A${r} ${r} 0 1 0 ${r} 0Z`;
      case "s":
        return pts([[-0.85, -0.85], [0.85, -0.85], [0.85, 0.85], [-0.85, 0.85]]);
      case "^":
        return pts([[0, -1.1], [1, 0.75], [-1, 0.75]]);
      case "v":
        return pts([[0, 1.1], [1, -0.75], [-1, -0.75]]);
      case "D":
        return pts([[0, -1.1], [0.9, 0], [0, 1.1], [-0.9, 0]]);
      case "P":
        return pts(PLUS);
      case "X": // the plus sign turned by 45 degrees
        return pts(PLUS.map(([x, y]) => [(x - y) * 0.78, (x + y) * 0.78]));
      case "*": {
        const list = [];
        for (let k = 0; k < 10; k++) {
          const radius = k % 2 ? 0.5 : 1.2;
          const angle = -Math.PI / 2 + (k * Math.PI) / 5;
          list.push([radius * Math.cos(angle), radius * Math.sin(angle)]);
        }
        return pts(list);
      }
      default:
        return markerPath("o", r);
    }
  }

  const pathCache = new Map();
  function markerPath2D(kind, r) {
    const key = kind + r;
    if (!pathCache.has(key)) pathCache.set(key, new Path2D(markerPath(kind, r)));
    return pathCache.get(key);
  }

  // Tick positions at 1, 2 or 5 times a power of ten, about `count` of them.
  function niceTicks(lo, hi, count) {
    const raw = (hi - lo) / Math.max(1, count);
    const power = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return ticks;
  }

  const SUPERSCRIPT = { "-": "\u207b", 0: "\u2070", 1: "\u00b9", 2: "\u00b2", 3: "\u00b3", 4: "\u2074", 5: "\u2075", 6: "\u2076", 7: "\u2077", 8: "\u2078", 9: "\u2079" };
  const powerOfTen = (k) => "10" + String(k).split("").map((c) => SUPERSCRIPT[c]).join("");

  const formatNumber = (v) => String(Number(v.toPrecision(6)));
  const formatGap = (v) => (v === 0 ? "0" : v.toExponential(2));

  // A plain decimal number, optionally in scientific notation; nothing else.
  const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

  function parseBounded(text, min, max) {
    const trimmed = String(text).trim();
    if (!NUMBER.test(trimmed)) return { error: `\u201c${trimmed}\u201d is not a number` };
    const value = Number(trimmed);
    if (!(value >= min && value <= max)) return { error: `${trimmed} is outside ${formatNumber(min)} to ${formatNumber(max)}` };
    return { value };
  }

  let nextId = 0;

  /* -------------------------------------------------------------------- race */

  const SPEEDS = [5, 15, 30, 60, 120, 300, 600];
  // Shown when the page opens: the chapter's four main methods; the reader
  // switches the others on.
  const SHOWN_AT_FIRST = ["SGD", "Momentum", "RMSProp", "Adam"];

  class Race {
    constructor(root) {
      this.root = root;
      this.id = `race${nextId++}`;
      this.surface = SURFACES.quadratic;
      this.start = this.surface.start.slice();
      this.hyper = Object.fromEntries(OPTIMIZERS.map((o) => [o.name, defaultHyper(this.surface.key, o.name)]));
      this.visible = Object.fromEntries(OPTIMIZERS.map((o) => [o.name, SHOWN_AT_FIRST.includes(o.name)]));
      this.horizon = HORIZONS[0];
      this.t = 0;
      this.speed = 30;
      this.playing = false;
      this.carry = 0;
      this.lastTime = null;
      this.runs = {};
      this.spareLayers = {};
      this.invalidate();
      this.build();
      this.recompute();
      this.observe();
      this.refresh();
    }

    /* ---- the DOM ---- */

    build() {
      const id = (name) => `${this.id}-${name}`;
      const root = this.root;
      root.replaceChildren();
      root.setAttribute("role", "region");
      root.setAttribute("aria-label", "Optimizer Race");

      this.surfaceSelect = el("select", { id: id("surface") });
      for (const s of Object.values(SURFACES)) this.surfaceSelect.append(el("option", { value: s.key, text: s.name }));
      this.playButton = el("button", { type: "button", className: "race-primary", text: "Play" });
      this.stepButton = el("button", { type: "button", text: "Step", "aria-label": "Single step" });
      this.resetButton = el("button", { type: "button", text: "Reset", "aria-label": "Reset the race to step 0" });
      this.speedSelect = el("select", { id: id("speed") });
      for (const s of SPEEDS) this.speedSelect.append(el("option", { value: s, text: `${s} steps/s` }));
      this.speedSelect.value = String(this.speed);
      this.horizonSelect = el("select", { id: id("horizon") });
      for (const n of HORIZONS) this.horizonSelect.append(el("option", { value: n, text: `${n} steps` }));
      this.stepCounter = el("span", { className: "race-counter", "aria-hidden": "true" });
      root.append(
        el(
          "div",
          { className: "race-toolbar", role: "group", "aria-label": "Race controls" },
          el("label", { for: id("surface") }, "Surface "),
          this.surfaceSelect,
          this.playButton,
          this.stepButton,
          this.resetButton,
          el("label", { for: id("speed") }, "Speed "),
          this.speedSelect,
          el("label", { for: id("horizon") }, "Length "),
          this.horizonSelect,
          this.stepCounter,
        ),
      );

      this.startInputs = [0, 1].map((i) =>
        el("input", { type: "text", inputmode: "decimal", id: id(`start${i}`), size: 7, autocomplete: "off", "aria-describedby": id("error") }),
      );
      this.defaultStartButton = el("button", { type: "button", text: "Default start" });
      root.append(
        el(
          "div",
          { className: "race-toolbar", role: "group", "aria-label": "Start point" },
          el("span", { text: "Start " }),
          el("label", { for: id("start0") }, "w\u2081 "),
          this.startInputs[0],
          el("label", { for: id("start1") }, " w\u2082 "),
          this.startInputs[1],
          this.defaultStartButton,
        ),
      );

      this.help = el("p", {
        id: id("help"),
        className: "race-help",
        text: "Click the map, or focus it and press the arrow keys (Shift for larger moves, Home for the default), to move the start point; the race then restarts from step 0.",
      });
      this.mapCanvas = el("canvas", { tabindex: 0, role: "img", "aria-describedby": id("help"), className: "race-map" });
      this.lossCanvas = el("canvas", { role: "img", className: "race-loss" });
      this.plots = el(
        "div",
        { className: "race-plots" },
        el("div", { className: "race-plot" }, this.mapCanvas),
        el("div", { className: "race-plot" }, this.lossCanvas),
      );
      this.caption = el("p", { className: "race-caption", id: id("caption") });
      root.append(this.plots, this.help, this.caption);

      this.status = el("p", { className: "race-status", role: "status", "aria-live": "polite" });
      this.error = el("p", { className: "race-error", id: id("error"), role: "alert", hidden: true });
      root.append(this.status, this.error);

      const table = el("table", { className: "race-table" });
      table.append(el("caption", { text: "Optimizers: each row is a legend entry, a toggle, its settings and where it is now" }));
      const head = el("tr");
      for (const [text, title] of [
        ["Show", "Shown on the plots"],
        ["lr", "learning rate"],
        ["\u03b2 or \u03b2\u2081", "momentum or first-moment decay rate"],
        ["\u03b2\u2082", "second-moment decay rate"],
        ["\u03bb", "decoupled weight decay"],
        ["L \u2212 L*", "loss gap at the current step"],
        ["w", "parameters at the current step"],
      ])
        head.append(el("th", { scope: "col", title, text }));
      table.append(el("thead", {}, head));
      const body = el("tbody");
      this.rows = {};
      for (const opt of OPTIMIZERS) {
        const row = { checkbox: el("input", { type: "checkbox", id: id(`show-${opt.name}`) }), inputs: {} };
        row.swatch = this.swatch(opt.name);
        const label = el("label", { for: id(`show-${opt.name}`), className: "race-name" }, row.swatch, document.createTextNode(opt.name));
        const tr = el("tr", {}, el("th", { scope: "row" }, row.checkbox, label));
        const columns = [["lr"], ["beta", "beta1"], ["beta2"], ["weight_decay"]];
        for (const keys of columns) {
          const key = keys.find((k) => opt.hyper.includes(k));
          const cell = el("td");
          if (key) {
            const spec = HYPER[key];
            const input = el("input", {
              type: "text",
              inputmode: "decimal",
              size: 6,
              autocomplete: "off",
              "aria-label": `${opt.name} ${spec.long} (${formatNumber(spec.min)} to ${formatNumber(spec.max)})`,
              "aria-describedby": id("error"),
              "data-optimizer": opt.name,
              "data-hyper": key,
            });
            row.inputs[key] = input;
            cell.append(input);
          }
          tr.append(cell);
        }
        row.gapCell = el("td", { className: "race-num" });
        row.wCell = el("td", { className: "race-num" });
        tr.append(row.gapCell, row.wCell);
        body.append(tr);
        this.rows[opt.name] = row;
      }
      table.append(body);
      root.append(el("div", { className: "race-table-wrap" }, table));
      this.syncInputs();
    }

    swatch(name) {
      const s = STYLES[name];
      const box = svg("svg", { width: 34, height: 14, viewBox: "0 0 34 14", "aria-hidden": "true", class: "race-swatch" });
      const line = svg("line", { x1: 1, y1: 7, x2: 33, y2: 7, "stroke-width": LINE_WIDTH, "stroke-dasharray": dashes(name).join(" ") || "none" });
      const marker = svg("path", { d: markerPath(s.marker, 4), transform: "translate(17 7)" });
      box.append(line, marker);
      return box;
    }

    /* ---- events ---- */

    observe() {
      this.surfaceSelect.addEventListener("change", () => this.setSurface(this.surfaceSelect.value));
      this.playButton.addEventListener("click", () => (this.playing ? this.pause() : this.play()));
      this.stepButton.addEventListener("click", () => this.stepOnce());
      this.resetButton.addEventListener("click", () => this.reset());
      this.speedSelect.addEventListener("change", () => {
        this.speed = Number(this.speedSelect.value);
        this.refresh();
      });
      this.horizonSelect.addEventListener("change", () => {
        this.horizon = Number(this.horizonSelect.value);
        this.t = Math.min(this.t, this.horizon);
        this.recompute();
        this.refresh();
      });
      this.defaultStartButton.addEventListener("click", () => this.setStart(this.surface.start.slice()));
      this.startInputs.forEach((input, i) =>
        input.addEventListener("change", () => {
          const [x0, x1, y0, y1] = this.surface.window;
          const [lo, hi] = i === 0 ? [x0, x1] : [y0, y1];
          const parsed = parseBounded(input.value, lo, hi);
          if (parsed.error) return this.refuse(input, `Start w${i + 1}: ${parsed.error}; it stays ${formatNumber(this.start[i])}.`);
          const start = this.start.slice();
          start[i] = parsed.value;
          this.setStart(start);
        }),
      );
      for (const opt of OPTIMIZERS) {
        const row = this.rows[opt.name];
        row.checkbox.addEventListener("change", () => {
          this.visible[opt.name] = row.checkbox.checked;
          this.lossRange = null;
          this.refresh();
        });
        for (const [key, input] of Object.entries(row.inputs)) {
          input.addEventListener("change", () => {
            const spec = HYPER[key];
            const parsed = parseBounded(input.value, spec.min, spec.max);
            if (parsed.error)
              return this.refuse(input, `${opt.name} ${spec.long}: ${parsed.error}; it stays ${formatNumber(this.hyper[opt.name][key])}.`);
            this.hyper[opt.name] = { ...this.hyper[opt.name], [key]: parsed.value };
            this.clearError();
            this.recompute();
            this.refresh();
          });
        }
      }
      this.mapCanvas.addEventListener("click", (event) => {
        const rect = this.mapCanvas.getBoundingClientRect();
        const point = this.toData(event.clientX - rect.left, event.clientY - rect.top);
        if (point) this.setStart(point.map((v) => Math.round(v * 100) / 100));
      });
      this.mapCanvas.addEventListener("keydown", (event) => this.onMapKey(event));
      this.resizeObserver = new ResizeObserver(() => this.resize());
      this.resizeObserver.observe(this.plots);
      this.themeObserver = new MutationObserver(() => {
        this.invalidate();
        this.paintSwatches();
        this.draw();
      });
      this.themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "class"] });
    }

    onMapKey(event) {
      const [x0, x1, y0, y1] = this.surface.window;
      const fraction = event.shiftKey ? 0.1 : 0.02;
      const moves = {
        ArrowLeft: [-(x1 - x0) * fraction, 0],
        ArrowRight: [(x1 - x0) * fraction, 0],
        ArrowUp: [0, (y1 - y0) * fraction],
        ArrowDown: [0, -(y1 - y0) * fraction],
      };
      if (event.key === "Home") {
        event.preventDefault();
        this.setStart(this.surface.start.slice());
      } else if (moves[event.key]) {
        event.preventDefault();
        const [dx, dy] = moves[event.key];
        const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, Math.round(v * 1000) / 1000));
        this.setStart([clamp(this.start[0] + dx, x0, x1), clamp(this.start[1] + dy, y0, y1)]);
      }
    }

    refuse(input, message) {
      this.error.textContent = `Not applied. ${message}`;
      this.error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      this.syncInputs();
    }

    clearError() {
      this.error.hidden = true;
      this.error.textContent = "";
      for (const input of this.root.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    }

    // Put every input back to the value the race uses.
    syncInputs() {
      for (const opt of OPTIMIZERS)
        for (const [key, input] of Object.entries(this.rows[opt.name].inputs)) input.value = formatNumber(this.hyper[opt.name][key]);
      this.startInputs.forEach((input, i) => (input.value = formatNumber(this.start[i])));
      this.surfaceSelect.value = this.surface.key;
    }

    /* ---- state changes ---- */

    setSurface(key) {
      this.surface = SURFACES[key];
      this.start = this.surface.start.slice();
      for (const opt of OPTIMIZERS) this.hyper[opt.name] = defaultHyper(key, opt.name);
      this.t = 0;
      this.invalidate();
      this.clearError();
      this.syncInputs();
      this.recompute();
      this.refresh();
      this.announce(`${this.surface.name}: suggested learning rates loaded, race at step 0.`);
    }

    setStart(start) {
      this.start = start;
      this.t = 0;
      this.clearError();
      this.syncInputs();
      this.recompute();
      this.refresh();
      this.announce(`Start moved to (${start.map(formatNumber).join(", ")}); race at step 0.`);
    }

    recompute() {
      for (const opt of OPTIMIZERS) this.runs[opt.name] = run(this.surface, opt, this.hyper[opt.name], this.start, this.horizon);
      this.lossRange = null;
      this.layers = {};
    }

    play() {
      if (this.t >= this.horizon) this.t = 0;
      this.playing = true;
      this.lastTime = null;
      this.carry = 0;
      this.refresh();
      this.announce("Playing.");
      requestAnimationFrame((now) => this.tick(now));
    }

    pause(message) {
      this.playing = false;
      this.refresh();
      this.announce(message || `Paused at step ${this.t}.`);
    }

    stepOnce() {
      if (this.playing) this.playing = false;
      this.t = Math.min(this.horizon, this.t + 1);
      this.refresh();
      this.announce(`Step ${this.t}.`);
    }

    reset() {
      this.playing = false;
      this.t = 0;
      this.refresh();
      this.announce("Reset to step 0.");
    }

    // One animation frame: advance by the speed and the time elapsed, then draw.
    tick(now) {
      if (!this.playing) return;
      if (this.lastTime !== null) {
        this.carry += ((now - this.lastTime) / 1000) * this.speed;
        const steps = Math.floor(this.carry);
        this.carry -= steps;
        this.t = Math.min(this.horizon, this.t + steps);
      }
      this.lastTime = now;
      if (this.t >= this.horizon) return this.pause(`Race finished at step ${this.horizon}.`);
      this.refresh();
      requestAnimationFrame((time) => this.tick(time));
    }

    announce(text) {
      this.status.textContent = text;
    }

    /* ---- what the reader sees ---- */

    refresh() {
      this.draw();
      this.updateText();
    }

    shown() {
      return OPTIMIZERS.filter((o) => this.visible[o.name]);
    }

    // The loss gaps drawn for an optimizer: steps 0..t (fewer if it diverged).
    series(name) {
      return this.runs[name].gap.slice(0, this.t + 1);
    }

    describeHyper(name) {
      const hp = this.hyper[name];
      return BY_NAME[name].hyper.map((k) => `${HYPER[k].label} ${formatNumber(hp[k])}`).join(", ");
    }

    updateText() {
      const s = this.surface;
      const start = `(${this.start.map(formatNumber).join(", ")})`;
      const shown = this.shown();
      const racing = shown.length
        ? shown
            .map((o) => {
              const d = this.runs[o.name].diverged;
              return `${o.name} (${this.describeHyper(o.name)})${d !== null && this.t >= d ? `, diverged at step ${d}` : ""}`;
            })
            .join("; ")
        : "no optimizer (turn one on in the table)";
      this.caption.textContent =
        `${s.name}, L(w) = ${s.formula}, from ${start}; step ${this.t} of ${this.horizon}. ` +
        `The map shows contours of the loss and each trajectory so far; the loss plot, L \u2212 L* on a log scale. ` +
        `Racing: ${racing}; \u03b5 = 10\u207b\u2078 for the adaptive methods.`;
      this.stepCounter.textContent = `step ${this.t} / ${this.horizon}`;
      this.playButton.textContent = this.playing ? "Pause" : "Play";
      this.playButton.setAttribute("aria-label", this.playing ? "Pause the race" : "Play the race");
      this.mapCanvas.setAttribute(
        "aria-label",
        `Contour map of the ${s.name} with ${shown.length} trajectories from ${start}; the minimum is marked with a star.`,
      );
      this.lossCanvas.setAttribute(
        "aria-label",
        `Loss gap L \u2212 L* against step, log scale, steps 0 to ${this.t}; the table lists each optimizer's current value.`,
      );
      for (const opt of OPTIMIZERS) {
        const row = this.rows[opt.name];
        const r = this.runs[opt.name];
        const i = Math.min(this.t, r.path.length - 1);
        const gap = r.diverged !== null && this.t >= r.diverged ? `diverged at step ${r.diverged}` : formatGap(r.gap[i]);
        const w = `(${r.path[i].map((v) => (v.toFixed(3) === "-0.000" ? "0.000" : v.toFixed(3))).join(", ")})`;
        if (row.gapCell.textContent !== gap) row.gapCell.textContent = gap;
        if (row.wCell.textContent !== w) row.wCell.textContent = w;
        row.checkbox.checked = this.visible[opt.name];
      }
    }

    colors() {
      const style = getComputedStyle(this.root);
      const get = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
      const dark = document.documentElement.dataset.theme === "dark";
      const fg = get("--race-fg", "#222");
      const line = {};
      for (const [name, s] of Object.entries(STYLES)) {
        const override = dark ? DARK_COLORS[name] : null;
        line[name] = override === "var(--race-fg)" ? fg : override || s.color;
      }
      return {
        dark,
        fg,
        bg: get("--race-bg", "#fff"),
        muted: get("--race-muted", "#666"),
        grid: get("--race-grid", "rgba(0,0,0,0.1)"),
        contour: get("--race-contour", "#8c8c8c"),
        shade: get("--race-shade", "#000"),
        line,
      };
    }

    paintSwatches() {
      const c = this.colors();
      for (const opt of OPTIMIZERS) {
        const swatch = this.rows[opt.name].swatch;
        swatch.querySelector("line").setAttribute("stroke", c.line[opt.name]);
        swatch.querySelector("path").setAttribute("fill", c.line[opt.name]);
      }
    }

    resize() {
      for (const canvas of [this.mapCanvas, this.lossCanvas]) {
        const width = Math.max(200, Math.floor(canvas.parentElement.clientWidth));
        const height = Math.round(width * 0.75);
        const dpr = window.devicePixelRatio || 1;
        canvas.style.width = `${width}px`;
        canvas.style.height = `${height}px`;
        if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
          canvas.width = Math.round(width * dpr);
          canvas.height = Math.round(height * dpr);
          this.invalidate();
        }
      }
      this.paintSwatches();
      this.draw();
    }

    // Plot rectangle (CSS pixels) of a canvas.
    frame(canvas) {
      const dpr = canvas.width / (parseFloat(canvas.style.width) || canvas.width);
      const width = canvas.width / dpr;
      const height = canvas.height / dpr;
      const box = { left: 52, right: 10, top: 10, bottom: 36 };
      return { dpr, width, height, x: box.left, y: box.top, w: width - box.left - box.right, h: height - box.top - box.bottom };
    }

    toData(px, py) {
      const f = this.frame(this.mapCanvas);
      const [x0, x1, y0, y1] = this.surface.window;
      const u = (px - f.x) / f.w;
      const v = (py - f.y) / f.h;
      if (u < 0 || u > 1 || v < 0 || v > 1) return null;
      return [x0 + u * (x1 - x0), y1 - v * (y1 - y0)];
    }

    // Forget what was drawn once and kept: after a change of theme, size or surface.
    invalidate() {
      this.palette = null;
      this.background = null;
      this.lossRange = null;
      this.layers = {};
    }

    draw() {
      if (!this.mapCanvas.width || !this.mapCanvas.style.width) return;
      if (!this.palette) this.palette = this.colors();
      if (!this.background) this.background = this.drawBackground(this.palette);
      if (!this.lossRange) {
        this.lossRange = this.computeLossRange();
        this.lossBackground = this.drawLossBackground(this.palette);
        this.layers = {};
      }
      this.drawMap(this.palette);
      this.drawLoss(this.palette);
    }

    // Contours of L - L* (log-spaced levels, as optlab.plotting.draw_surface),
    // axes and minima, drawn once per surface, size and theme.
    drawBackground(colors) {
      const canvas = document.createElement("canvas");
      canvas.width = this.mapCanvas.width;
      canvas.height = this.mapCanvas.height;
      const ctx = canvas.getContext("2d");
      const f = this.frame(this.mapCanvas);
      ctx.scale(f.dpr, f.dpr);
      ctx.fillStyle = colors.bg;
      ctx.fillRect(0, 0, f.width, f.height);

      const s = this.surface;
      const [x0, x1, y0, y1] = s.window;
      const nx = Math.max(40, Math.round(f.w / 3));
      const ny = Math.max(30, Math.round(f.h / 3));
      const gap = new Float64Array((nx + 1) * (ny + 1));
      let top = -Infinity;
      let lowest = Infinity;
      for (let j = 0; j <= ny; j++)
        for (let i = 0; i <= nx; i++) {
          const value = s.loss(x0 + ((x1 - x0) * i) / nx, y1 - ((y1 - y0) * j) / ny) - s.minLoss;
          gap[j * (nx + 1) + i] = value;
          top = Math.max(top, value);
          if (value > 0) lowest = Math.min(lowest, value);
        }
      const bottom = Math.max(top * 1e-4, lowest);
      const levels = 12;
      const logLo = Math.log(bottom);
      const logHi = Math.log(top);
      const level = (k) => logLo + ((logHi - logLo) * k) / (levels - 1);
      const logGap = gap.map((v) => Math.log(Math.max(v, bottom * 1e-3)));

      // Filled bands: the darker, the higher the loss.
      const image = ctx.createImageData(nx + 1, ny + 1);
      const shade = colors.shade.startsWith("#") ? colors.shade : "#000000";
      const rgb = [1, 3, 5].map((k) => parseInt(shade.slice(k, k + 2), 16));
      for (let n = 0; n < logGap.length; n++) {
        const band = Math.max(0, Math.min(levels, Math.floor(((logGap[n] - logLo) / (logHi - logLo)) * (levels - 1)) + 1));
        image.data.set([rgb[0], rgb[1], rgb[2], Math.round((255 * 0.22 * band) / levels)], n * 4);
      }
      const tile = document.createElement("canvas");
      tile.width = nx + 1;
      tile.height = ny + 1;
      tile.getContext("2d").putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(tile, f.x, f.y, f.w, f.h);

      // Contour lines by marching squares on the log of the gap.
      ctx.save();
      ctx.beginPath();
      ctx.rect(f.x, f.y, f.w, f.h);
      ctx.clip();
      ctx.strokeStyle = colors.contour;
      ctx.lineWidth = 0.7;
      const px = (i) => f.x + (f.w * i) / nx;
      const py = (j) => f.y + (f.h * j) / ny;
      ctx.beginPath();
      for (let k = 0; k < levels; k++) {
        const c = level(k);
        for (let j = 0; j < ny; j++)
          for (let i = 0; i < nx; i++) {
            const a = logGap[j * (nx + 1) + i];
            const b = logGap[j * (nx + 1) + i + 1];
            const d = logGap[(j + 1) * (nx + 1) + i];
            const e = logGap[(j + 1) * (nx + 1) + i + 1];
            const crossings = [];
            if (a < c !== b < c) crossings.push([px(i + (c - a) / (b - a)), py(j)]);
            if (b < c !== e < c) crossings.push([px(i + 1), py(j + (c - b) / (e - b))]);
            if (d < c !== e < c) crossings.push([px(i + (c - d) / (e - d)), py(j + 1)]);
            if (a < c !== d < c) crossings.push([px(i), py(j + (c - a) / (d - a))]);
            for (let m = 0; m + 1 < crossings.length; m += 2) {
              ctx.moveTo(crossings[m][0], crossings[m][1]);
              ctx.lineTo(crossings[m + 1][0], crossings[m + 1][1]);
            }
          }
      }
      ctx.stroke();
      ctx.restore();

      // Minima as white stars with a dark edge.
      for (const [mx, my] of s.minima) {
        ctx.save();
        ctx.translate(f.x + ((mx - x0) / (x1 - x0)) * f.w, f.y + ((y1 - my) / (y1 - y0)) * f.h);
        const star = markerPath2D("*", 7);
        ctx.fillStyle = "#ffffff";
        ctx.strokeStyle = "#000000";
        ctx.lineWidth = 1;
        ctx.fill(star);
        ctx.stroke(star);
        ctx.restore();
      }

      this.drawAxes(ctx, f, colors, niceTicks(x0, x1, 6), niceTicks(y0, y1, 5), [x0, x1, y0, y1], formatNumber, "w\u2081", "w\u2082");
      return canvas;
    }

    drawAxes(ctx, f, colors, xticks, yticks, [x0, x1, y0, y1], label, xname, yname) {
      ctx.save();
      ctx.strokeStyle = colors.muted;
      ctx.fillStyle = colors.fg;
      ctx.lineWidth = 1;
      ctx.strokeRect(f.x, f.y, f.w, f.h);
      ctx.font = "11px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      for (const v of xticks) {
        const x = f.x + ((v - x0) / (x1 - x0)) * f.w;
        ctx.beginPath();
        ctx.moveTo(x, f.y + f.h);
        ctx.lineTo(x, f.y + f.h + 4);
        ctx.stroke();
        ctx.fillText(label(v), x, f.y + f.h + 6);
      }
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      for (const v of yticks) {
        const y = f.y + ((y1 - v) / (y1 - y0)) * f.h;
        ctx.beginPath();
        ctx.moveTo(f.x - 4, y);
        ctx.lineTo(f.x, y);
        ctx.stroke();
        ctx.fillText(label(v, true), f.x - 6, y);
      }
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillText(xname, f.x + f.w / 2, f.height - 1);
      ctx.save();
      ctx.translate(12, f.y + f.h / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = "middle";
      ctx.fillText(yname, 0, 0);
      ctx.restore();
      ctx.restore();
    }

    // Trajectories and loss curves only grow while the race plays, so the
    // lines drawn up to step `layer.t` are kept on a layer and a frame adds
    // only the new steps (a dash pattern continues where it stopped). Any other
    // change starts a fresh layer, drawn by the same code from step 0.
    growLayer(kind, f, colors, pointAt, lengthOf, markEvery) {
      const target = kind === "map" ? this.mapCanvas : this.lossCanvas;
      let layer = this.layers[kind];
      if (!layer || layer.t > this.t) {
        const canvas = this.spareLayers[kind] || document.createElement("canvas");
        this.spareLayers[kind] = canvas;
        canvas.width = target.width; // also clears it
        canvas.height = target.height;
        layer = this.layers[kind] = { canvas, t: 0, ends: {} };
      }
      const ctx = layer.canvas.getContext("2d");
      ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
      ctx.save();
      ctx.beginPath();
      ctx.rect(f.x, f.y, f.w, f.h);
      ctx.clip();
      ctx.lineWidth = LINE_WIDTH;
      ctx.lineJoin = "bevel";
      for (const opt of this.shown()) {
        const name = opt.name;
        const last = Math.min(this.t, lengthOf(name) - 1);
        const end = layer.ends[name] || (layer.ends[name] = { i: 0, done: 0, length: 0, at: pointAt(name, 0) });
        if (last <= end.done) continue;
        ctx.strokeStyle = colors.line[name];
        ctx.fillStyle = colors.line[name];
        ctx.setLineDash(dashes(name));
        ctx.lineDashOffset = end.length;
        ctx.beginPath();
        ctx.moveTo(end.at[0], end.at[1]);
        for (let i = end.i + 1; i <= last; i++) {
          const [x, y] = pointAt(name, i);
          // Points within a pixel of the last one drawn add raster work and nothing else.
          if (i < last && Math.abs(x - end.at[0]) < 1 && Math.abs(y - end.at[1]) < 1) continue;
          ctx.lineTo(x, y);
          end.length += Math.hypot(x - end.at[0], y - end.at[1]);
          end.at = [x, y];
          end.i = i;
        }
        ctx.stroke();
        ctx.setLineDash([]);
        if (markEvery)
          for (let k = Math.floor(end.done / markEvery + 1) * markEvery; k <= last; k += markEvery) {
            const [x, y] = pointAt(name, k);
            ctx.setTransform(f.dpr, 0, 0, f.dpr, f.dpr * x, f.dpr * y);
            ctx.fill(markerPath2D(STYLES[name].marker, 3));
            ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
          }
        end.done = last;
      }
      ctx.restore();
      layer.t = this.t;
      return layer.canvas;
    }

    drawMap(colors) {
      const canvas = this.mapCanvas;
      const ctx = canvas.getContext("2d", { alpha: false });
      const f = this.frame(canvas);
      const [x0, x1, y0, y1] = this.surface.window;
      const limit = 1e5;
      const clampPx = (v) => Math.max(-limit, Math.min(limit, v));
      const toPx = ([x, y]) => [clampPx(f.x + ((x - x0) / (x1 - x0)) * f.w), clampPx(f.y + ((y1 - y) / (y1 - y0)) * f.h)];
      const paths = (name) => this.runs[name].path;
      const lines = this.growLayer("map", f, colors, (name, i) => toPx(paths(name)[i]), (name) => paths(name).length, Math.round(this.horizon / 12));
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(this.background, 0, 0);
      ctx.drawImage(lines, 0, 0);
      ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
      ctx.save();
      ctx.beginPath();
      ctx.rect(f.x, f.y, f.w, f.h);
      ctx.clip();
      // Where each optimizer is now: its marker, large, with an outline.
      ctx.lineWidth = 1;
      ctx.strokeStyle = colors.bg;
      for (const opt of this.shown()) {
        const path = paths(opt.name);
        const [hx, hy] = toPx(path[Math.min(this.t, path.length - 1)]);
        const marker = markerPath2D(STYLES[opt.name].marker, 5);
        ctx.setTransform(f.dpr, 0, 0, f.dpr, f.dpr * hx, f.dpr * hy);
        ctx.fillStyle = colors.line[opt.name];
        ctx.fill(marker);
        ctx.stroke(marker);
      }
      ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
      const [sx, sy] = toPx(this.start);
      ctx.fillStyle = colors.fg;
      ctx.fillRect(sx - 4, sy - 4, 8, 8);
      ctx.strokeRect(sx - 4, sy - 4, 8, 8);
      ctx.restore();
    }

    // Decades shown on the loss plot: fixed for a race, so the axes stay put while it plays.
    computeLossRange() {
      let lo = Infinity;
      let hi = -Infinity;
      for (const opt of this.shown())
        for (const v of this.runs[opt.name].gap)
          if (v > 0 && Number.isFinite(v)) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
      if (!Number.isFinite(lo)) return [-3, 1];
      const first = Math.max(...this.shown().map((o) => this.runs[o.name].gap[0]).filter((v) => v > 0), 1e-300);
      let top = Math.ceil(Math.log10(Math.min(hi, first * 1e4)));
      let bottom = Math.floor(Math.log10(lo));
      bottom = Math.max(bottom, -300);
      if (top <= bottom) top = bottom + 1;
      return [bottom, top];
    }

    // Position of a loss value on the loss plot, clamped to the decades shown.
    lossY(f, v) {
      const [lo, hi] = this.lossRange;
      const logv = v > 0 ? Math.log10(v) : -Infinity;
      return f.y + ((hi - Math.max(lo, Math.min(hi, logv))) / (hi - lo)) * f.h;
    }

    // Axes, decade lines and labels of the loss plot, drawn once per range, size and theme.
    drawLossBackground(colors) {
      const canvas = document.createElement("canvas");
      canvas.width = this.lossCanvas.width;
      canvas.height = this.lossCanvas.height;
      const ctx = canvas.getContext("2d");
      const f = this.frame(this.lossCanvas);
      ctx.scale(f.dpr, f.dpr);
      ctx.fillStyle = colors.bg;
      ctx.fillRect(0, 0, f.width, f.height);
      const [lo, hi] = this.lossRange;
      const every = [1, 2, 5, 10, 20, 50, 100].find((e) => (hi - lo) / e <= 7) || 100;
      const decades = [];
      for (let k = Math.ceil(lo / every) * every; k <= hi; k += every) decades.push(k);
      ctx.strokeStyle = colors.grid;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (const k of decades) {
        const y = this.lossY(f, 10 ** k);
        ctx.moveTo(f.x, y);
        ctx.lineTo(f.x + f.w, y);
      }
      ctx.stroke();
      const label = (v, isY) => (isY ? powerOfTen(v) : String(v));
      this.drawAxes(ctx, f, colors, niceTicks(0, this.horizon, 6), decades, [0, this.horizon, lo, hi], label, "step", "L \u2212 L*");
      return canvas;
    }

    drawLoss(colors) {
      const canvas = this.lossCanvas;
      const ctx = canvas.getContext("2d", { alpha: false });
      const f = this.frame(canvas);
      const xOf = (i) => f.x + (i / this.horizon) * f.w;
      const gaps = (name) => this.runs[name].gap;
      const pointAt = (name, i) => [xOf(i), this.lossY(f, gaps(name)[i])];
      const lines = this.growLayer("loss", f, colors, pointAt, (name) => gaps(name).length, 0);
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(this.lossBackground, 0, 0);
      ctx.drawImage(lines, 0, 0);
      ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
      ctx.strokeStyle = colors.muted;
      ctx.lineWidth = 1;
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(xOf(this.t), f.y);
      ctx.lineTo(xOf(this.t), f.y + f.h);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  const instances = [];

  function mountAll() {
    for (const root of document.querySelectorAll("[data-optimizer-race]")) {
      if (root.dataset.raceMounted) continue;
      root.dataset.raceMounted = "true";
      instances.push(new Race(root));
    }
  }

  window.OptimizerRace = { SURFACES, STYLES, DARK_COLORS, OPTIMIZERS, HYPER, DEFAULT_LR, EPS, HORIZONS, run, defaultHyper, instances, mountAll };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
