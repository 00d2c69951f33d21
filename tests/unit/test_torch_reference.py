r"""Every optimizer of ``optlab`` against PyTorch's ``torch.optim``, in float64, step by step.

The problem. Each seed draws a list of parameter tensors of random shapes and,
for each tensor, a convex quadratic :math:`\tfrac12 w^\top H w - b^\top w`
(``w`` the flattened tensor, ``H`` symmetric with eigenvalues in [0.5, 4]).
PyTorch differentiates the loss with autograd; we use the closed form
:math:`Hw - b`. Both sides start from the same point and run 100 steps at a
normal and at a high learning rate (high: close to the edge of stability for
SGD, :math:`\eta\lambda_{\max} = 1.8`; for the adaptive methods a rate that
keeps them oscillating at the scale of the rate itself).

Two tests share the conventions below:

* ``test_matches_committed_vectors`` always runs: it replays the reference
  trajectories that ``python -m booktools.torch_vectors`` recorded with
  torch 2.13.0 (``tests/vectors/torch_reference.json``, steps 1, 10, 100);
* ``test_matches_torch_step_by_step`` runs PyTorch live and compares after
  every one of the 100 steps, on three more seeds. It skips only when torch
  is not importable, never when the environment variable CI is set.

Tolerances. ``RTOL = 1e-10``, ``ATOL = 1e-12`` (ATOL matters only for
coordinates that pass near zero). Both sides compute the same mathematics in
float64 with a different order of operations (PyTorch divides
:math:`\sqrt{v_t}` by :math:`\sqrt{1-\beta_2^t}`, we take the root of
:math:`v_t/(1-\beta_2^t)`; PyTorch's Nesterov iterate is our look-ahead point,
recovered by a subtraction), so each step differs by a few units in the last
place, about 1e-16 relative. On these stable problems the differences grow
slowly: over all cases, seeds and 100 steps the largest difference uses less
than 0.5% of the tolerance, except RMSprop at its high rate, whose
oscillation about the minimum amplifies round-off, and which uses 3% (the
script prints this figure). A wrong algorithm moves the iterates far more: a
misplaced eps of 1e-8 shifts them by about lr*1e-8 per step, which
``test_comparison_sees_a_misplaced_eps`` checks is caught; a wrong bias
correction, step counter or decay by 1e-3 or more.

Conventions. Each ``ours`` entry of ``CASES`` (in :mod:`booktools.torch_reference`) says how a PyTorch optimizer
maps onto ours; the comments there are the chapter's reference for the
differences (our defaults are the chapter's, PyTorch's are its own).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from booktools.torch_reference import (
    ATOL, CASES, CASES_BY_NAME, CHECKPOINTS, LIVE_SEEDS, TORCH_VERSION, VECTOR_SEEDS, VECTORS, Case, make_problem,
    RTOL, run_ours, run_torch,
)
from optlab import Adam, Momentum


def assert_same(ours, reference, where: str):
    for index, (o, r) in enumerate(zip(ours, reference)):
        assert o.shape == r.shape, f"{where}, tensor {index}: shape {o.shape} != {r.shape}"
        np.testing.assert_allclose(o, r, rtol=RTOL, atol=ATOL, err_msg=f"{where}, tensor {index}")


@pytest.fixture(scope="module")
def vectors() -> dict:
    return json.loads(VECTORS.read_text())


def test_vectors_cover_every_case_and_learning_rate(vectors):
    assert vectors["torch_version"].startswith(TORCH_VERSION)
    assert sorted(vectors["problems"]) == sorted(str(seed) for seed in VECTOR_SEEDS)
    assert sorted(vectors["runs"]) == sorted(f"{case.name} lr={lr} seed={seed}"
                                             for case in CASES for lr in case.lrs for seed in VECTOR_SEEDS)
    assert all(sorted(map(int, run)) == list(CHECKPOINTS) for run in vectors["runs"].values())


@pytest.mark.parametrize("seed", VECTOR_SEEDS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_matches_committed_vectors(vectors, case, seed):
    # The recorded problem itself, not a fresh draw: another LAPACK may round the
    # QR factor of make_problem differently in the last place.
    problem = vectors["problems"][str(seed)]
    for lr in case.lrs:
        ours = run_ours(case, lr, problem)
        for step, recorded in vectors["runs"][f"{case.name} lr={lr} seed={seed}"].items():
            expected = [np.asarray(r, dtype=np.float64).reshape(t["shape"])
                        for r, t in zip(recorded, problem["tensors"])]
            assert_same(ours[int(step) - 1], expected, f"{case.name}, lr={lr}, seed {seed}, step {step}")


def test_problems_have_random_shapes():
    seeds = VECTOR_SEEDS + LIVE_SEEDS
    shapes = {tuple(tuple(t["shape"]) for t in make_problem(seed)["tensors"]) for seed in seeds}
    assert len(shapes) == len(seeds)


@pytest.fixture
def torch_module(require):
    return require("torch")


@pytest.mark.parametrize("seed", LIVE_SEEDS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_matches_torch_step_by_step(torch_module, case, seed):
    assert torch_module.__version__.startswith(TORCH_VERSION)
    problem = make_problem(seed)
    for lr in case.lrs:
        ours = run_ours(case, lr, problem)
        reference = run_torch(case, lr, problem)
        for step, (o, r) in enumerate(zip(ours, reference), start=1):
            assert_same(o, r, f"{case.name}, lr={lr}, seed {seed}, step {step}")


def test_comparison_sees_a_misplaced_eps(torch_module):
    """The tolerance is tight enough to tell eps inside the root from eps outside, at Adam's eps = 1e-8."""
    case = CASES_BY_NAME["adam"]
    problem = make_problem(0)
    inside = Case("adam_inside", "Adam", case.torch_kwargs, case.lrs,
                  lambda lr: Adam(lr=lr, eps=1e-8, eps_inside_sqrt=True))
    reference = run_torch(case, case.lrs[0], problem, steps=10)
    ours = run_ours(inside, case.lrs[0], problem, steps=10)
    with pytest.raises(AssertionError):
        assert_same(ours[-1], reference[-1], "eps inside the root")


def test_dampened_momentum_differs_from_torch_at_the_first_step(torch_module):
    """The one convention we do not map: PyTorch's dampening skips its first step, ours does not."""
    problem = make_problem(0)
    damped = Case("damped", "SGD", {"momentum": 0.9, "dampening": 0.9}, (0.05, 0.45),
                  lambda lr: Momentum(lr=lr, beta=0.9, damped=True))
    ours = run_ours(damped, 0.05, problem, steps=1)
    reference = run_torch(damped, 0.05, problem, steps=1)
    start = [np.asarray(t["start"]).reshape(t["shape"]) for t in problem["tensors"]]
    # PyTorch moved by lr*g_1, we by lr*(1 - beta)*g_1: ten times less.
    for s, o, r in zip(start, ours[0], reference[0]):
        np.testing.assert_allclose(s - o, 0.1 * (s - r), rtol=1e-12, atol=1e-15)
