/* The Optimizer Race, its drawing: the contour map and the loss plot on two canvases.
 *
 * Plots draws what a Race (race_ui.js) holds: the surface, the runs, the
 * optimizers shown and the current step. Contours follow
 * optlab.plotting.draw_surface (log-spaced levels of L - L*); colours, dash
 * patterns and markers are optlab's style table (race_data.js). What does
 * not change while a race plays (contours, axes, lines already drawn) is
 * drawn once and kept, so a frame draws only the new steps.
 */
(function () {
  "use strict";

  const R = window.OptimizerRace;
  if (R.Plots) return; // a page that embeds the applet twice loads this twice
  const STYLES = R.STYLES;

  // Lines are as wide as the chapter's (matplotlib's lines.linewidth) and, as
  // matplotlib does, dash lengths are counted in line widths.
  const LINE_WIDTH = 1.8;
  const dashes = (name) => STYLES[name].dash.map((d) => d * LINE_WIDTH);

  // On the dark theme, black disappears: SGD takes the text colour, and
  // AMSGrad the palette's own yellow that the light theme avoids.
  const DARK_COLORS = { SGD: "var(--race-fg)", AMSGrad: "#F0E442" };

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

  class Plots {
    constructor(race, mapCanvas, lossCanvas) {
      this.race = race;
      this.mapCanvas = mapCanvas;
      this.lossCanvas = lossCanvas;
      this.spareLayers = {};
      this.invalidate();
    }

    // Colours of the current theme: the page's CSS variables and each optimizer's line colour.
    colors() {
      const style = getComputedStyle(this.race.root);
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
      const [x0, x1, y0, y1] = this.race.surface.window;
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

    // Forget the loss range and the lines drawn: after the runs or the optimizers shown changed.
    forgetRuns() {
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

    // An off-screen canvas of the size of `target`, filled with the background colour, in CSS pixels.
    blankLayer(target, colors) {
      const canvas = document.createElement("canvas");
      canvas.width = target.width;
      canvas.height = target.height;
      const ctx = canvas.getContext("2d");
      const f = this.frame(target);
      ctx.scale(f.dpr, f.dpr);
      ctx.fillStyle = colors.bg;
      ctx.fillRect(0, 0, f.width, f.height);
      return { canvas, ctx, f };
    }

    // Contours of L - L* (log-spaced levels, as optlab.plotting.draw_surface),
    // axes and minima, drawn once per surface, size and theme.
    drawBackground(colors) {
      const { canvas, ctx, f } = this.blankLayer(this.mapCanvas, colors);

      const s = this.race.surface;
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
      if (!layer || layer.t > this.race.t) {
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
      for (const opt of this.race.shown()) {
        const name = opt.name;
        const last = Math.min(this.race.t, lengthOf(name) - 1);
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
      layer.t = this.race.t;
      return layer.canvas;
    }

    drawMap(colors) {
      const canvas = this.mapCanvas;
      const ctx = canvas.getContext("2d", { alpha: false });
      const f = this.frame(canvas);
      const [x0, x1, y0, y1] = this.race.surface.window;
      const limit = 1e5;
      const clampPx = (v) => Math.max(-limit, Math.min(limit, v));
      const toPx = ([x, y]) => [clampPx(f.x + ((x - x0) / (x1 - x0)) * f.w), clampPx(f.y + ((y1 - y) / (y1 - y0)) * f.h)];
      const paths = (name) => this.race.runs[name].path;
      const lines = this.growLayer("map", f, colors, (name, i) => toPx(paths(name)[i]), (name) => paths(name).length, Math.round(this.race.horizon / 12));
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
      for (const opt of this.race.shown()) {
        const path = paths(opt.name);
        const [hx, hy] = toPx(path[Math.min(this.race.t, path.length - 1)]);
        const marker = markerPath2D(STYLES[opt.name].marker, 5);
        ctx.setTransform(f.dpr, 0, 0, f.dpr, f.dpr * hx, f.dpr * hy);
        ctx.fillStyle = colors.line[opt.name];
        ctx.fill(marker);
        ctx.stroke(marker);
      }
      ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
      const [sx, sy] = toPx(this.race.start);
      ctx.fillStyle = colors.fg;
      ctx.fillRect(sx - 4, sy - 4, 8, 8);
      ctx.strokeRect(sx - 4, sy - 4, 8, 8);
      ctx.restore();
    }

    // Decades shown on the loss plot: fixed for a race, so the axes stay put while it plays.
    computeLossRange() {
      let lo = Infinity;
      let hi = -Infinity;
      for (const opt of this.race.shown())
        for (const v of this.race.runs[opt.name].gap)
          if (v > 0 && Number.isFinite(v)) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
      if (!Number.isFinite(lo)) return [-3, 1];
      const first = Math.max(...this.race.shown().map((o) => this.race.runs[o.name].gap[0]).filter((v) => v > 0), 1e-300);
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
      const { canvas, ctx, f } = this.blankLayer(this.lossCanvas, colors);
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
      this.drawAxes(ctx, f, colors, niceTicks(0, this.race.horizon, 6), decades, [0, this.race.horizon, lo, hi], label, "step", "L \u2212 L*");
      return canvas;
    }

    drawLoss(colors) {
      const canvas = this.lossCanvas;
      const ctx = canvas.getContext("2d", { alpha: false });
      const f = this.frame(canvas);
      const xOf = (i) => f.x + (i / this.race.horizon) * f.w;
      const gaps = (name) => this.race.runs[name].gap;
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
      ctx.moveTo(xOf(this.race.t), f.y);
      ctx.lineTo(xOf(this.race.t), f.y + f.h);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  Object.assign(R, { Plots, markerPath, dashes, formatNumber, powerOfTen, LINE_WIDTH, DARK_COLORS });
})();
