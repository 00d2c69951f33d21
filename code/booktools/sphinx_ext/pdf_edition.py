"""What the PDF edition does differently from the site (an extension named in ``_config.yml``).

The transforms run only for the LaTeX builder (``make pdf``), on the whole
book assembled into one tree; the page design (fonts, running heads, the
bibliography's layout) is ``optlabbook.sty`` beside this module.

1. A cell tagged ``hide-input`` shows its code folded on the site; on paper
   there is no fold, so its code is left out and only its output (a figure)
   remains.
2. On the site each solution sits folded under its exercise; in print, as in
   a textbook, the solutions of a page follow its last exercise, in a
   section "Solutions" at the end of the page, each a subsection of its own
   (not a box: a framed box cannot break its code across pages).
3. Exercise titles read "Exercise 27.1 · Title", and a ``{ref}`` to an
   exercise finds it (sphinx-exercise labels it only for its own references).
4. Code and printed output are set in the largest of :data:`CODE_SIZES` that
   fits their longest line; only lines longer than the smallest size allows
   are broken, with a hook arrow.
5. The landing page opens the book as the unnumbered chapter "About this
   book", not as text without a heading.
6. What the pages say about the site's folds is reworded for print
   (:data:`PRINT_WORDING`).
7. The title page names the edition ("Edition 2.0, optlab 0.1.0, built
   2026-12-05"; "Student edition" for the book without solutions).

The site links the PDFs (``pdf_links.py``).
"""
from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node, solution_node

from booktools.bundles import Edition

STYLE = Path(__file__).with_name("optlabbook.sty")

LATEX_ELEMENTS = {
    # Latin Modern for text and code, matching the Computer Modern of the math; code is never hyphenated.
    "fontpkg": r"""
\setmainfont{lmroman10}[Extension=.otf, UprightFont=*-regular, ItalicFont=*-italic,
  BoldFont=*-bold, BoldItalicFont=*-bolditalic]
\setsansfont{lmsans10}[Extension=.otf, UprightFont=*-regular, ItalicFont=*-oblique,
  BoldFont=*-bold, BoldItalicFont=*-boldoblique]
\setmonofont{lmmono10}[Extension=.otf, UprightFont=*-regular, ItalicFont=*-italic,
  BoldFont=lmmonolt10-bold, BoldItalicFont=lmmonolt10-boldoblique, HyphenChar=None]
""",
    "fncychap": "",
    "preamble": r"\usepackage{optlabbook}",
    "extraclassoptions": "openany",
    # Figures stay where the text puts them (a float cannot sit inside a box).
    "figure_align": "H",
    # A broken code line shows the hook arrow where it continues, and no mark for the space at the break.
    "sphinxsetup": "verbatimvisiblespace={}",
    "releasename": "Edition",
    # No index: the API page's entries would be the book's only ones.
    "makeindex": "",
    "printindex": "",
}

PRINT_WORDING = (
    ("each exercise is followed by a worked solution, folded away until you click on it",
     "the worked solutions follow the last exercise, in the section Solutions"),
)
"""(words of the site, their wording in print); ``tests/book/test_pdf.py`` checks the PDF reads the latter."""

CODE_SIZES = ((r"\small", 94), (r"\footnotesize", 106), (r"\scriptsize", 121))
"""Font sizes of code and output, each with the longest line (in characters) that fits the text width.

The text is 6.5 in wide; a Latin Modern Mono character is 0.525 em wide,
and the frame and the boxes of exercises and theorems take a little.
"""


def code_size(longest_line: int) -> str:
    """The largest size of :data:`CODE_SIZES` that fits a line of ``longest_line`` characters (else the smallest)."""
    return next((size for size, fits in CODE_SIZES if longest_line <= fits), CODE_SIZES[-1][0])


def _raw(latex: str) -> nodes.raw:
    return nodes.raw("", latex, format="latex")


def _ancestors(node):
    while node.parent is not None:
        node = node.parent
        yield node


def _drop_parentheses(element: nodes.Element) -> None:
    """``Exercise (27.1 · Title)`` -> ``Exercise 27.1 · Title``, in a title or the reference inside one."""
    texts = [child for child in element.children if isinstance(child, nodes.Text)]
    if len(texts) >= 2 and texts[-1].astext() == ")" and " (" in [text.astext() for text in texts]:
        opening = next(text for text in texts if text.astext() == " (")
        element.replace(opening, nodes.Text(" "))
        element.remove(texts[-1])
    for reference in element.findall(nodes.reference):
        if reference is not element:
            _drop_parentheses(reference)


class FoldedCodeLeftOut(SphinxPostTransform):
    builders = ("latex",)
    default_priority = 400

    def run(self, **kwargs) -> None:
        for cell in list(self.document.findall(nodes.container)):
            if "tag_hide-input" in cell.get("classes", []):
                for part in list(cell.children):
                    if part.get("nb_element") == "cell_code_source":
                        cell.remove(part)


class SolutionsAtTheEnd(SphinxPostTransform):
    builders = ("latex",)
    default_priority = 400

    def run(self, **kwargs) -> None:
        chapters: dict[int, tuple[nodes.section, list]] = {}
        for solution in list(self.document.findall(solution_node)):
            chapter = [a for a in _ancestors(solution) if isinstance(a, nodes.section)][-1]  # the page's title section
            chapters.setdefault(id(chapter), (chapter, []))[1].append(solution)
        for chapter, solutions in chapters.values():
            section = nodes.section(ids=[f"{chapter['ids'][0]}-solutions"])
            section += nodes.title(text="Solutions")
            for solution in solutions:
                solution.parent.remove(solution)
                section += self._as_subsection(solution)
            chapter += section

    @staticmethod
    def _as_subsection(solution: solution_node) -> nodes.section:
        title, *body = solution.children
        _drop_parentheses(title)
        subsection = nodes.section(ids=list(solution["ids"]) or [solution["label"]])
        subsection += nodes.title("", "", *title.children)
        subsection += body
        return subsection


class ExerciseTitlesAndLabels(SphinxPostTransform):
    builders = ("latex",)
    default_priority = 400

    def run(self, **kwargs) -> None:
        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for exercise in self.document.findall(lambda n: isinstance(n, (exercise_node, exercise_enumerable_node))):
            _drop_parentheses(exercise.children[0])
            label = exercise.get("label")
            if label in registry:
                exercise.insert(1, _raw(rf"\label{{\detokenize{{{registry[label]['docname']}:{label}}}}}"))


class CodeSizedToTheLine(SphinxPostTransform):
    builders = ("latex",)
    default_priority = 400

    def run(self, **kwargs) -> None:
        for block in list(self.document.findall(nodes.literal_block)):
            longest = max((len(line) for line in block.astext().splitlines()), default=0)
            size = code_size(longest)
            if size != CODE_SIZES[0][0]:
                index = block.parent.index(block)
                block.parent.insert(index + 1, _raw(r"\end{optlabcodesize}"))
                block.parent.insert(index, _raw(rf"\begin{{optlabcodesize}}{{{size}}}"))


def _text_runs(paragraph: nodes.paragraph):
    """The runs of adjacent text nodes of a paragraph (MyST makes one per source line)."""
    run = []
    for child in [*paragraph.children, None]:
        if isinstance(child, nodes.Text):
            run.append(child)
        elif run:
            yield run
            run = []


class WordedForPrint(SphinxPostTransform):
    builders = ("latex",)
    default_priority = 400

    def run(self, **kwargs) -> None:
        for paragraph in self.document.findall(nodes.paragraph):
            for run in list(_text_runs(paragraph)):
                flat = re.sub(r"\s+", " ", "".join(text.astext() for text in run))  # spaces at its ends kept
                worded = flat
                for site, print_ in PRINT_WORDING:
                    worded = worded.replace(site, print_)
                if worded != flat:
                    paragraph.replace(run[0], nodes.Text(worded))
                    for text in run[1:]:
                        paragraph.remove(text)


class LandingPageAsFrontChapter(SphinxPostTransform):
    builders = ("latex",)
    default_priority = 400

    def run(self, **kwargs) -> None:
        root = self.document.next_node(nodes.section)
        if root is None or root.next_node(addnodes.start_of_file) is None:  # not the assembled book
            return
        title = self.env.titles[self.config.root_doc].astext()
        root.insert(1, _raw(rf"\optlabfrontchapter{{{title}}}"))


def _typeset_as_a_book(app, config) -> None:
    """Add the page design to the LaTeX settings; those of ``_config.yml`` take precedence."""
    config.latex_additional_files = [*config.latex_additional_files, str(STYLE)]
    config.latex_elements = {**LATEX_ELEMENTS, **config.latex_elements}
    config.latex_domain_indices = False


def _name_the_edition_on_the_title_page(app) -> None:
    if app.builder.name != "latex":  # its context was made from the configuration just before this event
        return
    edition = Edition.today(app.config.release)
    app.builder.context["release"] = f"{edition.book}, optlab {edition.optlab}"
    app.builder.context["date"] = f"built {edition.date}"
    if app.config.student_edition:
        app.builder.context["release"] += " \u00b7 Student edition"


def setup(app):
    app.add_config_value("student_edition", False, "env")
    app.connect("config-inited", _typeset_as_a_book)
    app.connect("builder-inited", _name_the_edition_on_the_title_page)
    for transform in (FoldedCodeLeftOut, SolutionsAtTheEnd, ExerciseTitlesAndLabels, CodeSizedToTheLine,
                      WordedForPrint, LandingPageAsFrontChapter):
        app.add_post_transform(transform)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
