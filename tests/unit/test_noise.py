"""The generator, the noisy-gradient oracle and the mini-batch runner of ``optlab.noise``."""

from __future__ import annotations

import numpy as np
import pytest

from optlab import ILL_CONDITIONED, MLP, SGD, Adam, Momentum, circle, replicate, run_on_surface, train
from optlab.noise import (
    GradientNoise, batches_per_epoch, epoch_order, mix64, random_bits, run_noisy, standard_normal,
    train_minibatch,
)

MASK = (1 << 64) - 1


def splitmix64(state: int, count: int) -> list[int]:
    """Vigna's splitmix64.c, in Python integers: ``count`` outputs from ``state``."""
    out = []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        out.append(z ^ (z >> 31))
    return out


def test_splitmix64_reference_outputs_from_state_zero():
    """The first outputs of SplitMix64 seeded with 0, as published with the algorithm's test vectors."""
    assert splitmix64(0, 3) == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


@pytest.mark.parametrize("seed", [0, 1, 12345, 2**63 + 7])
def test_random_bits_are_splitmix64_from_the_mixed_seed(seed):
    state = int(mix64(np.uint64(seed)))
    assert state == splitmix64((seed - 0x9E3779B97F4A7C15) & MASK, 1)[0]  # mix64 is one SplitMix64 output
    expected = splitmix64(state, 50)
    assert [int(x) for x in random_bits(seed, np.arange(50))] == expected


def test_normal_deviates_are_exact_sums_of_twelve_uniforms():
    seeds = np.array([3, 4])
    z = standard_normal(seeds, 5, 4)
    for row, seed in enumerate(seeds):
        bits = splitmix64(int(mix64(np.uint64(seed))), 6 * 9)[6 * 5:]
        halves = [h for b in bits for h in (b >> 32, b & 0xFFFFFFFF)]
        for j in range(4):
            numerator = sum(2 * h + 1 for h in halves[12 * j:12 * j + 12]) - 6 * 2**33  # 2^33 (sum - 6)
            assert z[row, j] == numerator / 2**33  # exact: both sides are the same binary fraction


def test_normal_deviates_have_mean_zero_unit_variance_and_the_irwin_hall_tails():
    z = standard_normal(np.arange(8), 0, 50_000).ravel()
    n = z.size
    assert abs(z.mean()) < 4 / np.sqrt(n)
    assert abs(z.var() - 1) < 4 * np.sqrt(2 / n)
    kurtosis = np.mean(z**4) / z.var() ** 2 - 3  # -0.1 for the sum of twelve uniforms
    assert -0.2 < kurtosis < 0.0
    assert np.abs(z).max() <= 6
    assert abs(np.mean(np.abs(z) > 1.96) - 0.05) < 0.005  # close to a normal's two-sided 5 %


def test_seeds_and_counters_give_uncorrelated_streams():
    z = standard_normal(np.arange(10), 0, 20_000)
    correlations = np.corrcoef(z)[np.triu_indices(10, 1)]
    assert np.abs(correlations).max() < 4 / np.sqrt(20_000)
    lag_one = np.mean(z[:, 1:] * z[:, :-1])
    assert abs(lag_one) < 4 / np.sqrt(z.size)
    np.testing.assert_array_equal(standard_normal(np.arange(10), 100, 5), z[:, 100:105])


def test_gradient_noise_scales_per_run():
    noise = GradientNoise(scale=np.array([0.0, 1.0, 2.0])[:, None], seeds=np.array([7, 7, 7]))
    draws = noise.draws(10, 2)
    assert draws.shape == (3, 10, 2)
    np.testing.assert_array_equal(draws[0], 0)
    np.testing.assert_array_equal(draws[2], 2 * draws[1])


def test_noise_of_scale_zero_is_the_exact_run():
    noisy = run_noisy(ILL_CONDITIONED, Momentum(lr=0.01, beta=0.9), 100, GradientNoise(0.0, np.arange(3)))
    exact = run_on_surface(ILL_CONDITIONED, Momentum(lr=0.01, beta=0.9), 100)
    for k in range(3):
        np.testing.assert_array_equal(noisy.path[:, k], exact.path)


def test_noisy_run_takes_the_documented_draws():
    """Update t of SGD moves by -lr * (grad + draw t): the oracle's draws are the ones the run uses."""
    noise = GradientNoise(0.5, np.array([11, 12]))
    run = run_noisy(ILL_CONDITIONED, SGD(lr=0.01), 5, noise)
    draws = noise.draws(5, 2)
    for t in range(5):
        w = run.path[t]
        np.testing.assert_array_equal(run.path[t + 1], w - 0.01 * (ILL_CONDITIONED.grad(w) + draws[:, t]))


