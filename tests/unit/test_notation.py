"""One symbol, one meaning: no page gives a symbol of the notation table (page ``notation``) a second meaning.

Each entry of ``SECOND_MEANINGS`` is a symbol of the table and forms of it
in a page's math that would give it another meaning: weight decay written
as lambda, s for anything but the second moment, m for a sample count, v
for the velocity. A page whose math holds one fails, naming the form.
"""

from __future__ import annotations

import re

import pytest

from booktools import ROOT
from booktools.toc import pages

SECOND_MEANINGS = {
    r"$\lambda_i$": {  # curvatures; weight decay is omega
        "lambda as a weight decay": r"\\lambda\s*w\b(?![_^])|\(1\s*-\s*\\lambda\)|\\lambda'"
                                    r"|\\frac\{\\lambda\}\{2\}\s*\\lVert|\\lambda_\{\\text\{(PyTorch|book)\}\}"
                                    r"|\\eta/\\lambda\b",
    },
    r"$s_t$": {  # the second moment a method divides by
        "s as a recurrence or a variance": r"\bs_\{?(t\s*\+\s*1|t\s*-\s*1|0|\\infty|\\lambda)\}?",
        "s as a mean square": r"\\mathbb\{E\}\[g_k\^2\]\s*=\s*s\b",
    },
    r"$n$, $B$": {  # the number of samples; m is Adam's first moment
        "m as a sample count": r"\\frac\{1\}\{2?m\}|\\sum_\{i=1\}\^\{?m\b",
    },
    r"$b_t$": {  # the velocity; v is the second moment
        "v as the velocity": r"v\s*\\leftarrow\s*\\beta\s*v\s*\+\s*g\b|v_\{t\+1\}\s*=\s*\\beta\s*v_t\s*\+\s*g",
    },
}
"""Symbol of the notation table -> {what a second meaning would be: regular expression of its forms}."""

_MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$|```\{math\}(.+?)```", re.DOTALL)


def math_of(text: str) -> str:
    """All the math of a MyST page, inline and display, joined by newlines."""
    return "\n".join(next(group for group in match.groups() if group is not None) for match in _MATH.finditer(text))


def second_meanings(math: str) -> list[str]:
    """The forbidden forms found in ``math``, as 'symbol: what (form)'."""
    return [f"{symbol}: {what} ({found.group(0)!r})"
            for symbol, forms in SECOND_MEANINGS.items() for what, pattern in forms.items()
            for found in re.finditer(pattern, math)]


def test_every_symbol_checked_is_in_the_notation_table():
    table = (ROOT / "chapters" / "notation.md").read_text(encoding="utf-8")
    assert all(f"| {symbol}" in table for symbol in SECOND_MEANINGS)


@pytest.mark.parametrize("planted", [r"$\tilde L = L + \frac{\lambda}{2}\lVert w\rVert^2$",
                                     r"$u_t = s_{t+1} - s_t$", r"$L = \frac{1}{2m}\sum_{i=1}^m r_i^2$",
                                     r"$v \leftarrow \beta v + g$", r"$(1 - \lambda)\,w$",
                                     r"decays the weights by $\lambda w$"])
def test_a_planted_second_meaning_is_found(planted):
    assert second_meanings(math_of(planted))


def test_the_table_own_uses_pass():
    assert second_meanings(math_of(r"$\lambda_i/(\lambda_i + \omega)$ and $\eta/(\sqrt{s_t} + \epsilon)$, "
                                   r"$(1-\eta\lambda) w_t$ and $\tfrac12 \lambda w^2$")) == []


@pytest.mark.parametrize("page", [p for p in pages() if p.suffix == ".md"], ids=lambda p: p.stem)
def test_no_page_gives_a_symbol_a_second_meaning(page):
    found = second_meanings(math_of(page.read_text(encoding="utf-8")))
    assert not found, f"{page.relative_to(ROOT)}:\n" + "\n".join(found)
