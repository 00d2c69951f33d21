"""The book's sources agree with each other, no build needed: every chapter notebook and its
executed twin in ``notebooks/``, and the bibliography."""

from __future__ import annotations

import jupytext
import pytest
from pybtex.database import parse_file

from booktools import ROOT
from booktools.toc import chapter_notebooks


def _cells(notebook):
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_every_chapter_notebook_has_a_twin_and_no_twin_is_orphaned():
    chapters = {p.stem for p in chapter_notebooks()}
    twins = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert chapters, "no chapter notebook found in chapters/"
    assert chapters <= twins, f"missing notebooks/*.ipynb for {sorted(chapters - twins)}: run `make notebooks`"
    assert twins <= chapters, f"notebooks without a chapter: {sorted(twins - chapters)}"


@pytest.mark.parametrize("chapter", chapter_notebooks(), ids=lambda p: p.stem)
def test_pairs_agree(chapter):
    twin = ROOT / "notebooks" / f"{chapter.stem}.ipynb"
    assert twin.is_file(), f"{twin.relative_to(ROOT)} is missing: run `make notebooks`"
    source, reference = jupytext.read(chapter), jupytext.read(twin)
    assert _cells(reference) == _cells(source), (
        f"{twin.relative_to(ROOT)} differs from {chapter.relative_to(ROOT)}: run `make notebooks`")
    for ours, theirs in zip(source.cells, reference.cells):
        if ours.cell_type == "code":
            assert theirs.metadata.get("tags", []) == ours.metadata.get("tags", [])
            assert theirs.execution_count is not None, (
                f"{twin.relative_to(ROOT)} holds unexecuted cells: run `make notebooks`")


@pytest.mark.parametrize("chapter", chapter_notebooks(), ids=lambda p: p.stem)
def test_every_shown_figure_is_laid_out_once(chapter):
    """optlab's style sets no layout engine (see ``use_style``), so each figure cell lays its figure out itself."""
    for cell in jupytext.read(chapter).cells:
        if cell.cell_type == "code" and "plt.show()" in cell.source:
            laid_out = "lay_out(fig)\nplt.show()" in cell.source or 'layout="constrained"' in cell.source
            assert laid_out, f"{chapter.name}: a figure shown without a layout:\n{cell.source[:200]}"


CITED_WORKS = {
    "cauchy1847", "robbins1951", "polyak1964", "nesterov1983", "duchi2011", "tieleman2012",
    "kingma2015", "reddi2018", "loshchilov2019", "sutskever2013", "goh2017", "lessard2016",
    "xie2024", "glorot2010", "liu2020", "goyal2017", "vaswani2017", "nesterov2004",
}


def test_bibliography_parses_and_holds_every_work():
    entries = parse_file(ROOT / "references.bib").entries
    assert CITED_WORKS <= set(entries), sorted(CITED_WORKS - set(entries))
    for key, entry in entries.items():
        assert entry.fields.get("title") and entry.fields.get("year"), key
        assert entry.persons.get("author"), key