def test_nesterov_takes_draw_t_at_its_look_ahead_point():
    """Update t of Nesterov's method uses grad(w_t - lr beta b_t) + draw t: one draw per update, none for a loss."""
    noise = GradientNoise(0.5, np.array([3, 4]))
    lr, beta = 0.01, 0.9
    run = run_noisy(ILL_CONDITIONED, Momentum(lr=lr, beta=beta, nesterov=True), 6, noise)
    draws = noise.draws(6, 2)
    velocity = np.zeros((2, 2))
    for t in range(6):
        w = run.path[t]
        velocity = beta * velocity + (ILL_CONDITIONED.grad(w - lr * beta * velocity) + draws[:, t])
        np.testing.assert_array_equal(run.path[t + 1], w - lr * velocity)


def test_look_ahead_optimizers_are_refused_by_minibatch_training(circle_task):
    net, init, X, Y = circle_task
    with pytest.raises(ValueError, match="look-ahead"):
        train_minibatch(net, replicate(init, 2), X, Y, Momentum(lr=0.01, nesterov=True), 1, 10, np.arange(2))


def test_an_epoch_visits_every_sample_once_in_a_new_order():
    orders = np.array([epoch_order(np.arange(4), epoch, 30) for epoch in range(3)])
    assert np.all(np.sort(orders, axis=-1) == np.arange(30))
    assert len({tuple(o) for o in orders.reshape(-1, 30)}) == 12
    assert batches_per_epoch(30, 7) == 5 and batches_per_epoch(30, 30) == 1
    with pytest.raises(ValueError, match="batch_size"):
        batches_per_epoch(30, 31)


@pytest.fixture(scope="module")
def circle_task():
    X, Y = circle()
    net = MLP((2, 8, 1))
    return net, net.init(np.random.default_rng(123)), X, Y


def test_full_batches_are_full_batch_training(circle_task):
    net, init, X, Y = circle_task
    mini = train_minibatch(net, replicate(init, 2), X, Y, Adam(lr=0.01), epochs=20, batch_size=300, seeds=[0, 1])
    full = train(net, init, X, Y, Adam(lr=0.01), epochs=21)
    for k in range(2):  # the same gradient, summed in another order
        np.testing.assert_allclose(mini.losses[:, k], full.losses, rtol=1e-10)


def test_minibatch_runs_follow_their_own_seed(circle_task):
    net, init, X, Y = circle_task
    both = train_minibatch(net, replicate(init, 2), X, Y, SGD(lr=0.5), epochs=3, batch_size=30, seeds=[5, 6])
    alone = train_minibatch(net, replicate(init, 1), X, Y, SGD(lr=0.5), epochs=3, batch_size=30, seeds=[6])
    np.testing.assert_allclose(both.losses[:, 1], alone.losses[:, 0], rtol=1e-12)
    assert both.losses.shape == (4, 2) and both.losses[-1, 0] != both.losses[-1, 1]


def test_minibatch_training_without_losses_is_the_same_run(circle_task):
    net, init, X, Y = circle_task
    args = (net, replicate(init, 2), X, Y, Adam(lr=0.05), 3, 30, [0, 1])
    recorded, skipped = train_minibatch(*args), train_minibatch(*args, record_losses=False)
    assert recorded.losses.shape == (4, 2) and skipped.losses.size == 0
    for ours, theirs in zip(skipped.params, recorded.params):
        np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(ValueError, match="record_losses"):
        train_minibatch(*args, stop_below=0.1, record_losses=False)


def test_epoch_order_sorts_keys_that_are_all_distinct():
    """For a fixed seed the keys are a bijection of the counter, so any sort gives the stable sort's permutation."""
    for seeds, epoch, samples in [(np.arange(10), 0, 997), (np.arange(3, 23), 7, 300), (np.array([5]), 2, 1)]:
        keys = random_bits(seeds.astype(np.uint64)[:, None],
                           np.arange(epoch * samples, (epoch + 1) * samples, dtype=np.uint64)[None, :])
        np.testing.assert_array_equal(epoch_order(seeds, epoch, samples), np.argsort(keys, axis=-1, kind="stable"))
    # The finaliser is invertible: undoing each step recovers the input, so no two counters share a key.
    x = np.arange(2**16, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    z = mix64(x)
    z ^= z >> np.uint64(31)
    z ^= z >> np.uint64(62)
    with np.errstate(over="ignore"):
        z *= np.uint64(pow(0x94D049BB133111EB, -1, 2**64))
        z ^= (z >> np.uint64(27)) ^ (z >> np.uint64(54))
        z *= np.uint64(pow(0xBF58476D1CE4E5B9, -1, 2**64))
    z ^= (z >> np.uint64(30)) ^ (z >> np.uint64(60))
    np.testing.assert_array_equal(z, x)
