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
"""
from __future__ import annotations


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
            if number[:1] == (chapter,):
                numbers[node_id] = number[1:]
    return []


def _prefix_chapter_numbers(app, env) -> list[str]:
    for chapter, numbers in _numbers_of_chapter_pages(app, env):
        for node_id, number in numbers.items():
            if number[:1] != (chapter,):
                numbers[node_id] = (chapter, *number)
    return []


def setup(app):
    app.add_config_value("chapter_numbers", {}, "env")
    app.connect("env-get-updated", _strip_chapter_numbers, priority=100)  # before the collector (500)
    app.connect("env-get-updated", _prefix_chapter_numbers, priority=900)  # after it
    return {"parallel_read_safe": True, "parallel_write_safe": True}
