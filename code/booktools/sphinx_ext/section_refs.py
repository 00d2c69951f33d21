"""A ``{ref}`` to a section whose title holds math shows the math, not its LaTeX source.

Sphinx's standard domain keeps a section's name as plain text, so a
reference to "Weight decay: $\\lambda$ or $\\eta\\lambda$" read
"Weight decay: \\lambda or \\eta\\lambda" on the site and in the PDF. Once
the references are resolved, a reference whose text is such a name gets a
copy of the title's own nodes (text and math) instead.

The titles are read once per build (:func:`latex_titles`): unpickling a
page's doctree for every such label on every page took 8 s of a 30 s build.
"""
from __future__ import annotations

import weakref

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform


def section_title(doctree, section_id: str) -> nodes.title | None:
    """The title of the section of ``doctree`` with the id ``section_id``."""
    for section in doctree.findall(nodes.section):
        if section_id in section["ids"]:
            return section.next_node(nodes.title)
    return None


_LATEX_TITLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""Build environment -> what :func:`latex_titles` returns; emptied when the environment is read again."""


def latex_titles(env) -> dict[str, nodes.title]:
    """Label -> title of every labelled section whose name holds LaTeX source (its title held math).

    Each page's doctree is unpickled once per build, whatever number of labels it holds.
    """
    if env not in _LATEX_TITLES:
        by_page = {}
        for label, (docname, section_id, name) in env.get_domain("std").labels.items():
            if docname and "\\" in name:
                by_page.setdefault(docname, []).append((label, section_id))
        titles = {}
        for docname, labels in by_page.items():
            doctree = env.get_doctree(docname)
            for label, section_id in labels:
                title = section_title(doctree, section_id)
                if title is not None:
                    titles[label] = title
        _LATEX_TITLES[env] = titles
    return _LATEX_TITLES[env]


def _forget_titles(app, env) -> None:
    _LATEX_TITLES.pop(env, None)


class SectionTitlesKeepTheirMath(SphinxPostTransform):
    default_priority = 20  # after Sphinx resolves the references (10)

    def run(self, **kwargs) -> None:
        labels = self.env.get_domain("std").labels
        titles = {labels[label][2]: title for label, title in latex_titles(self.env).items()
                  if title.next_node(nodes.math) is not None}
        for reference in self.document.findall(nodes.reference):
            title = titles.get(reference.astext())
            if title is not None:
                text = reference.next_node(nodes.inline) or reference
                text.clear()
                text.extend(child.deepcopy() for child in title.children)


def setup(app):
    app.add_post_transform(SectionTitlesKeepTheirMath)
    app.connect("env-updated", _forget_titles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
