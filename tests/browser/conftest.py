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
