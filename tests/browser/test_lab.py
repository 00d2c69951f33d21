"""JupyterLab renders the chapter's notebook fully, as a reader who takes the page's bundle sees it.

Starts the JupyterLab of ``requirements-lab.lock`` (the ranges of the
bundle's ``requirements-lab.txt``), from its own environment ``.venv-lab``, on a free local port, in a folder where
the chapter's bundle from the built site is unpacked, and opens its notebook
in Chromium. jupyterlab-myst must render a ``{prf:theorem}`` block as a
theorem (its numbered title in a proof box), leave no directive or role as
raw text, find every citation (no "Citation Not Found": the bundle carries
them as plain text) and leave no cross-reference unresolved. Needs
``make lab-env`` and ``make book``; without JupyterLab the test skips and
says so, and in CI it fails.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
import urllib.request
import zipfile

import pytest


TOKEN = "optlab-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


pytestmark = [pytest.mark.system, pytest.mark.long_setup]  # JupyterLab starts below: make test-system starts it first


@pytest.fixture(scope="module")
def bundle_folder(tmp_path_factory, built_site):
    """The chapter's bundle from the built site, unpacked: the folder holds ``momentum_rmsprop_adam/``."""
    folder = tmp_path_factory.mktemp("bundle")
    with zipfile.ZipFile(built_site / "_bundles" / "chapters" / "momentum_rmsprop_adam.zip") as bundle:
        bundle.extractall(folder)
    return folder


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory, require, bundle_folder):
    """A JupyterLab on the unpacked bundle, with every cell rendered (no windowing), until the module ends."""
    lab_python = require("lab-env")
    settings = tmp_path_factory.mktemp("lab-settings")
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    port = _free_port()
    command = [str(lab_python), "-m", "jupyterlab", "--no-browser", "--ip", "127.0.0.1", f"--port={port}",
               f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={bundle_folder}", "--allow-root",
               "--LabServerApp.notebook_starts_kernel=False"]  # reading needs no kernel
    server = subprocess.Popen(command, env={**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("JupyterLab did not start within 60 s", pytrace=False)
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=20)


RAW_MARKUP = re.compile(r"\{(?:prf:|cite|ref|numref|eq|doc|solution|exercise)[\w:-]*\}|^`{3,}\{", flags=re.M)
"""A MyST role or directive shown as text: jupyterlab-myst did not render it."""


@pytest.fixture(scope="module")
def chapter_notebook(lab_url, browser):
    """The chapter's notebook open in JupyterLab, every Markdown cell rendered: (page, its text)."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{lab_url}/lab/tree/momentum_rmsprop_adam/momentum_rmsprop_adam.ipynb?token={TOKEN}")
    page.locator(".myst-proof", has_text="Convergence rates on a quadratic").first.wait_for(timeout=90_000)
    page.locator(".jp-MarkdownCell", has_text="Works cited").first.wait_for(timeout=30_000)
    yield page, page.locator(".jp-Notebook").inner_text()
    page.close()


def test_jupyterlab_renders_a_theorem_of_the_chapter(chapter_notebook):
    page, _ = chapter_notebook
    theorem = page.locator(".myst-proof", has_text="Convergence rates on a quadratic").first
    assert theorem.locator(".myst-proof-title").inner_text().startswith("Theorem")


def test_no_directive_or_role_is_left_as_raw_text(chapter_notebook):
    _, text = chapter_notebook
    assert not RAW_MARKUP.findall(text), sorted(set(RAW_MARKUP.findall(text)))


def test_every_citation_is_found_and_every_reference_resolved(chapter_notebook):
    page, text = chapter_notebook
    # jupyterlab-myst marks what it cannot resolve with a warning sign titled so.
    unresolved = page.locator(".jp-Notebook [title='Citation Not Found'], "
                              ".jp-Notebook [title='Cross Reference Not Found']")
    assert unresolved.count() == 0, [unresolved.nth(i).inner_text() for i in range(unresolved.count())]
    assert "Polyak (1964)" in text and "(Kingma and Ba, 2015)" in text
    assert re.search(r"Figure 27\.\d+", text) and re.search(r"Theorem 27\.\d+", text)


def test_nbconvert_runs(require):
    done = subprocess.run([str(require("lab-env")), "-m", "nbconvert", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip()[0].isdigit(), done.stderr


def test_jupyterlab_numbers_the_boxes_27_n_as_the_book(chapter_notebook):
    page, _ = chapter_notebook
    titles = [title.inner_text() for title in page.locator(".myst-proof-title").all()]
    for first in ("Definition 27.1 ", "Theorem 27.1 ", "Algorithm 27.1 "):
        assert any(title.startswith(first) for title in titles), titles
    assert not [title for title in titles if re.match(r"(Definition|Theorem|Algorithm) \d+\b(?!\.)", title)]
