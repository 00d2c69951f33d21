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

from optlab import ILL_CONDITIONED, SGD, Adam, Momentum, quadratic, replicate, theory, train
from optlab.experiments import noise as experiments
from optlab.experiments.noise import per_run
from optlab.noise import GradientNoise, batches_per_epoch, expected_sgd_loss, run_noisy, train_minibatch
from optlab.schedules import Constant, Cosine, Exponential, PowerDecay, StepDecay, WarmupCosine, batched_schedule

BOWL = ILL_CONDITIONED


@pytest.fixture(scope="module")
def circle_task():
    return experiments.circle_task()


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
def momentum_page():
    return experiments.momentum_against_sgd(horizon=300, seeds=64)


def test_momentum_advantage_collapses_to_the_ratio_of_the_floors(momentum_page):
    """'about 2.6 x 10^4 times lower' without noise; 'from sigma = 0.1 on the ratio of means is 2.35 to 2.38, and
    its 10-90 % interval, about 2.2 to 2.5, contains the ratio 2.46'; at 0.03, 2.64 with an interval just above."""
    m = momentum_page
    assert 2.5e4 < m.ratio[0] < 2.7e4
    assert m.predicted == pytest.approx(2.46, abs=0.005)
    noisy = m.sigmas >= 0.1
    assert np.all((2.3 <= m.ratio[noisy]) & (m.ratio[noisy] <= 2.4)), m.ratio
    assert np.all((m.low[noisy] < m.predicted) & (m.predicted < m.high[noisy]))
    assert np.all((2.15 < m.low[noisy]) & (m.high[noisy] < 2.6))
    at_003 = list(m.sigmas).index(0.03)
    assert m.ratio[at_003] == pytest.approx(2.64, abs=0.01) and m.low[at_003] > m.predicted


def test_momentum_advantage_crosses_over_where_the_floor_meets_the_noiseless_loss(momentum_page):
    """'Once the floor of SGD reaches the loss SGD attains without noise (sigma ~ 0.01), the advantage collapses.'"""
    m = momentum_page
    assert 0.005 < m.crossover < 0.02
    advantage = dict(zip(m.sigmas, m.ratio))
    assert advantage[1e-3] > 100 > 10 > advantage[1e-2]


def test_in_a_run_twice_as_long_every_noise_scale_is_at_the_ratio_of_the_floors(momentum_page):
    """'in a run twice as long, SGD's noiseless loss is about 8 x 10^6 times smaller, and the ratio is at the
    prediction, 2.46, from sigma = 0.001 on'."""
    longer = experiments.momentum_against_sgd(horizon=600, seeds=64)
    assert 5e6 < momentum_page.scores[0, 0].mean() / longer.scores[0, 0].mean() < 1.2e7
    noisy = longer.sigmas > 0
    assert np.all(np.abs(longer.ratio[noisy] - 2.46) < 0.02)
    assert np.all((longer.low[noisy] < longer.predicted) & (longer.predicted < longer.high[noisy]))


def test_the_ratio_of_means_estimates_the_ratio_of_the_floors_over_many_seeds():
    """The statistic the page prints is the one the formula predicts: over 1024 other seeds, within 5 %."""
    seeds = 1024
    betas = per_run([0.0, 0.9], seeds)
    run = run_noisy(BOWL, Momentum(lr=0.015 * (1 - betas), beta=betas), 300,
                    GradientNoise(1.0, np.tile(5000 + np.arange(seeds), 2)))
    scores = run.losses[-50:].mean(axis=0).reshape(2, seeds)
    assert scores[0].mean() / scores[1].mean() == pytest.approx(2.46, rel=0.05)


# --- 27.7: Adam under noise ----------------------------------------------------

@pytest.fixture(scope="module")
def adam_page():
    return experiments.adam_on_the_bowl(horizon=6000, seeds=16)


@pytest.fixture(scope="module")
def adam_twice():
    return experiments.adam_on_the_bowl(horizon=12000, seeds=16)


