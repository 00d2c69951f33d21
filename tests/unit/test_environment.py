"""The environment is the lock file's, and the reference notebooks were executed in it.

``make venv`` installs ``requirements.lock`` package for package; the twins in
``notebooks/`` record the NumPy and Matplotlib they ran with (``make
notebooks`` writes ``executed_with`` into their metadata). A refreshed lock
that changes either package therefore fails here until the twins are
executed again, instead of surprising the next reader with other outputs.
"""

import re
from importlib.metadata import version

import nbformat
import pytest

from booktools import ROOT
from booktools.bundles import locked_versions

RECORDED = ("numpy", "matplotlib")
LOCK = locked_versions((ROOT / "requirements.lock").read_text())


def test_lock_pins_every_package_of_the_requirements():
    wanted = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*[<>=!~]", (ROOT / "requirements.txt").read_text(), re.M)
    assert wanted and all(name.lower().replace("_", "-") in LOCK for name in wanted), sorted(set(wanted) - set(LOCK))


@pytest.mark.parametrize("name", RECORDED)
def test_installed_version_is_the_locked_one(name):
    assert version(name) == LOCK[name], f"{name} {version(name)} is installed, the lock says {LOCK[name]}: make venv"


@pytest.mark.parametrize("twin", sorted(ROOT.glob("notebooks/*.ipynb")), ids=lambda p: p.stem)
def test_twin_was_executed_with_the_locked_versions(twin):
    recorded = nbformat.read(twin, as_version=4).metadata.get("executed_with", {})
    expected = {name: LOCK[name] for name in RECORDED}
    assert recorded == expected, f"{twin.name} ran with {recorded}, the lock has {expected}: run `make notebooks`"


def test_pin_reader_ignores_markers_and_comments():
    text = "# a comment\nnumpy==2.4.6 ; python_version >= '3.11'\n    # via matplotlib\nPyYAML==6.0\n-e .\n"
    assert locked_versions(text) == {"numpy": "2.4.6", "pyyaml": "6.0"}
