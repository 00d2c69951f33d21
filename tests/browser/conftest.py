"""Browser tests: Debian's Chromium, driven by Playwright, on the built book served from 127.0.0.1.

They skip when Chromium or Playwright is missing, and fail instead when CI is
set (the ``require`` fixture of ``tests/conftest.py``).
"""

from __future__ import annotations

import pytest

from booktools import serve


@pytest.fixture(scope="session")
def browser(require):
    """A headless Chromium (Playwright's own browser download is never used)."""
    require("playwright.sync_api")
    with serve.chromium(require("chromium")) as chromium:
        yield chromium


RACE_PAGE = "chapters/race.html"


class RacePage:
    """One browser page of the built book with the Optimizer Race mounted and drawn.

    ``options`` go to Playwright's ``new_context`` (a phone's viewport, touch,
    pixel ratio); ``fragment`` is appended to the page's address. The applet's
    "More" section is opened (every control in view) unless ``first_sight``.
    """

    def __init__(self, browser, base_url, path=RACE_PAGE, fragment="", first_sight=False, **options):
        options.setdefault("viewport", {"width": 1100, "height": 1400})
        self.viewport = options["viewport"]
        self.context = browser.new_context(**options)
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        response = self.page.goto(base_url + path + fragment, wait_until="load")
        if response is None or not response.ok:
            self.context.close()
            pytest.fail(f"{path} is not in the built book (HTTP {response and response.status}): run `make book`")
        self.page.wait_for_function("window.OptimizerRace && OptimizerRace.instances.length > 0")
        self.page.wait_for_function("OptimizerRace.instances[0].mapCanvas.width > 0")
        self.root = self.page.locator(".optimizer-race").first
        self.theme = self.page.evaluate("document.documentElement.dataset.theme || ''")
        if not first_sight:
            self.open_more()

    def open_more(self):
        """Open the "More" section, as the reader's click does."""
        self.js("(r) => { if (!r.more) r.moreButton.click(); }")

    def js(self, expression, arg=None):
        """Evaluate ``expression``, a function of ``(r, arg)`` with ``r`` the first applet."""
        return self.page.evaluate(f"(arg) => {{ const r = OptimizerRace.instances[0]; return ({expression})(r, arg); }}", arg)

    def state(self):
        return self.js(
            """(r) => ({t: r.t, playing: r.playing, surface: r.surface.key, start: r.start, hyper: r.hyper,
                        visible: r.visible, sigma: r.sigma, seed: r.seed, schedule: r.schedule, horizon: r.horizon,
                        caption: r.caption.textContent, error: r.error.hidden ? null : r.error.textContent})"""
        )

    def readout(self, name):
        """The L - L* text that the standings show for optimizer ``name``."""
        return self.js("(r, n) => r.rows[n].gapCell.textContent", name)

    def series(self, name):
        """The loss gaps the loss plot draws for ``name`` (steps 0..t)."""
        return self.js("(r, n) => r.series(n)", name)

    def lr_input(self, name):
        return self.root.get_by_role("textbox", name=f"{name} learning rate", exact=False)

    def set_field(self, locator, text):
        locator.fill(text)
        locator.press("Enter")

    def step(self, times):
        button = self.root.get_by_role("button", name="Single step")
        for _ in range(times):
            button.click()

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
            """([fragment, theme]) => { const r = OptimizerRace.instances[0];
                               if (theme) document.documentElement.dataset.theme = theme;
                               else delete document.documentElement.dataset.theme;
                               history.replaceState(null, '', location.pathname + fragment);
                               r.arrowsOf = null; window.scrollTo(0, 0); r.clearError();
                               if (fragment) r.followLink(); else r.applyConfig(OptimizerRace.share.defaults()); }""",
            [fragment, self.theme],
        )
        if not first_sight:
            self.open_more()
        self.errors.clear()

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def race_page(browser, site_url):
    """One race page per test module, in a laptop-sized window."""
    page = RacePage(browser, site_url)
    yield page
    page.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
"""A phone's window: Playwright's context options."""


@pytest.fixture(scope="module")
def phone_page(browser, site_url):
    """One race page per test module, on a phone."""
    page = RacePage(browser, site_url, **PHONE)
    yield page
    page.close()


@pytest.fixture
def race(race_page):
    """The module's race page, reset to the opening race before the test."""
    race_page.reset()
    yield race_page


@pytest.fixture
def open_race(browser, site_url):
    """``open_race(fragment="", path=RACE_PAGE, **context_options)``: another page with the race, closed after the test."""
    pages = []

    def open_page(fragment="", path=RACE_PAGE, **options):
        pages.append(RacePage(browser, site_url, path, fragment=fragment, **options))
        return pages[-1]

    yield open_page
    for page in pages:
        page.close()
