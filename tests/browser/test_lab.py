"""``make lab``: JupyterLab renders the chapter's MyST, as the README promises.

Starts the JupyterLab of ``requirements-lab.lock`` on a free local port and
opens the chapter's twin in Chromium. jupyterlab-myst must render a
``{prf:theorem}`` block as a theorem (its numbered title in a proof box),
not show the directive's raw text. Needs ``make lab-env``; without JupyterLab
the test skips and says so, and in CI it fails.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from booktools import ROOT

TOKEN = "optlab-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory, require):
    """A JupyterLab on the repository, with every cell rendered (no windowing), until the module ends."""
    require("jupyterlab")
    settings = tmp_path_factory.mktemp("lab-settings")
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    port = _free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip", "127.0.0.1", f"--port={port}",
               f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={ROOT}", "--allow-root"]
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


def test_jupyterlab_renders_a_theorem_of_the_chapter(lab_url, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        page.goto(f"{lab_url}/lab/tree/notebooks/momentum_rmsprop_adam.ipynb?token={TOKEN}")
        theorem = page.locator(".myst-proof", has_text="Convergence rates on a quadratic").first
        theorem.wait_for(timeout=90_000)
        assert theorem.locator(".myst-proof-title").inner_text().startswith("Theorem")
        assert "{prf:theorem}" not in page.locator(".jp-Notebook").inner_text()
    finally:
        page.close()


def test_nbconvert_runs(require):
    require("nbconvert")
    done = subprocess.run([sys.executable, "-m", "nbconvert", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip()[0].isdigit(), done.stderr
