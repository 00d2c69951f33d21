/* The Optimizer Race, its marks: colour contrast, markers, ticks, number labels, paths and arrows. No state.
 *
 * Pure helpers of the drawing (race_draw.js, race_axes.js) and of the
 * controls' legend swatches (race_controls.js): each takes numbers or a
 * canvas context and returns or draws, reading nothing else.
 */
(function () {
  "use strict";

  const R = window.OptimizerRace;
  if (R.markerPath) return; // a page that embeds the applet twice loads this twice

  /* ------------------------------------------------------------ colour maths */

  // "#rrggbb" or "rgb(r, g, b)" as [r, g, b] in 0..255.
  function rgbOf(color) {
    const hex = /^#([0-9a-f]{6})$/i.exec(color.trim());
    if (hex) return [0, 2, 4].map((k) => parseInt(hex[1].slice(k, k + 2), 16));
    const rgb = /^rgba?\(\s*(\d+)[,\s]+(\d+)[,\s]+(\d+)/i.exec(color.trim());
    if (rgb) return rgb.slice(1, 4).map(Number);
    throw new Error(`race_draw.js reads colours as #rrggbb or rgb(): got ${color}`);
  }

  // WCAG 2 relative luminance and contrast ratio.
  function luminance(color) {
    const [r, g, b] = rgbOf(color).map((c) => {
      const s = c / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function contrast(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }
  // Black or white, whichever stands out more against `color`.
  const haloFor = (color) => (contrast(color, "#000000") >= contrast(color, "#ffffff") ? "#000000" : "#ffffff");

  /* ----------------------------------------------------------------- markers */

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

  /* -------------------------------------------------------------- axes, text */

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

  // Tick labels grow with the plot, from 11 px on a phone to 18 px on a projector.
  const fontSize = (width) => Math.max(11, Math.min(18, Math.round(width / 42)));
  const FONT = (size) => `${size}px system-ui, sans-serif`;

  // The loss plot's decades: 1, 2, 5, ... apart, at most seven lines.
  function decadeTicks(lo, hi) {
    const every = [1, 2, 5, 10, 20, 50, 100].find((e) => (hi - lo) / e <= 7) || 100;
    const ticks = [];
    for (let k = Math.ceil(lo / every) * every; k <= hi; k += every) ticks.push(k);
    return ticks;
  }

  /* ------------------------------------------------------------------- paths */

  /** The length in pixels of the polyline through the points of `xy` ([x0, y0, x1, y1, ...]), each segment counted at most `most`. */
  function pathInk(xy, most) {
    let ink = 0;
    for (let i = 2; i < xy.length; i += 2) ink += Math.min(most, Math.hypot(xy[i] - xy[i - 2], xy[i + 1] - xy[i - 1]));
    return ink;
  }

  /**
   * The polyline through points first..last of `xy` (from point `from` if given), as
   * {path (a Path2D), length (px), end}, keeping every stride-th point and the last, and skipping
   * points that add raster work and nothing else: within a pixel of the last one kept, or (with
   * `columns`, for a plot whose steps go left to right) within the extent already drawn in the
   * same pixel column. A segment wholly beyond one edge of the plot `box` {x, y, w, h} is
   * skipped (a noisy or diverging run can leap across the canvas thousands of times out of sight).
   */
  function polyline(xy, first, last, { from = null, box, stride = 1, columns = false }) {
    const left = box.x, right = box.x + box.w, top = box.y, bottom = box.y + box.h;
    const hidden = (ax, ay, bx, by) => (ax < left && bx < left) || (ax > right && bx > right) || (ay < top && by < top) || (ay > bottom && by > bottom);
    const path = new Path2D();
    let [px, py] = from || [xy[2 * first], xy[2 * first + 1]];
    let [column, low, high] = [Math.floor(px), py, py];
    let length = 0;
    path.moveTo(px, py);
    for (let i = first + 1; i <= last; i++) {
      const x = xy[2 * i];
      const y = xy[2 * i + 1];
      if (i < last) {
        if (i % stride !== 0 || (Math.abs(x - px) < 1 && Math.abs(y - py) < 1)) continue;
        if (columns && Math.floor(x) === column && y >= low - 0.5 && y <= high + 0.5) continue;
      }
      if (hidden(px, py, x, y)) path.moveTo(x, y);
      else path.lineTo(x, y);
      length += Math.hypot(x - px, y - py);
      if (Math.floor(x) !== column) [column, low, high] = [Math.floor(x), Math.min(py, y), Math.max(py, y)];
      else [low, high] = [Math.min(low, y), Math.max(high, y)];
      px = x;
      py = y;
    }
    return { path, length, end: [px, py] };
  }

  /* ------------------------------------------------------------------ arrows */

  // The arrows of one update (race_ui.js's legend names the same): the parts
  // whose sum is the step, each from where the previous one ends, and the step itself.
  const ARROWS = {
    gradient: { dash: [2, 2], width: 1.5, head: 6 },
    momentum: { dash: [6, 3], width: 1.5, head: 6 },
    decay: { dash: [1, 2], width: 1.5, head: 6 },
    step: { dash: [], width: 2.6, head: 9 },
  };
  // All arrows of the update shown share one scale, chosen so the longest is at least
  // ARROW_SHORTEST px and at most ARROW_LONGEST of the map's shorter side: 1, 2 or 5 times a power of ten.
  const ARROW_SHORTEST = 30;
  const ARROW_LONGEST = 0.35;

  /** The scale k (pixels drawn per true pixel) for arrows whose longest is `longest` px, on a map of shorter side `room` px. */
  function arrowScale(longest, room) {
    const most = ARROW_LONGEST * room;
    if (!(longest > 0) || (longest >= ARROW_SHORTEST && longest <= most)) return 1;
    const wanted = longest < ARROW_SHORTEST ? ARROW_SHORTEST / longest : most / longest;
    const power = 10 ** Math.floor(Math.log10(wanted));
    const nice = [1, 2, 5, 10].map((m) => m * power);
    return longest < ARROW_SHORTEST ? nice.find((k) => k >= wanted) : nice.reverse().find((k) => k <= wanted);
  }

  /** The part of the segment a -> b inside the box {x, y, w, h} (Liang and Barsky's clipping), as [from, to]; null if none. */
  function clipSegment([ax, ay], [bx, by], box) {
    const dx = bx - ax;
    const dy = by - ay;
    let t0 = 0;
    let t1 = 1;
    for (const [p, q] of [[-dx, ax - box.x], [dx, box.x + box.w - ax], [-dy, ay - box.y], [dy, box.y + box.h - ay]]) {
      if (p === 0) {
        if (q < 0) return null;
      } else if (p < 0) t0 = Math.max(t0, q / p);
      else t1 = Math.min(t1, q / p);
      if (t0 > t1) return null;
    }
    return [[ax + t0 * dx, ay + t0 * dy], [ax + t1 * dx, ay + t1 * dy]];
  }

  // An arrow wholly off the map: a short one that ends on the edge, on the way from the map's centre to its end.
  function edgeStub(box, to) {
    const centre = [box.x + box.w / 2, box.y + box.h / 2];
    const [, b] = clipSegment(centre, to, box);
    const length = Math.hypot(to[0] - centre[0], to[1] - centre[1]);
    const back = (i) => b[i] - (12 * (to[i] - centre[i])) / length;
    return [[back(0), back(1)], b];
  }

  // An arrow from a to b with its head at b; `edge` adds a bar across the tip: the arrow goes on off the map.
  function arrow(ctx, [ax, ay], [bx, by], spec, color, halo, edge) {
    const length = Math.hypot(bx - ax, by - ay);
    if (!(length >= 1)) return false; // shorter than a pixel: the readout gives the numbers
    const ux = (bx - ax) / length;
    const uy = (by - ay) / length;
    const head = Math.min(spec.head, length * 0.6);
    const shaft = (stroke, width) => {
      ctx.strokeStyle = stroke;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx - ux * head * 0.8, by - uy * head * 0.8);
      ctx.stroke();
    };
    ctx.setLineDash([]);
    shaft(halo, spec.width + 2.4);
    ctx.setLineDash(spec.dash);
    shaft(color, spec.width);
    ctx.setLineDash([]);
    const tip = new Path2D();
    tip.moveTo(bx, by);
    tip.lineTo(bx - ux * head - uy * head * 0.5, by - uy * head + ux * head * 0.5);
    tip.lineTo(bx - ux * head + uy * head * 0.5, by - uy * head - ux * head * 0.5);
    tip.closePath();
    if (edge) {
      tip.moveTo(bx - uy * head, by + ux * head);
      tip.lineTo(bx + uy * head, by - ux * head);
    }
    ctx.fillStyle = color;
    ctx.strokeStyle = halo;
    ctx.lineWidth = edge ? 2.5 : 1.2;
    ctx.fill(tip);
    ctx.stroke(tip);
    return true;
  }

  Object.assign(R, {
    rgbOf, contrast, haloFor, markerPath, markerPath2D, niceTicks, powerOfTen, fontSize, FONT, decadeTicks,
    ARROWS, arrowScale, clipSegment, edgeStub, arrow, pathInk, polyline,
  });
})();
