"""What the PDF edition does differently from the site (an extension named in ``_config.yml``).

Both transforms run only for the LaTeX builder (``make pdf``), on the whole
book assembled into one tree.

1. A cell tagged ``hide-input`` shows its code folded on the site; on paper
   there is no fold, so its code is left out and only its output (a figure)
   remains.
2. On the site each solution sits folded under its exercise; in print, as in
   a textbook, the solutions of a page follow its last exercise, in a
   section "Solutions" at the end of the page.
"""
from __future__ import annotations

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_exercise.nodes import solution_node


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
                section += solution
            chapter += section


def _ancestors(node):
    while node.parent is not None:
        node = node.parent
        yield node


def setup(app):
    app.add_post_transform(FoldedCodeLeftOut)
    app.add_post_transform(SolutionsAtTheEnd)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
