"""Runnable bundles: a notebook page of the book, taken away with everything it imports.

A page's ``.ipynb`` alone does not run outside the book: it imports
``optlab``. The bundle of a page is a zip of

* the executed notebook,
* a wheel of ``optlab`` (built from ``pyproject.toml`` with ``pip wheel``),
* ``requirements.txt``: the packages the notebook runs with, pinned to the
  versions of ``requirements.lock`` that executed it,
* ``README.md``: how to run it, and the edition it comes from.

Every notebook page starts with :data:`INSTALL_CELL` (tagged
``remove-cell``, so the site does not show it): where ``optlab`` is not
installed, it installs the wheel that lies beside the notebook.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

INSTALL_CELL = '''\
# Makes optlab importable outside the book: where it is not installed yet,
# install the wheel that comes beside this notebook in the page's bundle.
try:
    import optlab
except ModuleNotFoundError:
    import glob, subprocess, sys
    wheels = sorted(glob.glob("optlab-*.whl"))
    if not wheels:
        raise ModuleNotFoundError(
            "optlab is not installed: download this page's bundle (.zip) from the book's "
            "download menu, unpack it, and open the notebook in the unpacked folder"
        ) from None
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", wheels[-1]], check=True)
    print(f"optlab installed from {wheels[-1]}")'''
"""The first code cell of every notebook page; it prints nothing where optlab is installed."""

RUN_REQUIREMENTS = ("numpy", "matplotlib", "ipykernel")
"""What a notebook of the book needs beside optlab, to run in Jupyter."""


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
        return cls(book=release or "unversioned", optlab=version("optlab"), date=today)

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
    wheels = sorted(folder.glob("optlab-*.whl"))
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
        wheels = sorted(folder.glob("optlab-*.whl"))
    return wheels[-1]


def locked_versions(lock_text: str) -> dict[str, str]:
    """The ``name==version`` pins of a requirements file, by lower-case name (markers and comments dropped)."""
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", lock_text, flags=re.MULTILINE)
    return {name.lower().replace("_", "-"): pinned for name, pinned in pins}


def run_requirements(lock_text: str) -> str:
    """``requirements.txt`` of a bundle: :data:`RUN_REQUIREMENTS` at their locked versions."""
    pins = locked_versions(lock_text)
    lines = [f"{name}=={pins[name]}" for name in RUN_REQUIREMENTS]
    return "# What the notebook runs with (the versions that executed it); optlab is the wheel beside it.\n" + \
        "\n".join(lines) + "\n"


def readme(page_title: str, notebook: str, wheel: str, edition: Edition) -> str:
    return f"""# {page_title}

From the book *Momentum, RMSProp, and Adam* ({edition.line()}).

To run the notebook:

    python3 -m venv .venv
    .venv/bin/pip install -r requirements.txt {wheel} jupyterlab
    .venv/bin/jupyter lab {notebook}

In an environment of your own, opening `{notebook}` is enough: its first cell
installs `{wheel}` from this folder when `optlab` is missing.
"""


def write_bundle(target: Path, notebook: Path, wheel: Path, lock_text: str, page_title: str,
                 edition: Edition) -> Path:
    """Write the zip of one page: notebook, wheel, requirements and README, in a folder named after the page."""
    folder = target.stem
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.write(notebook, f"{folder}/{notebook.name}")
        bundle.write(wheel, f"{folder}/{wheel.name}")
        bundle.writestr(f"{folder}/requirements.txt", run_requirements(lock_text))
        bundle.writestr(f"{folder}/README.md", readme(page_title, notebook.name, wheel.name, edition))
    return target
