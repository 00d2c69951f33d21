"""The Optimizer Race in the browser tests: its scripts on a blank page, its parity replay, and the race page.

:mod:`booktools.race_vectors` computes the vectors with optlab (``make book``
needs nothing else); the tests load the applet's scripts alone on a
Playwright page with :func:`load_scripts` and compare the core's runs with
the vectors through :func:`replay`. :class:`RacePage` opens the applet on a
page of the built book and reads it through its test hook
(``OptimizerRace.testHook()``, documented in ``_static/race/race_hook.js``),
never through its internals.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

HOOK = "(window.OptimizerRace && OptimizerRace.testHook && OptimizerRace.testHook())"
"""A JavaScript expression: the first applet's test hook, or a false value before it is mounted."""

CORE = ("race_data.js", "race_core.js")
"""The applet's data and pure core: the scripts every blank-page test loads first."""


REPLAY = """(v) => {
  const R = OptimizerRace;
  const byName = Object.fromEntries(R.OPTIMIZERS.map(o => [o.name, o]));
  const worst = {value: 0, where: null}, lengths = [];
  let compared = 0, identical = 0;
  const check = (a, b, where) => {
    compared += 1;
    if (a === b) { identical += 1; return; }
    const rel = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    if (!(rel <= worst.value)) { worst.value = Number.isNaN(rel) ? Infinity : rel; worst.where = where; }
  };
  const checkAll = (a, b, where) => Array.isArray(a) ? a.forEach((x, i) => checkAll(x, (b || [])[i], where))
                                                    : check(a, b, where);
  for (const group of ["cases", "noisy", "scheduled"]) for (const [k, c] of v[group].entries()) {
    const r = R.run(R.SURFACES[c.surface], byName[c.optimizer], c.hyper, c.start, c.steps, c.options);
    const name = `${group} ${k} (${c.surface} ${c.optimizer} ${JSON.stringify(c.options || {})})`;
    if (r.diverged !== null || r.path.length !== c.path.length) lengths.push(name);
    c.path.forEach((p, i) => p.forEach((x, j) => check(x, (r.path[i] || [])[j], `${name} step ${i} w${j + 1}`)));
    c.loss.forEach((x, i) => check(x, r.loss[i], `${name} loss ${i}`));
    c.gap.forEach((x, i) => check(x, r.gap[i], `${name} gap ${i}`));
  }
  for (const [k, e] of v.explained.entries()) {
    const r = R.explain(R.SURFACES[e.surface], byName[e.optimizer], e.hyper, e.start, e.t, e.options);
    const name = `explained ${k} (${e.surface} ${e.optimizer} t ${e.t})`;
    for (const field of ["lr", "step", "effectiveLr", "hessian", "stepCurvature", "curvatures"]) checkAll(e[field], r[field], `${name} ${field}`);
    if (e.limit === null ? r.limit !== null : (check(e.limit, r.limit, `${name} limit`), false)) lengths.push(name);
  }
  for (const [k, m] of v.maps.entries()) {
    const name = `map ${k} (${m.surface} ${m.kind})`;
    checkAll(m.curvature, R.curvatures([1, 1], R.SURFACES[m.surface].hessian(...R.SURFACES[m.surface].start)), `${name} curvature`);
    checkAll(m.rates, R.stabilityRates(m.kind, m.curvature, m.lrs, m.betas), `${name} rates`);
  }
  for (const [key, s] of Object.entries(v.samples)) {
    const js = R.SURFACES[key];
    s.points.forEach(([x, y], i) => {
      check(s.loss[i], js.loss(x, y), `${key} loss at point ${i}`);
      check(s.gap[i], R.gap(js, x, y), `${key} gap at point ${i}`);
      checkAll(s.grad[i], js.grad(x, y), `${key} grad at point ${i}`);
      checkAll(s.hessian[i], js.hessian(x, y), `${key} hessian at point ${i}`);
    });
  }
  return {worst, lengths, compared, identical, optimizers: R.OPTIMIZERS.map(o => o.name),
          surfaces: Object.keys(R.SURFACES)};
}"""


