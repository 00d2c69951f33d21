"""A cell that raises fails the build; the same book without the error builds.

Two one-chapter books with this repository's ``_config.yml`` are built side
by side, as ``make book`` builds (strict, warnings as errors): the build of the
one whose cell raises must fail and name the error, the other must pass and
show the cell's output. Part of ``make test-system``: each build takes seconds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from booktools import ROOT


TINY_CHAPTER = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# Tiny chapter

```{{code-cell}} ipython3
{code}
```
"""


def _tiny_book(folder: Path, code: str) -> Path:
    """A one-chapter book with this repository's _config.yml (same execution settings and extensions)."""
    folder.mkdir()
    shutil.copy(ROOT / "_config.yml", folder / "_config.yml")
    shutil.copy(ROOT / "references.bib", folder / "references.bib")
    shutil.copytree(ROOT / "_static", folder / "_static")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: tiny\n")
    (folder / "index.md").write_text("# Tiny book\n")
    (folder / "tiny.md").write_text(TINY_CHAPTER.format(code=code))
    return folder


# Two books are built below: make test-system starts this module first.
pytestmark = [pytest.mark.system, pytest.mark.long_setup]


@pytest.fixture(scope="module")
def tiny_builds(tmp_path_factory, build_book):
    """Build a book whose cell raises and the same book without the error, side by side."""
    tmp = tmp_path_factory.mktemp("tiny-books")
    books = {
        "broken": _tiny_book(tmp / "broken", 'raise RuntimeError("planted cell error")'),
        "working": _tiny_book(tmp / "working", 'print(f"{1 / 3:.6f}")'),
    }
    results = build_book(books.values())
    return {name: (*results[book], book) for name, book in books.items()}


def test_planted_cell_error_fails_the_build(tiny_builds):
    returncode, output, _ = tiny_builds["broken"]
    assert returncode != 0, output
    assert "planted cell error" in output, output


def test_same_book_without_the_error_builds(tiny_builds):
    returncode, output, book = tiny_builds["working"]
    assert returncode == 0, output
    page = (book / "_build" / "html" / "tiny.html").read_text(encoding="utf-8")
    assert "0.333333" in page
