"""The book's pages, in the order of ``_toc.yml``, and which of them are notebooks.

``_toc.yml`` is read by ``sphinx_external_toc``, the library Jupyter Book
itself reads it with. A page is a *notebook* when it is an ``.ipynb`` or a
MyST file whose YAML front matter names a ``kernelspec``; the Makefile, the
tests and the benchmark all ask :func:`is_notebook`.

``python -m booktools.toc --notebooks`` prints the chapter notebooks, one per
line (the Makefile's list of pages that have executed twins).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml
from sphinx_external_toc.parsing import parse_toc_yaml

from . import ROOT


def docnames(root: Path = ROOT) -> list[str]:
    """The document names of ``_toc.yml`` (paths without suffix), root first, in reading order."""
    site = parse_toc_yaml(root / "_toc.yml")
    ordered = []

    def visit(name):
        ordered.append(name)
        for tree in site[name].subtrees:
            for item in tree.items:
                if isinstance(item, str):
                    visit(item)

    visit(site.root.docname)
    return ordered


def pages(root: Path = ROOT) -> list[Path]:
    """The source file of every page of ``_toc.yml`` (``.md`` preferred to ``.ipynb``), in reading order."""
    found = []
    for name in docnames(root):
        candidates = [root / f"{name}{suffix}" for suffix in (".md", ".ipynb")]
        found += [path for path in candidates if path.is_file()][:1]
    return found


def front_matter(path: Path) -> dict:
    """The YAML front matter of a Markdown page (empty when it has none)."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}
    head, _, _ = text[4:].partition("\n---")
    return yaml.safe_load(head) or {}


def is_notebook(path: Path) -> bool:
    """Whether a page is executed as a notebook: an ``.ipynb``, or MyST with a ``kernelspec``."""
    return path.suffix == ".ipynb" or "kernelspec" in front_matter(path)


def chapter_notebooks(root: Path = ROOT) -> list[Path]:
    """The MyST pages of the table of contents that are notebooks: the ones with twins in ``notebooks/``."""
    return [page for page in pages(root) if page.suffix == ".md" and is_notebook(page)]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", action="store_true", help="only the chapter notebooks")
    args = parser.parse_args(argv)
    for page in chapter_notebooks() if args.notebooks else pages():
        print(page.relative_to(ROOT).as_posix())


if __name__ == "__main__":
    main()
