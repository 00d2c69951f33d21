"""Cutting the solutions out of a page for the student edition (:mod:`booktools.student_edition`)."""

from __future__ import annotations

import pytest

from booktools.student_edition import strip_solutions


def test_strip_solutions_removes_gated_and_plain_solutions_only():
    text = (
        "intro\n\n```{exercise} 27.9 · T\n:label: ex-t\n\nDo it.\n```\n\n"
        "```{solution-start} ex-t\n:class: dropdown\n```\n\nsecret prose\n\n"
        "```{code-cell} ipython3\nsecret = 1\n```\n\n```{solution-end}\n```\n\n"
        ":::{solution} ex-t\nanother secret\n:::\n\nafter\n"
    )
    stripped = strip_solutions(text)
    assert "secret" not in stripped and "solution" not in stripped
    assert "Do it." in stripped and "intro" in stripped and stripped.endswith("after\n")
    assert strip_solutions("no solutions here\n") == "no solutions here\n"


@pytest.mark.parametrize("broken", [
    "```{solution-start} ex\n```\ntext without an end\n",
    "```{solution-end}\n```\n",
    ":::{solution} ex\nnever closed\n",
])
def test_strip_solutions_refuses_unbalanced_blocks(broken):
    with pytest.raises(ValueError):
        strip_solutions(broken)
