"""The pieces behind the verdicts of the page on noise and schedules: the verdict functions of
:mod:`optlab.diagnostics` it uses, the exact mean loss of SGD, and mini-batch training that stops at a target."""

from __future__ import annotations

import numpy as np
import pytest

from optlab import ILL_CONDITIONED, Adam, diagnostics, quadratic, replicate, theory
from optlab.experiments.noise import circle_task
from optlab.noise import expected_sgd_loss, train_minibatch


def test_stability_verdict_reads_blow_ups_and_the_step_size_against_the_limit():
    steps = 200
    calm = diagnostics.first_blowup(np.full((steps + 1, 3, 2), 1e-3))
    assert diagnostics.stability_verdict(calm, np.full((steps, 3), 0.2), limit=0.38) == \
        "no blow-up, step size below the limit"
    at_edge = np.full((steps, 3), 0.2)
    at_edge[150] = 0.37  # each run touches 97 % of the limit once, in the second half
    assert diagnostics.stability_verdict(calm, at_edge, limit=0.38) == "no blow-up, step size held at the limit"
    at_edge[150] = 0.30
    assert diagnostics.stability_verdict(calm, at_edge, limit=0.38) == "no blow-up, step size below the limit"
    thrown_back = np.repeat(np.logspace(0, -20, steps + 1)[:, None, None], 3, axis=1) * np.ones(2)
    thrown_back[120:] = 1.0  # 20 decades back up at step 120, in every run
    blowups = diagnostics.first_blowup(thrown_back)
    assert diagnostics.stability_verdict(blowups, np.zeros((steps, 3)), 0.38) == "blows up at step 120"
    thrown_back[120:, 1] = thrown_back[119, 1]  # one run stays down
    blowups = diagnostics.first_blowup(thrown_back)
    assert diagnostics.stability_verdict(blowups, np.zeros((steps, 3)), 0.38) == "blows up in 2 of 3 runs"


def test_reach_verdict_counts_the_runs_within_the_horizon():
    assert diagnostics.reach_verdict([900, 1000, np.inf], 1500, 0.03) == "reaches 0.03 in 2 of 3 runs within 1500 updates"
    assert diagnostics.reach_verdict([1600, np.inf], 1500, 0.03) == "never reaches 0.03 within 1500 updates"


def test_trend_verdict():
    assert diagnostics.trend_verdict([1.001, 0.999, 1.0], floor=1.0) == "stays at its floor"
    assert diagnostics.trend_verdict([8.0, 4.0, 2.0], floor=1.0) == "keeps going down"
    assert diagnostics.trend_verdict([8.0, 4.0, 3.99], floor=1.0) == "stops going down"


def test_the_exact_mean_loss_follows_the_recursion_and_tends_to_the_floor():
    rates = 0.015 / np.sqrt(1 + np.arange(500) / 100)
    curvatures, start = np.array([2.0, 100.0]), np.array([5.0, 0.5])
    q = start**2
    by_hand = []
    for eta in rates:  # q_{t+1} = (1 - eta_t lambda)^2 q_t + eta_t^2 sigma^2, with sigma = 0.7
        q = (1 - eta * curvatures) ** 2 * q + eta**2 * 0.49
        by_hand.append(0.5 * np.sum(curvatures * q))
    np.testing.assert_allclose(expected_sgd_loss(ILL_CONDITIONED, rates, 0.7, [1, 250, 500]),
                               [by_hand[0], by_hand[249], by_hand[499]], rtol=1e-12)
    constant = expected_sgd_loss(ILL_CONDITIONED, np.full(5000, 0.015), 1.0, [5000])
    assert constant[0] == pytest.approx(theory.stationary_loss(0.015, 1.0, ILL_CONDITIONED.eigenvalues), rel=1e-12)


def test_the_exact_mean_loss_needs_an_axis_aligned_quadratic_at_zero():
    with pytest.raises(ValueError, match="minimum at 0"):
        expected_sgd_loss(quadratic(center=(1.0, 0.0)), np.full(10, 0.01), 1.0, [10])


def test_stopping_once_every_run_has_reached_changes_nothing():
    """``stop_below`` only ends the runs early: the losses up to there are those of the full run."""
    net, init, X, Y = circle_task()
    seeds = np.arange(3)
    full = train_minibatch(net, replicate(init, 3), X, Y, Adam(lr=0.1), 20, 30, seeds)
    stopped = train_minibatch(net, replicate(init, 3), X, Y, Adam(lr=0.1), 20, 30, seeds, stop_below=0.03)
    assert len(stopped.losses) < len(full.losses)
    np.testing.assert_array_equal(stopped.losses, full.losses[:len(stopped.losses)])
    assert np.all(stopped.losses[-1] < 0.03) and not np.all(stopped.losses[-2] < 0.03)
