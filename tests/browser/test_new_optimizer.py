"""Adding an optimizer touches four hand-written places, and it then shows up everywhere.

In a temporary copy of the working tree, a toy optimizer, SignSGD
(:math:`w \\leftarrow w - \\eta\\,\\operatorname{sign}(g)`, Bernstein et al. 2018), is
added in exactly the places the README's "How to add an optimizer" names:

1. its class, in ``code/optlab/optimizers.py``;
2. its entry in the package's public list, ``code/optlab/__init__.py``;
3. its roster entry, in ``ROSTER`` of ``code/optlab/race.py`` (settings, suggested
   rates, stability kind, style);
4. its update rule, in the applet's core ``_static/race/race_core.js``.

Then the generated files are made again (``python -m booktools.race_data``,
which ``make book`` runs, and ``python -m booktools.race_vectors``, with the
copy's packages), and the test shows SignSGD in the applet's table, in the
race vectors with the applet's core in parity with optlab, in the figures'
style table and on the API reference page; and that the README's recipe
names exactly these four files.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from booktools import ROOT, race_vectors
from harness.race import load_scripts, replay
from booktools.worktree import copy_worktree

CLASS = '''

@dataclass(frozen=True)
class SignSGD(Optimizer):
    r"""Sign gradient descent (Bernstein et al. 2018): :math:`w_{t+1} = w_t - \\eta\\,\\operatorname{sign}(g_t)`."""

    elementwise: ClassVar[bool] = True
    lr: float = 0.01

    def __post_init__(self):
        check_nonnegative("lr", self.lr)

    def init(self, params: Arrays) -> EmptyState:
        return EmptyState()

    def update(self, params, grads, state):
        return [w - self.lr * np.sign(g) for w, g in zip(params, grads)], state
'''

ENTRY = '''    Racer("SignSGD", optimizers.SignSGD, ("lr",), {}, None, dict(color="#555555", linestyle=(0, (2, 2)), marker="o")),
)
"""Every racer'''

RULE = '''  const UPDATE_RULES = {
    SignSGD: {
      init: () => ({}),
      point: same,
      step: (hp, w, g, s) => ({ w: map2((wi, gi) => wi - hp.lr * Math.sign(gi), w, g), state: s }),
    },'''


def edit(path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``path`` by ``new``."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def add_sign_sgd(tree) -> None:
    """The four hand-written places."""
    optimizers = tree / "code" / "optlab" / "optimizers.py"
    optimizers.write_text(optimizers.read_text(encoding="utf-8") + CLASS, encoding="utf-8")
    edit(tree / "code" / "optlab" / "__init__.py", "    SGD,\n", "    SGD,\n    SignSGD,\n")
    edit(tree / "code" / "optlab" / "__init__.py", '__all__ = [\n    "SGD",', '__all__ = [\n    "SGD", "SignSGD",')
    edit(tree / "code" / "optlab" / "race.py", ')\n"""Every racer', ENTRY)
    edit(tree / "_static" / "race" / "race_core.js", "  const UPDATE_RULES = {", RULE)


pytestmark = [pytest.mark.system, pytest.mark.long_setup]  # the copy below is built: make test-system starts it first


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """The copy with SignSGD added, its generated files made again, and its API page built."""
    tree = copy_worktree(tmp_path_factory.mktemp("new-optimizer") / "book")
    add_sign_sgd(tree)
    env = dict(os.environ, PYTHONPATH=str(tree / "code"), PYTHONDONTWRITEBYTECODE="1")
    env.pop("MPLBACKEND", None)
    for tool in ("booktools.race_data", "booktools.race_vectors"):
        subprocess.run([sys.executable, "-m", tool], cwd=tree, env=env, check=True, capture_output=True)
    # The API page alone (with its landing page), so the build executes no notebook.
    (tree / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: chapters/optlab_api\n")
    jupyter_book = os.path.join(os.path.dirname(sys.executable), "jupyter-book")
    built = subprocess.run([jupyter_book, "build", ".", "--builder", "html"], cwd=tree, env=env,
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-2000:]
    return tree


def test_the_applet_lists_it_in_its_table(tree, browser):
    page = browser.new_page()
    try:
        page.set_content('<html lang="en"><body><div class="optimizer-race" data-optimizer-race></div></body></html>')
        race = tree / "_static" / "race"
        for script in re.findall(r'<script src="[^"]*/race/([\w.]+)"', (race / "race.html").read_text()):
            page.add_script_tag(path=str(race / script))
        page.wait_for_function("window.OptimizerRace && OptimizerRace.instances.length > 0")
        row = page.get_by_role("checkbox", name="SignSGD")
        assert row.count() == 1
        assert page.get_by_role("textbox", name="SignSGD learning rate", exact=False).input_value() == "0.01"
    finally:
        page.close()


def test_the_vectors_hold_it_and_the_core_agrees(tree, browser):
    vectors = json.loads((tree / "tests" / "vectors" / "race_vectors.json").read_text())
    cases = [c for c in vectors["cases"] if c["optimizer"] == "SignSGD"]
    assert len(cases) == 2 * len(vectors["samples"]), "two settings on every surface"
    page = browser.new_page()
    try:
        load_scripts(page, tree / "_static" / "race")
        result = replay(page, vectors)
    finally:
        page.close()
    assert "SignSGD" in result["optimizers"] and result["lengths"] == []
    assert result["worst"]["value"] <= race_vectors.RTOL, result["worst"]


def test_the_figures_style_it(tree):
    env = dict(os.environ, PYTHONPATH=str(tree / "code"), PYTHONDONTWRITEBYTECODE="1")
    style = subprocess.run([sys.executable, "-c", "from optlab.plotting import STYLES; print(STYLES['SignSGD']['color'])"],
                           cwd=tree, env=env, check=True, capture_output=True, text=True).stdout
    assert style.strip() == "#555555"


def test_the_readme_recipe_names_exactly_these_places():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    recipe = readme.split("## How to add an optimizer", 1)[1].split("\n## ", 1)[0]
    steps = re.findall(r"^\d+\. .*?(?=^\d+\. |\n\n|\Z)", recipe, flags=re.S | re.M)  # the numbered steps
    places = {path for step in steps for path in re.findall(r"`((?:code|_static)/[\w/]+\.(?:py|js))`", step)}
    assert places == {"code/optlab/optimizers.py", "code/optlab/__init__.py", "code/optlab/race.py",
                      "_static/race/race_core.js"}, places


def test_the_api_reference_documents_it(tree):
    html = (tree / "_build" / "html" / "chapters" / "optlab_api.html").read_text(encoding="utf-8")
    assert 'id="optlab.optimizers.SignSGD"' in html
    assert "Sign gradient descent" in html
