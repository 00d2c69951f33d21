"""A ``{ref}`` to a section whose title holds math shows the math, not its LaTeX source.

Sphinx's standard domain keeps a section's name as plain text, so a
reference to "Weight decay: $\\lambda$ or $\\eta\\lambda$" read
"Weight decay: \\lambda or \\eta\\lambda" on the site and in the PDF. Once
the references are resolved, a reference whose text is such a name gets a
copy of the title's own nodes (text and math) instead.
"""
from __future__ import annotations

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform


def section_title(doctree, section_id: str) -> nodes.title | None:
    """The title of the section of ``doctree`` with the id ``section_id``."""
    for section in doctree.findall(nodes.section):
        if section_id in section["ids"]:
            return section.next_node(nodes.title)
    return None


class SectionTitlesKeepTheirMath(SphinxPostTransform):
    default_priority = 20  # after Sphinx resolves the references (10)

    def run(self, **kwargs) -> None:
        titles = {}
        for docname, section_id, name in self.env.get_domain("std").labels.values():
            if docname and "\\" in name:  # LaTeX source: the title held math
                title = section_title(self.env.get_doctree(docname), section_id)
                if title is not None and title.next_node(nodes.math) is not None:
                    titles[name] = title
        for reference in self.document.findall(nodes.reference):
            title = titles.get(reference.astext())
            if title is not None:
                text = reference.next_node(nodes.inline) or reference
                text.clear()
                text.extend(child.deepcopy() for child in title.children)


def setup(app):
    app.add_post_transform(SectionTitlesKeepTheirMath)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
