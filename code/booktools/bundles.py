"""Runnable bundles: a notebook page of the book, taken away with everything it imports.

A page's ``.ipynb`` alone does not run outside the book: it imports
``optlab``. The bundle of a page is a zip of

* the executed notebook,
* a wheel of ``optlab`` (built from ``pyproject.toml`` with ``pip wheel``),
* ``requirements.txt``: the packages the notebook runs with, pinned to the
  versions of ``requirements.lock`` that executed it,
* ``requirements-lab.txt``: JupyterLab with jupyterlab-myst, which renders
  the notebook's MyST (theorems, algorithms, proofs, admonitions),
* ``README.md``: how to run it, and the edition it comes from.

jupyterlab-myst cannot read the book's bibliography or the labels of its
other pages, so it shows "Citation Not Found" for a citation and a bare
label for a cross-page reference. In the bundled notebook, therefore, every
citation and cross-reference role is rewritten as the plain text the site
shows ("Kingma and Ba (2015)", "Figure 27.3", "Theorem 27.1", "(27.4)", a
section's title), by :func:`plain_references` with a :class:`BookReferences`
read from the build; the notebook ends with the list of the works it cites.
Its frontmatter (:func:`numbering_frontmatter`) makes jupyterlab-myst number
theorems, algorithms, definitions and equations 27.N from where the page
starts; figures made by code cells it does not number (their references
are plain text with the book's numbers).

Every notebook page starts with :data:`INSTALL_CELL` (tagged
``remove-cell``, so the site does not show it): where ``optlab`` is not
installed, it installs the wheel that lies beside the notebook.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

import optlab

INSTALL_CELL = '''\
# Makes optlab importable outside the book: where it is not installed yet,
# install the wheel that comes beside this notebook in the page's bundle.
try:
    import optlab
except ModuleNotFoundError:
    import glob, subprocess, sys
    wheels = sorted(glob.glob("optlab_book-*.whl"))
    if not wheels:
        raise ModuleNotFoundError(
            "optlab is not installed: download this page's bundle (.zip) from the book's "
            "download menu, unpack it, and open the notebook in the unpacked folder"
        ) from None
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", wheels[-1]], check=True)
    print(f"optlab installed from {wheels[-1]}")'''
"""The first code cell of every notebook page; it prints nothing where optlab is installed."""

DISTRIBUTION = "optlab-book"
"""optlab's name on the package index (``pyproject.toml``): "optlab" there is another project. The import name is optlab."""

RUN_REQUIREMENTS = ("numpy", "matplotlib", "ipykernel")
"""What a notebook of the book needs beside optlab, to run in Jupyter."""

ROLE = re.compile(r"\{(cite:t|cite:p|cite|ref|numref|eq|prf:ref|doc)\}`([^`]*)`")
"""A MyST role of the pages that needs the book to resolve: ``{cite:t}`kingma2015```, ``{eq}`eq-gd```, ..."""


@dataclass(frozen=True)
class BookReferences:
    """What the book's build knows about its references, as plain text.

    ``titles``: label -> the text a ``{ref}`` shows (a section's title);
    ``numbers``: label -> "Figure 27.3", "Theorem 27.1", "(27.4)";
    ``pages``: page name -> its title; ``citations``: key -> (who, year, the entry as text).
    """

    titles: dict[str, str]
    numbers: dict[str, str]
    pages: dict[str, str]
    citations: dict[str, tuple[str, str, str]]

    def cite(self, role: str, keys: str) -> str:
        works = [self.citations[key.strip()] for key in keys.split(",")]
        if role == "cite:t":
            return ", ".join(f"{who} ({year})" for who, year, _ in works)
        return "(" + "; ".join(f"{who}, {year}" for who, year, _ in works) + ")"

    def text(self, role: str, target: str, page: str) -> str:
        """The plain text of one role of the page ``page``, as the site renders it."""
        if role.startswith("cite"):
            return self.cite(role, target)
        explicit = re.fullmatch(r"(.*?)\s*<([^<>]+)>", target, flags=re.S)
        label = explicit.group(2) if explicit else target
        if role == "doc":
            return explicit.group(1) if explicit else self.pages[posixpath.normpath(posixpath.join(
                posixpath.dirname(page), label))]
        shown = self.titles.get(label) if role == "ref" else self.numbers.get(label)
        if explicit:
            number = self.numbers.get(label, "").split(" ")[-1]
            return explicit.group(1).replace("%s", number)
        if shown is None:
            raise KeyError(f"{page}: no target {label!r} for {{{role}}}")
        return shown


