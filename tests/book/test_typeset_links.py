"""The site offers the typeset PDFs, and shows no LaTeX source where math was meant.

Every page's download menu links the book's PDF and the student edition's
(in place of the theme's "print this page"), and so does the landing page.
``make pdf`` and ``make pdf-student`` put the files into the site; where they
were built, the links lead to PDFs.
"""

import re

import pytest

from booktools import ROOT, toc
from booktools.sphinx_ext.pdf_links import built_pdf
from booktools.student_edition import BOOK_PDF_NAME, STUDENT_PDF_NAME

PAGES = [page.relative_to(ROOT).with_suffix(".html").as_posix() for page in toc.pages()]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_offers_both_typeset_pdfs_and_no_print_button(built_site, page):
    html = (built_site / page).read_text(encoding="utf-8")
    linked = {link.rsplit("/", 1)[-1] for link in re.findall(r'href="([^"]+\.pdf)"', html)}
    assert {BOOK_PDF_NAME, STUDENT_PDF_NAME} <= linked
    assert "window.print()" not in html


def test_the_linked_pdfs_are_in_the_site_where_built(built_site):
    for name in (BOOK_PDF_NAME, STUDENT_PDF_NAME):
        built = built_pdf(name)
        if built.is_file():
            assert (built_site / name).read_bytes()[:5] == b"%PDF-"


def test_a_reference_to_a_section_titled_with_math_shows_the_math(built_site):
    pages = {page: (built_site / page).read_text(encoding="utf-8") for page in PAGES}
    raw = [page for page, html in pages.items() if "\\lambda or \\eta\\lambda" in html or "w_i| &gt; `" in html]
    assert not raw, raw
