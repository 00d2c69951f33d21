"""A runnable bundle for every notebook page, and the edition on the landing page.

Named in ``_config.yml``'s extensions; the bundles themselves are made by
:mod:`booktools.bundles`.

1. After an HTML build, each page that is a notebook (it has a kernelspec)
   gets ``_bundles/PAGE.zip``: its executed notebook, a wheel of ``optlab``
   (rebuilt only when optlab's sources change), a ``requirements.txt`` for
   running it and a README. A zip is rewritten only when the notebook or the
   wheel is newer than it.
2. The page's download menu offers the zip beside the ``.ipynb``.
3. ``{{ edition }}`` in a page reads the book's ``release``, the version of
   ``optlab`` and the build date, so a reader can say which edition they read;
   the PDF's title page says the same (``pdf_edition.py``).
"""
from __future__ import annotations

from pathlib import Path

from booktools import ROOT
from booktools.bundles import Edition, build_wheel, write_bundle


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
    lock_text = (ROOT / "requirements.lock").read_text()
    edition = Edition.today(app.config.release)
    for pagename in sorted(filter(lambda name: _is_notebook(app, name), app.env.found_docs)):
        notebook = build / "jupyter_execute" / f"{pagename}.ipynb"
        target = _bundle_path(app, pagename)
        fresh = target.is_file() and target.stat().st_mtime >= max(notebook.stat().st_mtime, wheel.stat().st_mtime)
        if not fresh:
            title = app.env.titles[pagename].astext()
            write_bundle(target, notebook, wheel, lock_text, title, edition)


def setup(app):
    app.connect("config-inited", _offer_edition)
    # After sphinx-book-theme has built its header buttons (priority 501).
    app.connect("html-page-context", _offer_bundle, priority=600)
    app.connect("build-finished", _write_bundles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
