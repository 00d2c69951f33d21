/* The Optimizer Race, its drawing: the contour map and the loss plot on two canvases.
 *
 * Plots draws a snapshot of the race (RaceModel.snapshot(), race_model.js):
 * the surface, the runs, the optimizers shown, the current step and, while
 * the race is paused, the update about to be made. It keeps what it drew and
 * compares each snapshot with the last, so it redraws only what changed;
 * the applet tells it only what the snapshot cannot: a new size or theme
 * (invalidate) and whether a slider is moving (setCoarse). Contours follow optlab.plotting.draw_surface
 * (log-spaced levels of L - L*); colours, dash patterns and markers are
 * optlab's style table (race_data.js).
 *
 * Layers, from the bottom: the background (shading, contours, minima, axes;
 * redrawn when the surface, size, theme or scale changes), the faint whole
 * runs (redrawn when a run shown changes), and the race so far, a halo under a
 * line, which only grows while the race plays: a frame draws the new steps
 * alone. Every line lies on a halo of black or white, whichever contrasts
 * more with its colour (at least 4.5:1 for any colour), so a path stays
 * visible over any shade of the map.
 */
(function () {
  "use strict";

  const R = window.OptimizerRace;
  if (R.Plots) return; // a page that embeds the applet twice loads this twice
  const STYLES = R.STYLES;
  const { haloFor, markerPath2D, fontSize, FONT, niceTicks, decadeTicks, powerOfTen, ARROWS, arrowScale, clipSegment, edgeStub, arrow, pathInk, polyline } = R; // race_marks.js
  const formatNumber = R.formatNumber; // race_input.js

  // Lines are as wide as the chapter's (matplotlib's lines.linewidth) and, as
  // matplotlib does, dash lengths are counted in line widths.
  const LINE_WIDTH = 1.8;
  const HALO_WIDTH = LINE_WIDTH + 2;
  const GHOST_WIDTH = 1.1; // the whole race, thinner than the race so far
  // Paths are stroked in pieces of this many steps: one long self-crossing
  // path (RMSProp's 3000 steps on the bowl cross themselves thousands of
  // times) is ten times slower to stroke than the same path in short pieces.
  const PIECE = 32;
  // While a slider moves, paths are drawn coarse: every stride-th point, at
  // most about COARSE_POINTS points a path, in pieces of COARSE_PIECE steps;
  // race_ui.js asks for the fine drawing when the slider stops.
  const COARSE_POINTS = 300;
  const COARSE_PIECE = 512;
  // The time to stroke a path grows with its length in device pixels (its
  // ink), and a noisy run's 3000 steps can each cross half the map: at
  // sigma = 100 the eight whole runs and races so far are 300 map diagonals
  // of ink each, over half a second to draw. A path keeps every stride-th
  // point, the stride chosen so that its ink stays under this many device
  // pixels (24 diagonals of a laptop's map drawn fine, 4 coarse): a path that
  // long covers the plot many times over, so what is left out is a scribble
  // inside a scribble. The loss plot also skips, in each pixel column, the
  // points within the extent already drawn there.
  const INK = { fine: 15000, coarse: 2500 };
  const dashes = (name) => STYLES[name].dash.map((d) => d * LINE_WIDTH);
  // A canvas holds at most PIXEL_BUDGET device pixels. Drawing without a GPU
  // costs time in proportion to the pixels, and a full-width plot on a 2x
  // screen has 2.5 million (20 times a laptop's): it is drawn at the ratio
  // that fills the budget (about 1.25 there; a line or a letter a little
  // softer, the same layout), never below one device pixel a CSS pixel. A
  // laptop's or a phone's plot, even at 2x or 3x, is under the budget and
  // drawn at the screen's full ratio.
  const PIXEL_BUDGET = 1e6;
  const pixelRatio = (width, height) =>
    Math.min(window.devicePixelRatio || 1, Math.max(1, Math.sqrt(PIXEL_BUDGET / (width * height))));

  // On the dark theme, black disappears: SGD takes the text colour, and
  // AMSGrad the palette's own yellow that the light theme avoids.
  const DARK_COLORS = { SGD: "var(--race-fg)", AMSGrad: "#F0E442" };


  // A number for each run object, so a snapshot's runs can be compared with the last ones drawn.
  const runIds = new WeakMap();
  let lastRunId = 0;
  const runId = (run) => runIds.get(run) || (runIds.set(run, ++lastRunId), lastRunId);

  /* ------------------------------------------------------------------- plots */

  class Plots {
    constructor(root, mapCanvas, lossCanvas) {
      this.root = root;
      this.mapCanvas = mapCanvas;
      this.lossCanvas = lossCanvas;
      this.spare = {};
      this.arrows = [];
      this.arrowScale = null;
      this.coarse = { map: false, loss: false }; // per plot: the applet refines one plot at a time
      this.ghosts = {};
      this.ghostsFrom = {};
      this.labels = {};
      this.layers = {};
      this.snap = null; // the snapshot drawn last
      this.keys = {}; // what the layers kept were drawn from
      this.invalidate();
    }

    // Colours of the current theme: the page's CSS variables, each optimizer's line colour and halo.
    colors() {
      const style = getComputedStyle(this.root);
      const get = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
      const dark = document.documentElement.dataset.theme === "dark";
      const fg = get("--race-fg", "#222222");
      const line = {};
      const halo = {};
      for (const [name, s] of Object.entries(STYLES)) {
        const override = dark ? DARK_COLORS[name] : null;
        line[name] = override === "var(--race-fg)" ? fg : override || s.color;
        halo[name] = haloFor(line[name]);
      }
      return {
        dark,
        fg,
        bg: get("--race-bg", "#ffffff"),
        muted: get("--race-muted", "#646464"),
        grid: get("--race-grid", "rgba(0,0,0,0.1)"),
        contour: get("--race-contour", "#8c8c8c"),
        shade: get("--race-shade", "#000000"),
        line,
        halo,
      };
    }

    /* ---- geometry ---- */

    // The window of the map: the surface's, widened along one axis when the
    // reader asks for equal scales on both axes (a unit of w1 as long as a unit of w2).
    view() {
      const [x0, x1, y0, y1] = this.snap.surface.window;
      const canvas = this.mapCanvas;
      if (!this.snap.toScale || !canvas.width) return [x0, x1, y0, y1];
      const f = this.frame("map");
      const perX = f.w / (x1 - x0);
      const perY = f.h / (y1 - y0);
      if (perY > perX) {
        const half = (f.h / perX) / 2;
        const mid = (y0 + y1) / 2;
        return [x0, x1, mid - half, mid + half];
      }
      const half = (f.w / perY) / 2;
      const mid = (x0 + x1) / 2;
      return [mid - half, mid + half, y0, y1];
    }

    // How many times longer a unit of w2 is drawn than a unit of w1 in the surface's own window.
    stretch() {
      const [x0, x1, y0, y1] = this.snap.surface.window;
      const f = this.frame("map");
      return f.h / (y1 - y0) / (f.w / (x1 - x0));
    }

    // Ticks and labels of a plot: what the margins are measured from.
    axesOf(kind) {
      if (kind === "map") {
        const [x0, x1, y0, y1] = this.snap.surface.window;
        return {
          xticks: niceTicks(x0, x1, 6), yticks: niceTicks(y0, y1, 5), label: formatNumber, xname: "w\u2081", yname: "w\u2082",
        };
      }
      const [lo, hi] = this.lossRange || [-3, 1];
      return {
        xticks: niceTicks(0, this.snap.horizon, 6), yticks: decadeTicks(lo, hi),
        label: (v, isY) => (isY ? powerOfTen(v) : String(v)), xname: "step", yname: "L \u2212 L*",
      };
    }

    // Plot rectangle (CSS pixels) of the "map" or "loss" canvas, with margins
    // wide enough for its tick labels at the font size of its width.
    frame(kind) {
      const cached = this.frames[kind];
      if (cached) return cached;
      const canvas = kind === "map" ? this.mapCanvas : this.lossCanvas;
      const dpr = canvas.width / (parseFloat(canvas.style.width) || canvas.width || 1);
      const width = canvas.width / dpr;
      const height = canvas.height / dpr;
      const size = fontSize(width);
      const ctx = canvas.getContext("2d");
      ctx.font = FONT(size);
      const axes = this.axesOf(kind);
      const widest = Math.max(...axes.yticks.map((v) => ctx.measureText(axes.label(v, true)).width), 0);
      const lastX = ctx.measureText(axes.label(axes.xticks[axes.xticks.length - 1] ?? 0, false)).width;
      const left = Math.ceil(size * 1.4 + widest + 10);
      const box = { left, right: Math.ceil(Math.max(10, lastX / 2 + 4)), top: Math.ceil(size * 0.7 + 4), bottom: Math.ceil(size * 2.6 + 12) };
      const f = { dpr, width, height, size, axes, x: box.left, y: box.top, w: width - box.left - box.right, h: height - box.top - box.bottom };
      return (this.frames[kind] = f);
    }

    // Data coordinates of a point given in CSS pixels of the map, or null outside the plot.
    toData(px, py) {
      const f = this.frame("map");
      const [x0, x1, y0, y1] = this.view();
      const u = (px - f.x) / f.w;
      const v = (py - f.y) / f.h;
      if (u < 0 || u > 1 || v < 0 || v > 1) return null;
      return [x0 + u * (x1 - x0), y1 - v * (y1 - y0)];
    }

    // CSS pixels of a data point on the map, kept within a large box so a
    // diverging path does not overflow the canvas's coordinates.
    toPixels([x, y]) {
      const f = this.frame("map");
      const [x0, x1, y0, y1] = this.view();
      const clamp = (v) => Math.max(-1e5, Math.min(1e5, v));
      return [clamp(f.x + ((x - x0) / (x1 - x0)) * f.w), clamp(f.y + ((y1 - y) / (y1 - y0)) * f.h)];
    }

    /* ---- what is kept between frames ---- */

    // Forget everything drawn once and kept: after a change of theme or size.
    invalidate() {
      this.geometryCache = new WeakMap(); // pixels depend on the size and the window
      this.palette = null;
      this.frames = {};
      this.keys = {};
    }

    // Draw the paths of the plots `kinds` coarse (while a slider moves) or fine: the next draw redraws them.
    setCoarse(on, kinds = ["map", "loss"]) {
      for (const kind of kinds) this.coarse[kind] = on;
    }

    /**
     * Draw snapshot `snap` on both canvases. Each layer kept is drawn again
     * only when what it shows differs from the last snapshot's: the map's
     * background when the surface or the scale changes, the loss plot's
     * when its decades change, the whole runs when a run shown or the
     * drawing's coarseness changes (or the step goes back before them);
     * the race so far grows with the step.
     */
    draw(snap) {
      this.snap = snap;
      if (!this.mapCanvas.width || !this.mapCanvas.style.width) return;
      if (!this.palette) this.palette = this.colors();
      const window = `${snap.surface.key} ${snap.toScale}`;
      if (this.keys.window !== window) {
        this.geometryCache = new WeakMap();
        this.frames = {};
        this.background = this.drawBackground(this.palette);
        this.keys = { window };
      }
      const runs = `${snap.floor} ${snap.horizon} ${snap.shown.map((name) => `${name}:${runId(snap.runs[name])}`)}`;
      if (this.keys.runs !== runs) {
        this.lossRange = this.computeLossRange();
        this.crossesFloor = this.belowFloor();
        this.keys.runs = runs;
      }
      const decades = `${this.lossRange} ${snap.horizon} ${this.crossesFloor}`;
      if (this.keys.decades !== decades) {
        delete this.frames.loss;
        this.lossBackground = this.drawLossBackground(this.palette);
        this.keys.decades = decades;
      }
      for (const kind of ["map", "loss"]) {
        const paths = `${runs} ${this.lossRange} ${this.coarse[kind]}`;
        if (this.keys[`${kind} paths`] === paths && snap.t >= this.ghostsFrom[kind]) continue;
        this.ghosts[kind] = this.drawGhosts(kind, this.palette, snap.t);
        delete this.layers[kind];
        this.keys[`${kind} paths`] = paths;
      }
      this.drawMap(this.palette);
      this.drawLoss(this.palette);
    }

    // An off-screen canvas of the size of `target`, scaled to CSS pixels; filled with the background colour unless `clear`.
    layer(kind, name, clear) {
      const target = kind === "map" ? this.mapCanvas : this.lossCanvas;
      const key = `${kind}-${name}`;
      const canvas = this.spare[key] || (this.spare[key] = document.createElement("canvas"));
      const ctx = canvas.getContext("2d");
      if (canvas.width !== target.width || canvas.height !== target.height) {
        canvas.width = target.width; // also clears it
        canvas.height = target.height;
      } else {
        ctx.setTransform(1, 0, 0, 1, 0, 0); // clearing is cheaper than a new bitmap
        ctx.clearRect(0, 0, canvas.width, canvas.height);
      }
      const f = this.frame(kind);
      ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
      if (!clear) {
        ctx.fillStyle = this.palette.bg;
        ctx.fillRect(0, 0, f.width, f.height);
      }
      return { canvas, ctx, f };
    }

    /* ---- runs ---- */

    // Each shown optimizer's whole run, thin, on both plots: what the race
    // will do, drawn as soon as anything changes. Like the bold race so far,
    // each line lies on its halo (at least 3:1 against it), and each ends in
    // a label with its name. Only the pieces from step `from` on are drawn:
    // the race so far, whose halo is wider, covers the steps before (draw()
    // draws the layer again when the step goes back before `from`).
    drawGhosts(kind, colors, from) {
      this.ghostsFrom[kind] = from;
      const { canvas, ctx, f } = this.layer(kind, "ghosts", true);
      ctx.save();
      ctx.beginPath();
      ctx.rect(f.x, f.y, f.w, f.h);
      ctx.clip();
      ctx.lineJoin = "bevel";
      for (const [stroke, width] of [["halo", GHOST_WIDTH + 2], ["line", GHOST_WIDTH]]) {
        ctx.lineWidth = width;
        for (const name of this.snap.shown) {
          ctx.strokeStyle = colors[stroke][name];
          for (const piece of this.ghostPieces(kind, name)) if (piece.last > from) ctx.stroke(piece.path);
        }
      }
      this.labels[kind] = this.drawEndLabels(ctx, f, kind, colors);
      ctx.restore();
      return canvas;
    }

    // Each shown run's name at the end of its whole run, on a halo of the
    // background, moved down (or left, at the right edge) until it overlaps no
    // other label. Returns the labels' boxes in CSS pixels.
    drawEndLabels(ctx, f, kind, colors) {
      ctx.font = FONT(Math.max(11, f.size - 1));
      ctx.textBaseline = "top";
      ctx.lineWidth = 3;
      ctx.lineJoin = "round";
      const height = Math.max(11, f.size - 1) + 2;
      const placed = [];
      const overlaps = (box) => placed.some((o) => box.x < o.x + o.w && o.x < box.x + box.w && box.y < o.y + o.h && o.y < box.y + box.h);
      for (const name of this.snap.shown) {
        const xy = this.pixels(kind, name);
        const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
        const ex = clamp(xy[xy.length - 2], f.x, f.x + f.w);
        const ey = clamp(xy[xy.length - 1], f.y, f.y + f.h);
        const w = ctx.measureText(name).width + 2;
        const box = { name: name, x: ex + 6 + w > f.x + f.w ? ex - 6 - w : ex + 6, y: clamp(ey - height / 2, f.y, f.y + f.h - height), w, h: height };
        for (let tries = 0; overlaps(box) && tries < 2 * placed.length + 2; tries++) {
          box.y += height;
          if (box.y + height > f.y + f.h) box.y = f.y;
        }
        ctx.strokeStyle = colors.halo[name];
        ctx.fillStyle = colors.line[name];
        ctx.strokeText(name, box.x + 1, box.y + 1);
        ctx.fillText(name, box.x + 1, box.y + 1);
        placed.push(box);
      }
      return placed;
    }

    // Each point of a run in CSS pixels of the "map" or "loss" plot, as one
    // flat array [x0, y0, x1, y1, ...], made once per run, size and range.
    pixels(kind, name) {
      return this.geometry(kind, name).xy;
    }

    // Every how many points of a run the drawing keeps (the last point always): 1 for a fine path of
    // little ink; more for a coarse path of over COARSE_POINTS points, or a path of too much ink.
    stride(kind, g) {
      const f = this.frame(kind);
      const points = g.xy.length / 2;
      const ink = g.ink ?? (g.ink = pathInk(g.xy, Math.hypot(f.w, f.h)));
      const coarse = this.coarse[kind];
      const byInk = Math.ceil((ink * f.dpr) / (coarse ? INK.coarse : INK.fine));
      return Math.max(1, byInk, coarse ? Math.ceil(points / COARSE_POINTS) : 1);
    }

    // The whole run as paths of PIECE steps, each {last (its last step), path}, for the faint layer.
    ghostPieces(kind, name) {
      const g = this.geometry(kind, name);
      const key = this.coarse[kind] ? "coarsePieces" : "pieces";
      if (!g[key]) {
        const last = g.xy.length / 2 - 1;
        const size = this.coarse[kind] ? COARSE_PIECE : PIECE;
        g[key] = [];
        const stride = this.stride(kind, g);
        for (let first = 0; first < last; first += size) {
          const to = Math.min(last, first + size);
          g[key].push({ last: to, path: polyline(g.xy, first, to, { box: this.frame(kind), stride, columns: kind === "loss" }).path });
        }
      }
      return g[key];
    }

    // What is drawn of a run on one plot, kept with the run object itself: a
    // change of one optimizer's setting replaces its run alone, and the
    // others keep their pixels and paths. The loss plot's depend on its
    // decades as well (the stamp).
    geometry(kind, name) {
      const run = this.snap.runs[name];
      let kept = this.geometryCache.get(run);
      if (!kept) this.geometryCache.set(run, (kept = {}));
      const stamp = kind === "map" ? "" : this.lossRange.join();
      if (!kept[kind] || kept[kind].stamp !== stamp) kept[kind] = { stamp, xy: this.computePixels(kind, run) };
      return kept[kind];
    }

    computePixels(kind, r) {
      const n = kind === "map" ? r.path.length : r.gap.length;
      const xy = new Float64Array(2 * n);
      const f = this.frame(kind);
      if (kind === "loss") {
        for (let i = 0; i < n; i++) {
          xy[2 * i] = f.x + (i / this.snap.horizon) * f.w;
          xy[2 * i + 1] = this.lossY(f, r.gap[i]);
        }
        return xy;
      }
      // toPixels, with the window read once (a run has up to 3000 points, a change remakes 16 runs).
      const [x0, x1, y0, y1] = this.view();
      const clamp = (v) => Math.max(-1e5, Math.min(1e5, v));
      for (let i = 0; i < n; i++) {
        xy[2 * i] = clamp(f.x + ((r.path[i][0] - x0) / (x1 - x0)) * f.w);
        xy[2 * i + 1] = clamp(f.y + ((y1 - r.path[i][1]) / (y1 - y0)) * f.h);
      }
      return xy;
    }

    // The race so far grows while it plays, so the lines drawn up to step
    // `layer.t` are kept and a frame adds only the new steps (a dash
    // pattern continues where it stopped). Any other change starts a fresh
    // layer, drawn by the same code from step 0. Halos go on their own
    // canvas under the lines, so a new piece of halo never covers a line.
    grow(kind, colors, markEvery) {
      let layer = this.layers[kind];
      if (!layer || layer.t > this.snap.t) {
        const halo = this.layer(kind, "halo", true);
        const lines = this.layer(kind, "lines", true);
        layer = this.layers[kind] = { halo: halo.canvas, lines: lines.canvas, t: 0, ends: {} };
      }
      const f = this.frame(kind);
      const contexts = [layer.halo.getContext("2d"), layer.lines.getContext("2d")];
      for (const ctx of contexts) {
        ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
        ctx.save();
        ctx.beginPath();
        ctx.rect(f.x, f.y, f.w, f.h);
        ctx.clip();
      }
      const [haloCtx, ctx] = contexts;
      haloCtx.lineWidth = HALO_WIDTH;
      haloCtx.lineJoin = "bevel";
      ctx.lineWidth = LINE_WIDTH;
      ctx.lineJoin = "bevel";
      for (const name of this.snap.shown) {
        const xy = this.pixels(kind, name);
        const last = Math.min(this.snap.t, xy.length / 2 - 1);
        const end = layer.ends[name] || (layer.ends[name] = { i: 0, done: 0, length: 0, at: [xy[0], xy[1]] });
        if (last <= end.done) continue;
        haloCtx.strokeStyle = colors.halo[name];
        ctx.strokeStyle = colors.line[name];
        ctx.setLineDash(dashes(name));
        const size = this.coarse[kind] ? COARSE_PIECE : PIECE;
        const stride = this.stride(kind, this.geometry(kind, name));
        for (let first = end.i; first < last; first += size) {
          const to = Math.min(last, first + size);
          const piece = polyline(xy, first, to, { from: end.at, box: f, stride, columns: kind === "loss" });
          haloCtx.stroke(piece.path);
          ctx.lineDashOffset = end.length; // the dash pattern goes on where the last piece stopped
          ctx.stroke(piece.path);
          end.length += piece.length;
          end.at = piece.end;
          end.i = to;
        }
        ctx.setLineDash([]);
        if (markEvery)
          for (let k = Math.floor(end.done / markEvery + 1) * markEvery; k <= last; k += markEvery)
            this.marker(ctx, f, [xy[2 * k], xy[2 * k + 1]], name, 3, colors);
        end.done = last;
      }
      for (const c of contexts) c.restore();
      layer.t = this.snap.t;
      return layer;
    }

    // An optimizer's marker at CSS pixel point (x, y), outlined in its halo colour.
    marker(ctx, f, [x, y], name, radius, colors) {
      const shape = markerPath2D(STYLES[name].marker, radius);
      ctx.save();
      ctx.setTransform(f.dpr, 0, 0, f.dpr, f.dpr * x, f.dpr * y);
      ctx.fillStyle = colors.line[name];
      ctx.strokeStyle = colors.halo[name];
      ctx.lineWidth = 1.2;
      ctx.fill(shape);
      ctx.stroke(shape);
      ctx.restore();
    }

    compose(kind, background, layer) {
      const canvas = kind === "map" ? this.mapCanvas : this.lossCanvas;
      const ctx = canvas.getContext("2d", { alpha: false });
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(background, 0, 0);
      ctx.drawImage(this.ghosts[kind], 0, 0);
      ctx.drawImage(layer.halo, 0, 0);
      ctx.drawImage(layer.lines, 0, 0);
      const f = this.frame(kind);
      ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
      return { ctx, f };
    }

    drawMap(colors) {
      const layer = this.grow("map", colors, Math.round(this.snap.horizon / 12));
      const { ctx, f } = this.compose("map", this.background, layer);
      ctx.save();
      ctx.beginPath();
      ctx.rect(f.x, f.y, f.w, f.h);
      ctx.clip();
      // Where each optimizer is now: its marker, large.
      for (const name of this.snap.shown) {
        const path = this.snap.runs[name].path;
        this.marker(ctx, f, this.toPixels(path[Math.min(this.snap.t, path.length - 1)]), name, 5.5, colors);
      }
      this.drawArrows(ctx, f, colors);
      const [sx, sy] = this.toPixels(this.snap.start);
      ctx.fillStyle = colors.fg;
      ctx.strokeStyle = colors.bg;
      ctx.lineWidth = 1.5;
      ctx.fillRect(sx - 5, sy - 5, 10, 10);
      ctx.strokeRect(sx - 5, sy - 5, 10, 10);
      ctx.restore();
    }

    // The update about to be made by one optimizer (the race is paused), as
    // arrows from w_t on one scale; an arrow that leaves the map stops at its
    // edge with a bar across its head. Kept for the readout and the tests:
    // arrows [{kind, from, to, edge}] in CSS pixels, arrowScale, arrowsOf.
    drawArrows(ctx, f, colors) {
      const name = this.snap.arrowsOf;
      this.arrows = [];
      this.arrowsOf = name;
      this.arrowScale = null;
      if (!name) return;
      const layout = this.arrowLayout(this.snap.explanations[name]);
      this.arrowScale = layout.scale;
      for (const { kind, from, to } of layout.arrows) {
        const inside = clipSegment(from, to, f);
        const edge = !inside || inside[1][0] !== to[0] || inside[1][1] !== to[1];
        const [a, b] = inside || edgeStub(f, to);
        if (arrow(ctx, a, b, ARROWS[kind], colors.line[name], colors.halo[name], edge)) this.arrows.push({ kind, from: a, to: b, edge });
      }
      if (layout.scale !== 1) {
        ctx.font = FONT(Math.max(11, f.size - 2));
        ctx.textAlign = "left";
        ctx.textBaseline = "top";
        ctx.lineWidth = 3;
        ctx.strokeStyle = colors.bg;
        ctx.fillStyle = colors.fg;
        const text = `arrows \u00d7${formatNumber(layout.scale)}`;
        ctx.strokeText(text, f.x + 4, f.y + 4);
        ctx.fillText(text, f.x + 4, f.y + 4);
      }
    }

    // Where the arrows of update e go, in CSS pixels: the parts from w_t one after another, then the step, all times one scale.
    arrowLayout(e) {
      const f = this.frame("map");
      const [x0, x1, y0, y1] = this.view();
      const perX = f.w / (x1 - x0);
      const perY = f.h / (y1 - y0);
      const pixels = (v) => [v[0] * perX, -v[1] * perY];
      const parts = Object.entries(e.terms).filter(([kind]) => kind !== "step").map(([kind, v]) => [kind, pixels(v)]);
      const step = pixels(e.step);
      const longest = Math.max(Math.hypot(...step), ...parts.map(([, p]) => Math.hypot(...p)));
      const scale = arrowScale(longest, Math.min(f.w, f.h));
      const origin = [f.x + (e.w[0] - x0) * perX, f.y + (y1 - e.w[1]) * perY];
      const ahead = (from, p) => [from[0] + scale * p[0], from[1] + scale * p[1]];
      const arrows = [];
      let at = origin;
      for (const [kind, p] of parts) {
        arrows.push({ kind, from: at, to: ahead(at, p) });
        at = arrows[arrows.length - 1].to;
      }
      arrows.push({ kind: "step", from: origin, to: ahead(origin, step) });
      return { scale, arrows };
    }

    // The scale of the arrows, in words.
    arrowNote() {
      const k = this.arrowScale;
      if (k === null || k === undefined) return "";
      const who = `${this.arrowsOf}'s arrows are drawn`;
      if (k === 1) return `${who} at their true length.`;
      return k > 1 ? `${who} ${formatNumber(k)} times their true length.` : `${who} at 1/${formatNumber(1 / k)} of their true length.`;
    }

  }

  Object.assign(R, { Plots, dashes, LINE_WIDTH, PIXEL_BUDGET, pixelRatio });
})();
