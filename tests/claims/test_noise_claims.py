"""Claims of sections 27.7 and 27.8 (page ``noise_and_schedules``) and of exercises 27.7 and 27.8.

Each test reruns the page's experiment with the page's settings, at the
horizon the page uses, and turns a sentence into assertions. They take about
a minute in all, too long for ``tests/unit`` (which ``make mutation`` runs on
every mutant), so they have a folder of their own; ``make test`` runs them. Where a claim
is about a formula rather than about particular seeds, the test uses other
seeds than the page as well.
"""

from __future__ import annotations

import numpy as np
import pytest

from optlab import (
    ILL_CONDITIONED, MLP, SGD, Adam, Momentum, circle, diagnostics, epochs_to_reach, quadratic, replicate,
    theory, train,
)
from optlab.noise import GradientNoise, batches_per_epoch, run_noisy, train_minibatch
from optlab.schedules import Constant, Cosine, Exponential, PowerDecay, StepDecay, WarmupCosine, batched_schedule

BOWL = ILL_CONDITIONED
LIMIT = theory.damped_momentum_limit(0.9) / 100.0  # Adam's stable step size for curvature 100


def per_run(values, seeds: int):
    return np.repeat(np.ravel(values), seeds)[:, None]


# --- theory ------------------------------------------------------------------

@pytest.mark.parametrize("lr, beta, eigenvalue", [(0.0015, 0.9, 100.0), (0.0015, 0.9, 2.0), (0.01, 0.5, 30.0),
                                                  (0.015, 0.0, 100.0)])
def test_stationary_loss_is_the_fixed_point_of_the_companion_matrix(lr, beta, eigenvalue):
    """The heavy-ball floor: P = A P A^T + Q, iterated to convergence, against the closed form."""
    A = theory.heavy_ball_matrix(lr, beta, eigenvalue)
    Q = np.array([[lr**2, 0.0], [0.0, 0.0]])
    P = np.zeros((2, 2))
    for _ in range(20000):
        P = A @ P @ A.T + Q
    assert 0.5 * eigenvalue * P[0, 0] == pytest.approx(theory.stationary_loss(lr, 1.0, [eigenvalue], beta), rel=1e-9)


# --- 27.7: the noise floor -----------------------------------------------------

@pytest.mark.parametrize("first_seed", [0, 1000])  # the page's seeds, and others
def test_sgd_floor_matches_the_formula(first_seed):
    """'The measured floors agree with the formula to within ... a few per cent.'"""
    lrs, sigmas, seeds = np.array([0.005, 0.01, 0.018]), np.array([0.5, 2.0]), 32
    lr_grid, sigma_grid = np.meshgrid(lrs, sigmas, indexing="ij")
    run = run_noisy(BOWL, SGD(lr=per_run(lr_grid, seeds)), 2000,
                    GradientNoise(per_run(sigma_grid, seeds), np.tile(first_seed + np.arange(seeds), lr_grid.size)))
    measured = run.losses[1000:].mean(axis=0).reshape(*lr_grid.shape, seeds).mean(axis=-1)
    ratio = measured / theory.stationary_loss(lr_grid, sigma_grid, BOWL.eigenvalues)
    assert np.all(np.abs(ratio - 1) < 0.1), ratio


def test_momentum_floor_matches_the_formula_in_a_run():
    seeds = 32
    run = run_noisy(BOWL, Momentum(lr=0.0015, beta=0.9), 3000, GradientNoise(1.0, np.arange(seeds)))
    measured = run.losses[1000:].mean()
    assert measured == pytest.approx(theory.stationary_loss(0.0015, 1.0, BOWL.eigenvalues, beta=0.9), rel=0.1)


# --- 27.7: momentum at equal effective learning rate ---------------------------

@pytest.fixture(scope="module")
def momentum_advantage():
    sigmas, seeds, effective = np.array([0.0, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0]), 16, 0.015
    beta_grid, noise_grid = np.meshgrid([0.0, 0.9], sigmas, indexing="ij")
    run = run_noisy(BOWL, Momentum(lr=effective * (1 - per_run(beta_grid, seeds)), beta=per_run(beta_grid, seeds)),
                    300, GradientNoise(per_run(noise_grid, seeds), np.tile(np.arange(seeds), beta_grid.size)))
    median = np.median(run.losses[-50:].mean(axis=0).reshape(*beta_grid.shape, seeds), axis=-1)
    floors = theory.stationary_loss(effective * np.array([1.0, 0.1]), 1.0, BOWL.eigenvalues, beta=np.array([0.0, 0.9]))
    return dict(sigmas=sigmas, advantage=median[0] / median[1], floor_ratio=floors[0] / floors[1],
                crossover=np.sqrt(median[0, 0] / floors[0]))


