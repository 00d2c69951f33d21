"""Each notebook page's bundle does what a reader does with it, end to end.

Serve the built site, find the page's ``.zip`` in its download menu, fetch it
over HTTP, unpack it into an empty folder, make a fresh virtual environment
with only the bundle's ``requirements.lock`` (the versions that executed the
twin; plus nbclient, to run the notebook as Jupyter would), execute the
notebook, and compare every printed output with the twin in ``notebooks/``.
The notebook's first cell installs the wheel from the bundle, as it would
for a reader. The bundle's ``requirements.txt`` (ranges) must resolve on
every Python version the bundle's README names, as uv resolves it for
``make lock``.

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
import yaml
import pytest

from booktools import ROOT
from booktools.bundles import INSTALL_CELL, SUPPORTED_PYTHONS, BookReferences, plain_references

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
        [f"{page}.ipynb", "README.md", "requirements.txt", "requirements.lock", "requirements-lab.txt",
         *[p.name for p in folder.glob("optlab_book-*.whl")]])
    assert "jupyterlab-myst" in (folder / "requirements-lab.txt").read_text()

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", "-r", "requirements.lock", "nbclient"],
                   cwd=folder, check=True)
    assert subprocess.run([python, "-c", "import optlab"], cwd=tmp_path).returncode != 0, "optlab came from elsewhere"

    subprocess.run([python, "-c", EXECUTE, f"{page}.ipynb", "executed.ipynb"], cwd=folder, check=True)
    executed = [c for c in nbformat.read(folder / "executed.ipynb", 4).cells if c.cell_type == "code"]
    twin = [c for c in nbformat.read(ROOT / "notebooks" / f"{page}.ipynb", 4).cells if c.cell_type == "code"]
    assert executed[0].source == INSTALL_CELL
    assert re.fullmatch(r"optlab installed from optlab_book-[^ ]+\.whl\n", printed(executed[0]))
    assert printed(twin[0]) == ""  # where optlab is installed, the first cell says nothing
    assert [printed(c) for c in executed[1:]] == [printed(c) for c in twin[1:]]


def test_every_notebook_page_starts_with_the_install_cell():
    for page in PAGES:
        first = next(c for c in nbformat.read(ROOT / "notebooks" / f"{page}.ipynb", 4).cells if c.cell_type == "code")
        assert first.source == INSTALL_CELL, page
        assert "remove-cell" in first.metadata.get("tags", []), page


@pytest.mark.bundles
@pytest.mark.parametrize("python", SUPPORTED_PYTHONS)
def test_bundle_requirements_resolve_on_every_supported_python(python, built_site, tmp_path):
    uv = ROOT / ".venv" / "bin" / "uv"
    if not uv.is_file():  # `make lock` installs it, at the version it names
        version = re.search(r"^UV_VERSION := (\S+)", (ROOT / "Makefile").read_text(), flags=re.M).group(1)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", f"uv=={version}"], check=True)
    with zipfile.ZipFile(built_site / "_bundles" / "chapters" / "momentum_rmsprop_adam.zip") as bundle:
        bundle.extractall(tmp_path)
    folder = tmp_path / "momentum_rmsprop_adam"
    readme = (folder / "README.md").read_text()
    assert f"Python {SUPPORTED_PYTHONS[0]} to {SUPPORTED_PYTHONS[-1]}" in readme and "PowerShell" in readme
    for requirements in ("requirements.txt", "requirements-lab.txt"):
        done = subprocess.run([uv, "pip", "compile", folder / requirements, "--universal", "--python-version", python,
                               "--quiet", "--output-file", tmp_path / f"{requirements}.resolved"],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


REFERENCES = BookReferences(
    titles={"sec-momentum": "27.2 Momentum", "conventions-adamw": r"Weight decay: $\lambda$ or $\eta\lambda$"},
    numbers={"fig-sgd-zigzag": "Figure 27.1", "eq-gd": "(27.1)", "thm-heavy-ball": "Theorem 27.1",
             "ex-lr-sweep": "Exercise"},
    pages={"chapters/exercises": "Exercises"},
    citations={"kingma2015": ("Kingma and Ba", "2015", ""), "duchi2011": ("Duchi et al.", "2011", "")},
)


def test_every_citation_and_reference_of_a_bundled_notebook_is_plain_text():
    markdown = ("Adam {cite:p}`kingma2015,duchi2011`, as {cite:t}`kingma2015` show in {numref}`fig-sgd-zigzag` "
                "and {eq}`eq-gd` ({prf:ref}`thm-heavy-ball`, {ref}`sec-momentum`, {ref}`conventions-adamw`, "
                "{ref}`Exercise 27.4 <ex-lr-sweep>`, {doc}`exercises`).")
    assert plain_references(markdown, REFERENCES, "chapters/momentum_rmsprop_adam") == (
        "Adam (Kingma and Ba, 2015; Duchi et al., 2011), as Kingma and Ba (2015) show in Figure 27.1 "
        "and (27.1) (Theorem 27.1, 27.2 Momentum, Weight decay: $\\lambda$ or $\\eta\\lambda$, "
        "Exercise 27.4, Exercises).")
    with pytest.raises(KeyError):
        plain_references("{numref}`fig-missing`", REFERENCES, "chapters/exercises")


def test_a_bundled_notebook_starts_its_numbering_where_its_page_does(built_site):
    with zipfile.ZipFile(built_site / "_bundles" / "chapters" / "noise_and_schedules.zip") as bundle:
        notebook = nbformat.reads(bundle.read("noise_and_schedules/noise_and_schedules.ipynb").decode(), 4)
    frontmatter = yaml.safe_load(notebook.cells[0].source.strip().strip("-"))
    site = (built_site / "chapters" / "noise_and_schedules.html").read_text(encoding="utf-8")
    first_equation = min(int(n) for n in re.findall(r'class="eqno">\(27\.(\d+)\)', site))
    assert frontmatter["numbering"]["enumerator"] == "27.%s"
    assert frontmatter["numbering"]["equation"]["start"] == first_equation > 1
