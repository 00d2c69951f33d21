"""The learning-rate schedules of ``optlab.schedules``: their formulas, the runners, and parity with PyTorch.

Parity, as for the optimizers (``test_torch_reference.py``):

* ``test_matches_committed_rates`` always runs: it rebuilds each schedule
  from ``tests/vectors/schedule_vectors.json`` (written by
  ``python -m booktools.schedule_vectors`` with torch 2.13.0) and compares its
  rates with PyTorch's at every one of the 1001 steps, to ``ATOL = 1e-12``;
* ``test_matches_torch_live`` runs ``torch.optim.lr_scheduler`` itself on the
  same cases. It skips only when torch is not importable, never in CI.

The tolerance is far above the rounding differences (PyTorch updates the
rate step by step, "chainable", where we use the closed form; the largest
difference the script reports is about 1e-16) and far below what a wrong
convention moves: an off-by-one step changes a rate by 1e-5 or more
(``test_comparison_sees_an_off_by_one_step``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from optlab import ILL_CONDITIONED, SGD, Adam, run_on_surface, schedules

VECTORS = Path(__file__).parents[1] / "vectors" / "schedule_vectors.json"
TORCH_VERSION = "2.13.0"
ATOL = 1e-12


@pytest.fixture(scope="module")
def vectors() -> dict:
    return json.loads(VECTORS.read_text())


def rebuild(case: dict) -> schedules.Schedule:
    return getattr(schedules, case["class"])(**case["args"])


def largest_difference(schedule, rates) -> float:
    return max(abs(schedule(t) - rate) for t, rate in enumerate(rates))


def test_vectors_cover_every_schedule_over_a_thousand_steps(vectors):
    assert vectors["torch_version"].startswith(TORCH_VERSION)
    assert vectors["steps"] >= 1000
    covered = {case["class"] for case in vectors["cases"].values()}
    assert covered == {cls.__name__ for cls in schedules.Schedule.__subclasses__()}
    assert all(len(case["lrs"]) == vectors["steps"] for case in vectors["cases"].values())


def test_matches_committed_rates(vectors):
    for name, case in vectors["cases"].items():
        assert largest_difference(rebuild(case), case["lrs"]) < ATOL, name


def test_matches_torch_live(vectors, require):
    torch = require("torch")
    assert torch.__version__.startswith(TORCH_VERSION)
    for name, case in vectors["cases"].items():
        schedule = rebuild(case)
        assert largest_difference(schedule, schedules.torch_rates(schedule, vectors["steps"])) < ATOL, name


def test_comparison_sees_an_off_by_one_step(vectors):
    """Reading PyTorch's rate of step t as ours of step t + 1 (or t - 1) breaks the tolerance for every decaying schedule."""
    for name, case in vectors["cases"].items():
        if name == "constant":
            continue
        schedule, rates = rebuild(case), case["lrs"]
        assert max(abs(schedule(t + 1) - rates[t]) for t in range(len(rates) - 1)) > 1e-5, name
        assert max(abs(schedule(t - 1) - rates[t]) for t in range(1, len(rates))) > 1e-5, name


def test_first_step_uses_the_base_rate_or_the_warmup_start():
    lr = 0.1
    for schedule in (schedules.Constant(lr), schedules.StepDecay(lr, 10), schedules.Exponential(lr, 0.9),
                     schedules.Cosine(lr, 100), schedules.PowerDecay(lr)):
        assert schedule(0) == lr
    assert schedules.WarmupCosine(lr, 10, 100, start_factor=0.25)(0) == pytest.approx(0.025)


def test_formulas_at_hand_checked_steps():
    assert schedules.StepDecay(1.0, step_size=3, gamma=0.5)(5) == 0.5
    assert schedules.StepDecay(1.0, step_size=3, gamma=0.5)(6) == 0.25
    assert schedules.Exponential(2.0, 0.5)(3) == 0.25
    cosine = schedules.Cosine(1.0, total_steps=4, min_lr=0.2)
    assert [cosine(t) for t in (0, 2, 4, 9)] == pytest.approx([1.0, 0.6, 0.2, 0.2])
    warm = schedules.WarmupCosine(1.0, warmup_steps=4, total_steps=8, start_factor=0.2)
    assert [warm(t) for t in (0, 2, 4, 6, 8, 20)] == pytest.approx([0.2, 0.6, 1.0, 0.5, 0.0, 0.0])
    assert schedules.PowerDecay(1.0, power=0.5, scale=2.0)(6) == 0.5
    assert schedules.PowerDecay(3.0, power=1.0, scale=1.0)(2) == 1.0


def test_array_rates_give_one_rate_per_run():
    lrs = np.array([0.1, 0.2])[:, None]
    np.testing.assert_allclose(schedules.Cosine(lrs, total_steps=10)(5), lrs / 2)


def test_side_by_side_repeats_each_schedule_for_its_runs():
    both = schedules.batched_schedule([schedules.Constant(0.1), schedules.Exponential(0.1, 0.5)], repeats=2, ndim=3)
    np.testing.assert_array_equal(both(1), np.array([0.1, 0.1, 0.05, 0.05]).reshape(4, 1, 1))


def test_runners_take_a_schedule_as_they_take_a_function():
    schedule = schedules.StepDecay(0.015, step_size=20, gamma=0.5)
    ours = run_on_surface(ILL_CONDITIONED, SGD(lr=0.015), steps=60, lr_schedule=schedule)
    by_hand = run_on_surface(ILL_CONDITIONED, SGD(lr=0.015), steps=60, lr_schedule=lambda t: 0.015 * 0.5 ** (t // 20))
    np.testing.assert_array_equal(ours.path, by_hand.path)
    adam = run_on_surface(ILL_CONDITIONED, Adam(lr=0.1), steps=60, lr_schedule=schedules.Cosine(0.1, 60))
    assert np.all(np.isfinite(adam.losses))


@pytest.mark.parametrize("make, message", [
    (lambda: schedules.StepDecay(0.1, step_size=0), "step_size"),
    (lambda: schedules.Exponential(0.1, gamma=0.0), "gamma"),
    (lambda: schedules.StepDecay(0.1, 10, gamma=1.5), "gamma"),
    (lambda: schedules.Cosine(-0.1, 10), "lr"),
    (lambda: schedules.WarmupCosine(0.1, 10, 10), "cosine steps"),
    (lambda: schedules.WarmupCosine(0.1, 10, 100, start_factor=0.0), "start_factor"),
    (lambda: schedules.PowerDecay(0.1, power=2.0), "power"),
])
def test_bad_arguments_are_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()
