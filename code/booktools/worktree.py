"""A copy of the working tree, for work that must not disturb it (the benchmark's builds, the toy optimizer)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from . import ROOT


def copy_worktree(destination: Path, root: Path = ROOT) -> Path:
    """Copy every file of ``root`` that git tracks or would track (not the ignored ones) into ``destination``."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=root, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = root / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination
