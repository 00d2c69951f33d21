"""The chapter shows, under each algorithm box, the optlab code that implements it.

Each box names its class on a **Code** line; the code cell that follows the
box prints the source of that class's update (and, for momentum, its
gradient point) with ``inspect.getsource``, so the page always shows the
package's current code. These tests check that every box has such a cell,
that the cell prints the methods of the class the box names, and that the
executed twin holds today's source (a stale twin would show old code).
"""

import inspect
import json
import re

import pytest

import optlab
from booktools import ROOT

CHAPTER = ROOT / "chapters" / "momentum_rmsprop_adam.md"
TWIN = ROOT / "notebooks" / "momentum_rmsprop_adam.ipynb"

BOX = re.compile(r"```\{prf:algorithm\}[^\n]*\n:label: (?P<label>[\w-]+)\n(?P<body>.*?)\n```\n", re.S)
CELL = re.compile(r"```\{code-cell\} ipython3\n(?P<source>.*?)\n```", re.S)
SHOWN = re.compile(r"print\(getsource\((?P<object>[\w.]+)\)\)")

# The boxes whose own code is printed below them; AMSGrad is a branch of Adam.update, shown under Adam's box.
SHOWN_BOXES = {"alg-momentum", "alg-adagrad", "alg-rmsprop", "alg-adam", "alg-adamw"}


def boxes():
    text = CHAPTER.read_text()
    for match in BOX.finditer(text):
        cell = CELL.search(text, match.end())
        yield match["label"], match["body"], text[match.end():cell.start()], cell["source"]


def test_every_box_with_code_of_its_own_is_followed_by_its_code():
    labels = {label for label, _, between, source in boxes() if SHOWN.search(source) and "```{prf:" not in between}
    assert labels == SHOWN_BOXES


@pytest.mark.parametrize("label, body, between, source", [b for b in boxes() if b[0] in SHOWN_BOXES],
                         ids=lambda value: value if isinstance(value, str) and value.startswith("alg-") else "")
def test_the_cell_prints_the_class_the_box_names(label, body, between, source):
    named = re.search(r"\*\*Code\*\* `optlab\.(\w+)\(", body)[1]
    shown = {m["object"].split(".")[0] for m in SHOWN.finditer(source)}
    if named == "AdamW":  # AdamW(...) is DecoupledWeightDecay(Adam(...)), as its box says
        assert shown == {"DecoupledWeightDecay"} and "DecoupledWeightDecay" in body
    else:
        assert shown == {named}
    assert "tags: [remove-input]" in source  # the reader sees the code, not the print call


def test_the_executed_twin_shows_the_current_source():
    cells = json.loads(TWIN.read_text())["cells"]
    printed = ["".join(o.get("text", "")) for c in cells if c["cell_type"] == "code"
               for o in c.get("outputs", []) if "getsource" in "".join(c["source"])]
    expected = []
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and SHOWN.search(source):
            objects = [m["object"] for m in SHOWN.finditer(source)]
            expected.append("".join(inspect.getsource(_resolve(o)) + "\n" for o in objects))
    assert printed == expected


def _resolve(dotted):
    owner, _, method = dotted.partition(".")
    return getattr(getattr(optlab, owner), method)