def test_momentum_advantage_collapses_to_the_ratio_of_the_floors(momentum_advantage):
    """'about 10^4 times lower' without noise; 'from sigma = 0.03 on it stays between 2.3 and 2.6, around 2.46'."""
    m = momentum_advantage
    assert m["advantage"][0] > 1e4
    assert m["floor_ratio"] == pytest.approx(2.46, abs=0.005)
    noisy = m["advantage"][m["sigmas"] >= 0.03]
    assert np.all((2.3 <= noisy) & (noisy <= 2.6)), noisy


def test_momentum_advantage_crosses_over_where_the_floor_meets_the_noiseless_loss(momentum_advantage):
    """'Once the floor of SGD reaches the loss SGD attains without noise (sigma ~ 0.01), the advantage collapses.'"""
    m = momentum_advantage
    assert 0.005 < m["crossover"] < 0.02
    advantage = dict(zip(m["sigmas"], m["advantage"]))
    assert advantage[1e-3] > 100 > 10 > advantage[1e-2]


# --- 27.7: Adam under noise ----------------------------------------------------

@pytest.fixture(scope="module")
def adam_runs():
    """The page's batched run: rows (noise, schedule) x 16 seeds, Adam(0.1) on the bowl for 6000 steps."""
    steps, seeds = 6000, 16
    groups = [(0.0, Constant(0.1)), (0.01, Constant(0.1)), (0.1, Constant(0.1)), (1.0, Constant(0.1)),
              (0.0, Cosine(0.1, steps)), (0.0, StepDecay(0.1, step_size=2000, gamma=0.1))]
    noise = GradientNoise(per_run([s for s, _ in groups], seeds), np.tile(np.arange(seeds), len(groups)))
    run = run_noisy(BOWL, Adam(lr=np.full((len(groups) * seeds, 1), 0.1)), steps, noise,
                    lr_schedule=batched_schedule([schedule for _, schedule in groups], seeds))
    losses = run.losses.reshape(steps + 1, len(groups), seeds)
    moves = np.abs(np.diff(run.path, axis=0)).reshape(steps, len(groups), seeds, 2) / 0.1
    constant_rows = np.arange(4 * seeds)  # every seed of the four constant-rate groups
    grads = BOWL.grad(run.path[:-1, constant_rows]) + noise.draws(steps, 2)[constant_rows].swapaxes(0, 1)
    sizes = diagnostics.effective_lrs(Adam(lr=0.1), grads)[:, :, 1].reshape(steps, 4, seeds)
    return dict(losses=losses, moves=moves, sizes=sizes)


def test_noiseless_adam_blows_up_after_its_step_size_crosses_the_limit(adam_runs):
    losses, sizes = adam_runs["losses"][:, 0, 0], adam_runs["sizes"][:, 0, 0]
    assert diagnostics.late_climb(losses, 5000) > 100
    assert sizes[3000:].max() > LIMIT


@pytest.mark.parametrize("group", [2, 3])
def test_noise_keeps_adams_step_size_well_below_the_limit(adam_runs, group):
    """sigma = 0.1 and 1: 'the largest step size after step 3000 stays well below the limit' (every seed)."""
    assert adam_runs["sizes"][3000:, group].max() < 0.6 * LIMIT
    assert adam_runs["losses"][5000:, group].max() < 1.0  # nothing climbs back towards the start's 37.5


def test_adams_loss_under_noise_is_stationary_at_sigma_one_and_creeping_at_sigma_tenth(adam_runs):
    """'at sigma = 1 the median loss of steps 5000-6000 equals that of steps 2000-3000 (to 10 %); at sigma = 0.1
    it is still creeping up, by a factor 2.7'."""
    losses = adam_runs["losses"]
    ratio = np.median(losses[5000:], axis=(0, 2)) / np.median(losses[2000:3000], axis=(0, 2))
    assert abs(ratio[3] - 1) < 0.1
    assert 2 < ratio[2] < 3.5
    per_seed = np.median(losses[5000:, 3], axis=0) / np.median(losses[2000:3000, 3], axis=0)
    assert np.all(np.abs(per_seed - 1) < 0.5)


def test_small_noise_holds_adam_at_the_edge_without_blowing_up(adam_runs):
    """sigma = 0.01: 'the step size ends just at the limit ... hovers at the edge instead of crossing it'."""
    sizes, losses = adam_runs["sizes"][3000:, 1], adam_runs["losses"][5000:, 1]
    assert np.all(np.abs(sizes.max(axis=0) / LIMIT - 1) < 0.05)
    assert losses.max() < 0.05  # no climb back to the start's order of magnitude (37.5)


