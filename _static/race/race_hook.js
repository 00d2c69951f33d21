/* The Optimizer Race, its test hook: what the browser tests and the bench read and do. No state of its own.
 *
 * OptimizerRace.testHook(i = 0) describes the i-th applet of the page. The
 * browser tests (tests/browser/test_race*.py) and the bench
 * (code/booktools/bench/race_frames.py) use this and nothing else of the
 * applet, so its fields, drawing and controls can change without them;
 * what is listed here is kept stable:
 *
 *   state()          the model's snapshot (RaceModel.snapshot) as plain data: config (what a link
 *                    holds), surface (its key), start, t, horizon, floor, toScale, playing, shown
 *                    (names), runs, explanations, arrowsOf, stability (the map or null), and from
 *                    the configuration visible ({name: shown?}), hyper, sigma, seed, schedule,
 *                    speed, wide and more (booleans)
 *   series(name)     the loss gaps the loss plot draws for optimizer `name` (steps 0..t)
 *   drawn()          what the drawing drew last: frames ({map, loss}: plot boxes in CSS pixels),
 *                    view (the map's window), stretch, lossRange, belowFloor, arrows, arrowScale,
 *                    arrowsOf, labels ({map, loss}: end labels' boxes), colors, coarse (true
 *                    while either plot's paths are coarse), and stabilityGrid (the stability
 *                    map's grid box)
 *   ghosts(kind)     the canvas of the whole runs drawn faintly on the "map" or "loss" plot
 *   toPixels(w)      CSS pixels on the map canvas of the point w = [w1, w2]
 *   goTo(step, playing = false)  show `step` (at most the race's length) as Step does, or as a
 *                    frame of the animation does when `playing`
 *   redraw(coarse)   draw the race again, coarse (as while a slider moves) or fine
 *   refine()         draw one coarse plot fine, the map first: the applet's task REFINE_DELAY
 *                    after the last change, and the one that follows it
 *   open(fragment)   the race of a link's fragment ("" for the opening race), as a new page opens it
 *   countDraws()     from now on, count the drawings: returns a function that reads the count
 *   pixelBudget      the most device pixels a plot's canvas holds (race_draw.js)
 *   parts            the applet's elements: root, map, loss, play, more, standings, help, caption,
 *                    explain, link, error, noise (its slider), seed, schedule, floor, scale
 *   rows[name]       optimizer `name`'s elements: tr, checkbox, swatch, gap, arrived, w, and its
 *                    settings' inputs and sliders by key
 */
(function () {
  "use strict";

  const R = window.OptimizerRace;
  if (R.testHook) return; // a page that embeds the applet twice loads this twice

  function hook(race) {
    const model = race.model;
    const drawing = race.drawing;
    return {
      state() {
        const { surface, ...snap } = model.snapshot();
        const c = snap.config;
        const visible = Object.fromEntries(R.OPTIMIZERS.map((o) => [o.name, c.on.includes(o.name)]));
        return {
          ...snap, surface: surface.key, visible, hyper: c.hyper, sigma: c.sigma, seed: c.seed, schedule: c.schedule,
          speed: c.speed, wide: Boolean(c.wide), more: Boolean(c.more),
        };
      },
      series: (name) => model.series(name),
      drawn: () => ({
        frames: { map: drawing.frame("map"), loss: drawing.frame("loss") },
        view: drawing.view(),
        stretch: drawing.stretch(),
        lossRange: drawing.lossRange,
        belowFloor: drawing.belowFloor(),
        arrows: drawing.arrows,
        arrowScale: drawing.arrowScale,
        arrowsOf: drawing.arrowsOf,
        labels: drawing.labels,
        colors: drawing.colors(),
        coarse: drawing.coarse.map || drawing.coarse.loss,
        stabilityGrid: race.stability.grid(),
      }),
      ghosts: (kind) => drawing.ghosts[kind],
      toPixels: (w) => drawing.toPixels(w),
      goTo(step, playing = false) {
        model.t = Math.min(step, model.horizon);
        model.playing = playing;
        race.refresh();
      },
      redraw(coarse) {
        drawing.setCoarse(coarse);
        race.refresh();
      },
      refine: () => race.refine(),
      open(fragment) {
        history.replaceState(null, "", location.pathname + fragment);
        model.arrowsOf = null;
        race.clearError();
        if (fragment) race.followLink();
        else race.applyConfig(R.share.defaults());
      },
      countDraws() {
        let count = 0;
        const draw = drawing.draw;
        drawing.draw = (snap) => {
          count += 1;
          draw.call(drawing, snap);
        };
        return () => count;
      },
      pixelBudget: R.PIXEL_BUDGET,
      parts: {
        root: race.root, map: race.mapCanvas, loss: race.lossCanvas, play: race.playButton, more: race.moreButton,
        standings: race.standings, help: race.help, caption: race.caption, explain: race.explainBox, link: race.linkField,
        error: race.error, noise: race.noise.slider, seed: race.seedInput, schedule: race.scheduleSelect,
        floor: race.floorSelect, scale: race.scaleBox,
      },
      rows: Object.fromEntries(Object.entries(race.rows).map(([name, row]) => [name, {
        tr: row.tr, checkbox: row.checkbox, swatch: row.swatch, gap: row.gapCell, arrived: row.arrivedCell, w: row.wCell,
        inputs: row.inputs, sliders: row.sliders,
      }])),
    };
  }

  /** The test hook of the i-th applet of the page (see above); null before it is mounted. */
  R.testHook = (i = 0) => (R.instances[i] ? hook(R.instances[i]) : null);
})();
