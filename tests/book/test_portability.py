"""Every printed number of the book is the same on every CPU.

The reference outputs in ``notebooks/`` were computed on one machine. A
reader's CPU takes other NumPy kernels (AVX-512, AVX2, ARM), whose results
differ in the last bits. Here the numeric tests and the notebooks are
replayed under each older dispatch level this machine can imitate, and the
notebooks once more with the last bits of NumPy's functions and of optlab's
gradients nudged by one ulp, which needs no particular hardware (see
:mod:`booktools.portability`). Each run is a separate pytest process
(``tests/harness/replays.py``); a failure names the cells whose printed output
changed.

Each replay takes the time of a whole ``make test`` pass over the notebooks,
so these tests run apart: ``make test-portability`` (marker ``portability``),
after ``make test`` in CI, and before landing a change to a page's prints.
"""

from __future__ import annotations

import os
import re

import nbformat
import pytest
from nbclient import NotebookClient

from booktools import ROOT
from booktools.portability import dispatch_levels
from harness.replays import nudged_kernel_env, run_pytest

pytestmark = pytest.mark.portability

NOTEBOOKS = sorted(ROOT.glob("notebooks/*.ipynb"))
NUMERIC_TESTS = [ROOT / "tests" / "unit"]
"""The tests that need neither a build nor a browser: every number ``optlab`` computes, the vectors included."""

LEVELS = dispatch_levels()
NBVAL = ["--nbval", "--nbval-current-env"]


def _with_features_off(features: str) -> dict:
    return {**os.environ, "NPY_DISABLE_CPU_FEATURES": features}


def _explain(run, what):
    return f"{what}: {len(run.failed)} failed {list(run.failed)}\n{run.output[-3000:]}"


class OlderKernels:
    """One older dispatch level: the numeric tests pass and every printed output is the same.

    One class per level (made below), because pytest-xdist's ``loadscope``
    keeps a class on one worker: the levels then run side by side.
    """

    features: str

    def test_numeric_tests_pass(self):
        run = run_pytest(NUMERIC_TESTS, env=_with_features_off(self.features), cwd=ROOT)
        assert run.returncode == 0, _explain(run, f"numeric tests without {self.features}")

    def test_notebook_outputs_are_the_same(self):
        run = run_pytest(NBVAL + NOTEBOOKS, env=_with_features_off(self.features), cwd=ROOT)
        assert run.returncode == 0, _explain(run, f"notebooks without {self.features}")


for _level, _features in LEVELS.items():
    _name = "TestKernels" + "".join(part.capitalize() for part in re.split(r"\W+", _level))
    globals()[_name] = type(_name, (OlderKernels,), {"features": _features, "__doc__": f"NumPy {_level}."})


class TestNudgedLastBits:
    def test_notebook_outputs_are_the_same(self, tmp_path):
        run = run_pytest(NBVAL + NOTEBOOKS, env=nudged_kernel_env(tmp_path), cwd=ROOT)
        assert run.returncode == 0, _explain(run, "notebooks with nudged last bits")


PLANTED = [
    # Converges: its printed loss keeps its digits whatever the last bits.
    "from optlab import ILL_CONDITIONED, Adam, run_on_surface\n"
    "print(f\"{run_on_surface(ILL_CONDITIONED, Adam(lr=0.01), steps=300).losses[-1]:.6e}\")",
    # Adam with beta2 = 0.99 at lr 0.1 blows up before step 1000: its final loss is chaotic.
    "print(f\"{run_on_surface(ILL_CONDITIONED, Adam(lr=0.1, beta2=0.99), steps=2000).losses[-1]:.3e}\")",
]


def test_nudged_last_bits_catch_a_planted_chaotic_print(tmp_path):
    """The check fails on a cell that prints a run after its blow-up, and passes the converged one."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in PLANTED])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(notebook, timeout=120).execute()
    path = tmp_path / "planted.ipynb"
    nbformat.write(notebook, path)

    plain = run_pytest(NBVAL + [path], cwd=tmp_path)
    assert plain.returncode == 0, _explain(plain, "the planted notebook, replayed as it is")
    nudged = run_pytest(NBVAL + [path], env=nudged_kernel_env(tmp_path / "ipython"), cwd=tmp_path)
    assert nudged.failed == ("planted.ipynb::Cell 1",), _explain(nudged, "the planted notebook, nudged")
