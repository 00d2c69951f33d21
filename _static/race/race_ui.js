/* The Optimizer Race, its user interface: controls, events, animation and text.
 *
 * A Race is mounted in every element marked data-optimizer-race. It keeps
 * the reader's choices (surface, start, settings, optimizers shown, noise,
 * schedule, race length, step) and the runs of the pure core
 * (race_core.js), builds the controls, the standings (which are the
 * legend) and the settings, and hands the drawing to Plots (race_draw.js).
 * What the reader types or links is read by race_input.js: the same
 * validation serves the fields and the URL fragment, so a shared link is as
 * safe as a typed value. No framework, no network: the book works offline.
 */
(function () {
  "use strict";

  const R = window.OptimizerRace;
  if (R.mountAll) {
    R.mountAll();
    return;
  }
  const { SURFACES, OPTIMIZERS, HORIZONS, EPS, run, explain, STYLES } = R; // race_core.js
  const { parseNumber, share, formatNumber, VIEW } = R; // race_input.js
  const { Plots, markerPath, dashes, powerOfTen, LINE_WIDTH, ARROWS } = R; // race_draw.js
  const DATA = window.RACE_DATA;
  const BY_NAME = Object.fromEntries(OPTIMIZERS.map((o) => [o.name, o]));
  const RANGES = DATA.ranges;

  // A run has "arrived" when its loss gap first falls below this.
  const TARGET_GAP = 1e-6;
  const REMEMBER_DELAY = 250;
  const REFINE_DELAY = 150; // ms after a slider's last move, its paths are drawn fine again
  const GRAB_RADIUS = 22; // px around the start's square where a drag takes it: a 44 px target // ms between the last change and the address bar's update

  // Every setting the reader can change with a field and a slider (race_data.js's
  // fields, from optlab.race.SETTINGS): its label in the chapter's notation, its
  // name for a screen reader, and the slider's scale (0..1000): logarithmic for
  // rates, in 1 - beta for decay rates, so 0.9, 0.99 and 0.999 are evenly spaced.
  const logScale = (min, max) => ({
    toSlider: (v) => (1000 * Math.log(v / min)) / Math.log(max / min),
    fromSlider: (u) => Number((min * (max / min) ** (u / 1000)).toPrecision(3)),
  });
  const decayScale = (max) => ({
    toSlider: (v) => Math.min(1000, (-1000 * Math.log10(1 - v)) / 4),
    fromSlider: (u) => Math.min(max, Number((1 - Number((10 ** (-(4 * u) / 1000)).toPrecision(2))).toPrecision(6))),
  });
  const linearScale = (max) => ({
    toSlider: (v) => (1000 * v) / max,
    fromSlider: (u) => Number(((max * u) / 1000).toPrecision(3)),
  });
  const noiseScale = (max) => {
    const log = logScale(max * 1e-4, max);
    return {
      toSlider: (v) => (v <= 0 ? 0 : Math.max(1, log.toSlider(v))),
      fromSlider: (u) => (u <= 0 ? 0 : log.fromSlider(u)),
    };
  };
  const SCALES = {
    log: (range) => logScale(range.min, range.max),
    decay: (range) => decayScale(range.max),
    linear: (range) => linearScale(range.max),
    noise: (range) => noiseScale(range.max),
  };
  const SETTINGS = Object.fromEntries(Object.entries(DATA.fields).map(([key, f]) =>
    [key, { label: f.symbol, long: f.long, scale: SCALES[f.scale](RANGES[key]) }]));

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
  // A coordinate fits its cell whatever its size: three decimals, or three significant digits in exponent form.
  function formatCoordinate(v) {
    if (Math.abs(v) < 1000) return v.toFixed(3) === "-0.000" ? "0.000" : v.toFixed(3);
    return v.toExponential(2);
  }
  const pair = (v) => `(${v.map(formatNumber).join(", ")})`;
  // Every number of the readout: four significant digits, enough to compare a step size with a
  // limit and short enough for a phone; exponent form outside 0.001 to 99999, with a true minus sign.
  function readoutNumber(v) {
    if (v === 0 || !Number.isFinite(v)) return String(v);
    const a = Math.abs(v);
    const text = a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(3).replace(/\.?0+e/, "e");
    return text.replace(/-/g, "\u2212");
  }
  const short = (v) => `(${v.map(readoutNumber).join(", ")})`;
  const rangeText = (spec) => `${formatNumber(spec.min)} to ${formatNumber(spec.max)}`;

  // An optimizer's state after an update, in the chapter's notation: each
  // update rule of race_core.js names the symbols of the state it shows (the
  // momentum buffer b, AdaGrad's sum G, RMSProp's v, Adam's corrected moments).
  function describeMoments(name, state) {
    const symbols = BY_NAME[name].symbols || {};
    return Object.entries(symbols).map(([k, symbol]) => `${symbol} = ${short(state[k])}`).join("; ") || "none";
  }

  // True when a race needs no more than the first sight: the bowl, the first two optimizers, no noise, no schedule.
  function firstSight(c) {
    return c.surface === Object.keys(SURFACES)[0] && c.on.every((n) => R.SHOWN_AT_FIRST.includes(n)) &&
      c.sigma === 0 && c.schedule === DATA.schedules[0].key && c.length === HORIZONS[0] && !c.wide;
  }

  let nextId = 0;

  /* -------------------------------------------------------------------- race */

  class Race {
    constructor(root) {
      this.root = root;
      this.id = `race${nextId++}`;
      this.playing = false;
      this.frameRequest = null;
      this.runs = {};
      this.explanations = null;
      this.build();
      this.drawing = new Plots(this, this.mapCanvas, this.lossCanvas);
      this.applyConfig(share.defaults());
      this.linkField.value = `${location.href.split("#")[0]}#${share.encode(this.config())}`;
      this.observe();
      this.resize();
    }

    /* ---- the state, as one configuration (what a link holds) ---- */

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

    // Take every value of a (validated) configuration, then run and draw.
    applyConfig(c) {
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
      // A link to what the first sight does not show opens More.
      this.setMore(Boolean(c.more) || !firstSight(c));
      this.hideParts(c.hide);
      this.stopLoop();
      this.drawing.invalidate();
      this.syncInputs();
      this.recompute();
      if (Boolean(c.wide) !== Boolean(this.wide)) this.setWide(Boolean(c.wide));
      this.refresh();
    }

    // The fragment of a link to this exact race, kept in the address bar: at
    // most a few times a second while a slider moves (browsers throttle a
    // page that rewrites its address at every frame), at once when `now`.
    remember(now) {
      if (this !== instances[0]) return; // the first applet of a page owns its address
      clearTimeout(this.rememberTimer);
      if (!now) {
        this.rememberTimer = setTimeout(() => this.remember(true), REMEMBER_DELAY);
        return;
      }
      const fragment = share.encode(this.config());
      const link = `${location.href.split("#")[0]}#${fragment}`;
      // A section anchor in the address stays: the reader may be about to share it.
      const ours = location.hash === "" || location.hash.startsWith("#race=");
      if (ours && location.hash.slice(1) !== fragment) history.replaceState(null, "", `#${fragment}`);
      this.linkField.value = link;
    }

    // A link opened (or a fragment typed in the address bar): apply what validates, say what did not.
    followLink() {
      const { config, problems, ours } = share.decode(location.hash.slice(1));
      if (!ours && !problems.length) return;
      this.applyConfig(config);
      if (problems.length) this.showError(`Some of the link was not used. ${problems.join(" ")}`);
      else this.clearError();
      this.remember(true); // the address now shows what is used
      this.announce("Race loaded from the link.");
      if (ours) this.root.scrollIntoView({ block: "start" }); // on a long page the race is far below its top
    }

    /* ---- the DOM ---- */

    build() {
      const id = (name) => `${this.id}-${name}`;
      const root = this.root;
      root.replaceChildren();
      root.setAttribute("role", "region");
      root.setAttribute("aria-label", "Optimizer Race");

      // Named by its own aria-label too: the phone layout hides the visible label.
      this.surfaceSelect = el("select", { id: id("surface"), "aria-label": "Surface" });
      for (const s of Object.values(SURFACES)) this.surfaceSelect.append(el("option", { value: s.key, text: s.name }));
      this.playButton = el("button", { type: "button", className: "race-primary", text: "Play" });
      this.stepButton = el("button", { type: "button", text: "Step", "aria-label": "Single step" });
      this.resetButton = el("button", { type: "button", text: "Reset", "aria-label": "Reset the race to step 0" });
      this.stepCounter = el("span", { className: "race-counter", "aria-hidden": "true" });
      this.wideButton = el("button", { type: "button", className: "race-wide-toggle", "aria-pressed": "false", text: "Full width" });
      this.moreButton = el("button", { type: "button", className: "race-more-toggle", "aria-expanded": "false", text: "More" });
      const surfaceLabel = el("label", { for: id("surface"), className: "race-bar-label" }, "Surface ");
      root.append(
        el(
          "div",
          { className: "race-bar race-bar-main", role: "group", "aria-label": "Race controls" },
          surfaceLabel,
          this.surfaceSelect,
          this.playButton,
          this.stepButton,
          this.resetButton,
          this.stepCounter,
          this.moreButton,
          this.wideButton,
        ),
      );
      this.intro = el("p", {
        className: "race-intro",
        text: "Press Play: gradient descent (SGD) and momentum race down the bowl to the star. Change a learning rate \u03b7 or " +
          "momentum's \u03b2 and the paths redraw; More opens every optimizer, noise, schedules and the readout of one update.",
      });

      this.help = el("p", { id: id("help"), className: "race-help" });
      this.mapCanvas = el("canvas", {
        tabindex: 0, role: "application", "aria-roledescription": "start point map", "aria-describedby": id("help"), className: "race-map",
      });
      this.lossCanvas = el("canvas", { role: "img", className: "race-loss" });
      this.standings = this.buildStandings(id);
      this.status = el("p", { className: "race-status", role: "status", "aria-live": "polite" });
      this.error = el("p", { className: "race-error", id: id("error"), role: "alert", hidden: true });
      this.decayNote = el("p", { className: "race-help race-decay-note", hidden: true });
      // The stage, in the order of the phone layout (race.css places the loss
      // plot beside the map on a wider applet; it takes no focus, so the
      // order of the keyboard is the same in both): map, standings, each
      // optimizer's settings with the messages about them, loss plot.
      this.stage = el(
        "div",
        { className: "race-stage" },
        el("div", { className: "race-plot race-plot-map" }, this.mapCanvas),
        el("div", { className: "race-plot race-plot-loss" }, this.lossCanvas),
        el("div", { className: "race-standings-wrap", tabindex: 0, role: "region", "aria-label": "Standings" }, this.standings),
        this.buildSettings(id),
        el("div", { className: "race-messages" }, this.status, this.error, this.decayNote),
      );
      this.caption = el("p", { className: "race-caption", id: id("caption") });
      this.explainBox = el("section", { className: "race-explain", "aria-label": "One update explained" });
      this.setup = this.buildSetup(id);
      root.append(this.intro, this.stage, this.help, this.caption, this.explainBox, this.setup);
      this.describeHelp();
      // What the first sight leaves out, and what a teacher's link may hide (race_input.js's HIDEABLE).
      for (const node of [surfaceLabel, this.surfaceSelect, this.resetButton, this.stepCounter, this.wideButton,
        this.help, this.caption, this.explainBox, this.setup])
        node.classList.add("race-more-only");
      this.parts = {
        surface: [surfaceLabel, this.surfaceSelect], play: [this.playButton], step: [this.stepButton], reset: [this.resetButton],
        more: [this.moreButton], fullwidth: [this.wideButton], standings: [this.standings.parentElement],
        settings: [this.stage.querySelector(".race-settings")], readout: [this.explainBox], setup: [this.setup],
        help: [this.intro, this.help, this.caption],
      };
    }

    // The first sight (more false): the optimizers shown, their settings, Play and Step, the map and its legend.
    setMore(on) {
      this.more = on;
      this.root.classList.toggle("race-simple", !on);
      this.moreButton.setAttribute("aria-expanded", String(on));
      this.moreButton.textContent = on ? "Less" : "More";
    }

    // Hide the parts a teacher's link names; show the others.
    hideParts(names) {
      this.hidden = names.slice();
      for (const [name, nodes] of Object.entries(this.parts)) for (const node of nodes) node.classList.toggle("race-hidden", names.includes(name));
    }

    // The standings: one row per optimizer, its toggle (the legend entry), its gap and when it arrived.
    buildStandings(id) {
      const table = el("table", { className: "race-table" });
      table.append(el("caption", { text: "Standings: each row is a legend entry and a toggle" }));
      const head = el("tr");
      for (const [text, title, cls] of [
        ["Optimizer", "shown on the plots when ticked", ""],
        ["L \u2212 L*", "loss gap at the current step", ""],
        [`L \u2212 L* < ${powerOfTen(Math.log10(TARGET_GAP))}`, "first step with a gap below one millionth, or the step it diverged", ""],
        ["w", "parameters at the current step", "race-w"],
      ])
        head.append(el("th", { scope: "col", title, text, className: cls || null }));
      table.append(el("thead", {}, head));
      const body = el("tbody");
      this.rows = {};
      for (const opt of OPTIMIZERS) {
        const row = { checkbox: el("input", { type: "checkbox", id: id(`show-${opt.name}`) }), inputs: {}, sliders: {} };
        row.swatch = this.swatch(opt.name);
        const label = el("label", { for: id(`show-${opt.name}`), className: "race-toggle" }, row.checkbox, row.swatch, document.createTextNode(opt.name));
        row.gapCell = el("td", { className: "race-num" });
        row.arrivedCell = el("td", { className: "race-num" });
        row.wCell = el("td", { className: "race-num race-w" });
        row.tr = el("tr", {}, el("th", { scope: "row" }, label), row.gapCell, row.arrivedCell, row.wCell);
        body.append(row.tr);
        this.rows[opt.name] = row;
      }
      table.append(body);
      return table;
    }

    // A text field with a slider beside it, for one setting; both describe the same value.
    settingControl(id, key, owner, range) {
      const spec = SETTINGS[key];
      const who = owner ? `${owner} ` : "";
      const input = el("input", {
        type: "text", inputmode: "decimal", size: 6, autocomplete: "off", id: id(`${owner || "race"}-${key}`),
        "aria-label": `${who}${spec.long} (${rangeText(range)})`, "aria-describedby": id("error"),
      });
      const slider = el("input", {
        type: "range", min: 0, max: 1000, step: 1, "aria-label": `${who}${spec.long}, slider`, className: "race-slider",
      });
      const box = el("div", { className: "race-setting" }, el("label", { for: input.id, text: spec.label, title: spec.long }), input, slider);
      return { box, input, slider };
    }

    buildSetup(id) {
      this.speedSelect = el("select", { id: id("speed") });
      for (const s of VIEW.speeds) this.speedSelect.append(el("option", { value: s, text: `${s} steps/s` }));
      this.horizonSelect = el("select", { id: id("horizon") });
      for (const n of HORIZONS) this.horizonSelect.append(el("option", { value: n, text: `${n} steps` }));
      this.scheduleSelect = el("select", { id: id("schedule") });
      for (const s of DATA.schedules) this.scheduleSelect.append(el("option", { value: s.key, text: s.name }));
      this.floorSelect = el("select", { id: id("floor") });
      for (const k of VIEW.floors) this.floorSelect.append(el("option", { value: k, text: k === -300 ? "none (10\u207b\u00b3\u2070\u2070)" : powerOfTen(k) }));
      this.scaleBox = el("input", { type: "checkbox", id: id("scale") });
      this.noise = this.settingControl(id, "sigma", "", RANGES.sigma);
      this.seedInput = el("input", {
        type: "text", inputmode: "numeric", size: 10, autocomplete: "off", id: id("seed"),
        "aria-label": `noise seed (${rangeText(RANGES.seed)})`, "aria-describedby": id("error"),
      });
      this.startInputs = [0, 1].map((i) =>
        el("input", { type: "text", inputmode: "decimal", id: id(`start${i}`), size: 7, autocomplete: "off", "aria-describedby": id("error") }),
      );
      this.defaultStartButton = el("button", { type: "button", text: "Default start" });
      this.shareButton = el("button", { type: "button", text: "Copy link to this race" });
      this.linkField = el("input", { type: "text", readonly: true, id: id("link"), className: "race-link", "aria-label": "Link to this race" });
      const field = (labelText, forId, control) => el("span", { className: "race-field" }, el("label", { for: forId, text: labelText }), control);
      return el(
        "div",
        { className: "race-setup", role: "group", "aria-label": "Race setup" },
        el(
          "div",
          { className: "race-bar" },
          field("Speed ", id("speed"), this.speedSelect),
          field("Length ", id("horizon"), this.horizonSelect),
          field("Schedule ", id("schedule"), this.scheduleSelect),
          field("Loss floor ", id("floor"), this.floorSelect),
          el("label", { className: "race-toggle" }, this.scaleBox, document.createTextNode("Equal scales (map to scale)")),
        ),
        el(
          "div",
          { className: "race-bar" },
          el("span", { className: "race-field race-noise", role: "group", "aria-label": "Gradient noise" }, el("span", { text: "Noise " }), this.noise.box),
          field("seed ", id("seed"), this.seedInput),
        ),
        el(
          "div",
          { className: "race-bar", role: "group", "aria-label": "Start point" },
          el("span", { text: "Start " }),
          field("w\u2081 ", id("start0"), this.startInputs[0]),
          field(" w\u2082 ", id("start1"), this.startInputs[1]),
          this.defaultStartButton,
        ),
        el("div", { className: "race-bar" }, this.shareButton, this.linkField),
      );
    }

    // One card per optimizer with its settings, each a field and a slider.
    buildSettings(id) {
      const grid = el("div", { className: "race-settings", role: "group", "aria-label": "Settings of each optimizer" });
      for (const opt of OPTIMIZERS) {
        const row = this.rows[opt.name];
        const card = el("div", { className: "race-card" }, el("div", { className: "race-card-name" }, this.swatch(opt.name), document.createTextNode(opt.name)));
        for (const key of opt.hyper) {
          const control = this.settingControl(id, key, opt.name, RANGES[key]);
          control.input.dataset.optimizer = opt.name;
          control.input.dataset.hyper = key;
          row.inputs[key] = control.input;
          row.sliders[key] = control.slider;
          card.append(control.box);
        }
        row.card = card;
        grid.append(card);
      }
      return grid;
    }

    swatch(name) {
      const s = STYLES[name];
      const box = svg("svg", { width: 34, height: 14, viewBox: "0 0 34 14", "aria-hidden": "true", class: "race-swatch", "data-name": name });
      const line = svg("line", { x1: 1, y1: 7, x2: 33, y2: 7, "stroke-width": LINE_WIDTH, "stroke-dasharray": dashes(name).join(" ") || "none" });
      const marker = svg("path", { d: markerPath(s.marker, 4), transform: "translate(17 7)" });
      box.append(line, marker);
      if (this.drawing) this.paintSwatch(box, this.palette());
      return box;
    }

    describeHelp() {
      this.help.textContent =
        "Drag the start point (the square) with a mouse or a finger; a tap or a swipe elsewhere on the map leaves it, so the page scrolls. " +
        "With the map focused: arrow keys move the start (Shift for larger moves, Home for the default), " +
        "Space or Enter plays and pauses, and the full stop key takes a single step. The race restarts from step 0 " +
        "whenever the start or a setting changes; the faint lines show each whole race at once.";
    }

    /* ---- events ---- */

    observe() {
      this.surfaceSelect.addEventListener("change", () => this.setSurface(this.surfaceSelect.value));
      this.playButton.addEventListener("click", () => (this.playing ? this.pause() : this.play()));
      this.stepButton.addEventListener("click", () => this.stepOnce());
      this.resetButton.addEventListener("click", () => this.reset());
      this.moreButton.addEventListener("click", () => {
        this.setMore(!this.more);
        this.refresh();
        this.remember();
        this.announce(this.more ? "More: every optimizer, the surface, noise, schedules and the readout of one update." : "Back to the first sight.");
      });
      this.wideButton.addEventListener("click", () => {
        this.setWide(!this.wide);
        this.remember();
      });
      // Full width is a dialog in all but name: Tab stays inside, Escape leaves, wherever the focus is.
      document.addEventListener("keydown", (event) => {
        if (!this.wide) return;
        if (event.key === "Escape") {
          this.setWide(false);
          this.wideButton.focus();
          this.remember();
        } else if (event.key === "Tab") this.keepFocusInside(event);
      });
      this.speedSelect.addEventListener("change", () => this.changeView(() => (this.speed = Number(this.speedSelect.value))));
      this.horizonSelect.addEventListener("change", () => this.change(() => {
        this.horizon = Number(this.horizonSelect.value);
        this.t = Math.min(this.t, this.horizon);
        this.drawing.invalidate();
      }));
      this.scheduleSelect.addEventListener("change", () => this.change(() => (this.schedule = this.scheduleSelect.value)));
      this.floorSelect.addEventListener("change", () => this.changeView(() => (this.floor = Number(this.floorSelect.value))));
      this.scaleBox.addEventListener("change", () => this.changeView(() => (this.toScale = this.scaleBox.checked)));
      this.watchSetting(this.noise, "sigma", "Noise \u03c3", () => this.sigma, (v) => (this.sigma = v));
      this.watchField(this.seedInput, { ...RANGES.seed, integer: true }, "Noise seed", () => this.seed, (v) => this.change(() => (this.seed = v)));
      this.defaultStartButton.addEventListener("click", () => this.setStart(this.surface.start.slice()));
      this.startInputs.forEach((input, i) =>
        this.watchField(input, () => this.startRange(i), `Start w${i + 1}`, () => this.start[i], (v) => {
          const start = this.start.slice();
          start[i] = v;
          this.setStart(start);
        }),
      );
      this.shareButton.addEventListener("click", () => this.copyLink());
      for (const opt of OPTIMIZERS) {
        const row = this.rows[opt.name];
        row.checkbox.addEventListener("change", () => this.change(() => (this.visible[opt.name] = row.checkbox.checked)));
        for (const key of Object.keys(row.inputs))
          this.watchSetting(
            { input: row.inputs[key], slider: row.sliders[key] },
            key,
            `${opt.name} ${SETTINGS[key].long}`,
            () => this.hyper[opt.name][key],
            (v) => (this.hyper[opt.name] = { ...this.hyper[opt.name], [key]: v }),
            opt.name,
          );
      }
      this.watchMap();
      this.resizeObserver = new ResizeObserver(() => this.resize());
      this.resizeObserver.observe(this.stage);
      this.watchPixelRatio();
      this.themeObserver = new MutationObserver(() => {
        this.drawing.invalidate();
        this.paintSwatches();
        this.refresh();
      });
      this.themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "class"] });
    }

    startRange(i) {
      const [x0, x1, y0, y1] = this.surface.window;
      return i === 0 ? { min: x0, max: x1 } : { min: y0, max: y1 };
    }

    // A text field applied on Enter or when it loses focus; a refused value
    // leaves the old one in place with a message, and the field's red mark
    // goes as soon as the reader edits it or leaves it.
    watchField(input, range, what, current, apply) {
      input.addEventListener("change", () => {
        const parsed = parseNumber(input.value, typeof range === "function" ? range() : range);
        if (parsed.error) return this.refuse(input, `${what}: ${parsed.error}; it stays ${formatNumber(current())}.`);
        this.clearError();
        apply(parsed.value);
        this.syncInputs(); // "0,05" is shown as the 0.05 now in use
      });
      for (const type of ["input", "blur"]) input.addEventListener(type, () => input.removeAttribute("aria-invalid"));
    }

    // A setting with a field and a slider: the slider applies while it moves (the paths redraw live).
    watchSetting(control, key, what, current, set, owner) {
      const range = RANGES[key];
      const apply = (value) => this.change(() => set(value), owner);
      this.watchField(control.input, range, what, current, apply);
      control.slider.addEventListener("change", () => this.refine());
      control.slider.addEventListener("input", () => {
        this.drawCoarse();
        const value = Math.min(range.max, Math.max(range.min, SETTINGS[key].scale.fromSlider(Number(control.slider.value))));
        control.input.value = formatNumber(value);
        control.input.removeAttribute("aria-invalid");
        apply(value);
      });
    }

    watchMap() {
      const canvas = this.mapCanvas;
      const pointAt = (event) => {
        const rect = canvas.getBoundingClientRect();
        const point = this.drawing.toData(event.clientX - rect.left, event.clientY - rect.top);
        return point && point.map((v) => Math.round(v * 100) / 100);
      };
      let pending = null;
      const moveTo = (point) => {
        pending = point;
        if (this.dragFrame) return;
        this.dragFrame = requestAnimationFrame(() => {
          this.dragFrame = null;
          if (pending) this.setStart(this.clampStart(pending), true);
        });
      };
      // Only a drag that begins on the start's square moves it: a tap or a swipe elsewhere (to scroll the page) leaves the race alone.
      const onStart = (event) => {
        const rect = canvas.getBoundingClientRect();
        const [sx, sy] = this.drawing.toPixels(this.start);
        return Math.hypot(event.clientX - rect.left - sx, event.clientY - rect.top - sy) <= GRAB_RADIUS;
      };
      canvas.addEventListener("touchstart", (event) => {
        if (event.touches.length === 1 && onStart(event.touches[0])) event.preventDefault(); // no scroll while dragging the start
      }, { passive: false });
      canvas.addEventListener("pointerdown", (event) => {
        const point = pointAt(event);
        if (!point || !onStart(event)) return;
        event.preventDefault();
        canvas.focus();
        canvas.setPointerCapture(event.pointerId);
        this.dragging = true;
        moveTo(point);
      });
      canvas.addEventListener("pointermove", (event) => {
        if (!this.dragging) return;
        const point = pointAt(event) || this.drawing.toData(...this.clampToPlot(event));
        if (point) moveTo(point.map((v) => Math.round(v * 100) / 100));
      });
      const end = () => {
        if (!this.dragging) return;
        this.dragging = false;
        this.announce(`Start moved to ${pair(this.start)}; race at step 0.`);
        this.remember();
      };
      canvas.addEventListener("pointerup", end);
      canvas.addEventListener("pointercancel", end);
      canvas.addEventListener("keydown", (event) => this.onMapKey(event));
    }

    // A pointer dragged past the plot's edge: the nearest point of the plot.
    clampToPlot(event) {
      const rect = this.mapCanvas.getBoundingClientRect();
      const f = this.drawing.frame("map");
      const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
      return [clamp(event.clientX - rect.left, f.x, f.x + f.w), clamp(event.clientY - rect.top, f.y, f.y + f.h)];
    }

    clampStart([x, y]) {
      const [x0, x1, y0, y1] = this.surface.window;
      const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
      return [clamp(x, x0, x1), clamp(y, y0, y1)];
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
      const round = (v) => Math.round(v * 1000) / 1000;
      if (event.key === "Home") this.setStart(this.surface.start.slice());
      else if (moves[event.key]) {
        const [dx, dy] = moves[event.key];
        this.setStart(this.clampStart([round(this.start[0] + dx), round(this.start[1] + dy)]));
      } else if (event.key === " " || event.key === "Enter") this.playing ? this.pause() : this.play();
      else if (event.key === ".") this.stepOnce();
      else return;
      event.preventDefault();
    }

    // Redraw at the new pixel ratio when the page is zoomed or moved to another screen.
    watchPixelRatio() {
      const query = matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
      query.addEventListener(
        "change",
        () => {
          this.resize();
          this.watchPixelRatio();
        },
        { once: true },
      );
    }

    refuse(input, message) {
      this.showError(`Not applied. ${message}`);
      input.setAttribute("aria-invalid", "true");
      this.syncInputs();
    }

    showError(message) {
      this.error.textContent = message;
      this.error.hidden = false;
    }

    clearError() {
      this.error.hidden = true;
      this.error.textContent = "";
      for (const input of this.root.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    }

    // Put every field, slider and menu back to the value the race uses.
    syncInputs() {
      const show = (control, key, value) => {
        control.input.value = String(value); // in full: the value in use, not a rounding of it
        control.slider.value = String(Math.round(SETTINGS[key].scale.toSlider(value)));
      };
      for (const opt of OPTIMIZERS) {
        const row = this.rows[opt.name];
        for (const key of Object.keys(row.inputs)) show({ input: row.inputs[key], slider: row.sliders[key] }, key, this.hyper[opt.name][key]);
        row.checkbox.checked = this.visible[opt.name];
      }
      show(this.noise, "sigma", this.sigma);
      this.seedInput.value = String(this.seed);
      this.startInputs.forEach((input, i) => (input.value = String(this.start[i])));
      this.surfaceSelect.value = this.surface.key;
      this.horizonSelect.value = String(this.horizon);
      this.scheduleSelect.value = this.schedule;
      this.speedSelect.value = String(this.speed);
      this.floorSelect.value = String(this.floor);
      this.scaleBox.checked = this.toScale;
    }

    /* ---- state changes ---- */

    // While a slider moves, draw decimated paths; REFINE_DELAY after it stops, draw them in full.
    drawCoarse() {
      this.drawing.setCoarse(true);
      clearTimeout(this.refineTimer);
      this.refineTimer = setTimeout(() => this.refine(), REFINE_DELAY);
    }

    refine() {
      clearTimeout(this.refineTimer);
      if (!this.drawing.coarse) return;
      this.drawing.setCoarse(false);
      this.refresh();
    }

    // A change of how the race is shown (speed, floor, scale): redraw and update the link; the race stays.
    changeView(apply) {
      apply();
      this.drawing.invalidate();
      this.refresh();
      this.remember();
    }

    // Any change to what is raced: apply it, run the race again up to the same step, redraw, update the link.
    change(apply, only) {
      apply();
      this.recompute(only);
      this.refresh();
      this.remember();
    }

    // A new surface brings its suggested learning rates and its start; the
    // decay rates, weight decay, noise and schedule the reader chose stay.
    setSurface(key) {
      this.surface = SURFACES[key];
      this.start = this.surface.start.slice();
      for (const opt of OPTIMIZERS) this.hyper[opt.name] = { ...this.hyper[opt.name], lr: DATA.settings[key][opt.name].lr };
      this.t = 0;
      this.drawing.invalidate();
      this.clearError();
      this.syncInputs();
      this.change(() => {});
      this.announce(`${this.surface.name}: its suggested learning rates are loaded (decay rates kept); race at step 0.`);
    }

    setStart(start, quiet) {
      this.start = start;
      this.t = 0;
      this.stopLoop();
      this.clearError();
      this.syncInputs();
      this.recompute();
      this.refresh();
      if (!quiet) {
        this.remember();
        this.announce(`Start moved to ${pair(start)}; race at step 0.`);
      }
    }

    // The conditions of the race for the core: noise, its seed, the schedule and the race's length.
    options() {
      return { sigma: this.sigma, seed: this.seed, schedule: this.schedule, horizon: this.horizon };
    }

    // Run the race again: every optimizer, or only the one whose setting changed.
    recompute(only) {
      for (const opt of OPTIMIZERS) {
        if (only && opt.name !== only) continue;
        const r = run(this.surface, opt, this.hyper[opt.name], this.start, this.horizon, this.options());
        const arrived = r.gap.findIndex((g) => g < TARGET_GAP);
        this.runs[opt.name] = { ...r, arrived: arrived < 0 ? null : arrived };
      }
      this.drawing.forgetRuns();
    }

    setWide(on) {
      this.wide = on;
      this.root.classList.toggle("race-wide", on);
      this.wideButton.setAttribute("aria-pressed", String(on));
      this.wideButton.textContent = on ? "Exit full width" : "Full width";
      this.resize();
      this.announce(on ? "Full width: the applet fills the window; Escape returns." : "Back in the page.");
    }

    // Tab from the last control goes to the first (Shift+Tab the reverse), and a focus outside comes back in.
    keepFocusInside(event) {
      const focusable = [...this.root.querySelectorAll("button, input, select, textarea, a[href], [tabindex]:not([tabindex='-1'])")]
        .filter((node) => !node.disabled && node.getClientRects().length > 0);
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      const active = document.activeElement;
      const target = !this.root.contains(active) ? first : event.shiftKey && active === first ? last : !event.shiftKey && active === last ? first : null;
      if (!target) return;
      event.preventDefault();
      target.focus();
    }

    stopLoop() {
      this.playing = false;
      if (this.frameRequest !== null) cancelAnimationFrame(this.frameRequest);
      this.frameRequest = null;
    }

    play() {
      this.stopLoop(); // never two loops, however fast Play is pressed
      if (this.t >= this.horizon) this.t = 0;
      this.playing = true;
      this.lastTime = null;
      this.carry = 0;
      this.refresh();
      this.announce("Playing.");
      this.frameRequest = requestAnimationFrame((now) => this.tick(now));
    }

    pause(message) {
      this.stopLoop();
      this.refresh();
      this.remember();
      this.announce(message || `Paused at step ${this.t}.`);
    }

    stepOnce() {
      this.stopLoop();
      this.t = Math.min(this.horizon, this.t + 1);
      this.refresh();
      this.remember();
      this.announce(`Step ${this.t}.`);
    }

    reset() {
      this.stopLoop();
      this.t = 0;
      this.refresh();
      this.remember();
      this.announce("Reset to step 0.");
    }

    // One animation frame: advance by the speed and the time elapsed, then draw.
    tick(now) {
      this.frameRequest = null;
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
      this.frameRequest = requestAnimationFrame((time) => this.tick(time));
    }

    announce(text) {
      this.status.textContent = text;
    }

    async copyLink() {
      this.remember(true);
      this.linkField.select();
      try {
        await navigator.clipboard.writeText(location.href);
        this.announce("Link copied: it opens this exact race.");
      } catch (error) {
        this.announce("The link is selected in the field beside the button: copy it from there.");
      }
    }

    /* ---- what the reader sees ---- */

    refresh() {
      this.explanations = this.playing || this.t >= this.horizon || !this.more ? null : this.explainAll();
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

    // The update from step t to t + 1 of each shown optimizer still running.
    explainAll() {
      const result = {};
      for (const opt of this.shown()) {
        const r = this.runs[opt.name];
        if (this.t >= r.path.length - 1) continue; // diverged before this step
        result[opt.name] = explain(this.surface, opt, this.hyper[opt.name], this.start, this.t, this.options());
      }
      return result;
    }

    describeHyper(name) {
      const hp = this.hyper[name];
      return BY_NAME[name].hyper.map((k) => `${SETTINGS[k].label} ${formatNumber(hp[k])}`).join(", ");
    }

    describeRace() {
      const schedule = DATA.schedules.find((s) => s.key === this.schedule);
      const noise = this.sigma > 0 ? `gradient noise \u03c3 = ${formatNumber(this.sigma)} (seed ${this.seed}, the same draws for every optimizer)` : "exact gradients";
      return `${noise}; ${schedule.name.toLowerCase()} learning rate`;
    }

    describeScale() {
      if (this.toScale) return "The map is drawn to scale.";
      const stretch = this.drawing.stretch();
      if (Math.abs(Math.log(stretch)) < Math.log(1.15)) return "The map is close to scale.";
      return `The map is not to scale: a unit of w\u2082 is drawn ${formatNumber(Number(stretch.toPrecision(2)))} times as long as a unit of w\u2081 (tick Equal scales to see its true shape).`;
    }

    updateText() {
      const s = this.surface;
      const start = pair(this.start);
      const shown = this.shown();
      const racing = shown.length
        ? shown
            .map((o) => {
              const d = this.runs[o.name].diverged;
              return `${o.name} (${this.describeHyper(o.name)})${d !== null && this.t >= d ? `, diverged at step ${d}` : ""}`;
            })
            .join("; ")
        : "no optimizer (tick one in the standings)";
      this.caption.textContent =
        `${s.name}, L(w) = ${s.formula}, from ${start}; step ${this.t} of ${this.horizon}; ${this.describeRace()}. ` +
        `The map shows contours of the loss, each whole race faintly and each race so far in bold; the loss plot, L \u2212 L* on a log scale. ` +
        `${this.describeScale()} Racing: ${racing}; \u03b5 = ${powerOfTen(Math.round(Math.log10(EPS)))} for the adaptive methods.`;
      this.stepCounter.textContent = `step ${this.t} / ${this.horizon}`;
      this.playButton.textContent = this.playing ? "Pause" : "Play";
      this.playButton.setAttribute("aria-label", this.playing ? "Pause the race" : "Play the race");
      this.mapCanvas.setAttribute("aria-label", `Contour map of the ${s.name} with ${shown.length} trajectories from ${start}; the minimum is marked with a star. Drag or use the arrow keys to move the start.`);
      this.lossCanvas.setAttribute("aria-label", `Loss gap L \u2212 L* against step, log scale, steps 0 to ${this.t}; the standings list each optimizer's current value.`);
      for (const opt of OPTIMIZERS) {
        const row = this.rows[opt.name];
        const r = this.runs[opt.name];
        const i = Math.min(this.t, r.path.length - 1);
        const diverged = r.diverged !== null && this.t >= r.diverged;
        const gap = diverged ? "diverged" : formatGap(r.gap[i]);
        const arrived = diverged ? `diverged at step ${r.diverged}` : r.arrived !== null && r.arrived <= this.t ? `step ${r.arrived}` : "\u2014";
        const w = `(${r.path[i].map(formatCoordinate).join(", ")})`;
        if (row.gapCell.textContent !== gap) row.gapCell.textContent = gap;
        if (row.arrivedCell.textContent !== arrived) row.arrivedCell.textContent = arrived;
        if (row.wCell.textContent !== w) row.wCell.textContent = w;
        row.checkbox.checked = this.visible[opt.name];
        row.tr.classList.toggle("race-off", !this.visible[opt.name]);
        row.card.classList.toggle("race-off", !this.visible[opt.name]);
      }
      this.describeDecay();
      if (!this.playing) this.updateExplanation();
    }

    // Why AdamW stops short of a minimum away from 0: its decay is -lambda w, not -eta lambda w.
    describeDecay() {
      const lambda = this.hyper.AdamW && this.hyper.AdamW.weight_decay;
      const away = !this.surface.minima.some(([x, y]) => x === 0 && y === 0);
      const show = Boolean(this.visible.AdamW && lambda > 0 && away);
      this.decayNote.hidden = !show;
      if (show)
        this.decayNote.textContent =
          `AdamW decays the weights by \u03bbw = ${formatNumber(lambda)} w at every step, not scaled by \u03b7: that pull towards 0 ` +
          `balances Adam's step near, not at, the minimum, so AdamW may never reach L \u2212 L* < ${powerOfTen(Math.log10(TARGET_GAP))} here. Set \u03bb to 0 to see Adam again.`;
    }

    // The optimizer whose update the map draws as arrows: the reader's choice while it is shown, else the first shown.
    arrowOwner() {
      const names = Object.keys(this.explanations || {});
      return names.includes(this.arrowsOf) ? this.arrowsOf : names[0] || null;
    }

    // The readout of the update about to be made, in the chapter's notation.
    updateExplanation() {
      const box = this.explainBox;
      box.replaceChildren();
      const entries = Object.entries(this.explanations || {});
      if (!entries.length) {
        box.append(el("p", { className: "race-help", text: this.t >= this.horizon ? "The race is over: Reset or choose a longer race to see an update explained." : "Tick an optimizer to see its next update explained." }));
        return;
      }
      box.append(el("p", { className: "race-explain-title", text: `The update from step ${this.t} to ${this.t + 1}` }));
      box.append(this.arrowChooser(entries.map(([name]) => name)));
      box.append(this.arrowLegend(this.explanations[this.arrowOwner()]));
      const table = el("table", { className: "race-table race-explain-table" });
      const columns = ["Optimizer", "\u03b7\u209c", "g", "momentum, moments", "step size s per coordinate", "largest curvature of the step", "stable below", "this update"];
      table.append(el("thead", {}, el("tr", {}, ...columns.map((text) => el("th", { scope: "col", text })))));
      const body = el("tbody");
      for (const [name, e] of entries) {
        const which = e.adaptive ? "\u03bb\u2098\u2090\u2093(diag(s)H)" : "\u03b7\u209c\u03bb\u2098\u2090\u2093(H)";
        const limit = e.limit === null ? "\u2014" : readoutNumber(e.limit);
        const cells = [
          readoutNumber(e.lr),
          short(e.gradient),
          describeMoments(name, e.after),
          short(e.effectiveLr),
          `${which} = ${readoutNumber(e.stepCurvature)}`,
          e.limit === null || limit === e.formula ? limit : `${limit} = ${e.formula}`,
          e.stable === null ? "no known limit" : e.stable ? "stable" : "unstable: above the limit",
        ];
        body.append(el("tr", {}, el("th", { scope: "row" }, this.swatch(name), document.createTextNode(` ${name}`)),
          ...cells.map((text, i) => el("td", { className: "race-num", "data-label": columns[i + 1], text }))));
      }
      table.append(body);
      // A region that may scroll sideways takes the focus, so a keyboard can scroll it.
      box.append(el("div", { className: "race-explain-wrap", tabindex: 0, role: "region", "aria-label": "Numbers of the update" }, table));
      box.append(el("p", {
        className: "race-help",
        text: "\u03bb\u2098\u2090\u2093 is the largest eigenvalue of the full Hessian H at w\u209c (for the adaptive methods, of the " +
          "preconditioned Hessian diag(s)H, s their step sizes): the update is stable on a quadratic with that curvature " +
          "when it is below the limit of its method.",
      }));
    }

    // The menu that picks whose update the map draws as arrows.
    arrowChooser(names) {
      const id = `${this.id}-arrows`;
      const select = el("select", { id });
      for (const name of names) select.append(el("option", { value: name, text: name }));
      select.value = this.arrowOwner();
      select.addEventListener("change", () => {
        this.arrowsOf = select.value;
        this.drawing.draw();
        this.updateExplanation();
        this.explainBox.querySelector("select").focus();
      });
      return el("p", { className: "race-help" }, el("label", { for: id, text: "Arrows on the map for " }), select);
    }

    // What the arrows mean, and the scale they are drawn at.
    arrowLegend(e) {
      const list = el("p", { className: "race-help race-arrow-legend" });
      const words = {
        gradient: e.adaptive ? "the preconditioned gradient part" : "\u2212\u03b7\u209c g, the gradient part",
        momentum: "the momentum part",
        decay: "the decay \u2212\u03bbw",
        step: "\u0394w, the step: the sum of the parts",
      };
      for (const [kind, spec] of Object.entries(ARROWS)) {
        if (kind !== "step" && !e.terms[kind]) continue;
        const icon = svg("svg", { width: 30, height: 10, viewBox: "0 0 30 10", "aria-hidden": "true" });
        icon.append(svg("line", { x1: 1, y1: 5, x2: 23, y2: 5, stroke: "currentColor", "stroke-width": spec.width, "stroke-dasharray": spec.dash.join(" ") || "none" }));
        icon.append(svg("path", { d: "M29 5L21 1L21 9Z", fill: "currentColor" }));
        list.append(el("span", { className: "race-arrow-key" }, icon, document.createTextNode(` ${words[kind]}`)));
      }
      list.append(el("span", { className: "race-arrow-scale", text: ` ${this.drawing.arrowNote()}` }));
      return list;
    }

    // The theme's colours, read once per theme (reading CSS forces a style recalculation).
    palette() {
      return this.drawing.palette || (this.drawing.palette = this.drawing.colors());
    }

    paintSwatch(box, colors) {
      box.querySelector("line").setAttribute("stroke", colors.line[box.dataset.name]);
      box.querySelector("path").setAttribute("fill", colors.line[box.dataset.name]);
    }

    paintSwatches() {
      const colors = this.palette();
      for (const box of this.root.querySelectorAll(".race-swatch")) this.paintSwatch(box, colors);
    }

    resize() {
      const dpr = window.devicePixelRatio || 1;
      for (const canvas of [this.mapCanvas, this.lossCanvas]) {
        const width = Math.max(200, Math.floor(canvas.parentElement.clientWidth));
        const height = this.wide ? Math.round(Math.min(width * 0.75, window.innerHeight * 0.62)) : Math.round(width * 0.75);
        canvas.style.width = `${width}px`;
        canvas.style.height = `${height}px`;
        if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
          canvas.width = Math.round(width * dpr);
          canvas.height = Math.round(height * dpr);
          this.drawing.invalidate();
        }
      }
      this.paintSwatches();
      this.refresh();
    }
  }

  const instances = [];

  function mountAll() {
    for (const root of document.querySelectorAll("[data-optimizer-race]")) {
      if (root.dataset.raceMounted) continue;
      root.dataset.raceMounted = "true";
      const race = new Race(root);
      instances.push(race);
      if (instances.length > 1) continue;
      // The first applet of a page owns its URL fragment, and the page's
      // buttons that set up a race (data-race-link, such as the race page's things to try).
      race.followLink();
      window.addEventListener("hashchange", () => race.followLink());
      for (const button of document.querySelectorAll("[data-race-link]"))
        button.addEventListener("click", () => {
          location.hash = button.dataset.raceLink;
        });
    }
  }

  Object.assign(R, { SETTINGS, instances, mountAll, TARGET_GAP });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
