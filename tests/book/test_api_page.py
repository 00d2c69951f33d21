"""The appendix "The optlab package" documents every public name, from the docstrings, with no warning.

(The build itself fails on any warning of autodoc, ``make book`` runs with ``-W -n``.)
"""

from __future__ import annotations

import re

import optlab
from booktools.toc import docnames

PAGE = "chapters/optlab_api"


def documented_names(html: str) -> set[str]:
    """The short names of every object the page describes (``Adam`` for ``optlab.optimizers.Adam``)."""
    return {anchor.rsplit(".", 1)[-1] for anchor in re.findall(r'<dt class="sig[^"]*" id="optlab\.([\w.]+)"', html)}


def test_reference_page_is_in_the_table_of_contents():
    assert PAGE in docnames()


def test_every_exported_name_is_documented(built_site):
    names = documented_names((built_site / f"{PAGE}.html").read_text(encoding="utf-8"))
    missing = sorted(set(optlab.__all__) - names)
    assert not missing, f"not on the reference page: {missing}"
    assert {"effective_lr", "backprop", "gradient_point", "with_lr"} <= names
