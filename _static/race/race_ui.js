/* The Optimizer Race, its user interface: controls, events, animation and text.
 *
 * A Race is mounted in every element marked data-optimizer-race. It keeps
 * the reader's choices (surface, start, hyperparameters, optimizers shown,
 * race length, step) and the runs of the pure core (race_core.js), builds
 * the toolbar and the table (the table is the legend), and hands the
 * drawing to Plots (race_draw.js). No framework, no network: the book works
 * offline. race.html (the fragment a page embeds) loads the four scripts in
 * order; if a page embeds the fragment twice, the second load only mounts
 * the new applet.
 */
(function () {
  "use strict";

  const R = window.OptimizerRace;
  if (R.mountAll) {
    R.mountAll();
    return;
  }
  const { SURFACES, OPTIMIZERS, HORIZONS, EPS, run, defaultHyper, STYLES } = R; // race_core.js
  const { Plots, markerPath, dashes, formatNumber, powerOfTen, LINE_WIDTH } = R; // race_draw.js
  const BY_NAME = Object.fromEntries(OPTIMIZERS.map((o) => [o.name, o]));

  // Every hyperparameter the reader can set, with the range the inputs accept.
  const HYPER = {
    lr: { label: "lr", long: "learning rate", min: 1e-4, max: 5 },
    beta: { label: "\u03b2", long: "beta", min: 0, max: 0.9999 },
    beta1: { label: "\u03b2\u2081", long: "beta1", min: 0, max: 0.9999 },
    beta2: { label: "\u03b2\u2082", long: "beta2", min: 0, max: 0.9999 },
    weight_decay: { label: "\u03bb", long: "weight decay", min: 0, max: 0.5 },
  };

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
      this.surface = Object.values(SURFACES)[0]; // optlab.surfaces.SURFACES's first, the chapter's bowl
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
      this.build();
      this.drawing = new Plots(this, this.mapCanvas, this.lossCanvas);
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
          this.drawing.forgetRuns();
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
        const point = this.drawing.toData(event.clientX - rect.left, event.clientY - rect.top);
        if (point) this.setStart(point.map((v) => Math.round(v * 100) / 100));
      });
      this.mapCanvas.addEventListener("keydown", (event) => this.onMapKey(event));
      this.resizeObserver = new ResizeObserver(() => this.resize());
      this.resizeObserver.observe(this.plots);
      this.themeObserver = new MutationObserver(() => {
        this.drawing.invalidate();
        this.paintSwatches();
        this.drawing.draw();
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
      this.drawing.invalidate();
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
      this.drawing.forgetRuns();
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
      this.drawing.draw();
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
        `Racing: ${racing}; \u03b5 = ${powerOfTen(Math.round(Math.log10(EPS)))} for the adaptive methods.`;
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

    paintSwatches() {
      const c = this.drawing.colors();
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
          this.drawing.invalidate();
        }
      }
      this.paintSwatches();
      this.drawing.draw();
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

  Object.assign(R, { HYPER, instances, mountAll });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
