"""Browser tests: Debian's Chromium, driven by Playwright, on the built book served from 127.0.0.1.

They skip when Chromium or Playwright is missing, and fail instead when CI is
set (the ``require`` fixture of ``tests/conftest.py``).
"""

from __future__ import annotations

import pytest

from booktools import serve
from harness.race import RACE_PAGE, Contexts, RacePage


@pytest.fixture(scope="session")
def browser(require):
    """A headless Chromium (Playwright's own browser download is never used)."""
    require("playwright.sync_api")
    with serve.chromium(require("chromium")) as chromium:
        yield chromium


@pytest.fixture(scope="session")
def contexts(browser):
    """The browser's contexts, one per set of options, shared by every race page of the session."""
    pool = Contexts(browser)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def race_page(contexts, site_url):
    """One race page per test module, in a laptop-sized window."""
    page = RacePage(contexts, site_url)
    yield page
    page.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
"""A phone's window: Playwright's context options."""


@pytest.fixture(scope="module")
def phone_page(contexts, site_url):
    """One race page per test module, on a phone."""
    page = RacePage(contexts, site_url, **PHONE)
    yield page
    page.close()


@pytest.fixture
def race(race_page):
    """The module's race page, reset to the opening race before the test."""
    race_page.reset()
    yield race_page


@pytest.fixture
def open_race(contexts, site_url):
    """``open_race(fragment="", path=RACE_PAGE, **context_options)``: another page with the race, closed after the test."""
    pages = []

    def open_page(fragment="", path=RACE_PAGE, **options):
        pages.append(RacePage(contexts, site_url, path, fragment=fragment, **options))
        return pages[-1]

    yield open_page
    for page in pages:
        page.close()