def plain_references(markdown: str, references: BookReferences, page: str) -> str:
    """``markdown`` with every citation and cross-reference role replaced by its plain text."""
    return ROLE.sub(lambda match: references.text(match.group(1), match.group(2), page), markdown)


def cited_keys(markdown: str) -> list[str]:
    """The citation keys of ``markdown``, in order of first citation."""
    keys = [key.strip() for role, target in ROLE.findall(markdown) if role.startswith("cite")
            for key in target.split(",")]
    return list(dict.fromkeys(keys))


def numbering_frontmatter(numbering: dict) -> str:
    """A Markdown cell of MyST frontmatter that makes jupyterlab-myst number as the book does.

    ``numbering`` is MyST's ``numbering`` setting (``enumerator: "27.%s"``,
    the number each kind starts at, proofs unnumbered).
    """
    return "---\n" + yaml.safe_dump({"numbering": numbering}, sort_keys=False) + "---\n"


def readable_notebook(notebook, references: BookReferences, page: str, numbering: dict | None = None):
    """A copy of ``notebook`` whose Markdown cells JupyterLab renders without the book, and its list of works cited.

    With ``numbering``, the notebook opens with the frontmatter of :func:`numbering_frontmatter`.
    """
    readable = copy.deepcopy(notebook)
    if numbering:
        readable.cells.insert(0, nbformat.v4.new_markdown_cell(numbering_frontmatter(numbering)))
    cells = [cell for cell in readable.cells if cell.cell_type == "markdown"]
    keys = cited_keys("\n".join(cell.source for cell in cells))
    for cell in cells:
        cell.source = plain_references(cell.source, references, page)
    if keys:
        entries = sorted(references.citations[key] for key in keys)
        listing = "\n".join(f"- {entry}" for _, _, entry in entries)
        readable.cells.append(nbformat.v4.new_markdown_cell(f"## Works cited\n\n{listing}\n"))
    return readable


@dataclass(frozen=True)
class Edition:
    """Which book a bundle comes from: the book's version, optlab's, and the build date."""

    book: str
    optlab: str
    date: str

    @classmethod
    def today(cls, release: str | None) -> Edition:
        """The edition of a build run today (UTC) from the book's ``release``, with the installed optlab."""
        today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        return cls(book=release or "unversioned", optlab=optlab.__version__, date=today)

    def line(self) -> str:
        return f"edition {self.book}, optlab {self.optlab}, built {self.date}"


def source_digest(root: Path) -> str:
    """A digest of what the wheel is made of (``pyproject.toml`` and ``code/optlab``)."""
    digest = hashlib.sha256()
    for path in [root / "pyproject.toml", *sorted((root / "code" / "optlab").rglob("*.py"))]:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def build_wheel(root: Path, cache: Path) -> Path:
    """The wheel of ``optlab``, built once per source digest into ``cache/DIGEST/``."""
    folder = cache / source_digest(root)
    wheels = sorted(folder.glob(f"{DISTRIBUTION.replace('-', '_')}-*.whl"))
    if not wheels:
        folder.mkdir(parents=True, exist_ok=True)
        # From a copy of what the wheel is made of: setuptools leaves a build/
        # folder behind, which must not land in the repository.
        with tempfile.TemporaryDirectory(prefix="optlab-wheel-") as copy:
            shutil.copy(root / "pyproject.toml", copy)
            shutil.copytree(root / "code" / "optlab", Path(copy) / "code" / "optlab",
                            ignore=shutil.ignore_patterns("__pycache__"))
            subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                            "--disable-pip-version-check", "--wheel-dir", str(folder), copy], check=True)
        wheels = sorted(folder.glob(f"{DISTRIBUTION.replace('-', '_')}-*.whl"))
    return wheels[-1]


def locked_versions(lock_text: str) -> dict[str, str]:
    """The ``name==version`` pins of a requirements file, by lower-case name (markers and comments dropped)."""
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", lock_text, flags=re.MULTILINE)
    return {name.lower().replace("_", "-"): pinned for name, pinned in pins}


SUPPORTED_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
"""The Python versions a bundle's ``requirements.txt`` resolves on (``pyproject.toml`` says ``>=3.10``)."""

