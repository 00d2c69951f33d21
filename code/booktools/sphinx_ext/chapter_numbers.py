"""Figures, tables, equations and proof boxes of a chapter page numbered 27.N, like its sections.

The book is Chapter 27 of a longer one, and the chapter's section titles
carry 27.1 to 27.6. Sphinx numbers the figures, equations and
sphinx-proof's boxes (theorems, algorithms, definitions) of a page 1, 2,
3, ..., so "Figure 4" would sit next to "Section 27.4". Once Sphinx has
assigned the numbers (``env-get-updated``, after its table-of-contents
collector), this extension puts the chapter number in front of each number
of the pages listed in ``chapter_numbers`` (``{docname: 27}``). Captions,
equation labels and every reference ({numref}, {eq}, {prf:ref}) read the
same table, so all of them say 27.N. A page not listed keeps Sphinx's
numbering.

The PDF numbers figures, tables and equations with LaTeX's counters, which
know nothing of that table. So for the LaTeX builder every numbered figure,
table and equation is wrapped in ``\begin{optlabnumber}{figure}{27.3}``
(``optlabbook.sty``), which makes LaTeX print, and ``\ref`` read, the number
the site shows: one numbering, whatever order the PDF puts things in.
"""
from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

LATEX_COUNTERS = {"figure": "figure", "table": "table", "displaymath": "equation"}
"""Sphinx's figure type -> the LaTeX counter that numbers it."""


def _numbers_of_chapter_pages(app, env):
    """(chapter, {node id: number}) for every figure type of every listed page."""
    for docname, chapter in app.config.chapter_numbers.items():
        for numbers in env.toc_fignumbers.get(docname, {}).values():
            yield chapter, numbers


def _strip_chapter_numbers(app, env) -> list[str]:
    """Sphinx's own numbers back, before its collector compares them with the new ones.

    The collector rewrites every page whose numbers changed since the last
    build; comparing its fresh numbers with prefixed ones would rewrite the
    listed pages in every build, changed or not.
    """
    for chapter, numbers in _numbers_of_chapter_pages(app, env):
        for node_id, number in numbers.items():
            # Sphinx's own numbers are single (the book has no numbered
            # sections to prefix them); only a pair (chapter, n) is ours.
            # Figure 27 of the book is (27,), not a prefixed number.
            if len(number) == 2 and number[0] == chapter:
                numbers[node_id] = number[1:]
    return []


def _prefix_chapter_numbers(app, env) -> list[str]:
    for chapter, numbers in _numbers_of_chapter_pages(app, env):
        for node_id, number in numbers.items():
            if len(number) == 1:  # Sphinx's own number (see _strip_chapter_numbers)
                numbers[node_id] = (chapter, *number)
    return []


def _pages_of_nodes(document, root_doc: str) -> dict[int, str]:
    """``{id(node): docname}``: the page each node of the assembled PDF tree comes from.

    Sphinx wraps each inlined page in a ``start_of_file`` node but does not
    set its children's ``parent``, so the page is found walking down, not up;
    an inner page, met later, overrides the outer one.
    """
    pages = {id(node): root_doc for node in document.findall()}
    for start in document.findall(addnodes.start_of_file):
        pages.update({id(node): start["docname"] for node in start.findall()})
    return pages


def _numbered(node) -> str | None:
    """The figure type of a node that Sphinx numbers (figure, table, equation), else None."""
    if isinstance(node, nodes.figure):
        return "figure"
    if isinstance(node, nodes.table):
        return "table"
    if isinstance(node, nodes.math_block) and node["ids"]:  # a labelled equation
        return "displaymath"
    return None


class SiteNumbersInThePdf(SphinxPostTransform):
    builders = ("latex",)
    default_priority = 900  # after the book is assembled and every other transform has moved things

    def run(self, **kwargs) -> None:
        pages = _pages_of_nodes(self.document, self.config.root_doc)
        for node in list(self.document.findall(lambda n: _numbered(n) is not None)):
            figtype = _numbered(node)
            docname = pages[id(node)]
            number = self.env.toc_fignumbers.get(docname, {}).get(figtype, {}).get(node["ids"][0] if node["ids"] else "")
            if number is None:
                continue
            index = node.parent.index(node)
            node.parent.insert(index + 1, nodes.raw("", r"\end{optlabnumber}", format="latex"))
            label = ".".join(map(str, number))
            begin = rf"\begin{{optlabnumber}}{{{LATEX_COUNTERS[figtype]}}}{{{label}}}"
            node.parent.insert(index, nodes.raw("", begin, format="latex"))


def setup(app):
    app.add_config_value("chapter_numbers", {}, "env")
    app.connect("env-get-updated", _strip_chapter_numbers, priority=100)  # before the collector (500)
    app.connect("env-get-updated", _prefix_chapter_numbers, priority=900)  # after it
    app.add_post_transform(SiteNumbersInThePdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
