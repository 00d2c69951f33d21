/* The Optimizer Race, its stability map: how fast the explained optimizer's step contracts, over (eta, beta).
 *
 * Draws the model's stabilityMap() (race_model.js) beside the readout, in
 * the manner of Distill's "Why Momentum Really Works": each cell is the
 * convergence rate (the spectral radius of the step's iteration,
 * optlab.race.convergence_rate) at that learning rate (across, log scale)
 * and decay rate (up, evenly in -log10(1 - beta)), on the curvatures of the
 * update explained; blue converges (darker is faster), vermillion does not.
 * The circle is the current setting: a click, a drag or the arrow keys move
 * it, and the view hands the new eta and beta to its `pick` callback.
 */
(function () {
  "use strict";

  const R = window.OptimizerRace;
  if (R.StabilityView) return; // a page that embeds the applet twice loads this twice
  const { formatNumber } = R; // race_input.js
  const { FONT } = R; // race_marks.js
  const DATA = window.RACE_DATA;
  const SIZE = { width: 260, height: 180, left: 34, bottom: 26, top: 6, right: 6 };

  /** A cell's colour for convergence rate `rate`: blue shades below 1 (darker is faster), vermillion from 1 on. */
  function rateColor(rate) {
    if (!(rate < 1)) return "rgb(213, 94, 0)";
    const speed = Math.min(1, -Math.log10(1 - rate + 1e-12) / 3); // 0 fast ... 1 at 0.999
    const mix = (fast, slow) => Math.round(fast + (slow - fast) * speed);
    return `rgb(${mix(0, 222)}, ${mix(80, 235)}, ${mix(150, 247)})`;
  }

  class StabilityView {
    // pick(name, settings): the reader chose settings {lr, and the beta's key if the method has one} for optimizer name.
    constructor(id, pick) {
      this.pick = pick;
      this.canvas = document.createElement("canvas");
      this.canvas.className = "race-stability-map";
      this.canvas.tabIndex = 0;
      this.canvas.setAttribute("role", "application");
      this.canvas.setAttribute("aria-roledescription", "stability map");
      this.caption = document.createElement("p");
      this.caption.className = "race-help";
      this.caption.id = `${id}-stability`;
      this.canvas.setAttribute("aria-describedby", this.caption.id);
      this.box = document.createElement("section");
      this.box.className = "race-stability";
      this.box.setAttribute("aria-label", "Stability map");
      this.box.append(this.canvas, this.caption);
      this.map = null;
      this.watch();
    }

    // Pixel box of the grid, in CSS pixels.
    grid() {
      return { x: SIZE.left, y: SIZE.top, w: SIZE.width - SIZE.left - SIZE.right, h: SIZE.height - SIZE.top - SIZE.bottom };
    }

    // Grid fractions (0..1 across, 0..1 up) of a learning rate and a decay rate, and back.
    static toFractions(lr, beta) {
      const { lr: l, beta: b } = DATA.ranges;
      return [Math.log(lr / l.min) / Math.log(l.max / l.min), -Math.log10(1 - Math.min(beta, b.max)) / -Math.log10(1 - b.max)];
    }

    static fromFractions(u, v) {
      const { lr: l, beta: b } = DATA.ranges;
      const clamp = (x) => Math.max(0, Math.min(1, x));
      const lr = Number((l.min * (l.max / l.min) ** clamp(u)).toPrecision(3));
      const beta = Number((1 - 10 ** (clamp(v) * Math.log10(1 - b.max))).toPrecision(4));
      return [lr, Math.min(b.max, beta)];
    }

    draw(map, colors) {
      this.map = map;
      this.box.hidden = !map;
      if (!map) return;
      const dpr = window.devicePixelRatio || 1;
      const c = this.canvas;
      c.style.width = `${SIZE.width}px`;
      c.style.height = `${SIZE.height}px`;
      c.width = Math.round(SIZE.width * dpr);
      c.height = Math.round(SIZE.height * dpr);
      const ctx = c.getContext("2d");
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = colors.bg;
      ctx.fillRect(0, 0, SIZE.width, SIZE.height);
      const g = this.grid();
      const cw = g.w / map.lrs.length;
      const ch = g.h / map.betas.length;
      map.rates.forEach((row, j) => row.forEach((rate, i) => {
        ctx.fillStyle = rateColor(rate);
        ctx.fillRect(g.x + i * cw, g.y + g.h - (j + 1) * ch, cw + 0.5, ch + 0.5);
      }));
      const [u, v] = StabilityView.toFractions(map.lr, map.beta === null ? 0.5 : map.beta);
      const [px, py] = [g.x + u * g.w, g.y + g.h - (map.beta === null ? 0.5 : v) * g.h];
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = "#ffffff";
      ctx.beginPath();
      ctx.arc(px, py, 6, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = "#000000";
      ctx.stroke();
      ctx.fillStyle = colors.fg;
      ctx.font = FONT(11);
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      ctx.fillText("\u03b7 (log scale)", g.x + g.w / 2, g.y + g.h + 12);
      ctx.fillText(formatNumber(DATA.ranges.lr.min), g.x + 14, g.y + g.h + 2);
      ctx.fillText(formatNumber(DATA.ranges.lr.max), g.x + g.w - 6, g.y + g.h + 2);
      ctx.save();
      ctx.translate(10, g.y + g.h / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(map.betaKey ? `${DATA.fields[map.betaKey].symbol}: 0 to ${formatNumber(DATA.ranges.beta.max)}` : "(no \u03b2)", 0, -4);
      ctx.restore();
      this.describe(map);
    }

    describe(map) {
      const where = map.surface === "quadratic" ? "the bowl's curvatures (exact: its Hessian is constant)" : "the curvatures of the Hessian at w\u209c";
      const pre = map.adaptive ? ", preconditioned by its step sizes" : "";
      const beta = map.betaKey ? `, ${DATA.fields[map.betaKey].symbol} ${formatNumber(map.beta)}` : "";
      this.caption.textContent =
        `Stability map of ${map.name}: its rate of convergence per step over \u03b7 (across) and ${map.betaKey ? DATA.fields[map.betaKey].symbol : "\u03b2, which its step does not have"} (up), ` +
        `on ${where}${pre}. Blue converges (darker is faster), vermillion does not. The circle is \u03b7 ${formatNumber(map.lr)}${beta}: ` +
        `rate ${map.rate.toFixed(3)}${map.rate < 1 ? "" : ", not converging"}. Click, drag or use the arrow keys on the map to move it.`;
      this.canvas.setAttribute("aria-label", `Stability map of ${map.name}`);
    }

    // Set the map's optimizer to the learning rate and decay rate at grid fractions (u, v).
    setAt(u, v) {
      const map = this.map;
      if (!map) return;
      const [lr, beta] = StabilityView.fromFractions(u, v);
      this.pick(map.name, { lr, ...(map.betaKey ? { [map.betaKey]: beta } : {}) });
    }

    watch() {
      const fractions = (event) => {
        const rect = this.canvas.getBoundingClientRect();
        const g = this.grid();
        return [(event.clientX - rect.left - g.x) / g.w, (g.y + g.h - (event.clientY - rect.top)) / g.h];
      };
      let dragging = false;
      this.canvas.addEventListener("pointerdown", (event) => {
        dragging = true;
        this.canvas.setPointerCapture(event.pointerId);
        this.setAt(...fractions(event));
      });
      this.canvas.addEventListener("pointermove", (event) => dragging && this.setAt(...fractions(event)));
      for (const type of ["pointerup", "pointercancel"]) this.canvas.addEventListener(type, () => (dragging = false));
      this.canvas.addEventListener("keydown", (event) => {
        const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
        if (!this.map || !moves[event.key]) return;
        event.preventDefault();
        const [u, v] = StabilityView.toFractions(this.map.lr, this.map.beta === null ? 0 : this.map.beta);
        const step = event.shiftKey ? 0.1 : 0.02;
        this.setAt(u + moves[event.key][0] * step, v + moves[event.key][1] * step);
      });
    }
  }

  Object.assign(R, { StabilityView, rateColor });
})();
