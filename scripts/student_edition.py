"""Build the student edition of the book: the same pages with every solution removed.

The default build keeps each solution behind a dropdown; the student edition
must not contain the solutions at all, neither in the pages nor in the
downloadable sources and notebooks nor in the search index. sphinx-exercise's
own switch, ``hide_solutions``, fails on gated solutions (``solution-start`` /
``solution-end``) in version 1.2.1 (executablebooks/sphinx-exercise#89), and
Sphinx's ``only`` directive cannot hold executed notebook cells. So this
script copies the book's sources to a temporary folder, deletes every solution
block from the Markdown pages there, and builds the copy with the book's own
configuration and flags (``-W -n --keep-going``). The execution cache of the
default build is copied along, so a page whose code did not change is not run
again; the stripped exercise page runs only its statements' code.

Usage::

    python scripts/student_edition.py [--output _build/student/html]
    python scripts/student_edition.py --builder pdflatex --output _build/student/momentum-rmsprop-adam.pdf
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "_build" / "student" / "html"

# Everything the book build reads lives at the top level of the repository
# and in code/ (from which each page's bundle gets its wheel of optlab); these
# are the parts it never reads (or, for _build, that must not leak in).
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "_build", "notebooks", "tests", "scripts", ".ci",
    ".pytest_cache", ".hypothesis", "__pycache__", ".ipynb_checkpoints", "*.egg-info",
)

_OPENING = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>solution|solution-start|solution-end)\}")


def strip_solutions(text: str) -> str:
    """``text`` without its ``{solution}`` directives and ``{solution-start}`` ... ``{solution-end}`` blocks.

    A gated block runs from the opening fence of ``solution-start`` to the
    closing fence of the matching ``solution-end`` and may hold anything,
    code cells included. Raises ``ValueError`` on a block that is not closed,
    so a typo can never leak a solution into the student edition.
    """
    lines = text.splitlines(keepends=True)
    kept, i = [], 0
    while i < len(lines):
        match = _OPENING.match(lines[i])
        if not match:
            kept.append(lines[i])
            i += 1
            continue
        name, start = match["name"], i
        if name == "solution-end":
            raise ValueError(f"line {i + 1}: solution-end without solution-start")
        if name == "solution-start":
            while i < len(lines) and not (_OPENING.match(lines[i]) and _OPENING.match(lines[i])["name"] == "solution-end"):
                i += 1
            if i == len(lines):
                raise ValueError(f"line {start + 1}: solution-start is never closed by solution-end")
            match = _OPENING.match(lines[i])
        fence = match["fence"]
        i += 1
        while i < len(lines) and lines[i].strip() != fence:
            i += 1
        if i == len(lines):
            raise ValueError(f"line {start + 1}: the {name} directive is never closed by {fence}")
        i += 1
        # Drop the blank line after the block too, so no double gaps are left behind.
        if i < len(lines) and not lines[i].strip() and kept and not kept[-1].strip():
            i += 1
    return "".join(kept)


def prepare_sources(target: Path) -> list[Path]:
    """Copy the book's sources into ``target`` and strip the solutions; return the pages changed."""
    shutil.copytree(ROOT, target, ignore=IGNORED, dirs_exist_ok=True)
    changed = []
    for page in sorted(target.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        stripped = strip_solutions(text)
        if stripped != text:
            page.write_text(stripped, encoding="utf-8")
            changed.append(page.relative_to(target))
    cache = ROOT / "_build" / ".jupyter_cache"
    if cache.is_dir():
        shutil.copytree(cache, target / "_build" / ".jupyter_cache")
    return changed


PDF_NAME = "momentum-rmsprop-adam.pdf"


def build(output: Path = DEFAULT_OUTPUT, builder: str = "html") -> Path:
    """Build the student edition into ``output`` (replaced if it exists) and return it.

    ``builder="html"`` makes the site (``output`` is its folder);
    ``builder="pdflatex"`` the PDF edition (``output`` is the PDF file).
    """
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    with tempfile.TemporaryDirectory(prefix="student-edition-") as folder:
        source = Path(folder) / "book"
        changed = prepare_sources(source)
        print("solutions removed from: " + (", ".join(map(str, changed)) or "no page"), flush=True)
        subprocess.run([str(jupyter_book), "build", str(source), "--builder", builder, "-W", "-n", "--keep-going"],
                       check=True, env=env)
        output.parent.mkdir(parents=True, exist_ok=True)
        if builder == "pdflatex":
            shutil.copyfile(source / "_build" / "latex" / PDF_NAME, output)
        else:
            if output.exists():
                shutil.rmtree(output)
            shutil.copytree(source / "_build" / "html", output)
    print(f"student edition: {output}")
    return output


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where the HTML (or the PDF) goes")
    parser.add_argument("--builder", choices=("html", "pdflatex"), default="html")
    args = parser.parse_args(argv)
    build(args.output.resolve(), args.builder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
