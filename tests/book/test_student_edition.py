"""The two editions of the exercises.

The default build shows every solution folded into a dropdown; the student
edition (``make book-student``, built by :mod:`booktools.student_edition`)
holds the exercises and no trace of the solutions: no solution admonition, no
solution code or output, no solution figure, in no file of the site (pages,
downloadable sources and notebooks, search index). What counts as "solution
text" is read from ``chapters/exercises.md`` itself: the names that the
solution cells define and the figure names they declare. The same markers are
checked to be present in the default build, so the test could fail.
"""

from __future__ import annotations

import ast
import re

import jupytext
import pytest

from booktools import ROOT, student_edition

PAGE = ROOT / "chapters" / "exercises.md"

SOURCE = PAGE.read_text(encoding="utf-8")
EXERCISES = re.findall(r"^```\{exercise\} (27\.\d) [^\n]*\n:label: (\S+)", SOURCE, flags=re.M)
SOLUTIONS = re.findall(r"^```\{solution-start\} (\S+)\n:label: (\S+)\n:class: (\S+)", SOURCE, flags=re.M)


def solution_markers() -> set[str]:
    """Strings that only the solutions contain: names their code defines, and their figure names.

    A name that also occurs in the exercise statements, in another page of the book or in optlab's
    sources (which the appendix "The optlab package" renders) is no marker.
    """
    kept = student_edition.strip_solutions(SOURCE)
    markers = set()
    for cell in jupytext.reads(SOURCE, fmt="myst").cells:
        if cell.cell_type != "code" or cell.source in kept:
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                markers.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and "_" in node.id:
                markers.add(node.id)
        figure = cell.metadata.get("mystnb", {}).get("figure", {}).get("name")
        if figure:
            markers.add(figure)
    others = [page for page in PAGE.parent.glob("*.md") if page != PAGE] + sorted((ROOT / "code" / "optlab").rglob("*.py"))
    other_pages = "\n".join(path.read_text(encoding="utf-8") for path in others)
    # The search index lowercases every name (LEARNING_RATES of optlab is learning_rates there).
    other_pages = other_pages.lower()
    return {marker for marker in markers if marker not in kept and marker.lower() not in other_pages}


MARKERS = solution_markers()


def test_page_has_eight_numbered_exercises_each_with_a_dropdown_solution():
    assert [number for number, _ in EXERCISES] == [f"27.{k}" for k in range(1, 9)]
    assert [target for target, _, _ in SOLUTIONS] == [label for _, label in EXERCISES]
    assert all(cls == "dropdown" for _, _, cls in SOLUTIONS)
    assert len(MARKERS) >= 12, MARKERS


def _admonitions(html: str, kind: str) -> list[tuple[str, str]]:
    """(classes, title text) of every ``kind`` admonition in a page."""
    found = re.findall(rf'<div class="({kind}\b[^"]*)"[^>]*>\s*<p class="admonition-title">(.*?)</p>', html, re.S)
    return [(classes, re.sub(r"<[^>]+>", "", title)) for classes, title in found]


def test_default_build_folds_every_solution_into_a_dropdown(built_site):
    html = (built_site / "chapters" / "exercises.html").read_text(encoding="utf-8")
    exercises = _admonitions(html, "exercise")
    assert [number for number, _ in EXERCISES] == [re.search(r"27\.\d", t).group(0) for _, t in exercises]
    solutions = _admonitions(html, "solution")
    assert len(solutions) == len(EXERCISES)
    assert all("dropdown" in classes.split() for classes, _ in solutions)
    for (number, _), (_, title) in zip(EXERCISES, solutions):
        assert number in title
    missing = [marker for marker in MARKERS if marker not in html]
    assert not missing, f"solution content missing from the default build: {missing}"


pytestmark = [pytest.mark.system, pytest.mark.long_setup]  # the edition is built below: make test-system starts it first


@pytest.fixture(scope="session")
def student_site(tmp_path_factory):
    return student_edition.build(tmp_path_factory.mktemp("student") / "html")


def test_student_edition_keeps_exercises_and_drops_every_solution(student_site):
    html = (student_site / "chapters" / "exercises.html").read_text(encoding="utf-8")
    titles = [title for _, title in _admonitions(html, "exercise")]
    assert [re.search(r"27\.\d", t).group(0) for t in titles] == [number for number, _ in EXERCISES]
    assert (student_site / "chapters" / "momentum_rmsprop_adam.html").is_file()
    assert (student_site / "chapters" / "conventions.html").is_file()
    leaks = []
    for path in student_site.rglob("*"):
        if path.suffix not in {".html", ".js", ".md", ".ipynb", ".txt", ".json"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if _admonitions(text, "solution") or "solution-start" in text or "Solution to" in text:
            leaks.append(f"{path.name}: solution admonition or directive")
        leaks += [f"{path.name}: {marker}" for marker in MARKERS if marker in text]
    assert not leaks, leaks


def _words(html: str) -> str:
    """The text of a page, tags dropped and white space made single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).replace("\u2019", "'")


def test_student_edition_speaks_of_no_solutions(student_site):
    for page, wording in student_edition.STUDENT_WORDING.items():
        words = _words((student_site / page).with_suffix(".html").read_text(encoding="utf-8"))
        for sentence, student in wording:
            assert sentence.replace("`", "") not in words
            assert student.replace("`", "") in words
        assert "worked solution" not in words and "folded away" not in words


def test_every_sentence_to_reword_is_in_its_page_and_a_missing_one_stops_the_build():
    for page, wording in student_edition.STUDENT_WORDING.items():
        text = (ROOT / page).read_text(encoding="utf-8")
        assert student_edition.reword(text, wording) != text
    assert student_edition.reword("one\ntwo  three", [("one two three", "four")]) == "four"
    with pytest.raises(ValueError, match="no longer says"):
        student_edition.reword("one two", [("one three", "four")])
