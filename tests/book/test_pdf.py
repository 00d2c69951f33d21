"""The PDF edition (``make pdf``): complete, resolved and typeset as a book.

Reads ``_build/latex/momentum-rmsprop-adam.pdf`` with poppler's ``pdftotext``
and ``pdfimages`` (Debian's poppler-utils). ``make test-pdf`` builds the PDF
and runs these tests; CI runs it after ``make test``.
"""

from __future__ import annotations

import functools
import re
import subprocess

import pytest

from booktools import ROOT

pytestmark = pytest.mark.pdf

PDF = ROOT / "_build" / "latex" / "momentum-rmsprop-adam.pdf"
PAGES = ("momentum_rmsprop_adam", "exercises", "conventions", "race", "references")


@functools.cache
def pdf_text() -> str:
    """The PDF's text in reading order, every run of white space made one space."""
    layout = subprocess.run(["pdftotext", "-layout", str(PDF), "-"], capture_output=True, text=True, check=True)
    text = re.sub(r"\s+", " ", layout.stdout)
    return text.translate(str.maketrans({"\u2019": "'", "\u201c": '"', "\u201d": '"'}))


@pytest.fixture
def text(require):
    require("pdftotext")
    if not PDF.is_file():
        pytest.fail(f"{PDF} is missing: run `make pdf`", pytrace=False)
    return pdf_text()


def heading_patterns(page: str):
    """A pattern for each MyST heading (#, ##, ###) of a page, its math matched by a short wildcard."""
    source = (ROOT / "chapters" / f"{page}.md").read_text()
    source = re.sub(r"^(`{3,}).*?^\1\s*$", "", source, flags=re.S | re.M)
    for match in re.finditer(r"^#{1,3} (.+)$", source, flags=re.M):
        parts = re.split(r"\$[^$]*\$", match.group(1).replace("`", "").replace("*", ""))
        yield r".{1,12}?".join(re.escape(re.sub(r"\s+", " ", part).strip()) for part in parts)


def proof_titles():
    """Titles of every theorem, definition, algorithm and exercise of the pages."""
    for page in PAGES:
        source = (ROOT / "chapters" / f"{page}.md").read_text()
        for match in re.finditer(r"^`{3,}\{(?:prf:\w+|exercise)\}[ \t]*([^\n$`]+)$", source, flags=re.M):
            yield match.group(1).strip()


def test_page_count_is_that_of_a_chapter(require):
    require("pdfinfo")
    info = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))
    assert 30 <= pages <= 150, pages


@pytest.mark.parametrize("page", PAGES)
def test_every_heading_is_in_the_pdf(page, text):
    missing = [h for h in heading_patterns(page) if not re.search(h, text)]
    assert not missing, missing


def test_every_theorem_definition_algorithm_and_exercise_is_in_the_pdf(text):
    titles = list(proof_titles())
    assert len(titles) >= 10
    missing = [t for t in titles if re.sub(r"\s+", " ", t).split(" (")[0] not in text]
    assert not missing, missing


def test_no_reference_is_left_unresolved(text):
    assert "??" not in text


def test_solutions_follow_the_last_exercise(text):
    statements = [m.start() for m in re.finditer(r"(?<!Solution to )Exercise \(27\.\d", text)]
    answers = [m.start() for m in re.finditer(r"Solution to Exercise \(27\.\d", text)]
    assert len(statements) == len(answers) >= 6
    assert max(statements) < text.find("Solutions", max(statements)) < min(answers)


def test_every_figure_of_the_site_is_embedded(require, built_site):
    require("pdfimages")
    listing = subprocess.run(["pdfimages", "-list", str(PDF)], capture_output=True, text=True, check=True).stdout
    embedded = [line for line in listing.splitlines()[2:] if line.split()[2] == "image"]
    figures = sum(len(re.findall(r'<img [^>]*src="\.\./_images/', (built_site / "chapters" / f"{p}.html").read_text()))
                  for p in PAGES)
    assert figures > 10 and len(embedded) >= figures, (len(embedded), figures)


def test_title_page_names_the_edition(text):
    from importlib.metadata import version

    first_page = text[:300]
    assert re.search(rf"Release \S+, optlab {re.escape(version('optlab'))}", first_page), first_page
    assert re.search(r"\b20\d\d\b", first_page)


def test_student_pdf_has_every_exercise_and_no_solution(require, text):
    require("pdftotext")
    student = ROOT / "_build" / "student" / PDF.name
    if not student.is_file():
        pytest.fail(f"{student} is missing: run `make pdf-student`", pytrace=False)
    words = subprocess.run(["pdftotext", str(student), "-"], capture_output=True, text=True, check=True).stdout
    words = re.sub(r"\s+", " ", words)
    assert len(re.findall(r"Exercise \(27\.\d", words)) == len(re.findall(r"(?<!Solution to )Exercise \(27\.\d", text))
    assert "Solution" not in words
