"""Each notebook page's bundle does what a reader does with it, end to end.

Serve the built site, find the page's ``.zip`` in its download menu, fetch it
over HTTP, unpack it into an empty folder, make a fresh virtual environment
with only the bundle's ``requirements.txt`` (plus nbclient, to run the
notebook as Jupyter would), execute the notebook, and compare every printed
output with the twin in ``notebooks/``. The notebook's first cell installs
the wheel from the bundle, as it would for a reader.

These tests take a minute or more (a virtual environment per page), so
``make test`` leaves them out and ``make test-bundles`` runs them; CI runs
both. pip's cache makes the installs local after the first run.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import urllib.request
import zipfile

import nbformat
import pytest

from booktools import ROOT
from booktools.bundles import INSTALL_CELL

PAGES = sorted(p.stem for p in ROOT.glob("notebooks/*.ipynb"))

EXECUTE = """\
import sys, nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=600, kernel_name="python3").execute()
nbformat.write(notebook, sys.argv[2])
"""


def printed(cell) -> str:
    """What a code cell printed: its streams and plain-text results."""
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", []))


def bundle_link(page_html: str) -> str:
    """The one ``.zip`` link of a page: its download menu's bundle entry."""
    links = set(re.findall(r'href="([^"]+\.zip)"', page_html))
    assert len(links) == 1, f"the page should offer one bundle, it offers {sorted(links)}"
    return links.pop()


@pytest.mark.bundles
@pytest.mark.parametrize("page", PAGES)
def test_bundle_runs_in_a_fresh_environment_with_the_twins_outputs(page, site_url, tmp_path):
    page_url = f"{site_url}chapters/{page}.html"
    html = urllib.request.urlopen(page_url).read().decode()
    zip_url = urllib.request.urljoin(page_url, bundle_link(html))
    with zipfile.ZipFile(io.BytesIO(urllib.request.urlopen(zip_url).read())) as bundle:
        bundle.extractall(tmp_path)
    folder = tmp_path / page
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{page}.ipynb", "README.md", "requirements.txt", *[p.name for p in folder.glob("optlab-*.whl")]])

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", "-r", "requirements.txt", "nbclient"],
                   cwd=folder, check=True)
    assert subprocess.run([python, "-c", "import optlab"], cwd=tmp_path).returncode != 0, "optlab came from elsewhere"

    subprocess.run([python, "-c", EXECUTE, f"{page}.ipynb", "executed.ipynb"], cwd=folder, check=True)
    executed = [c for c in nbformat.read(folder / "executed.ipynb", 4).cells if c.cell_type == "code"]
    twin = [c for c in nbformat.read(ROOT / "notebooks" / f"{page}.ipynb", 4).cells if c.cell_type == "code"]
    assert executed[0].source == INSTALL_CELL
    assert re.fullmatch(r"optlab installed from optlab-[^ ]+\.whl\n", printed(executed[0]))
    assert printed(twin[0]) == ""  # where optlab is installed, the first cell says nothing
    assert [printed(c) for c in executed[1:]] == [printed(c) for c in twin[1:]]


def test_every_notebook_page_starts_with_the_install_cell():
    for page in PAGES:
        first = next(c for c in nbformat.read(ROOT / "notebooks" / f"{page}.ipynb", 4).cells if c.cell_type == "code")
        assert first.source == INSTALL_CELL, page
        assert "remove-cell" in first.metadata.get("tags", []), page
