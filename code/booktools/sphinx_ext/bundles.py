"""A runnable bundle for every notebook page, and the edition on the landing page.

Named in ``_config.yml``'s extensions; the bundles themselves are made by
:mod:`booktools.bundles`.

1. After an HTML build, each page that is a notebook (it has a kernelspec)
   gets ``_bundles/PAGE.zip``: its executed notebook with its citations and
   cross-references as plain text (read from this build:
   :func:`book_references`), a wheel of ``optlab`` (rebuilt only when
   optlab's sources change), the requirements for running it and for
   JupyterLab, and a README. A zip is rewritten only when the notebook or
   the wheel is newer than it.
2. The page's download menu offers the zip beside the ``.ipynb``.
3. ``{{ edition }}`` in a page reads the book's ``release``, the version of
   ``optlab`` and the build date, so a reader can say which edition they read;
   the PDF's title page says the same (``pdf_edition.py``).
"""
from __future__ import annotations

from pathlib import Path

from docutils import nodes
from pybtex.database import parse_file

from booktools import ROOT
from booktools.bundles import BookReferences, Edition, build_wheel, bundle_requirements, write_bundle
from booktools.sphinx_ext.author_year import author_year_label, last_names
from booktools.sphinx_ext.section_refs import latex_titles


def _markdown(title: nodes.title) -> str:
    """A section title as Markdown, its math in dollars."""
    return "".join(f"${child.astext()}$" if isinstance(child, nodes.math) else child.astext() for child in title.children)


def _titles(env) -> dict[str, str]:
    with_math = latex_titles(env)
    return {label: _markdown(with_math[label]) if label in with_math else name
            for label, (docname, _, name) in env.get_domain("std").labels.items() if docname}


def _numbers(app) -> dict[str, str]:
    """label -> "Figure 27.3", "Theorem 27.1", "(27.4)": the numbers of every page (chapter_numbers applied)."""
    numbers = {}
    for per_type in app.env.toc_fignumbers.values():
        for figtype, ids in per_type.items():
            for node_id, number in ids.items():
                text = ".".join(map(str, number))
                if figtype == "displaymath":
                    numbers[node_id.removeprefix("equation-")] = f"({text})"
                else:
                    named = app.config.numfig_format.get(figtype, f"{figtype} %s") % text
                    numbers[node_id] = named[:1].upper() + named[1:]  # sphinx-proof's formats are lower-case
    return numbers


def _entry_line(entry, year: str) -> str:
    """A work as one line of plain text: authors (year). Title. Venue."""
    authors = ", ".join(last_names(person) for person in entry.persons.get("author", []))
    venue = entry.fields.get("journal") or entry.fields.get("booktitle") or entry.fields.get("howpublished", "")
    parts = [part for part in (entry.fields.get("title", ""), venue) if part]
    return f"{authors} ({year}). {'. '.join(parts)}.".replace("{", "").replace("}", "")


def _citations(app) -> dict[str, tuple[str, str, str]]:
    """key -> (who, year, the entry as a line of text), from the book's BibTeX files."""
    citations = {}
    for bibfile in app.config.bibtex_bibfiles:
        for key, entry in parse_file(Path(app.srcdir) / bibfile).entries.items():
            who, year = author_year_label(entry).rsplit(", ", 1)
            citations[key] = (who, year, _entry_line(entry, year))
    return citations


def myst_numbering(app, pagename: str) -> dict:
    """MyST's ``numbering`` for a page: each kind starts at the page's first number, "27.%s" on a chapter page."""
    numbering = {}
    for figtype, ids in app.env.toc_fignumbers.get(pagename, {}).items():
        kind = {"displaymath": "equation", "figure": "figure", "table": "table"}.get(figtype, f"proof:{figtype}")
        numbering[kind] = {"start": min(number[-1] for number in ids.values())}
    chapter = app.config.chapter_numbers.get(pagename)
    if chapter is not None:
        numbering = {"enumerator": f"{chapter}.%s", **numbering}
    return {**numbering, "proof:proof": {"enabled": False}}


def book_references(app) -> BookReferences:
    """The book's labels, numbers, page titles and citations as plain text, from this build."""
    pages = {docname: title.astext() for docname, title in app.env.titles.items()}
    return BookReferences(titles=_titles(app.env), numbers=_numbers(app), pages=pages, citations=_citations(app))


def _offer_edition(app, config) -> None:
    config.myst_substitutions = {**config.myst_substitutions, "edition": Edition.today(config.release).line()}


def _is_notebook(app, pagename: str) -> bool:
    return "kernelspec" in app.env.metadata.get(pagename, {})


def _bundle_path(app, pagename: str) -> Path:
    return Path(app.outdir) / "_bundles" / f"{pagename}.zip"


def _offer_bundle(app, pagename, templatename, context, doctree) -> None:
    if doctree is None or not _is_notebook(app, pagename):
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].insert(1, {
                "type": "link",
                "url": context["pathto"](f"_bundles/{pagename}.zip", 1),
                "text": ".zip",
                "icon": "fas fa-file-zipper",
                "tooltip": "Download a runnable bundle: the notebook, the optlab wheel and its requirements",
                "label": "download-bundle-button",
            })


def _write_bundles(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    # The wheel and the versions come from the repository of the installed
    # optlab, whichever copy of the pages is being built (the student edition's, say).
    build = Path(app.outdir).parent
    wheel = build_wheel(ROOT, build / ".wheels")
    requirements = bundle_requirements(*((ROOT / name).read_text() for name in
                                         ("requirements.txt", "requirements.lock", "requirements-lab.txt")))
    edition = Edition.today(app.config.release)
    references = book_references(app)
    for pagename in sorted(filter(lambda name: _is_notebook(app, name), app.env.found_docs)):
        notebook = build / "jupyter_execute" / f"{pagename}.ipynb"
        target = _bundle_path(app, pagename)
        fresh = target.is_file() and target.stat().st_mtime >= max(notebook.stat().st_mtime, wheel.stat().st_mtime)
        if not fresh:
            title = app.env.titles[pagename].astext()
            write_bundle(target, notebook, wheel, requirements, title, edition, references, pagename,
                         myst_numbering(app, pagename))


def setup(app):
    app.connect("config-inited", _offer_edition)
    # After sphinx-book-theme has built its header buttons (priority 501).
    app.connect("html-page-context", _offer_bundle, priority=600)
    app.connect("build-finished", _write_bundles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