def test_adam_steps_are_sign_like_when_noise_dominates(adam_runs):
    """'0.22 eta, the value 0.23 eta of pure noise', and ten times more noise only doubles the steps."""
    rms = np.sqrt(np.mean(adam_runs["moves"][3000:] ** 2, axis=(0, 2)))  # (groups, coordinates)
    pure_noise = np.sqrt((1 - 0.9) / (1 + 0.9))
    assert rms[3, 0] == pytest.approx(pure_noise, rel=0.1)
    growth = rms[3] / rms[2]
    assert np.all((1.5 < growth) & (growth < 2.5)), growth


def test_adams_floor_grows_like_sigma_not_sigma_squared(adam_runs):
    late = np.median(adam_runs["losses"][5000:], axis=(0, 2))
    assert 5 < late[3] / late[2] < 30


def test_decay_removes_adams_late_blow_up(adam_runs):
    """27.8: 'with either decay the loss after step 5000 never rises more than a ripple above its best value before'."""
    for group in (4, 5):
        assert diagnostics.late_climb(adam_runs["losses"][:, group, 0], 5000) < 1


# --- 27.7: mini-batches on the circle task ------------------------------------

@pytest.fixture(scope="module")
def circle_task():
    X, Y = circle()
    net = MLP((2, 8, 1))
    return net, net.init(np.random.default_rng(123)), X, Y


