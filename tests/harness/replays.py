"""Replays of the notebooks and the tests in a fresh pytest process, on another machine's last bits.

:mod:`booktools.portability` makes NumPy behave like another CPU (older
dispatch levels, nudged last bits); this module runs the book's checks under
it: :func:`nudged_kernel_env` makes every Jupyter kernel start with the nudges
on, and :func:`run_pytest` runs a pytest session in its own process, with its
own environment, and collects the failures.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

STARTUP = """\
# Written by harness.replays.nudged_kernel_env: every kernel started
# with this IPython directory runs with last-bit nudges.
import booktools.portability
booktools.portability.nudge_last_bits(seed={seed})
del booktools
"""
"""The start-up file of the IPython profile: installs :func:`booktools.portability.nudge_last_bits`."""


def nudged_kernel_env(folder: Path, env: dict | None = None, seed: int = 0) -> dict:
    """An environment in which every IPython kernel starts with last-bit nudges on.

    Writes an IPython profile into ``folder`` whose start-up file installs
    the nudges (drawn with ``seed``), and returns a copy of ``env``
    (default: this process's) with ``IPYTHONDIR`` pointing at it.
    """
    startup = Path(folder) / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-nudge-last-bits.py").write_text(STARTUP.format(seed=seed))
    env = dict(os.environ if env is None else env)
    env["IPYTHONDIR"] = str(folder)
    return env


@dataclass(frozen=True)
class PytestRun:
    """A finished pytest process: its exit code, the ids of its failed tests and its output."""

    returncode: int
    failed: tuple[str, ...]
    output: str


def run_pytest(args, env: dict | None = None, cwd: Path | None = None) -> PytestRun:
    """Run ``python -m pytest ARGS`` in a fresh process (no cache, no xdist) and collect its failures.

    ``env`` replaces the environment (default: this process's), less the
    variables of an xdist worker, so the inner run is an ordinary session.
    """
    env = {k: v for k, v in (os.environ if env is None else env).items()
           if not k.startswith(("PYTEST_XDIST", "PYTEST_CURRENT_TEST"))}
    command = [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", "-p", "no:xdist", *map(str, args)]
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    output = done.stdout + done.stderr
    failed = tuple(re.findall(r"^FAILED (\S+(?: \d+)?)", output, flags=re.MULTILINE))
    return PytestRun(done.returncode, failed, output)
