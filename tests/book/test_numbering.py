"""One numbering, 27.N, for the chapter's figures, equations and boxes, on the site and in the PDF.

``booktools.sphinx_ext.chapter_numbers`` puts the chapter number in front of
Sphinx's numbers and makes the PDF print the same ones; these tests read the
built pages and the PDF's text, so they check what a reader sees: captions,
box titles, equation labels and the text of cross-references.
"""

import html
import re
import subprocess

import pytest
import yaml

from booktools import ROOT

PAGES = [name.split("/")[-1] for name in
         yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]["chapter_numbers"]]
"""The pages numbered 27.N, as _config.yml lists them."""
NUMBERED = re.compile(r"\b(Figure|Algorithm|Theorem|Definition|Proposition) (\d+(?:\.\d+)?)\b")
PDF = ROOT / "_build" / "latex" / "momentum-rmsprop-adam.pdf"


def page_html(site, page: str) -> str:
    return (site / "chapters" / f"{page}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES)
def test_every_number_on_the_page_is_27_n(built_site, page):
    html_text = page_html(built_site, page)
    numbers = NUMBERED.findall(html_text)
    assert numbers or page == "conventions", f"{page} shows no numbered figure or box"
    assert {number for _, number in numbers if not number.startswith("27.")} == set()
    equations = re.findall(r'class="eqno">\(([\d.]+)\)', html_text)
    assert all(number.startswith("27.") for number in equations)


def test_the_chapter_numbers_start_at_27_1_and_references_agree(built_site):
    html_text = page_html(built_site, "momentum_rmsprop_adam")
    for kind in ("Figure", "Algorithm", "Theorem", "Definition"):
        assert f"{kind} 27.1" in html_text
    assert 'class="eqno">(27.1)' in html_text
    assert re.search(r'<span class="std std-numref">Figure 27\.\d+</span>', html_text)  # a {numref} reads the same


def site_titles(site) -> set[str]:
    """"Figure 27.3: The counterexample", "Theorem 27.1 (Convergence rates": each numbered caption and box title.

    The first words of the title only, before any math, squeezed of spaces.
    """
    titles = set()
    for page in PAGES:
        text = page_html(site, page)
        for number, caption in re.findall(r'class="caption-number">(Figure [\d.]+) </span>'
                                          r'<span class="caption-text">([^<\\]*)', text):
            titles.add(f"{number}:{' '.join(caption.split()[:3])}")
        for number, title in re.findall(r'<p class="admonition-title"><span class="caption-number">'
                                        r'((?:Theorem|Algorithm|Definition|Proposition) [\d.]+) </span>\s*([^<\\]*)', text):
            titles.add(f"{number} {' '.join(title.split()[:3])}")
    return {re.sub(r"\s+", "", html.unescape(title)).replace("\u2019", "'") for title in titles}


def site_equation_numbers(site) -> set[str]:
    return {number for page in PAGES for number in re.findall(r'class="eqno">\(([\d.]+)\)', page_html(site, page))}


def pdf_text(require) -> str:
    require("pdftotext")
    if not PDF.is_file():
        pytest.fail(f"{PDF} is missing: run `make pdf`", pytrace=False)
    return subprocess.run(["pdftotext", str(PDF), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.pdf
def test_the_pdf_numbers_figures_and_boxes_as_the_site_does(built_site, require):
    text = re.sub(r"\s+", "", pdf_text(require)).replace("\u2019", "'")
    titles = site_titles(built_site)
    assert len(titles) > 30
    missing = sorted(title for title in titles if title not in text)
    assert not missing, f"numbered on the site, not so in the PDF: {missing}"


@pytest.mark.pdf
def test_the_pdf_numbers_equations_as_the_site_does(built_site, require):
    # An equation's number stands alone on its line in pdftotext's output; "(0.0137)" is a printed value.
    pdf_numbers = set(re.findall(r"^\(([1-9]\d*(?:\.\d+)?)\)$", pdf_text(require), flags=re.M))
    site_numbers = site_equation_numbers(built_site)
    assert len(site_numbers) > 10
    assert pdf_numbers == site_numbers
