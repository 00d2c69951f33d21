"""No page picks a verdict word itself: every "converges", "blows up" or "never" it prints is read off a run.

A verdict chosen by a condition on the inputs (``"blows up" if sigma == 0
else ...``) looks exactly like a measured one to a reader. So the pages'
code cells may not hold a verdict word in any string literal: the words
come from :mod:`optlab.diagnostics`, whose functions read them off the
run, and whose experiments ``tests/claims/test_horizons.py`` reruns at twice
their horizon.
"""

from __future__ import annotations

import io
import re
import tokenize

import jupytext
import pytest

from booktools.toc import chapter_notebooks

VERDICT_WORDS = re.compile(
    r"\b(converg\w*|diverg\w*|blows? up|blown up|blew up|settles?|settled|never|stays? (at|put|below|above)"
    r"|faster than|slower than|keeps? (going|converging|falling)|unstable|stable|stalls?|wins?"
    r"|no blow-up|blow-up at)\b",
    re.IGNORECASE,
)
"""The words of a verdict, as a page could print them."""

_TEXT_TOKENS = {tokenize.STRING} | ({tokenize.FSTRING_MIDDLE} if hasattr(tokenize, "FSTRING_MIDDLE") else set())


def verdict_literals(source: str) -> list[tuple[int, str]]:
    """The string literals of a code cell that hold a verdict word, as ``(line, literal)`` pairs.

    IPython's magics and shell lines are not Python and are left out.
    """
    python = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    tokens = tokenize.generate_tokens(io.StringIO(python).readline)
    return [(token.start[0], token.string) for token in tokens
            if token.type in _TEXT_TOKENS and VERDICT_WORDS.search(token.string)]


def test_the_scan_finds_a_verdict_chosen_by_a_condition():
    planted = 'verdict = "blows up" if sigma == 0 else "stays at its floor"\nprint(f"{sigma}: {verdict}")\n'
    assert [line for line, _ in verdict_literals(planted)] == [1, 1]


def test_the_scan_finds_a_verdict_inside_an_f_string():
    assert verdict_literals('print(f"lr = {lr}: the run never settles")')
    assert verdict_literals('print("first blow-up at step" if end else "no blow-up")')


def test_the_scan_passes_a_verdict_read_off_the_run():
    assert verdict_literals('print(f"lr = {lr}: {diagnostics.verdict(run.path)}")\n%matplotlib inline') == []


@pytest.mark.parametrize("page", chapter_notebooks(), ids=lambda p: p.stem)
def test_no_page_cell_holds_a_verdict_word(page):
    found = [f"cell {index}, line {line}: {literal}"
             for index, cell in enumerate(jupytext.read(page).cells) if cell.cell_type == "code"
             for line, literal in verdict_literals(cell.source)]
    assert not found, (f"{page.name} prints verdict words of its own; let a function of optlab.diagnostics "
                       "read them off the run:\n" + "\n".join(found))