def test_adams_verdicts(adam_page):
    assert adam_page.verdicts == {
        "no noise": "blows up at step 4947",
        "sigma = 0.01": "no blow-up, step size held at the limit",
        "sigma = 0.1": "no blow-up, step size below the limit",
        "sigma = 1": "no blow-up, step size below the limit",
        "cosine decay": "no blow-up, step size below the limit",
        "step decay": "no blow-up, step size below the limit",
    }
    assert list(adam_page.blown_up) == [True, False, False, False, False, False]
    assert adam_page.limit == pytest.approx(0.38)


def test_the_noise_cap_on_the_step_size_lies_above_the_limit_below_sigma_026(adam_page):
    """'The noise alone caps it near eta/sigma, and for eta = 0.1 that cap lies above ... 0.38 whenever sigma < 0.26'."""
    assert adam_page.lr / 0.26 == pytest.approx(adam_page.limit, rel=0.02)


def test_small_noise_holds_nothing_back(adam_page, adam_twice):
    """sigma = 0.01: 'the step size climbs to the limit (0.38 in the median) and stays there, and the loss rises
    28-fold, from 7.3e-6 to 2.0e-4; a run twice as long shows it levelling off near 3e-4, the step size still at
    the limit'."""
    k = 1
    assert adam_page.largest_step_size[k] == pytest.approx(adam_page.limit, rel=0.02)
    assert adam_page.early[k] == pytest.approx(7.3e-6, rel=0.02) and adam_page.late[k] == pytest.approx(2.0e-4, rel=0.03)
    assert 25 < adam_page.late[k] / adam_page.early[k] < 31
    losses = adam_twice.losses[:, k]
    before, after = np.median(losses[8000:10000]), np.median(losses[10000:])
    assert 2e-4 < after < 4e-4 and abs(after / before - 1) < 0.2
    assert adam_twice.largest_step_size[k] == pytest.approx(adam_page.limit, rel=0.02)


def test_larger_noise_stays_below_the_limit_and_sigma_one_at_its_floor(adam_page):
    """'only at sigma = 1 does the loss stay at its floor'; 'at sigma = 0.1 it creeps up by a factor of 2.7 while the
    step size of w2 settles near 0.21'; at sigma = 1 every seed is stationary."""
    ratio = adam_page.late / adam_page.early
    assert abs(ratio[3] - 1) < 0.1 and 2.5 < ratio[2] < 2.9
    assert adam_page.largest_step_size[2] == pytest.approx(0.21, abs=0.01)
    assert adam_page.step_sizes[3000:, 2:4, :, 1].max() < 0.65 * adam_page.limit
    per_seed = np.median(adam_page.losses[5000:, 3], axis=0) / np.median(adam_page.losses[2000:3000, 3], axis=0)
    assert np.all(np.abs(per_seed - 1) < 0.5)


def test_at_sigma_tenth_the_creep_levels_off_in_a_run_twice_as_long(adam_twice):
    """'(in a run twice as long the loss levels off too, near 2.1e-3)', and the step size stays near 0.21."""
    losses = adam_twice.losses[:, 2]
    before, after = np.median(losses[8000:10000]), np.median(losses[10000:])
    assert after == pytest.approx(2.1e-3, rel=0.05) and abs(after / before - 1) < 0.05
    assert adam_twice.largest_step_size[2] == pytest.approx(0.21, abs=0.02)


def test_the_iterates_motion_feeds_v_hat(adam_page, adam_twice):
    """'sqrt(v_hat)/sigma for w2: about 33 at sigma = 0.01, 5.2 at 0.1 and 2.0 at 1', and of the same order in a
    run twice as long."""
    np.testing.assert_allclose(adam_page.scale_over_sigma[1:], [33, 5.2, 2.0], rtol=0.03)
    np.testing.assert_allclose(adam_twice.scale_over_sigma[1:], [33, 5.2, 2.0], rtol=0.2)


