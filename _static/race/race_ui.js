/* The Optimizer Race, its user interface: controls, events, animation and text.
 *
 * A Race is mounted in every element marked data-optimizer-race. Its model
 * (race_model.js) keeps the reader's choices (surface, start, settings,
 * optimizers shown, noise, schedule, race length, step) and the runs of the
 * pure core (race_core.js); the Race builds the controls, the standings
 * (which are the legend) and the settings, changes the model when they
 * change, and hands each snapshot of the model to Plots (race_draw.js).
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
  const { OPTIMIZERS } = R; // race_core.js
  const { parseNumber, share, formatNumber } = R; // race_input.js
  const { RaceModel } = R; // race_model.js
  const { Plots, pixelRatio } = R; // race_draw.js
  const { SETTINGS } = R; // race_controls.js
  const { pair } = R.ui; // race_controls.js
  const RANGES = window.RACE_DATA.ranges;

  const REMEMBER_DELAY = 250; // ms between the last change and the address bar's update
  const REFINE_DELAY = 150; // ms after a slider's last move, its paths are drawn fine again
  const GRAB_RADIUS = 22; // px around the start's square where a drag takes it: a 44 px target

  let nextId = 0;

  /* -------------------------------------------------------------------- race */

  // The applet: a RaceModel (race_model.js: the race as data, no DOM), its
  // controls (race_controls.js), the drawing of the model's snapshots
  // (race_draw.js) and its events.
  class Race {
    constructor(root) {
      this.model = new RaceModel();
      this.root = root;
      this.id = `race${nextId++}`;
      this.frameRequest = null;
      this.build();
      this.drawing = new Plots(this.root, this.mapCanvas, this.lossCanvas);
      this.applyConfig(share.defaults());
      this.linkField.value = `${location.href.split("#")[0]}#${share.encode(this.model.config())}`;
      this.observe();
      this.resize();
    }

    /* ---- the state, as one configuration (what a link holds) ---- */

    // Take every value of a (validated) configuration, then run and draw.
    applyConfig(c) {
      this.stopLoop();
      this.model.setConfig(c); // the model's values, and the race run again
      this.setMore(this.model.more);
      this.hideParts(c.hide);
      this.syncInputs();
      if (Boolean(c.wide) !== Boolean(this.model.wide)) this.setWide(Boolean(c.wide));
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
      const fragment = share.encode(this.model.config());
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

    /* ---- events ---- */

    observe() {
      this.surfaceSelect.addEventListener("change", () => this.setSurface(this.surfaceSelect.value));
      this.playButton.addEventListener("click", () => (this.model.playing ? this.pause() : this.play()));
      this.stepButton.addEventListener("click", () => this.stepOnce());
      this.resetButton.addEventListener("click", () => this.reset());
      this.moreButton.addEventListener("click", () => {
        this.setMore(!this.model.more);
        this.refresh();
        this.remember();
        this.announce(this.model.more ? "More: every optimizer, the surface, noise, schedules and the readout of one update." : "Back to the first sight.");
      });
      this.wideButton.addEventListener("click", () => {
        this.setWide(!this.model.wide);
        this.remember();
      });
      // Full width is a dialog in all but name: Tab stays inside, Escape leaves, wherever the focus is.
      document.addEventListener("keydown", (event) => {
        if (!this.model.wide) return;
        if (event.key === "Escape") {
          this.setWide(false);
          this.wideButton.focus();
          this.remember();
        } else if (event.key === "Tab") this.keepFocusInside(event);
      });
      this.speedSelect.addEventListener("change", () => this.changeView(() => (this.model.speed = Number(this.speedSelect.value))));
      this.horizonSelect.addEventListener("change", () => this.change(() => {
        this.model.horizon = Number(this.horizonSelect.value);
        this.model.t = Math.min(this.model.t, this.model.horizon);
      }));
      this.scheduleSelect.addEventListener("change", () => this.change(() => (this.model.schedule = this.scheduleSelect.value)));
      this.floorSelect.addEventListener("change", () => this.changeView(() => (this.model.floor = Number(this.floorSelect.value))));
      this.scaleBox.addEventListener("change", () => this.changeView(() => (this.model.toScale = this.scaleBox.checked)));
      this.watchSetting(this.noise, "sigma", "Noise \u03c3", () => this.model.sigma, (v) => (this.model.sigma = v));
      this.watchField(this.seedInput, { ...RANGES.seed, integer: true }, "Noise seed", () => this.model.seed, (v) => this.change(() => (this.model.seed = v)));
      this.defaultStartButton.addEventListener("click", () => this.setStart(this.model.surface.start.slice()));
      this.startInputs.forEach((input, i) =>
        this.watchField(input, () => this.startRange(i), `Start w${i + 1}`, () => this.model.start[i], (v) => {
          const start = this.model.start.slice();
          start[i] = v;
          this.setStart(start);
        }),
      );
      this.shareButton.addEventListener("click", () => this.copyLink());
      for (const opt of OPTIMIZERS) {
        const row = this.rows[opt.name];
        row.checkbox.addEventListener("change", () => this.setShown(opt.name, row.checkbox.checked));
        for (const key of Object.keys(row.inputs))
          this.watchSetting(
            { input: row.inputs[key], slider: row.sliders[key] },
            key,
            `${opt.name} ${SETTINGS[key].long}`,
            () => this.model.hyper[opt.name][key],
            (v) => (this.model.hyper[opt.name] = { ...this.model.hyper[opt.name], [key]: v }),
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
      const [x0, x1, y0, y1] = this.model.surface.window;
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
        const [sx, sy] = this.drawing.toPixels(this.model.start);
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
        this.announce(`Start moved to ${pair(this.model.start)}; race at step 0.`);
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
      const [x0, x1, y0, y1] = this.model.surface.window;
      const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
      return [clamp(x, x0, x1), clamp(y, y0, y1)];
    }

    onMapKey(event) {
      const [x0, x1, y0, y1] = this.model.surface.window;
      const fraction = event.shiftKey ? 0.1 : 0.02;
      const moves = {
        ArrowLeft: [-(x1 - x0) * fraction, 0],
        ArrowRight: [(x1 - x0) * fraction, 0],
        ArrowUp: [0, (y1 - y0) * fraction],
        ArrowDown: [0, -(y1 - y0) * fraction],
      };
      const round = (v) => Math.round(v * 1000) / 1000;
      if (event.key === "Home") this.setStart(this.model.surface.start.slice());
      else if (moves[event.key]) {
        const [dx, dy] = moves[event.key];
        this.setStart(this.clampStart([round(this.model.start[0] + dx), round(this.model.start[1] + dy)]));
      } else if (event.key === " " || event.key === "Enter") this.model.playing ? this.pause() : this.play();
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

    /* ---- state changes ---- */

    // After a change (and while a slider moves), draw decimated paths at once, and
    // REFINE_DELAY after the last change the full paths: the reader sees the
    // change within a frame, and a slider that moves never waits for the fine drawing.
    drawCoarse() {
      this.drawing.setCoarse(true);
      clearTimeout(this.refineTimer);
      this.refineTimer = setTimeout(() => this.refine(), REFINE_DELAY);
    }

    // Draw the paths of one coarse plot fine, the map first; the other plot's
    // follow in a task of their own, so the page answers the reader between the two.
    refine() {
      clearTimeout(this.refineTimer);
      const coarse = ["map", "loss"].filter((kind) => this.drawing.coarse[kind]);
      if (!coarse.length) return;
      this.drawing.setCoarse(false, coarse.slice(0, 1));
      this.drawing.draw(this.model.snapshot());
      if (coarse.length > 1) this.refineTimer = setTimeout(() => this.refine(), 0);
    }

    // A change of how the race is shown (speed, floor, scale): redraw and update the link; the race stays.
    changeView(apply) {
      apply();
      this.drawCoarse();
      this.refresh();
      this.remember();
    }

    // Show or hide one race: nothing runs again (every optimizer's run is kept); the shown ones are drawn again.
    setShown(name, on) {
      this.model.visible[name] = on;
      this.drawCoarse();
      this.refresh();
      this.remember();
    }

    // Any change to what is raced: apply it, run the race again up to the same step, redraw, update the link.
    change(apply, only) {
      apply();
      this.model.recompute(only);
      this.drawCoarse();
      this.refresh();
      this.remember();
    }

    // A new surface brings its suggested learning rates and its start; the
    // decay rates, weight decay, noise and schedule the reader chose stay.
    setSurface(key) {
      this.model.loadSurface(key);
      this.clearError();
      this.syncInputs();
      this.change(() => {});
      this.announce(`${this.model.surface.name}: its suggested learning rates are loaded (decay rates kept); race at step 0.`);
    }

    setStart(start, quiet) {
      this.model.start = start;
      this.model.t = 0;
      this.stopLoop();
      this.clearError();
      this.syncInputs();
      this.model.recompute();
      this.drawCoarse();
      this.refresh();
      if (!quiet) {
        this.remember();
        this.announce(`Start moved to ${pair(start)}; race at step 0.`);
      }
    }

    setWide(on) {
      this.model.wide = on;
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
      this.model.playing = false;
      if (this.frameRequest !== null) cancelAnimationFrame(this.frameRequest);
      this.frameRequest = null;
    }

    play() {
      this.stopLoop(); // never two loops, however fast Play is pressed
      if (this.model.t >= this.model.horizon) this.model.t = 0;
      this.model.playing = true;
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
      this.announce(message || `Paused at step ${this.model.t}.`);
    }

    stepOnce() {
      this.stopLoop();
      this.model.t = Math.min(this.model.horizon, this.model.t + 1);
      this.refresh();
      this.remember();
      this.announce(`Step ${this.model.t}.`);
    }

    reset() {
      this.stopLoop();
      this.model.t = 0;
      this.refresh();
      this.remember();
      this.announce("Reset to step 0.");
    }

    // One animation frame: advance by the speed and the time elapsed, then draw.
    tick(now) {
      this.frameRequest = null;
      if (!this.model.playing) return;
      if (this.lastTime !== null) {
        this.carry += ((now - this.lastTime) / 1000) * this.model.speed;
        const steps = Math.floor(this.carry);
        this.carry -= steps;
        this.model.t = Math.min(this.model.horizon, this.model.t + steps);
      }
      this.lastTime = now;
      if (this.model.t >= this.model.horizon) return this.pause(`Race finished at step ${this.model.horizon}.`);
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

    // Draw the model's snapshot: the plots, the stability map (paused) and the text.
    refresh() {
      this.model.updateExplanations();
      const snap = this.model.snapshot();
      this.drawing.draw(snap);
      if (!snap.playing) this.stability.draw(snap.stability, this.palette());
      this.updateText();
    }

    resize() {
      for (const canvas of [this.mapCanvas, this.lossCanvas]) {
        const width = Math.max(200, Math.floor(canvas.parentElement.clientWidth));
        const height = this.model.wide ? Math.round(Math.min(width * 0.75, window.innerHeight * 0.62)) : Math.round(width * 0.75);
        const dpr = pixelRatio(width, height); // at most the drawing's pixel budget
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

  Object.assign(Race.prototype, R.Controls, R.Readout); // race_controls.js, race_readout.js
  Object.assign(R, { instances, mountAll });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
