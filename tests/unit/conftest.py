"""Unit tests: no build, no browser, a few seconds in all; ``make mutation`` runs them on each mutant.

A test here that asks for the built book or a browser would make every
mutant wait for a build, so collection refuses it.
"""

from __future__ import annotations

import pytest

NOT_FOR_UNIT_TESTS = {"built_site", "browser", "site_url", "chromium_path"}


def pytest_collection_modifyitems(config, items):
    here = str(config.rootpath / "tests" / "unit")
    for item in items:
        if str(item.path).startswith(here) and NOT_FOR_UNIT_TESTS & set(getattr(item, "fixturenames", ())):
            raise pytest.UsageError(f"{item.nodeid} needs the built book or a browser: move it to tests/book or tests/browser")
