/* The Optimizer Race, its axes: the map's background (shading, contours, minima, ticks) and the loss plot.
 *
 * Methods of Plots (race_draw.js), kept apart because they draw once per
 * surface, size, scale, theme or loss range, not per frame: the contours of
 * L - L* (log-spaced levels, as optlab.plotting.draw_surface), the axes, and
 * the loss plot's decades, floor and current-step line.
 */
(function () {
  "use strict";

  const R = window.OptimizerRace;
  if (R.Plots.prototype.drawAxes) return; // a page that embeds the applet twice loads this twice
  const { rgbOf, markerPath2D, niceTicks, powerOfTen, FONT } = R; // race_marks.js
  const GRID_CELLS = 12000; // a laptop's map has about 9000 cells of 3 px

  Object.assign(R.Plots.prototype, {
    /* ---- the map's background ---- */

    // Contours of L - L* (log-spaced levels, as optlab.plotting.draw_surface),
    // axes and minima, drawn once per surface, size, scale and theme.
    drawBackground(colors) {
      const { canvas, ctx, f } = this.layer("map", "background", false);
      const s = this.snap.surface;
      const [x0, x1, y0, y1] = this.view();
      // The gap on a grid of 3 px cells, or wider cells on a map so large that
      // it would have over GRID_CELLS of them (full width on a big screen): its
      // contours cost what a laptop's do, in segments a few pixels longer.
      const cell = Math.max(3, Math.sqrt((f.w * f.h) / GRID_CELLS));
      const nx = Math.max(40, Math.round(f.w / cell));
      const ny = Math.max(30, Math.round(f.h / cell));
      const gap = new Float64Array((nx + 1) * (ny + 1));
      let top = -Infinity;
      let lowest = Infinity;
      for (let j = 0; j <= ny; j++)
        for (let i = 0; i <= nx; i++) {
          const value = R.gap(s, x0 + ((x1 - x0) * i) / nx, y1 - ((y1 - y0) * j) / ny);
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

      // Filled bands, the darker the higher the loss; light enough that a line's halo shows against every band.
      const image = ctx.createImageData(nx + 1, ny + 1);
      const rgb = rgbOf(colors.shade);
      for (let n = 0; n < logGap.length; n++) {
        const band = Math.max(0, Math.min(levels, Math.floor(((logGap[n] - logLo) / (logHi - logLo)) * (levels - 1)) + 1));
        image.data.set([rgb[0], rgb[1], rgb[2], Math.round((255 * 0.16 * band) / levels)], n * 4);
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

      // Minima as white stars with a dark edge.
      for (const minimum of s.minima) {
        const [mx, my] = this.toPixels(minimum);
        ctx.setTransform(f.dpr, 0, 0, f.dpr, f.dpr * mx, f.dpr * my);
        const star = markerPath2D("*", 7);
        ctx.fillStyle = "#ffffff";
        ctx.strokeStyle = "#000000";
        ctx.lineWidth = 1;
        ctx.fill(star);
        ctx.stroke(star);
      }
      ctx.restore();

      // Ticks of the window drawn (wider than the surface's with equal scales).
      this.drawAxes(ctx, f, colors, { ...f.axes, xticks: niceTicks(x0, x1, 6), yticks: niceTicks(y0, y1, 5) }, [x0, x1, y0, y1]);
      return canvas;
    },

    drawAxes(ctx, f, colors, axes, [x0, x1, y0, y1]) {
      ctx.save();
      ctx.strokeStyle = colors.muted;
      ctx.fillStyle = colors.fg;
      ctx.lineWidth = 1;
      ctx.strokeRect(f.x, f.y, f.w, f.h);
      ctx.font = FONT(f.size);
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      for (const v of axes.xticks) {
        const x = f.x + ((v - x0) / (x1 - x0)) * f.w;
        ctx.beginPath();
        ctx.moveTo(x, f.y + f.h);
        ctx.lineTo(x, f.y + f.h + 4);
        ctx.stroke();
        ctx.fillText(axes.label(v, false), x, f.y + f.h + 6);
      }
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      for (const v of axes.yticks) {
        const y = f.y + ((y1 - v) / (y1 - y0)) * f.h;
        ctx.beginPath();
        ctx.moveTo(f.x - 4, y);
        ctx.lineTo(f.x, y);
        ctx.stroke();
        ctx.fillText(axes.label(v, true), f.x - 6, y);
      }
      // Axis names in the margins' outer bands, clear of the tick labels.
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      ctx.fillText(axes.xname, f.x + f.w / 2, f.height - 2);
      ctx.translate(f.size * 0.7 + 1, f.y + f.h / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = "middle";
      ctx.fillText(axes.yname, 0, 0);
      ctx.restore();
    },

    /* ---- the loss plot ---- */

    // Decades shown on the loss plot: fixed for a race, so the axes stay put
    // while it plays, and never below the reader's floor (values under it
    // are drawn on it).
    computeLossRange() {
      let lo = Infinity;
      let hi = -Infinity;
      const { shown, runs } = this.snap;
      for (const name of shown)
        for (const v of runs[name].gap)
          if (v > 0 && Number.isFinite(v)) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
      const floor = this.snap.floor;
      if (!Number.isFinite(lo)) return [Math.max(floor, -3), Math.max(floor + 1, 1)];
      const first = Math.max(...shown.map((name) => runs[name].gap[0]).filter((v) => v > 0), 1e-300);
      let top = Math.ceil(Math.log10(Math.min(hi, first * 1e4)));
      const bottom = Math.max(Math.floor(Math.log10(lo)), floor);
      if (top <= bottom) top = bottom + 1;
      return [bottom, top];
    },

    // True when some shown run goes below the floor of the loss plot.
    belowFloor() {
      const limit = 10 ** this.lossRange[0];
      return this.snap.shown.some((name) => this.snap.runs[name].gap.some((v) => v < limit));
    },

    // Position of a loss value on the loss plot, clamped to the decades shown.
    lossY(f, v) {
      const [lo, hi] = this.lossRange;
      const logv = v > 0 ? Math.log10(v) : -Infinity;
      return f.y + ((hi - Math.max(lo, Math.min(hi, logv))) / (hi - lo)) * f.h;
    },

    // Axes, decade lines, labels and the floor of the loss plot, drawn once per range, size and theme.
    drawLossBackground(colors) {
      const { canvas, ctx, f } = this.layer("loss", "background", false);
      const [lo, hi] = this.lossRange;
      ctx.strokeStyle = colors.grid;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (const k of f.axes.yticks) {
        const y = this.lossY(f, 10 ** k);
        ctx.moveTo(f.x, y);
        ctx.lineTo(f.x + f.w, y);
      }
      ctx.stroke();
      if (this.crossesFloor) {
        // The floor: a dashed line, labelled, where every smaller value is drawn.
        const y = this.lossY(f, 10 ** lo);
        ctx.strokeStyle = colors.muted;
        ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.moveTo(f.x, y - 1);
        ctx.lineTo(f.x + f.w, y - 1);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = colors.fg;
        ctx.font = FONT(Math.max(11, f.size - 2));
        ctx.textAlign = "right";
        ctx.textBaseline = "bottom";
        ctx.fillText(`values below ${powerOfTen(lo)} are drawn on this line`, f.x + f.w - 4, y - 4);
      }
      this.drawAxes(ctx, f, colors, f.axes, [0, this.snap.horizon, lo, hi]);
      return canvas;
    },

    drawLoss(colors) {
      const layer = this.grow("loss", colors, 0);
      const { ctx, f } = this.compose("loss", this.lossBackground, layer);
      const x = f.x + (this.snap.t / this.snap.horizon) * f.w;
      ctx.strokeStyle = colors.muted;
      ctx.lineWidth = 1;
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(x, f.y);
      ctx.lineTo(x, f.y + f.h);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  });
})();
