"""Items 3 and 4 in a throw-away copy: the book's clean and cached builds, and ``make test``
(with ``make test-system`` reported beside it)."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

from booktools import ROOT
from booktools.myst import blocks
from booktools.toc import is_notebook, pages
from booktools.worktree import copy_worktree

BUILD_SECONDS = {"clean": 30.0, "no change": 3.0, "prose-only change": 5.0}
"""Budgets of the three builds, in seconds."""
TEST_SECONDS = 120.0
"""Budget of ``make test``, in seconds."""


def copy_repository(destination: Path) -> None:
    """Copy the working tree (tracked and untracked, not ignored) and link the shared .venv (and .venv-lab, if made).

    The copy is made a git repository holding every copied file, as a clone
    would be, since the tests copy their tree in turn (the toy optimizer's).
    """
    copy_worktree(destination)
    for command in (["git", "init", "--quiet"], ["git", "add", "--all"]):
        subprocess.run(command, cwd=destination, check=True, capture_output=True)
    for environment in (".venv", ".venv-lab"):
        if (ROOT / environment).is_dir():
            (destination / environment).symlink_to(ROOT / environment)


def run_make(copy: Path, target: str) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall and CPU seconds (of all child processes) of ``make target`` in ``copy``.

    ``-o .venv/.installed`` (and ``.venv-lab``'s) keeps make from reinstalling the shared
    environments because the copied requirements look newer than their stamps.
    ``PYTHONPATH`` puts the copy's ``code/`` first: the shared environment's
    editable install points at this working tree, whose ``booktools.ROOT``
    would send the tests to its ``_build`` instead of the copy's.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "MPLBACKEND")}
    env["PYTHONPATH"] = str(copy / "code")
    before = os.times()
    wall = time.perf_counter()
    result = subprocess.run(["make", "-o", ".venv/.installed", "-o", ".venv-lab/.installed", target], cwd=copy, env=env,
                            capture_output=True, text=True)
    wall = time.perf_counter() - wall
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, result


def cached_executions(copy: Path) -> dict[str, float]:
    """Each notebook in the execution cache with the time its record was made."""
    from jupyter_cache import get_cache

    cache = get_cache(str(copy / "_build" / ".jupyter_cache"))
    return {record.uri: record.created.timestamp() for record in cache.list_cache_records()}


def touch_prose(copy: Path) -> str:
    """Add a sentence to the first plain paragraph of the first chapter notebook: prose only, no code."""
    for page in pages(copy):
        if page.suffix != ".md" or not is_notebook(page):
            continue
        lines = page.read_text().splitlines(keepends=True)
        for block in blocks("".join(lines)):
            if block.kind == "paragraph" and block.text[:1].isalpha() and not block.text.endswith(":"):
                lines[block.start] = lines[block.start].rstrip("\n") + " A sentence the benchmark added.\n"
                page.write_text("".join(lines))
                return f"{page.relative_to(copy)}:{block.start + 1}"
    return ""


def make_target_row(copy: Path, target: str, budget: float | None) -> tuple:
    """The row of ``make target`` run in ``copy``: its wall time against ``budget`` (``None``: reported only)."""
    wall, cpu, result = run_make(copy, target)
    lines = result.stdout.splitlines()
    summary = [line for line in lines if re.search(r"\d+ (passed|failed)", line)]
    failed = [line.split()[1] for line in lines if line.startswith(("FAILED ", "ERROR "))]
    note = f"CPU {cpu:.1f} s; " + (summary[-1].strip("= ") if summary else f"exit {result.returncode}")
    if failed:  # the budget is on time; failures are someone's work in progress, named here
        note += "; failing: " + ", ".join(failed[:3]) + (" ..." if len(failed) > 3 else "")
    if budget is None:
        return (f"4 make {target}", f"{wall:.0f} s", "", None, note)
    return (f"4 make {target}", f"{wall:.0f} s", f"<= {budget:.0f} s", wall <= budget, note)


def bench_build_and_tests(run_tests: bool, run_build: bool, keep: Path | None = None):
    """Items 3 and 4 in a throw-away copy, so nobody's _build is disturbed; returns the rows and the copy."""
    rows = []
    if not (ROOT / ".venv" / ".installed").exists():
        reason = ".venv is missing: run `make book` once"
        if run_build:
            rows.append(("3 book build", "skipped", "", None, reason))
        if run_tests:
            rows.append(("4 make test", "skipped", "", None, reason))
        return rows, None
    copy = keep or Path(tempfile.mkdtemp(prefix="optlab-bench-"))
    copy_repository(copy)
    wall, cpu, result = run_make(copy, "book")
    ok = result.returncode == 0
    if run_build:
        first = cached_executions(copy) if ok else {}
        rows.append(("3 build: clean", f"{wall:.1f} s", f"<= {BUILD_SECONDS['clean']:.0f} s",
                     ok and wall <= BUILD_SECONDS["clean"],
                     f"CPU {cpu:.1f} s; {len(first)} notebooks executed" if ok else "BUILD FAILED"))
        wall, cpu, result = run_make(copy, "book")
        rows.append(("3 build: no change", f"{wall:.1f} s", f"<= {BUILD_SECONDS['no change']:.0f} s",
                     result.returncode == 0 and wall <= BUILD_SECONDS["no change"], f"CPU {cpu:.1f} s"))
        originals = {page: page.read_text() for page in pages(copy)}
        where = touch_prose(copy)
        stamp = time.time()
        wall, cpu, result = run_make(copy, "book")
        for page, text in originals.items():  # the tests check that each chapter and its twin agree
            if page.read_text() != text:
                page.write_text(text)
        again = [uri for uri, created in cached_executions(copy).items() if created >= stamp] if ok else []
        note = f"CPU {cpu:.1f} s; edited {where}; notebooks re-executed: {len(again)}"
        rows.append(("3 build: prose-only change", f"{wall:.1f} s", f"<= {BUILD_SECONDS['prose-only change']:.0f} s",
                     result.returncode == 0 and wall <= BUILD_SECONDS["prose-only change"] and not again, note))
        ok = result.returncode == 0
    if run_tests:
        rows.append(make_target_row(copy, "test", TEST_SECONDS))
        rows.append(make_target_row(copy, "test-system", None))
    return rows, copy
