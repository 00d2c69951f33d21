"""What every kind of test shares: optional tools, and the built book.

The tests come in three kinds, one folder each, with a conftest of their own:

* ``unit/``: fast, no build, no browser; what ``make mutation`` runs;
* ``book/``: the build, the built pages and the student edition;
* ``browser/``: the built pages and the applet in Chromium.

An optional tool (a browser, torch) may be missing on a developer's machine,
and a test that needs one then skips and says which tool was missing. In CI
(the environment variable ``CI`` is set) every tool must be there, so the same
test fails instead: a green CI never hides a skipped check.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil

import pytest

from booktools import ROOT, serve
from booktools.serve import find_chromium

SITE = ROOT / "_build" / "html"


PROGRAMS = ("pdftotext", "pdfinfo", "pdfimages")
"""Command-line tools (Debian's poppler-utils) that ``require`` finds on the PATH."""


def _find_module(name):
    return importlib.import_module(name) if importlib.util.find_spec(name) else None


LAB_PYTHON = ROOT / ".venv-lab" / "bin" / "python"
"""The Python of JupyterLab's own environment (``make lab-env``), apart from ``.venv``, which it would slow."""


def _find(tool: str):
    if tool == "chromium":
        return find_chromium()
    if tool == "lab-env":
        return LAB_PYTHON if LAB_PYTHON.is_file() else None
    return shutil.which(tool) if tool in PROGRAMS else _find_module(tool)


FIRST = ("tests/claims/", "notebooks/", "tests/browser/test_pages.py")
"""Scopes that start first, with the modules marked ``long_setup``: the pages' claims rerun at their
horizons, the twins' replays and (in ``make test-system``) the page-by-page browser sweep, the longest ones."""

LAST = ("tests/unit/",)
"""Scopes that start last: many short modules, which fill in the last seconds of both workers."""


def _scope(nodeid: str) -> str:
    """The scope in which ``--dist loadscope`` keeps tests together: their module (or class, or notebook)."""
    return nodeid.rsplit("::", 1)[0]


def pytest_collection_modifyitems(config, items):
    """Order the scopes as ``make test``'s two workers should take them up.

    With ``--no-loadscope-reorder`` pytest-xdist hands the scopes out in
    collection order (by default it takes the ones with the most tests first,
    so a build or a server behind a module of three tests started last and
    left the other worker idle). The longest scopes go first (:data:`FIRST`,
    and the modules marked ``long_setup``), the short unit modules last;
    within each group, the scopes with the most tests first. A run without
    workers keeps pytest's order (there, ``-x`` stops sooner with the unit tests first).
    """
    if not hasattr(config, "workerinput"):  # only pytest-xdist's workers collect for a distributed run
        return
    scopes = {}
    for item in items:
        scopes.setdefault(_scope(item.nodeid), []).append(item)

    def rank(scope: str) -> tuple[int, int]:
        first = scope.startswith(FIRST) or scopes[scope][0].get_closest_marker("long_setup")
        group = 0 if first else 2 if scope.startswith(LAST) else 1
        return group, -len(scopes[scope])

    items[:] = [item for scope in sorted(scopes, key=rank) for item in scopes[scope]]


@pytest.fixture(name="require", scope="session")
def require_fixture():
    """``require(tool)``: a path for ``"chromium"``, the :data:`PROGRAMS` and ``"lab-env"`` (its Python), else the imported module.

    When the tool is missing, the calling test skips with a message naming
    it, or fails when running in CI.
    """

    def require(tool: str):
        found = _find(tool)
        if found is not None:
            return found
        message = f"optional tool {tool!r} is not available on this machine"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI must run every test", pytrace=False)
        pytest.skip(message)

    return require


@pytest.fixture(scope="session")
def built_site():
    """``_build/html`` of the book; the test fails if the book was not built."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE} holds no built book: run `make book` first", pytrace=False)
    return SITE


@pytest.fixture(scope="session")
def site_url(built_site):
    """Base URL (ending in ``/``) of the built site served on 127.0.0.1."""
    with serve.serve(built_site) as url:
        yield url
