"""Accessibility fixes for the built pages, named in ``_config.yml``.

``tests/browser/test_pages.py`` runs axe-core on every page; each fix below answers one
of its findings at the source rather than silencing the rule.

1. Bibliography (axe ``aria-required-children``, critical). Docutils writes
   the citations of sphinxcontrib-bibtex as ``<div role="list">`` whose
   entries carry ``role="doc-biblioentry"``, a role that DPUB-ARIA 1.1
   deprecates and that is not a list item, so the list has no items. The
   entries get ``role="listitem"``, the replacement the specification names.
2. Hidden code cells (``label-content-name-mismatch``, WCAG 2.5.3 "label in
   name"). myst-nb names each ``<summary>`` "Toggle hidden content" while it
   shows "Show code cell source"; without the ``aria-label`` the visible text
   is the name.
3. Header buttons (same rule). The search button is named "Search" but shows
   "Search Ctrl+K", and the colour-mode icons' titles ("Light", "Dark") are
   read as text that the button's name "Color mode" does not contain. The
   templates in ``accessible_html_templates/`` name the search button by what
   it shows and make the icons decorative (``aria-hidden``), as the button
   already carries the name.
4. Links in theorem, definition and other boxes (``color-contrast``). The
   theme's link blue #176de8 on a box's tinted background (#e6f2ff) reaches
   4.2:1, below WCAG AA's 4.5:1; ``accessible_html.css`` darkens it to
   #0f5bc4 there (5.6:1) in the light theme.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).parent
BIBLIOGRAPHY_ENTRY = re.compile(r'(<div class="citation"[^>]*\brole=)"doc-biblioentry"')
HIDDEN_CELL_SUMMARY = re.compile(r'<summary aria-label="Toggle hidden content">')


def _add_overrides(app, config) -> None:
    # Before the theme's own component directory, so these templates win.
    config.templates_path.insert(0, str(HERE / "accessible_html_templates"))
    config.html_static_path.append(str(HERE / "accessible_html_static"))


def fix_body(body: str) -> str:
    """The page body with bibliography entries as list items and hidden-cell summaries unlabelled."""
    body = BIBLIOGRAPHY_ENTRY.sub(r'\1"listitem"', body)
    return HIDDEN_CELL_SUMMARY.sub("<summary>", body)


def _fix_page(app, pagename, templatename, context, doctree) -> None:
    if "body" in context:
        context["body"] = fix_body(context["body"])


def setup(app):
    app.connect("config-inited", _add_overrides)
    app.connect("html-page-context", _fix_page)
    app.add_css_file("accessible_html.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
