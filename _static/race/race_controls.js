/* The Optimizer Race, its controls: the DOM the applet builds, and the fields' values shown in it.
 *
 * Methods of Race (race_ui.js), kept apart from its events: the bar (Play,
 * Step, More, ...), the standings (the legend), each optimizer's card of
 * settings (a field and a slider each), the setup (noise, schedule, view,
 * link), the parts a teacher's link may hide, and the swatches. Also the
 * small DOM and number helpers the readout (race_readout.js) shares, as
 * OptimizerRace.ui. Loaded before race_ui.js.
 */
(function () {
  "use strict";

  const R = window.OptimizerRace;
  if (R.Controls) return; // a page that embeds the applet twice loads this twice
  const { SURFACES, OPTIMIZERS, HORIZONS, STYLES } = R; // race_core.js
  const { formatNumber, VIEW } = R; // race_input.js
  const { TARGET_GAP } = R; // race_model.js
  const { markerPath, powerOfTen } = R; // race_marks.js
  const { dashes, LINE_WIDTH } = R; // race_draw.js
  const DATA = window.RACE_DATA;
  const RANGES = DATA.ranges;
  const BY_NAME = Object.fromEntries(OPTIMIZERS.map((o) => [o.name, o]));

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

  // Every number in a table is written with a true minus sign (U+2212), which no line breaks after.
  const minus = (text) => text.replace(/-/g, "\u2212");
  const formatGap = (v) => (v === 0 ? "0" : minus(v.toExponential(2)));
  // A coordinate fits its cell whatever its size: three decimals, or three significant digits in exponent form.
  function formatCoordinate(v) {
    if (Math.abs(v) < 1000) return v.toFixed(3) === "-0.000" ? "0.000" : minus(v.toFixed(3));
    return minus(v.toExponential(2));
  }
  const pair = (v) => `(${v.map(formatNumber).join(", ")})`;
  // Every number of the readout: four significant digits, enough to compare a step size with a
  // limit and short enough for a phone; exponent form outside 0.001 to 99999, with a true minus sign.
  function readoutNumber(v) {
    if (v === 0 || !Number.isFinite(v)) return String(v);
    const a = Math.abs(v);
    return minus(a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(3).replace(/\.?0+e/, "e"));
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

  const Controls = {
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
      this.stability = new R.StabilityView(this.id, (name, settings) => {
        this.change(() => (this.model.hyper[name] = { ...this.model.hyper[name], ...settings }), name);
        this.syncInputs();
      });
      root.append(this.intro, this.stage, this.help, this.caption, this.explainBox, this.stability.box, this.setup);
      this.describeHelp();
      // What the first sight leaves out, and what a teacher's link may hide (race_input.js's HIDEABLE).
      for (const node of [surfaceLabel, this.surfaceSelect, this.resetButton, this.stepCounter, this.wideButton,
        this.help, this.caption, this.explainBox, this.stability.box, this.setup])
        node.classList.add("race-more-only");
      this.parts = {
        surface: [surfaceLabel, this.surfaceSelect], play: [this.playButton], step: [this.stepButton], reset: [this.resetButton],
        more: [this.moreButton], fullwidth: [this.wideButton], standings: [this.standings.parentElement],
        settings: [this.stage.querySelector(".race-settings")], readout: [this.explainBox, this.stability.box], setup: [this.setup],
        help: [this.intro, this.help, this.caption],
      };
    },

    // The first sight (more false): the optimizers shown, their settings, Play and Step, the map and its legend.
    setMore(on) {
      this.model.more = on;
      this.root.classList.toggle("race-simple", !on);
      this.moreButton.setAttribute("aria-expanded", String(on));
      this.moreButton.textContent = on ? "Less" : "More";
    },

    // Hide the parts a teacher's link names; show the others.
    hideParts(names) {
      this.model.hidden = names.slice();
      for (const [name, nodes] of Object.entries(this.parts)) for (const node of nodes) node.classList.toggle("race-hidden", names.includes(name));
    },

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
    },

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
    },

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
    },

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
    },

    swatch(name) {
      const s = STYLES[name];
      const box = svg("svg", { width: 34, height: 14, viewBox: "0 0 34 14", "aria-hidden": "true", class: "race-swatch", "data-name": name });
      const line = svg("line", { x1: 1, y1: 7, x2: 33, y2: 7, "stroke-width": LINE_WIDTH, "stroke-dasharray": dashes(name).join(" ") || "none" });
      const marker = svg("path", { d: markerPath(s.marker, 4), transform: "translate(17 7)" });
      box.append(line, marker);
      if (this.drawing) this.paintSwatch(box, this.palette());
      return box;
    },

    describeHelp() {
      this.help.textContent =
        "Drag the start point (the square) with a mouse or a finger; a tap or a swipe elsewhere on the map leaves it, so the page scrolls. " +
        "With the map focused: arrow keys move the start (Shift for larger moves, Home for the default), " +
        "Space or Enter plays and pauses, and the full stop key takes a single step. The race restarts from step 0 " +
        "whenever the start or a setting changes; the faint lines show each whole race at once.";
    },

    // Put every field, slider and menu back to the value the race uses.
    syncInputs() {
      const show = (control, key, value) => {
        control.input.value = String(value); // in full: the value in use, not a rounding of it
        control.slider.value = String(Math.round(SETTINGS[key].scale.toSlider(value)));
      };
      for (const opt of OPTIMIZERS) {
        const row = this.rows[opt.name];
        for (const key of Object.keys(row.inputs)) show({ input: row.inputs[key], slider: row.sliders[key] }, key, this.model.hyper[opt.name][key]);
        row.checkbox.checked = this.model.visible[opt.name];
      }
      show(this.noise, "sigma", this.model.sigma);
      this.seedInput.value = String(this.model.seed);
      this.startInputs.forEach((input, i) => (input.value = String(this.model.start[i])));
      this.surfaceSelect.value = this.model.surface.key;
      this.horizonSelect.value = String(this.model.horizon);
      this.scheduleSelect.value = this.model.schedule;
      this.speedSelect.value = String(this.model.speed);
      this.floorSelect.value = String(this.model.floor);
      this.scaleBox.checked = this.model.toScale;
    },

    paintSwatch(box, colors) {
      box.querySelector("line").setAttribute("stroke", colors.line[box.dataset.name]);
      box.querySelector("path").setAttribute("fill", colors.line[box.dataset.name]);
    },

    paintSwatches() {
      const colors = this.palette();
      for (const box of this.root.querySelectorAll(".race-swatch")) this.paintSwatch(box, colors);
    },

    // The theme's colours, read once per theme (reading CSS forces a style recalculation).
    palette() {
      return this.drawing.palette || (this.drawing.palette = this.drawing.colors());
    },
  };

  Object.assign(R, {
    Controls, SETTINGS,
    ui: { el, svg, formatGap, formatCoordinate, pair, readoutNumber, short, describeMoments },
  });
})();
