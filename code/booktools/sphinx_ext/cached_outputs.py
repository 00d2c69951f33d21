"""Executed notebooks keep their outputs when the build takes them from the execution cache.

Named in ``_config.yml``. myst-nb 1.4 writes each notebook page's notebook to
``_build/jupyter_execute``, and from there come the ``.ipynb`` of the page's
download menu (:mod:`booktools.sphinx_ext.book_html`) and the notebook of its
bundle (:mod:`booktools.sphinx_ext.bundles`). When myst-nb executes the page,
that file holds the outputs; when it takes them from the cache
(``_build/.jupyter_cache``), it writes the notebook it read, without them.
So each page's file is written again here from the cache, merged as myst-nb
merges it for the page itself, whenever it lacks outputs that the cache holds.
"""

from __future__ import annotations

from pathlib import Path

import nbformat


def has_outputs(notebook) -> bool:
    """Whether any code cell of ``notebook`` has an output."""
    return any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


def _restore_outputs(app, doctree) -> None:
    env = app.env
    if "kernelspec" not in env.metadata.get(env.docname, {}):
        return
    written = Path(app.outdir).parent / "jupyter_execute" / f"{env.docname}.ipynb"
    if not written.is_file():
        return
    notebook = nbformat.read(written, as_version=4)
    if has_outputs(notebook):
        return
    from jupyter_cache import get_cache

    cache = get_cache(env.mystnb_config.execution_cache_path or str(Path(app.outdir).parent / ".jupyter_cache"))
    try:
        _, merged = cache.merge_match_into_notebook(notebook)
    except KeyError:  # not executed at all (execution off, say): nothing to restore
        return
    nbformat.write(merged, written)


def setup(app):
    app.connect("doctree-read", _restore_outputs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
