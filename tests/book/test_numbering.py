"""Figures, equations and boxes of the chapter's pages are numbered 27.N in the built site.

``booktools.sphinx_ext.chapter_numbers`` puts the chapter number in front of Sphinx's
numbers; these tests read the built pages, so they check what a reader sees:
captions, equation labels and the text of cross-references.
"""

import re

import pytest

PAGES = ["chapters/momentum_rmsprop_adam.html", "chapters/exercises.html"]
NUMBERED = re.compile(r"\b(Figure|Algorithm|Theorem|Definition) (\d+(?:\.\d+)?)\b")


@pytest.mark.parametrize("page", PAGES)
def test_every_number_on_the_page_is_27_n(built_site, page):
    html = (built_site / page).read_text()
    numbers = NUMBERED.findall(html)
    assert numbers, f"{page} shows no numbered figure or box"
    assert {number for _, number in numbers if not number.startswith("27.")} == set()
    equations = re.findall(r'class="eqno">\(([\d.]+)\)', html)
    assert equations and all(number.startswith("27.") for number in equations)


def test_the_chapter_numbers_start_at_27_1_and_references_agree(built_site):
    html = (built_site / "chapters/momentum_rmsprop_adam.html").read_text()
    for kind in ("Figure", "Algorithm", "Theorem", "Definition"):
        assert f"{kind} 27.1" in html
    assert 'class="eqno">(27.1)' in html
    assert re.search(r'<span class="std std-numref">Figure 27\.\d+</span>', html)  # a {numref} reads the same
