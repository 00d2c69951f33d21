/* The Optimizer Race, its readout: the caption, the standings' numbers and the update explained, in words.
 *
 * Methods of Race (race_ui.js) that turn the model's values into text: the
 * caption (what is raced, how the map is scaled), each standings row, the
 * note on AdamW's decay, and the table of the update about to be made with
 * the arrows' chooser, legend and scale. Loaded before race_ui.js.
 */
(function () {
  "use strict";

  const R = window.OptimizerRace;
  if (R.Readout) return; // a page that embeds the applet twice loads this twice
  const { OPTIMIZERS, EPS } = R; // race_core.js
  const { formatNumber } = R; // race_input.js
  const { TARGET_GAP } = R; // race_model.js
  const { powerOfTen, ARROWS } = R; // race_marks.js
  const { el, svg, formatGap, formatCoordinate, pair, readoutNumber, short, describeMoments } = R.ui; // race_controls.js

  const Readout = {
    describeScale() {
      if (this.model.toScale) return "The map is drawn to scale.";
      const stretch = this.drawing.stretch();
      if (Math.abs(Math.log(stretch)) < Math.log(1.15)) return "The map is close to scale.";
      return `The map is not to scale: a unit of w\u2082 is drawn ${formatNumber(Number(stretch.toPrecision(2)))} times as long as a unit of w\u2081 (tick Equal scales to see its true shape).`;
    },

    updateText() {
      const s = this.model.surface;
      const start = pair(this.model.start);
      const shown = this.model.shown();
      const racing = shown.length
        ? shown
            .map((o) => {
              const d = this.model.runs[o.name].diverged;
              return `${o.name} (${this.model.describeHyper(o.name)})${d !== null && this.model.t >= d ? `, diverged at step ${d}` : ""}`;
            })
            .join("; ")
        : "no optimizer (tick one in the standings)";
      this.caption.textContent =
        `${s.name}, L(w) = ${s.formula}, from ${start}; step ${this.model.t} of ${this.model.horizon}; ${this.model.describeRace()}. ` +
        `The map shows contours of the loss, each whole race faintly and each race so far in bold; the loss plot, L \u2212 L* on a log scale. ` +
        `${this.describeScale()} Racing: ${racing}; \u03b5 = ${powerOfTen(Math.round(Math.log10(EPS)))} for the adaptive methods.`;
      this.stepCounter.textContent = `step ${this.model.t} / ${this.model.horizon}`;
      this.playButton.textContent = this.model.playing ? "Pause" : "Play";
      this.playButton.setAttribute("aria-label", this.model.playing ? "Pause the race" : "Play the race");
      this.mapCanvas.setAttribute("aria-label", `Contour map of the ${s.name} with ${shown.length} trajectories from ${start}; the minimum is marked with a star. Drag or use the arrow keys to move the start.`);
      this.lossCanvas.setAttribute("aria-label", `Loss gap L \u2212 L* against step, log scale, steps 0 to ${this.model.t}; the standings list each optimizer's current value.`);
      for (const opt of OPTIMIZERS) {
        const row = this.rows[opt.name];
        const r = this.model.runs[opt.name];
        const i = Math.min(this.model.t, r.path.length - 1);
        const diverged = r.diverged !== null && this.model.t >= r.diverged;
        const gap = diverged ? "diverged" : formatGap(r.gap[i]);
        const arrived = diverged ? `diverged at step ${r.diverged}` : r.arrived !== null && r.arrived <= this.model.t ? `step ${r.arrived}` : "\u2014";
        const w = `(${r.path[i].map(formatCoordinate).join(", ")})`;
        if (row.gapCell.textContent !== gap) row.gapCell.textContent = gap;
        if (row.arrivedCell.textContent !== arrived) row.arrivedCell.textContent = arrived;
        if (row.wCell.textContent !== w) row.wCell.textContent = w;
        row.checkbox.checked = this.model.visible[opt.name];
        row.tr.classList.toggle("race-off", !this.model.visible[opt.name]);
        row.card.classList.toggle("race-off", !this.model.visible[opt.name]);
      }
      this.describeDecay();
      if (!this.model.playing) this.updateExplanation();
    },

    // Why AdamW stops short of a minimum away from 0: its decay is -omega w, not -eta omega w.
    describeDecay() {
      const lambda = this.model.hyper.AdamW && this.model.hyper.AdamW.weight_decay;
      const away = !this.model.surface.minima.some(([x, y]) => x === 0 && y === 0);
      const show = Boolean(this.model.visible.AdamW && lambda > 0 && away);
      this.decayNote.hidden = !show;
      if (show)
        this.decayNote.textContent =
          `AdamW decays the weights by \u03c9w = ${formatNumber(lambda)} w at every step, not scaled by \u03b7: that pull towards 0 ` +
          `balances Adam's step near, not at, the minimum, so AdamW may never reach L \u2212 L* < ${powerOfTen(Math.log10(TARGET_GAP))} here. Set \u03bb to 0 to see Adam again.`;
    },

    // The readout of the update about to be made, in the chapter's notation.
    updateExplanation() {
      const box = this.explainBox;
      box.replaceChildren();
      const entries = Object.entries(this.model.explanations || {});
      if (!entries.length) {
        box.append(el("p", { className: "race-help", text: this.model.t >= this.model.horizon ? "The race is over: Reset or choose a longer race to see an update explained." : "Tick an optimizer to see its next update explained." }));
        return;
      }
      box.append(el("p", { className: "race-explain-title", text: `The update from step ${this.model.t} to ${this.model.t + 1}` }));
      box.append(this.arrowChooser(entries.map(([name]) => name)));
      box.append(this.arrowLegend(this.model.explanations[this.model.arrowOwner()]));
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
          e.stable === null ? "no known limit" : e.stable ? "stable" : e.leastCurvature <= 0 ? "unstable: negative curvature" : "unstable: above the limit",
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
    },

    // The menu that picks whose update the map draws as arrows.
    arrowChooser(names) {
      const id = `${this.id}-arrows`;
      const select = el("select", { id });
      for (const name of names) select.append(el("option", { value: name, text: name }));
      select.value = this.model.arrowOwner();
      select.addEventListener("change", () => {
        this.model.arrowsOf = select.value;
        this.refresh();
        this.explainBox.querySelector("select").focus();
      });
      return el("p", { className: "race-help" }, el("label", { for: id, text: "Arrows on the map for " }), select);
    },

    // What the arrows mean, and the scale they are drawn at.
    arrowLegend(e) {
      const list = el("p", { className: "race-help race-arrow-legend" });
      const words = {
        gradient: e.adaptive ? "the preconditioned gradient part" : "\u2212\u03b7\u209c g, the gradient part",
        momentum: "the momentum part",
        decay: "the decay \u2212\u03c9w",
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
    },
  };

  Object.assign(R, { Readout });
})();
