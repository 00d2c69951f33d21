"""Tests of the built book: they need ``make book`` (``make test`` runs it first), and no browser."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


@pytest.fixture(scope="session")
def build_book():
    """``build_book(folders) -> {folder: (exit code, output)}``: strict builds, run side by side.

    Each folder holds a book (``_config.yml``, ``_toc.yml``, pages); it is
    built as ``make book`` builds, with ``-W -n --keep-going``.
    """

    def build(folders):
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
        command = [str(JUPYTER_BOOK), "build", ".", "--builder", "html", "-W", "-n", "--keep-going"]
        running = {folder: subprocess.Popen(command, cwd=folder, env=env, text=True,
                                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                   for folder in folders}
        return {folder: (process.wait(timeout=300), process.stdout.read()) for folder, process in running.items()}

    return build
