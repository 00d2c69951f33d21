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
again (the stripped exercise page runs only its statements' code), and so is
its wheel of ``optlab``, which the bundles hold.

The copy is marked as the student edition: its configuration sets
``student_edition`` (the PDF's title page says "Student edition"), its PDF is
``momentum-rmsprop-adam-student.pdf``, and the sentences of the pages that
speak of the solutions are rewritten (:data:`STUDENT_WORDING`). A sentence of
that table that a page no longer contains stops the build, so an edited page
cannot leave a promise of solutions in the student edition unnoticed.

Usage::

    python -m booktools.student_edition [--output _build/student/html]
    python -m booktools.student_edition --builder pdflatex --output _build/student/momentum-rmsprop-adam-student.pdf
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

import yaml

from . import ROOT
from .latex_log import undefined_references
from .myst import blocks

DEFAULT_OUTPUT = ROOT / "_build" / "student" / "html"
BOOK_PDF_NAME = "momentum-rmsprop-adam.pdf"
"""The PDF of ``make pdf`` (``latex: latex_documents: targetname`` in ``_config.yml``, as ``.tex``)."""
STUDENT_PDF_NAME = "momentum-rmsprop-adam-student.pdf"

# Everything the book build reads lives at the top level of the repository
# (optlab and booktools are imported from the installed package); these are
# the parts it never reads (or, for _build, that must not leak in).
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", ".venv-lab", "_build", "notebooks", "tests", "code", ".ci",
    ".pytest_cache", ".hypothesis", "__pycache__", ".ipynb_checkpoints", "*.egg-info",
)


def solution_spans(text: str) -> list[tuple[int, int]]:
    """The line ranges ``[start, end)`` of the ``{solution}`` directives and gated solutions of a page.

    A gated solution runs from the opening fence of ``solution-start`` to the
    closing fence of the matching ``solution-end`` and may hold anything,
    code cells included. Raises ``ValueError`` on a block that is not closed,
    so a typo can never leak a solution into the student edition.
    """
    spans, opened = [], None
    for block in blocks(text):
        if block.kind != "directive" or block.name not in ("solution", "solution-start", "solution-end"):
            continue
        if not block.closed:
            raise ValueError(f"line {block.start + 1}: the {block.name} directive is never closed")
        if block.name == "solution":
            spans.append((block.start, block.end))
        elif block.name == "solution-start":
            if opened is not None:
                raise ValueError(f"line {block.start + 1}: solution-start inside the solution of line {opened.start + 1}")
            opened = block
        elif opened is None:
            raise ValueError(f"line {block.start + 1}: solution-end without solution-start")
        else:
            spans.append((opened.start, block.end))
            opened = None
    if opened is not None:
        raise ValueError(f"line {opened.start + 1}: solution-start is never closed by solution-end")
    return spans


def strip_solutions(text: str) -> str:
    """``text`` without its solutions (see :func:`solution_spans`), and without the blank line after each."""
    lines = text.splitlines(keepends=True)
    cut = set()
    for start, end in solution_spans(text):
        cut.update(range(start, end))
        # Drop the blank line after the block too, when one precedes it, so no double gaps are left behind.
        if end < len(lines) and not lines[end].strip() and start > 0 and not lines[start - 1].strip():
            cut.add(end)
    return "".join(line for number, line in enumerate(lines) if number not in cut)


STUDENT_WORDING = {
    "chapters/exercises.md": (
        ("In the book's default edition each exercise is followed by a worked solution, folded away until you "
         "click on it: try the exercise first. The solutions use the same package, `optlab`, as the chapter, and "
         "every number and figure in them is computed when the book is built. Instructors can build a student "
         "edition in which the solutions are absent altogether (`make book-student`).",
         "This is the student edition: it holds the exercises without their solutions. The exercises use the "
         "same package, `optlab`, as the chapter."),
        ("The cell below loads what the solutions share:", "The cell below loads what the exercises share:"),
    ),
    "chapters/momentum_rmsprop_adam.md": (
        ("The exercises 27.1 to 27.8, with worked solutions, are on",
         "The exercises 27.1 to 27.8 are on"),
    ),
}
"""Page -> (sentence of the default edition, its student-edition wording): every sentence that speaks of solutions."""


def reword(text: str, wording) -> str:
    """``text`` with each sentence of ``wording`` replaced, matched across line breaks.

    Raises ``ValueError`` when a sentence is not in ``text``.
    """
    for sentence, student in wording:
        pattern = r"\s+".join(map(re.escape, sentence.split()))
        text, count = re.subn(pattern, lambda _: student, text)
        if count == 0:
            raise ValueError(f"the page no longer says {sentence!r}: update STUDENT_WORDING")
    return text


def mark_configuration(config: Path) -> None:
    """Make the book's ``_config.yml`` at ``config`` that of the student edition."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["sphinx"]["config"]["student_edition"] = True
    settings["latex"]["latex_documents"]["targetname"] = STUDENT_PDF_NAME.replace(".pdf", ".tex")
    config.write_text(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True), encoding="utf-8")


def prepare_sources(target: Path) -> list[Path]:
    """Copy the book's sources into ``target``, strip the solutions and reword the pages; return the pages changed."""
    shutil.copytree(ROOT, target, ignore=IGNORED, dirs_exist_ok=True)
    mark_configuration(target / "_config.yml")
    changed = []
    for page in sorted(target.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        stripped = reword(strip_solutions(text), STUDENT_WORDING.get(page.relative_to(target).as_posix(), ()))
        if stripped != text:
            page.write_text(stripped, encoding="utf-8")
            changed.append(page.relative_to(target))
    # The default build's caches: the executed notebooks and optlab's wheel (built once per source digest).
    for cache in (".jupyter_cache", ".wheels"):
        if (ROOT / "_build" / cache).is_dir():
            shutil.copytree(ROOT / "_build" / cache, target / "_build" / cache)
    return changed


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
            latex = source / "_build" / "latex"
            undefined = undefined_references((latex / STUDENT_PDF_NAME).with_suffix(".log").read_text(errors="replace"))
            if undefined:
                raise SystemExit("LaTeX found undefined references:\n" + "\n".join(undefined))
            shutil.copyfile(latex / STUDENT_PDF_NAME, output)
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
