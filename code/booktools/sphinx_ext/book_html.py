"""Three HTML fixes for this book, named in ``_config.yml``.

1. Jupyter Book 1 registers every ``*.js`` and ``*.css`` below ``_static`` as a
   script or stylesheet of every page. That suits a site-wide tweak in
   ``_static`` itself, but not a vendored library or an applet in a subfolder:
   MathJax would load on every page (next to the copy Sphinx's math extension
   adds through ``mathjax_path``, and with each TeX extension that MathJax
   fetches on demand), and an applet's script would run on pages that have no
   applet, and twice on the page that has one. So only files directly in
   ``_static`` stay registered; a page loads what a subfolder holds itself.
2. sphinx-book-theme offers the executed ``.ipynb`` of a MyST notebook for
   download only when a launch button (Binder, Colab, Thebe, ...) is set, and
   those load outside code. Copying the notebook that myst-nb executed into
   ``_sources`` and naming it in the page context gives the download button its
   ``.ipynb`` entry with no launch button.
3. A page that embeds a fragment of a ``_static`` subfolder (``{raw} html``
   with ``:file:``) depends on that one file only, and Sphinx copies static
   files only on a build that writes some page: an edit of the applet's
   script alone left the site with the old script. Such a page now depends on
   every file of the subfolder, so the edit rebuilds it and the copy follows.
"""
from __future__ import annotations

import shutil
from pathlib import Path


def _keep_top_level_assets(app, config) -> None:
    def in_subfolder(entry):
        name = entry[0] if isinstance(entry, (tuple, list)) else entry
        return "/" in str(name) and "://" not in str(name)

    config.html_js_files = [e for e in config.html_js_files if not in_subfolder(e)]
    config.html_css_files = [e for e in config.html_css_files if not in_subfolder(e)]


def _offer_executed_notebook(app, pagename, templatename, context, doctree) -> None:
    if doctree is None or "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def _depend_on_whole_static_subfolder(app, doctree) -> None:
    env = app.env
    static = Path(app.srcdir) / "_static"
    for dependency in list(env.dependencies.get(env.docname, ())):
        path = Path(app.srcdir, dependency).resolve()
        if path.parent.parent == static:
            for sibling in sorted(path.parent.iterdir()):
                if sibling.is_file():
                    env.note_dependency(str(sibling))


def setup(app):
    app.connect("doctree-read", _depend_on_whole_static_subfolder)
    app.connect("config-inited", _keep_top_level_assets)
    # Before sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", _offer_executed_notebook, priority=450)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
