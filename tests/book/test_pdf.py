"""The PDF edition (``make pdf``): complete, resolved and typeset as a book.

Reads ``_build/latex/momentum-rmsprop-adam.pdf`` with poppler's ``pdftotext``
and ``pdfimages`` (Debian's poppler-utils), and LaTeX's log beside it.
``make test-pdf`` builds the PDF and runs these tests; CI runs it after
``make test``.

The text check reads the PDF back: every line of every code cell the PDF
shows and every line the cells print (from the executed notebooks of the
same build, ``_build/jupyter_execute``) must be in the text of its page's
chapter, white space aside, and LaTeX's log must report no box overfull
beyond a hair and no undefined reference (:mod:`booktools.latex_log`).
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import jupytext
import pytest

from booktools import ROOT, toc
from booktools.latex_log import overfull_boxes, undefined_references
from booktools.student_edition import BOOK_PDF_NAME, STUDENT_PDF_NAME, strip_solutions

pytestmark = pytest.mark.pdf

PDF = ROOT / "_build" / "latex" / "momentum-rmsprop-adam.pdf"
LOG = PDF.with_suffix(".log")
EXECUTED = ROOT / "_build" / "jupyter_execute"

HIDDEN_CODE_TAGS = {"remove-cell", "remove-input", "hide-input"}  # hide-input: the PDF leaves folded code out
HIDDEN_OUTPUT_TAGS = {"remove-cell", "remove-output"}
BREAK_MARKS = ("\u21aa", ",\u2192", "\u2192", "\u2423")
"""How pdftotext reads the mark of a wrapped code line (the hook arrow, drawn as a comma and an arrow)."""
PAGES = tuple(p.stem for p in toc.pages() if p.stem not in ("index", "optlab_api"))
"""The pages whose headings, boxes and figures the PDF must hold (the API appendix is checked by its own build)."""


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


def prose(page: Path) -> str:
    """The Markdown of a page without its fenced blocks (code cells and directives)."""
    return re.sub(r"^(`{3,}).*?^\1\s*$", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)


def heading_patterns(page: str):
    """A pattern for each MyST heading (#, ##, ###) of a page, its math matched by a short wildcard."""
    source = prose(ROOT / "chapters" / f"{page}.md")
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


EXERCISE_TITLE = r"(?<!Solution to )Exercise 27\.\d \u00b7"
SOLUTION_TITLE = r"Solution to Exercise 27\.\d \u00b7"


def test_solutions_follow_the_last_exercise(text):
    statements = [m.start() for m in re.finditer(EXERCISE_TITLE, text)]
    answers = [m.start() for m in re.finditer(SOLUTION_TITLE, text)]
    assert len(statements) == len(answers) >= 6
    assert max(statements) < text.find("Solutions", max(statements)) < min(answers)


def test_every_figure_of_the_site_is_embedded(require, built_site):
    require("pdfimages")
    listing = subprocess.run(["pdfimages", "-list", str(PDF)], capture_output=True, text=True, check=True).stdout
    embedded = [line for line in listing.splitlines()[2:] if line.split()[2] == "image"]
    figures = sum(len(re.findall(r'<img [^>]*src="\.\./_images/', (built_site / "chapters" / f"{p}.html").read_text()))
                  for p in PAGES)
    assert figures > 10 and len(embedded) >= figures, (len(embedded), figures)


def test_title_page_names_the_edition_and_the_contents_follow(text):
    from booktools.bundles import Edition

    edition = Edition.today(None)
    first_page = text[:text.find("Contents")]
    assert re.search(rf"Edition \S+, optlab {re.escape(edition.optlab)}", first_page), first_page
    assert re.search(r"built 20\d\d-\d\d-\d\d", first_page), first_page
    assert "Student edition" not in first_page
    assert text.find("Contents") < text.find("About this book") < text.find("Momentum, RMSProp, and Adam 2")


def test_no_index_lists_internal_labels(text):
    assert not re.search(r"Proof Index|Python Module Index|\(chapters/", text)


def test_the_bibliography_is_author_year_under_references(text):
    references = text[text.rfind("Works cited in this book"):]
    assert "Bibliography" not in text
    labels = re.findall(r"\[([A-Z][^\[\]]*?, (?:1[89]|20)\d\d)\]", references)
    assert len(labels) >= 20 and "Kingma and Ba, 2015" in labels, labels
    assert not re.search(r"\[[A-Z][a-z]?[A-Z]*\+?\d\d\]", references)  # no alpha labels such as [KB15]


STUDENT_PDF = ROOT / "_build" / "student" / "momentum-rmsprop-adam-student.pdf"


def test_student_pdf_is_marked_and_has_every_exercise_and_no_solution(require, text):
    from booktools.student_edition import STUDENT_WORDING

    require("pdftotext")
    if not STUDENT_PDF.is_file():
        pytest.fail(f"{STUDENT_PDF} is missing: run `make pdf-student`", pytrace=False)
    words = subprocess.run(["pdftotext", str(STUDENT_PDF), "-"], capture_output=True, text=True, check=True).stdout
    words = re.sub(r"\s+", " ", words).translate(str.maketrans({"\u2019": "'"}))
    assert "Student edition" in words[:words.find("Contents")]
    assert len(re.findall(EXERCISE_TITLE, words)) == len(re.findall(EXERCISE_TITLE, text)) >= 6
    assert "Solution" not in words and "worked solution" not in words
    squeezed = squeeze(words)
    for sentence, student in (pair for wording in STUDENT_WORDING.values() for pair in wording):
        assert squeeze(sentence.replace("`", "")) not in squeezed
        assert squeeze(student.replace("`", "")) in squeezed


def squeeze(text: str) -> str:
    """``text`` as the check compares it: compatibility forms, straight quotes, no white space, no break marks."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2212": "-"}))
    text = re.sub(r"\s+", "", text)
    for mark in BREAK_MARKS:
        text = text.replace(mark, "")
    return text


CHAPTER_HEAD_PT = 20
"""Words at least this tall are chapter titles (\\Huge); section titles and the text are smaller."""


@functools.cache
def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of ``pdf``, in the order it was typeset.

    (pdftotext's default reading order takes the gaps of a printed table for
    columns and reads them one after the other.)
    """
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return raw.split("\f")[:-1]


@functools.cache
def chapter_heads(pdf: Path) -> list[str]:
    """For each page of ``pdf``, its words set as large as a chapter title, squeezed (mostly empty)."""
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    heads = []
    for page in boxes.split("<page ")[1:]:
        words = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', page)
        heads.append(squeeze(html.unescape("".join(w for top, bottom, w in words
                                                    if float(bottom) - float(top) >= CHAPTER_HEAD_PT))))
    return heads


def chapter_texts(pdf: Path, titles: list[str]) -> list[tuple[str, str]]:
    """The squeezed text of each chapter of ``pdf`` (as printed, and with hyphenated line ends joined), in order.

    A chapter runs from the page whose chapter-size title is its title to the
    page before the next chapter's; the title page is no chapter.
    """
    heads, starts, cursor = chapter_heads(pdf), [], 1
    for title in titles:
        cursor = next((i for i in range(cursor, len(heads)) if heads[i].casefold().startswith(squeeze(title).casefold())),
                      None)
        assert cursor is not None, f"no page after page {starts[-1:]} opens with the chapter title {title!r}"
        starts.append(cursor)
    pages = pdf_pages(pdf)
    texts = []
    for start, end in zip(starts, [*starts[1:], len(pages)]):
        raw = "".join(pages[start:end])
        texts.append((squeeze(raw), squeeze(re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", raw))))
    return texts


def shown_lines(notebook: dict) -> list[str]:
    """Every non-blank line of the code the PDF shows and of the text its cells print, in order."""
    lines = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        if not tags & HIDDEN_CODE_TAGS:
            lines += "".join(cell["source"]).splitlines()
        if tags & HIDDEN_OUTPUT_TAGS:
            continue
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream":
                lines += "".join(output["text"]).splitlines()
            elif set(output.get("data", {})) == {"text/plain"}:
                lines += "".join(output["data"]["text/plain"]).splitlines()
    return [line for line in lines if line.strip()]


def chapter_title(page: Path) -> str:
    """The title of a page: its first level-1 heading."""
    return re.search(r"^# (.+)$", prose(page), flags=re.M).group(1).replace("`", "")


def missing_lines(lines: list[str], texts: tuple[str, ...]) -> list[str]:
    """The lines that none of ``texts`` (squeezed) contains."""
    return [line for line in lines if not any(squeeze(line) in text for text in texts)]


NOTEBOOK_PAGES = [page for page in toc.pages() if toc.is_notebook(page)]


def executed_lines(page: Path, student: bool = False) -> list[str]:
    """:func:`shown_lines` of a page's notebook as this build executed it (without its solutions for the student).

    The student edition executes the same cells minus the solutions', so its
    lines are those of the cells that :func:`student_edition.strip_solutions` keeps.
    """
    notebook = json.loads((EXECUTED / page.relative_to(ROOT).with_suffix(".ipynb")).read_text(encoding="utf-8"))
    if student:
        kept = {cell.source for cell in jupytext.reads(strip_solutions(page.read_text(encoding="utf-8")),
                                                      fmt="myst").cells}
        notebook["cells"] = [cell for cell in notebook["cells"] if "".join(cell["source"]) in kept]
    return shown_lines(notebook)


@pytest.mark.parametrize("student", [False, True], ids=["book", "student"])
@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=lambda page: page.stem)
def test_every_code_line_and_printed_line_is_in_its_chapter(page, student, require):
    require("pdftotext")
    pdf = STUDENT_PDF if student else PDF
    if not pdf.is_file():
        pytest.fail(f"{pdf} is missing: run `make pdf` and `make pdf-student`", pytrace=False)
    lines = executed_lines(page, student)
    assert sum(len(executed_lines(p)) for p in NOTEBOOK_PAGES) > 500  # the extraction finds the book's code
    titles = [chapter_title(p) for p in toc.pages()]
    missing = missing_lines(lines, chapter_texts(pdf, titles)[titles.index(chapter_title(page))])
    assert not missing, f"{len(missing)} of {len(lines)} lines are not in the PDF: {missing}"


@pytest.fixture
def log():
    if not LOG.is_file():
        pytest.fail(f"{LOG} is missing: run `make pdf`", pytrace=False)
    return LOG.read_text(encoding="utf-8", errors="replace")


def test_no_box_sticks_out_of_the_page(log):
    assert not overfull_boxes(log)


def test_every_reference_is_defined(log):
    assert not undefined_references(log)


def test_wrapped_code_shows_no_visible_spaces(text):
    assert "\u2423" not in text


def test_the_check_finds_a_missing_line_an_overfull_box_and_an_undefined_reference():
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "source": ["x = 1\n", "return params, state"],
                           "outputs": [{"output_type": "stream", "text": ["loss 0.25\n"]}]}]}
    assert missing_lines(shown_lines(notebook), ("x=1 loss0.25",)) == ["return params, state"]
    log = "Overfull \\hbox (0.5pt too wide) in paragraph\nOverfull \\vbox (102.42332pt too high) detected at line 3446\n"
    assert overfull_boxes(log) == ["Overfull \\vbox (102.42332pt too high) detected at line 3446"]
    wrapped = "LaTeX Warning: Hyper reference `chapters/exercises:ex-momentum-noise' on page 3\n7 undefined on input line 2445.\n"
    assert undefined_references(wrapped) == ["LaTeX Warning: Hyper reference `chapters/exercises:ex-momentum-noise' on page 37 undefined"]


