"""The book's small Sphinx extensions, named in ``_config.yml`` (each module's docstring says what it fixes).

* :mod:`~booktools.sphinx_ext.book_html`: subfolder assets load only where a page asks,
  the executed notebook as a download, and whole-subfolder dependencies;
* :mod:`~booktools.sphinx_ext.accessible_html`: fixes for axe-core's findings;
* :mod:`~booktools.sphinx_ext.page_weight`: palette PNG figures, no Font Awesome script;
* :mod:`~booktools.sphinx_ext.build_speed`: cached templates and a bibliography plugin lookup;
* :mod:`~booktools.sphinx_ext.bundles`: each notebook page's runnable bundle, and the edition;
* :mod:`~booktools.sphinx_ext.pdf_edition`: the PDF's folded code left out, solutions at the end;
* :mod:`~booktools.sphinx_ext.chapter_numbers`: figures, equations and boxes numbered 27.N.
"""