LAB_REQUIREMENTS = ("jupyterlab", "jupyterlab-myst")
"""What reading a notebook in JupyterLab needs, its MyST rendered."""


def requirement_ranges(requirements_text: str) -> dict[str, str]:
    """The version ranges of a requirements file, by lower-case name: ``{"numpy": ">=2,<3"}``."""
    ranges = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*([<>=!~][^\s#;]*)", requirements_text, flags=re.MULTILINE)
    return {name.lower().replace("_", "-"): spec for name, spec in ranges}


def bundle_requirements(requirements_text: str, lock_text: str, lab_text: str) -> dict[str, str]:
    """The requirement files of a bundle, by file name.

    ``requirements.txt``: :data:`RUN_REQUIREMENTS` with the ranges the book
    supports (they resolve on every version of :data:`SUPPORTED_PYTHONS`);
    ``requirements.lock``: the same at the versions that executed the
    notebook; ``requirements-lab.txt``: :data:`LAB_REQUIREMENTS` with the
    ranges of ``make lab``.
    """
    ranges, pins, lab = requirement_ranges(requirements_text), locked_versions(lock_text), requirement_ranges(lab_text)
    pythons = f"Python {SUPPORTED_PYTHONS[0]} to {SUPPORTED_PYTHONS[-1]}"
    return {
        "requirements.txt": f"# What the notebook runs with, on {pythons}; optlab is the wheel beside it.\n"
                            + "".join(f"{name}{ranges[name]}\n" for name in RUN_REQUIREMENTS),
        "requirements.lock": "# The exact versions that executed the notebook (Python 3.11 or later).\n"
                             + "".join(f"{name}=={pins[name]}\n" for name in RUN_REQUIREMENTS),
        "requirements-lab.txt": "# JupyterLab, with jupyterlab-myst to render the notebook's theorems, algorithms and proofs.\n"
                                + "".join(f"{name}{lab[name]}\n" for name in LAB_REQUIREMENTS),
    }


def readme(page_title: str, notebook: str, wheel: str, edition: Edition) -> str:
    pythons = f"{SUPPORTED_PYTHONS[0]} to {SUPPORTED_PYTHONS[-1]}"
    return f"""# {page_title}

From the book *Momentum, RMSProp, and Adam* ({edition.line()}).

It needs Python {pythons}. `requirements.txt` names the versions of the
packages the notebook supports, `requirements.lock` the exact versions that
executed it (Python 3.11 or later), and `requirements-lab.txt` JupyterLab
with jupyterlab-myst, which renders the notebook's theorems, algorithms and
proofs. Citations and cross-references are plain text here; the book's
pages link them.

On Linux or macOS, in a terminal in this folder:

    python3 -m venv .venv
    .venv/bin/python -m pip install -r requirements.txt -r requirements-lab.txt {wheel}
    .venv/bin/jupyter lab {notebook}

On Windows, in PowerShell in this folder:

    py -m venv .venv
    .venv\\Scripts\\python -m pip install -r requirements.txt -r requirements-lab.txt {wheel}
    .venv\\Scripts\\jupyter lab {notebook}

For the exact versions that executed the notebook, install
`requirements.lock` in place of `requirements.txt`. In an environment of
your own, opening `{notebook}` is enough: its first cell installs `{wheel}`
from this folder when `optlab` is missing.
"""


def write_bundle(target: Path, notebook: Path, wheel: Path, requirements: dict[str, str], page_title: str,
                 edition: Edition, references: BookReferences, page: str, numbering: dict | None = None) -> Path:
    """Write the zip of one page, in a folder named after the page.

    It holds the notebook (its references as plain text: :func:`readable_notebook`),
    the wheel, the ``requirements`` files (:func:`bundle_requirements`) and the README.
    """
    folder = target.stem
    target.parent.mkdir(parents=True, exist_ok=True)
    readable = readable_notebook(nbformat.read(notebook, as_version=4), references, page, numbering)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(f"{folder}/{notebook.name}", nbformat.writes(readable))
        bundle.write(wheel, f"{folder}/{wheel.name}")
        for name, text in requirements.items():
            bundle.writestr(f"{folder}/{name}", text)
        bundle.writestr(f"{folder}/README.md", readme(page_title, notebook.name, wheel.name, edition))
    return target