def test_adams_steps_are_normalised_not_sign_like(adam_page):
    """'at sigma = 1 the rms step of w1 is 0.22 eta, near 0.23 eta of pure noise, and those of w2 about half that';
    'ten times more noise than sigma = 0.1 only doubles the steps (0.12 to 0.22 eta for w1)'."""
    rms = adam_page.rms_steps
    pure_noise = np.sqrt((1 - 0.9) / (1 + 0.9))
    assert rms[3, 0] == pytest.approx(0.22, abs=0.005) and rms[3, 0] == pytest.approx(pure_noise, rel=0.1)
    assert 0.45 < rms[3, 1] / rms[3, 0] < 0.65
    assert rms[2, 0] == pytest.approx(0.12, abs=0.01)
    assert 1.5 < rms[3, 0] / rms[2, 0] < 2.5
    assert np.all(rms[1:4] < 0.5)  # a sign-like step would have size eta


def test_adams_floor_grows_like_sigma_not_sigma_squared(adam_page):
    """'the floor grows fourteenfold' for ten times the noise."""
    assert 12 < adam_page.late[3] / adam_page.late[2] < 16


def test_decay_removes_adams_late_blow_up_at_twice_the_horizon(adam_twice):
    """27.8: 'with either decay the run never does'; at 12000 steps the cosine has held the rate at zero since step
    6000 and the step decay has divided it by 10^5."""
    assert adam_twice.verdicts["cosine decay"] == adam_twice.verdicts["step decay"] == "no blow-up, step size below the limit"
    assert adam_twice.verdicts["no noise"] == "blows up at step 4947"


# --- 27.7: mini-batches on the circle task ------------------------------------

@pytest.fixture(scope="module")
def minibatch_page():
    return experiments.minibatch_reach(horizon=1500, seeds=10)


def updates(result, name, B, quantile=0.5):
    return np.quantile(result.epochs[name, B], quantile, method="lower") * result.per_epoch[B]


def test_every_run_reaches_the_target_within_the_same_budget(minibatch_page):
    assert set(minibatch_page.per_epoch) == {10, 30, 100, 300}
    for row, verdict in minibatch_page.verdicts.items():
        runs = 1 if row.endswith("B = 300") else 10  # the full batch: one run
        assert verdict == f"reaches 0.03 in {runs} of {runs} runs within 1500 updates"


def test_sgd_and_momentum_need_about_a_thousand_updates_at_every_batch_size(minibatch_page):
    """'900, 960, 1020 and 1012 for B = 10, 30, 100 and 300, and momentum likewise (990, 980, 963 and 970)';
    'Adam ... 210, 150, 126 and 111, but ever more epochs'."""
    r, sizes = minibatch_page, (10, 30, 100, 300)
    assert [updates(r, "SGD", B) for B in sizes] == [900, 960, 1020, 1012]
    assert [updates(r, "Momentum", B) for B in sizes] == [990, 980, 963, 970]
    assert [updates(r, "Adam", B) for B in sizes] == [210, 150, 126, 111]  # savings 60, 24, 15
    for name in ("SGD", "Momentum", "Adam"):
        epochs = [np.median(r.epochs[name, B]) for B in sizes]
        assert np.all(np.diff(epochs) > 0)


def test_momentum_is_sgd_in_the_median_but_not_seed_by_seed(minibatch_page):
    """'33 against 30 epochs at B = 10 ... its slowest run takes 49 epochs where SGD's takes 31 (108 against 98 at
    B = 30). A budget of 40 epochs at B = 10, or 100 at B = 30, would have stopped three and four of its ten runs
    short of the target, and SGD's none'; 'Adam reached the target in 14 to 16 epochs' at B = 30, 'SGD and
    momentum in 94 to 108'."""
    e = minibatch_page.epochs
    assert np.quantile(e["Momentum", 10], 0.5, method="lower") == 33 and np.quantile(e["SGD", 10], 0.5, method="lower") == 30
    assert (e["Momentum", 10].max(), e["SGD", 10].max(), e["Momentum", 30].max(), e["SGD", 30].max()) == (49, 31, 108, 98)
    assert np.sum(e["Momentum", 10] > 40) == 3 and np.sum(e["Momentum", 30] > 100) == 4
    assert np.sum(e["SGD", 10] > 40) == 0 and np.sum(e["SGD", 30] > 100) == 0
    assert (e["Adam", 30].min(), e["Adam", 30].max()) == (14, 16)
    assert min(e["SGD", 30].min(), e["Momentum", 30].min()) == 94


# --- 27.8: schedules -----------------------------------------------------------

