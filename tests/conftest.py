"""Fixtures shared by the test modules.

An optional tool (a browser, torch) may be missing on a developer's machine,
and a test that needs one then skips and says which tool was missing. In CI
(the environment variable ``CI`` is set) every tool must be there, so the same
test fails instead: a green CI never hides a skipped check.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package: `apt-get install chromium`


def _find_chromium():
    return CHROMIUM if os.access(CHROMIUM, os.X_OK) else None


def _find_module(name):
    return importlib.import_module(name) if importlib.util.find_spec(name) else None


def _find_program(name):
    return shutil.which(name)


_FINDERS = {"chromium": _find_chromium, **{name: functools.partial(_find_program, name)
                                          for name in ("pdftotext", "pdfinfo", "pdfimages")}}


def require(tool: str):
    """Return ``tool`` (a path for ``chromium``, else the imported module).

    When it is missing, skip the calling test with a message naming it, or
    fail the test when running in CI.
    """
    found = _FINDERS.get(tool, functools.partial(_find_module, tool))()
    if found is not None:
        return found
    message = f"optional tool {tool!r} is not available on this machine"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI must run every test", pytrace=False)
    pytest.skip(message)


@pytest.fixture(name="require")
def require_fixture():
    """The :func:`require` helper, for tests that prefer a fixture to an import."""
    return require


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Path of Debian's Chromium, for Playwright's ``executable_path``."""
    return require("chromium")


@pytest.fixture(scope="session")
def built_site() -> Path:
    """``_build/html`` of the book; the test fails if the book was not built."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE} holds no built book: run `make book` first", pytrace=False)
    return SITE


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature is http.server's
        pass


@pytest.fixture(scope="session")
def site_url(built_site):
    """Base URL (ending in ``/``) of the built site served on 127.0.0.1."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    """A headless Chromium driven by Playwright (its own browser download is never used)."""
    sync_api = require("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(chromium_path), headless=True)
        yield chromium
        chromium.close()