@pytest.fixture(scope="module")
def minibatch_epochs(circle_task):
    net, init, X, Y = circle_task
    seeds, target, epochs = 10, 0.03, {}
    heavy_balls = Momentum(lr=np.repeat([10.0, 1.0], seeds)[:, None, None], beta=np.repeat([0.0, 0.9], seeds)[:, None, None])
    for B in (10, 30, 100, 300):
        budget = min(100, 1200 // batches_per_epoch(300, B))  # epochs: at most 100, and at most 1200 updates
        pair = train_minibatch(net, replicate(init, 2 * seeds), X, Y, heavy_balls, budget, B, np.tile(np.arange(seeds), 2))
        adam = train_minibatch(net, replicate(init, seeds), X, Y, Adam(lr=0.1), budget, B, np.arange(seeds))
        for name, losses in [("SGD", pair.losses[:, :seeds]), ("Momentum", pair.losses[:, seeds:]),
                             ("Adam", adam.losses)]:
            reached = [epochs_to_reach(losses[:, s], target) for s in range(seeds)]
            epochs[name, B] = np.quantile([np.inf if r is None else r for r in reached], 0.5, method="lower")
    return epochs


def test_smaller_batches_need_fewer_epochs(minibatch_epochs):
    e = minibatch_epochs
    for name in ("SGD", "Momentum", "Adam"):
        assert e[name, 10] < e[name, 30]
    assert e["Adam", 30] < e["Adam", 100] < np.inf == e["Adam", 300]
    assert all(np.isinf(e[name, B]) for name in ("SGD", "Momentum") for B in (100, 300))


def test_updates_to_target_same_for_sgd_fewer_for_adam_with_larger_batches(minibatch_epochs):
    """'SGD and momentum need about the same number of updates at B = 10 and B = 30'; Adam '210, 150 and 126'."""
    updates = {key: value * batches_per_epoch(300, key[1]) for key, value in minibatch_epochs.items()}
    for name in ("SGD", "Momentum"):
        assert updates[name, 30] == pytest.approx(updates[name, 10], rel=0.15)
    assert [updates["Adam", B] for B in (10, 30, 100)] == [210, 150, 126]
    assert minibatch_epochs["Momentum", 10] == pytest.approx(minibatch_epochs["SGD", 10], rel=0.2)


# --- 27.8: schedules -----------------------------------------------------------

def test_decaying_schedules_go_below_the_floor_of_the_constant_rate():
    steps, seeds, peak = 3000, 32, 0.015
    schedules = [Constant(peak), PowerDecay(peak, 1.0, 100.0), PowerDecay(peak, 0.5, 100.0),
                 StepDecay(peak, 1000, 0.1), Cosine(peak, steps), WarmupCosine(peak, 300, steps)]
    run = run_noisy(BOWL, SGD(lr=np.full((len(schedules) * seeds, 1), peak)), steps,
                    GradientNoise(1.0, np.tile(np.arange(seeds), len(schedules))),
                    lr_schedule=batched_schedule(schedules, seeds))
    final = run.losses[-1].reshape(len(schedules), seeds).mean(axis=-1)
    floors = np.array([float(theory.stationary_loss(s(steps - 1), 1.0, BOWL.eigenvalues)) for s in schedules])
    assert final[0] == pytest.approx(floors[0], rel=0.3)  # 'where the proposition puts it'
    assert np.all(final[1:] < final[0] / 10)  # 'every decaying schedule ends lower' (at least tenfold)
    assert final[0] / final[1] > 50 and final[0] / final[2] > 10  # 'about seventy', 'fifteen'
    assert np.all(np.abs(final[1:3] / floors[1:3] - 1) < 0.3)  # power decays: 'close to the floor of the final rate'
    assert np.all(final[3:] > 3 * floors[3:])  # step/cosine: the shallow direction cannot follow
    assert final[3:].max() < 2 * final[1] and final[1] < 2 * final[3:].min()  # 'within a factor of two'


def test_on_the_circle_task_every_schedule_loses_to_the_constant_rate(circle_task):
    net, init, X, Y = circle_task
    epochs, batch, seeds = 40, 30, 10
    steps = epochs * batches_per_epoch(300, batch)
    schedules = [Constant(0.1), StepDecay(0.1, steps // 3), Cosine(0.1, steps), WarmupCosine(0.1, steps // 10, steps)]
    fit = train_minibatch(net, replicate(init, len(schedules) * seeds), X, Y,
                          Adam(lr=np.full((len(schedules) * seeds, 1, 1), 0.1)), epochs, batch,
                          np.tile(np.arange(seeds), len(schedules)), lr_schedule=batched_schedule(schedules, seeds, ndim=3))
    final = np.median(fit.losses[-1].reshape(len(schedules), seeds), axis=-1)
    assert np.all(final[0] < final[1:] / 2)


def test_range_test_edges(circle_task):
    """'the loss jumps to the saturated output once the rate passes about a hundred'; Adam's lowest point near 10."""
    net, init, X, Y = circle_task
    found = {}
    for name, make, low, high in [("SGD", SGD, 1e-2, 1e4), ("Adam", Adam, 1e-4, 1e2)]:
        growth = Exponential(low, gamma=(high / low) ** (1 / 400))
        losses = train(net, init, X, Y, make(lr=low), 400, lr_schedule=growth).losses
        best = int(np.argmin(losses))
        turn = best + int(np.argmax(losses[best:] > 1.2 * losses[best]))
        found[name] = growth(best), growth(turn)
    assert 50 < found["SGD"][1] < 300 and found["SGD"][1] > 10 * 10.0 / 2  # the rate used, 10, is about a tenth
    assert 3 < found["Adam"][0] < 30


# --- exercises 27.7 and 27.8 ---------------------------------------------------

def test_exercise_one_dimensional_floor():
    lrs, seeds = np.array([0.1, 0.5, 1.0, 1.5, 1.9]), 64
    line = quadratic(eigenvalues=(1.0, 1.0), start=(0.0, 0.0))
    run = run_noisy(line, SGD(lr=per_run(lrs, seeds)), 1000, GradientNoise(1.0, np.tile(np.arange(seeds), len(lrs))))
    measured = (0.5 * run.path[500:] ** 2).reshape(-1, len(lrs), seeds, 2).mean(axis=(0, 2, 3))
    np.testing.assert_allclose(measured, lrs / (2 * (2 - lrs)), rtol=0.03)


def test_exercise_tuned_momentum_stops_helping():
    sigmas, seeds = np.array([0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0]), 16
    effective = np.geomspace(0.002, 0.3, 14)
    settings = [(0.0, e) for e in effective[effective < 0.02]] + [(0.9, e) for e in effective]
    betas, rates = np.array(settings).T
    which, noise = np.meshgrid(np.arange(len(settings)), sigmas, indexing="ij")
    run = run_noisy(BOWL, Momentum(lr=per_run(rates[which] * (1 - betas[which]), seeds), beta=per_run(betas[which], seeds)),
                    300, GradientNoise(per_run(noise, seeds), np.tile(np.arange(seeds), which.size)))
    scores = run.losses[-50:].mean(axis=0).reshape(len(settings), len(sigmas), seeds)
    scores = np.median(np.where(np.isfinite(scores), scores, np.inf), axis=-1)
    sgd, mom = betas == 0.0, betas == 0.9
    advantage = scores[sgd].min(axis=0) / scores[mom].min(axis=0)
    best_sgd, best_mom = scores[sgd].argmin(axis=0), scores[mom].argmin(axis=0)  # indices into the same grid
    assert advantage[0] > 1e5 and advantage[1] < 100
    assert np.all(advantage[sigmas >= 0.1] < 3) and np.all(advantage[sigmas >= 1.0] > 1.2)
    assert np.all(np.abs(best_sgd - best_mom)[sigmas > 0] <= 1)  # 'the same rate on the grid (or neighbouring ones)'