def test_decaying_schedules_go_below_the_floor_of_the_constant_rate():
    sched = experiments.schedules_on_the_bowl(steps=3000, seeds=32, peak=0.015)
    final, floors = sched.losses[-1].mean(axis=-1), sched.floors
    assert final[0] == pytest.approx(floors[0], rel=0.3)  # 'where the proposition puts it'
    assert np.all(final[1:] < final[0] / 10)  # 'every decaying schedule ends lower' (at least tenfold)
    assert 60 < final[0] / final[1] < 80 and 13 < final[0] / final[2] < 17  # 'about seventy', 'fifteen'
    assert np.all(np.abs(final[1:3] / floors[1:3] - 1) < 0.3)  # power decays: 'close to the floor of the final rate'
    assert np.all(final[3:] > 3 * floors[3:])  # step/cosine: the shallow direction cannot follow
    assert final[3:].max() < 2 * final[1] and final[1] < 2 * final[3:].min()  # 'within a factor of two'


@pytest.mark.parametrize("horizon", [30000, 60000])
def test_power_schedules_keep_going_down(horizon):
    """'The 1/sqrt(t) schedule breaks the second condition and still keeps going down: from 1.5e-3 at step 3000 to
    4.4e-4 at step 30000, each time within 1 % of the floor of its current rate; 1/t, about ten times lower, ...
    10 % above the floor of its rate'."""
    result = experiments.schedules_in_the_long_run(horizon=horizon)
    assert result.verdicts == {"constant": "stays at its floor", "1/t": "keeps going down",
                               "1/sqrt(t)": "keeps going down"}
    if horizon == 30000:
        sqrt_t, one_over_t = result.mean_losses["1/sqrt(t)"], result.mean_losses["1/t"]
        assert sqrt_t[1:] == pytest.approx([1.46e-3, 4.43e-4], rel=0.01)
        assert np.all(np.abs(sqrt_t[1:] / result.floors["1/sqrt(t)"][1:] - 1) < 0.01)
        assert np.all(np.abs(one_over_t[1:] / result.floors["1/t"][1:] - 1.1) < 0.02)
        assert np.all((5 < sqrt_t[1:] / one_over_t[1:]) & (sqrt_t[1:] / one_over_t[1:] < 17))


@pytest.mark.parametrize("steps", [3000, 10000])
def test_the_exact_mean_loss_is_the_mean_of_sampled_runs(steps):
    """``expected_sgd_loss`` against 256 sampled runs of 1/sqrt(t), averaged over the last tenth of the run."""
    schedule = PowerDecay(0.015, power=0.5, scale=100.0)
    run = run_noisy(BOWL, SGD(lr=0.015), steps, GradientNoise(1.0, np.arange(256)), lr_schedule=schedule)
    window = range(steps - steps // 10, steps + 1)
    exact = expected_sgd_loss(BOWL, [schedule(t) for t in range(steps)], 1.0, window)
    assert run.losses[window.start:].mean() == pytest.approx(exact.mean(), rel=0.1)


def test_on_the_circle_task_every_schedule_loses_to_the_constant_rate(circle_task):
    """At the page's 40 epochs and at twice that (each schedule then spans the 80 epochs), in the same order."""
    net, init, X, Y = circle_task
    for epochs in (40, 80):
        batch, seeds = 30, 10
        steps = epochs * batches_per_epoch(300, batch)
        schedules = [Constant(0.1), StepDecay(0.1, steps // 3), Cosine(0.1, steps), WarmupCosine(0.1, steps // 10, steps)]
        fit = train_minibatch(net, replicate(init, len(schedules) * seeds), X, Y,
                              Adam(lr=np.full((len(schedules) * seeds, 1, 1), 0.1)), epochs, batch,
                              np.tile(np.arange(seeds), len(schedules)), lr_schedule=batched_schedule(schedules, seeds, ndim=3))
        final = np.median(fit.losses[-1].reshape(len(schedules), seeds), axis=-1)
        assert np.all(final[0] < final[1:] / 2)
        assert final[0] < final[2] < final[1] < final[3]  # 'the earlier and deeper the rate drops, the more it loses'


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