def load_scripts(page, race_dir: Path, *more: str) -> None:
    """Put the applet's data and pure core, then the scripts ``more`` (names in ``race_dir``), on a Playwright page."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for script in (*CORE, *more):
        page.add_script_tag(path=str(race_dir / script))
    if errors or page.evaluate("typeof OptimizerRace.run") != "function":
        raise RuntimeError(f"the applet's scripts did not load: {errors}")


def replay(page, vectors: dict) -> dict:
    """Every case of ``vectors`` run by the core loaded on ``page``, compared value by value.

    Returns how many float64 values were compared and how many are
    bit-identical, the largest relative difference and where, the cases whose
    run has another length (or whose explained update has no limit where
    optlab has one, or the reverse), and the core's optimizers and surfaces.
    """
    return page.evaluate(REPLAY, vectors)


RACE_PAGE = "chapters/race.html"


class Contexts:
    """Browser contexts, one per set of options (viewport, touch, pixel ratio), shared by the pages that ask for it.

    A page of a context that has loaded the book before takes the scripts,
    styles and fonts from the context's cache: the race page loads in about
    0.25 s instead of 1 s in a new context. Neither the applet nor the theme
    keeps anything in a context's storage that a test changes, so pages of
    one context do not see each other's races.
    """

    def __init__(self, browser):
        self.browser = browser
        self.open = {}

    def get(self, **options):
        """The context with these ``new_context`` options, made on first use."""
        key = json.dumps(options, sort_keys=True)
        if key not in self.open:
            self.open[key] = self.browser.new_context(**options)
        return self.open[key]

    def close(self):
        for context in self.open.values():
            context.close()
        self.open.clear()


class RacePage:
    """One browser page of the built book with the Optimizer Race mounted and drawn.

    ``options`` choose the page's context from ``contexts`` (Playwright's
    ``new_context`` options: a phone's viewport, touch, pixel ratio);
    ``fragment`` is appended to the page's address. The applet's "More"
    section is opened (every control in view) unless ``first_sight``.
    """

    def __init__(self, contexts, base_url, path=RACE_PAGE, fragment="", first_sight=False, **options):
        options.setdefault("viewport", {"width": 1100, "height": 1400})
        self.viewport = options["viewport"]
        self.context = contexts.get(**options)
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        response = self.page.goto(base_url + path + fragment, wait_until="load")
        if response is None or not response.ok:
            self.page.close()
            pytest.fail(f"{path} is not in the built book (HTTP {response and response.status}): run `make book`")
        self.page.wait_for_function(f"{HOOK} && {HOOK}.parts.map.width > 0")
        self.root = self.page.locator(".optimizer-race").first
        self.theme = self.page.evaluate("document.documentElement.dataset.theme || ''")
        if not first_sight:
            self.open_more()

    def open_more(self):
        """Open the "More" section, as the reader's click does."""
        self.js("(r) => { if (!r.state().more) r.parts.more.click(); }")

    def js(self, expression, arg=None):
        """Evaluate ``expression``, a function of ``(r, arg)`` with ``r`` the first applet's test hook (race_hook.js)."""
        return self.page.evaluate(f"(arg) => {{ const r = {HOOK}; return ({expression})(r, arg); }}", arg)

    def state(self):
        return self.js(
            """(r) => { const s = r.state();
                        return {t: s.t, playing: s.playing, surface: s.surface, start: s.start, hyper: s.hyper,
                                visible: s.visible, sigma: s.sigma, seed: s.seed, schedule: s.schedule, horizon: s.horizon,
                                caption: r.parts.caption.textContent, error: r.parts.error.hidden ? null : r.parts.error.textContent}; }"""
        )

    def readout(self, name):
        """The L - L* text that the standings show for optimizer ``name``."""
        return self.js("(r, n) => r.rows[n].gap.textContent", name)

    def series(self, name):
        """The loss gaps the loss plot draws for ``name`` (steps 0..t)."""
        return self.js("(r, n) => r.series(n)", name)

    def lr_input(self, name):
        return self.root.get_by_role("textbox", name=f"{name} learning rate", exact=False)

    def set_field(self, locator, text):
        locator.fill(text)
        locator.press("Enter")

    def step(self, times):
        """Press "Single step" ``times`` times: once as a reader does, then the same click ``times - 1`` times at once.

        Playwright's own click waits for the button to be visible, still and
        enabled, about 50 ms a press; the handler is synchronous, so the
        repeated presses through the DOM leave the race exactly where as many
        real ones would.
        """
        if times < 1:
            return
        button = self.root.get_by_role("button", name="Single step")
        button.click()
        button.evaluate("(button, times) => { for (let i = 0; i < times; i++) button.click(); }", times - 1)

    def show_all(self):
        for checkbox in self.root.get_by_role("checkbox").all():
            if checkbox.get_attribute("id", timeout=1000).split("-")[1] == "show":
                checkbox.check()

    def reset(self, fragment="", first_sight=False):
        """Back to the race of ``fragment`` (the opening race by default), as a freshly opened page shows it, More opened unless ``first_sight``.

        Cheaper than a new page (about a second each): the race, its view,
        the arrows' owner, the theme, the window's size and scroll are put back.
        """
        self.page.set_viewport_size(self.viewport)
        self.page.evaluate(
            """([fragment, theme]) => { if (theme) document.documentElement.dataset.theme = theme;
                               else delete document.documentElement.dataset.theme;
                               window.scrollTo(0, 0); OptimizerRace.testHook().open(fragment); }""",
            [fragment, self.theme],
        )
        if not first_sight:
            self.open_more()
        self.errors.clear()

    def close(self):
        self.page.close()