PLANTED_PAGE = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---

# Planted

```{code-cell} ipython3
%s
```

```{exercise} 27.9 · A statement
:label: ex-planted

Run the cell above.
```

```{solution-start} ex-planted
:label: sol-planted
```

```{code-cell} ipython3
%s
```

```{solution-end}
```
"""


@pytest.fixture(scope="module")
def planted_pdf(tmp_path_factory):
    """A one-chapter book built like the PDF edition, planted with a code line of 300 characters that cannot break.

    Its exercise's solution holds a code cell of 150 lines, more than a page.
    Returns (PDF, LaTeX log, the planted line, the solution's lines).
    """
    folder = tmp_path_factory.mktemp("planted")
    overlong = "planted = " + repr("x" * 290)
    solution = [f"solution_{i:03d} = {i}" for i in range(150)]
    (folder / "chapters").mkdir()
    (folder / "chapters" / "planted.md").write_text(PLANTED_PAGE % (overlong, "\n".join(solution)))
    (folder / "index.md").write_text("# About this book\n\nA planted book.\n")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: chapters/planted\n")
    for name in ("_config.yml", "references.bib"):
        (folder / name).write_text((ROOT / name).read_text())
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    subprocess.run([jupyter_book, "build", str(folder), "--builder", "pdflatex"], env=env, check=True,
                   capture_output=True, timeout=600)
    latex = folder / "_build" / "latex"
    return latex / PDF.name, (latex / LOG.name).read_text(errors="replace"), overlong, solution


def test_the_check_fails_on_a_planted_overlong_code_line_and_keeps_a_long_solution(planted_pdf):
    pdf, log, overlong, solution = planted_pdf
    assert any("hbox" in box for box in overfull_boxes(log)), "the planted line runs into the margin"
    planted = chapter_texts(pdf, ["About this book", "Planted"])[1]
    assert not missing_lines(solution, planted), "a solution is no box: its code breaks across pages"
    assert len(pdf_pages(pdf)) >= 4


def test_text_code_and_math_are_set_in_latin_modern_and_computer_modern(require):
    require("pdfinfo")  # poppler-utils, which has pdffonts too
    listing = subprocess.run(["pdffonts", str(PDF)], capture_output=True, text=True, check=True).stdout
    fonts = {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}
    assert {"LMRoman10-Regular-Identity-H", "LMMono10-Regular-Identity-H"} <= fonts, fonts
    assert all(re.match(r"(LM|CM|MSBM|MSAM)", font) for font in fonts), fonts  # no FreeSerif beside CM math


def test_the_pdf_speaks_of_its_solutions_as_printed(text):
    from booktools.sphinx_ext.pdf_edition import PRINT_WORDING

    for site, printed in PRINT_WORDING:
        assert site not in text and printed in text


def test_the_site_links_lead_to_both_pdfs(built_site):
    """Once both PDFs are made, every page's links to them resolve (``make test`` cannot check them earlier)."""
    for name in (BOOK_PDF_NAME, STUDENT_PDF_NAME):
        assert (built_site / name).read_bytes()[:5] == b"%PDF-", name
