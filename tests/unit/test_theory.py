r"""The chapter's theorems, measured on runs of the package's optimizers.

Rates are measured on a quadratic centred at the origin, so the error
:math:`\lVert w_t\rVert_\infty` can shrink to 1e-200 without meeting
round-off: the iteration is linear and homogeneous, and floating point is
relative. (The max norm, because a Euclidean norm squares its entries, which
underflow below 1e-162.)
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optlab import SGD, Adam, DecoupledWeightDecay, L2Penalty, Momentum, quadratic, run_on_surface
from optlab.theory import (
    critical_beta,
    damped_momentum_limit,
    gd_optimal_lr,
    gd_rate,
    heavy_ball_matrix,
    heavy_ball_rate,
    measured_rate,
    momentum_optimal,
    momentum_rate,
    spectral_radius,
)
from optlab.training import minimize

KAPPAS = [4.0, 25.0, 100.0, 1000.0]
MU = 0.5


def steps_to_shrink(rate: float, decades: float = 200.0) -> int:
    """The number of steps after which rate**steps is 10**-decades."""
    return int(np.ceil(decades * np.log(10) / -np.log(rate)))


def errors_on_quadratic(optimizer, eigenvalues, steps: int) -> np.ndarray:
    """Distances to the minimum 0 of the diagonal quadratic, from a start off every eigen-direction."""
    eigenvalues = np.asarray(eigenvalues, dtype=float)

    def objective(params):
        (w,) = params
        return 0.5 * np.sum(eigenvalues * w**2), [eigenvalues * w]

    start = np.linspace(1.0, 2.0, eigenvalues.size)
    _, _, iterates = minimize(objective, [start], optimizer, steps)
    return np.array([np.max(np.abs(start))] + [np.max(np.abs(p[0])) for p in iterates])


@pytest.mark.parametrize("kappa", KAPPAS)
def test_tuned_gradient_descent_contracts_at_the_theorem_rate(kappa):
    L = kappa * MU
    rate = gd_rate(kappa)
    steps = steps_to_shrink(rate, decades=5)
    path = run_on_surface(quadratic((MU, L)), SGD(lr=gd_optimal_lr(MU, L)), steps=steps).path
    errors = np.max(np.abs(path), axis=1)
    # Both eigen-directions contract by exactly (kappa-1)/(kappa+1) per step
    # (|1 - eta*mu| = |1 - eta*L|), so the measured rate is exact up to round-off
    # and a short run suffices.
    assert measured_rate(errors, tail=0.5) == pytest.approx(rate, rel=1e-9)
    assert errors[-1] < 1e-4


@pytest.mark.parametrize("kappa", KAPPAS)
def test_tuned_heavy_ball_contracts_at_the_theorem_rate(kappa):
    L = kappa * MU
    lr, beta = momentum_optimal(MU, L)
    rate = momentum_rate(kappa)
    steps = steps_to_shrink(rate)
    # Eigenvalues spread over [mu, L]: the extreme ones give a double root of the
    # characteristic polynomial at +rate and -rate (a Jordan block), the inner
    # ones complex roots of modulus sqrt(beta*) = rate.
    errors = errors_on_quadratic(Momentum(lr=lr, beta=beta), np.linspace(MU, L, 7), steps)
    measured = measured_rate(errors, tail=0.5)
    # The Jordan block makes the error C * t * rate**t, not C * rate**t. Over the
    # second half of the run [T/2, T] the factor t adds 2**(1/(T/2)) - 1, about
    # 1.4/T, to the measured rate: that is the stated tolerance (plus 1e-6).
    t_factor = 2.0 ** (1.0 / (steps - 1 - (steps + 1) // 2)) - 1.0
    assert rate * (1 - 1e-6) <= measured <= rate * (1 + t_factor + 1e-6)
    # Dividing by t removes the polynomial factor and leaves the rate itself.
    t = np.arange(len(errors)) + 1.0
    assert measured_rate(errors / t, tail=0.5) == pytest.approx(rate, rel=1e-4)
    # and momentum beats tuned gradient descent by the predicted margin
    assert measured < gd_rate(kappa)


@pytest.mark.parametrize("kappa", KAPPAS)
def test_heavy_ball_matrix_has_the_theorem_spectral_radius(kappa):
    L = kappa * MU
    lr, beta = momentum_optimal(MU, L)
    radii = [spectral_radius(heavy_ball_matrix(lr, beta, lam)) for lam in np.linspace(MU, L, 50)]
    # A double root is found only to about sqrt(machine eps) by an eigenvalue solver.
    np.testing.assert_allclose(radii, momentum_rate(kappa), rtol=1e-7)



def test_a_stack_of_matrices_gives_each_matrix_its_own_radius():
    """Arrays of lr, beta and eigenvalues broadcast to a stack; each radius is the one of its own matrix."""
    lrs, betas = np.meshgrid([0.01, 0.05, 0.2], [0.0, 0.5, 0.9], indexing="ij")
    stack = heavy_ball_matrix(lrs[..., None], betas[..., None], np.array([1.0, 10.0, 30.0, 100.0]))
    assert stack.shape == (3, 3, 4, 2, 2)
    radii = spectral_radius(stack)
    for i, j, k in np.ndindex(radii.shape):
        one = heavy_ball_matrix(lrs[i, j], betas[i, j], [1.0, 10.0, 30.0, 100.0][k])
        assert one.shape == (2, 2)
        np.testing.assert_array_equal(stack[i, j, k], one)
        assert radii[i, j, k] == spectral_radius(one)
    assert isinstance(spectral_radius(heavy_ball_matrix(0.1, 0.5, 2.0)), float)

@settings(max_examples=30, deadline=None)
@given(kappa=st.floats(2.0, 1e4), d_lr=st.floats(-0.3, 0.3), d_beta=st.floats(-0.3, 0.3))
def test_no_other_tuning_beats_the_optimal_one(kappa, d_lr, d_beta):
    L = kappa * MU
    lr, beta = momentum_optimal(MU, L)
    lr, beta = lr * (1 + d_lr), min(max(beta + d_beta * (1 - beta), 0.0), 0.999999)
    worst = max(spectral_radius(heavy_ball_matrix(lr, beta, lam)) for lam in (MU, L))
    assert worst >= momentum_rate(kappa) * (1 - 1e-6)


@settings(max_examples=60, deadline=None)
@given(lr=st.floats(1e-4, 0.1), beta=st.floats(0.0, 0.999), eigenvalue=st.floats(0.1, 200.0))
def test_closed_form_rate_is_the_spectral_radius_of_the_companion_matrix(lr, beta, eigenvalue):
    """heavy_ball_rate against numpy's eigenvalues of heavy_ball_matrix; near a double root the solver
    is only accurate to about sqrt(machine eps), hence the tolerance."""
    expected = spectral_radius(heavy_ball_matrix(lr, beta, eigenvalue))
    assert heavy_ball_rate(lr, beta, eigenvalue) == pytest.approx(expected, rel=1e-7, abs=1e-7)


def test_closed_form_rate_over_a_grid_matches_a_stack_of_eigen_decompositions():
    lrs, betas = np.meshgrid(np.linspace(0.0, 0.05, 41), np.linspace(0.0, 0.99, 34), indexing="ij")
    for eigenvalue in (2.0, 100.0):
        np.testing.assert_allclose(heavy_ball_rate(lrs, betas, eigenvalue),
                                   spectral_radius(heavy_ball_matrix(lrs, betas, eigenvalue)), rtol=1e-7, atol=1e-7)


def test_the_bowl_rate_is_least_at_the_tuned_pair_of_the_heavy_ball_theorem():
    """On L = w1^2 + 50 w2^2 (curvatures 2 and 100) the slower of the two directions is fastest at
    (eta*, beta*), where it contracts by (sqrt(kappa) - 1)/(sqrt(kappa) + 1) with kappa = 50."""
    lr_star, beta_star = momentum_optimal(2.0, 100.0)
    lrs, betas = np.meshgrid(np.linspace(0.0, 0.045, 451), np.linspace(0.0, 0.99, 496), indexing="ij")
    bowl = np.maximum(heavy_ball_rate(lrs, betas, 2.0), heavy_ball_rate(lrs, betas, 100.0))
    best = np.unravel_index(np.argmin(bowl), bowl.shape)
    assert abs(lrs[best] - lr_star) <= 2e-4 and abs(betas[best] - beta_star) <= 4e-3
    assert bowl.min() >= momentum_rate(50.0) * (1 - 1e-12)
    assert bowl.min() == pytest.approx(momentum_rate(50.0), abs=2e-3)
    at_star = [heavy_ball_rate(lr_star, beta_star, lam) for lam in (2.0, 100.0)]
    np.testing.assert_allclose(at_star, momentum_rate(50.0), rtol=1e-12)
    gd = bowl[:, 0]  # beta = 0 is gradient descent, tuned at 2/(2 + 100)
    assert gd.min() == pytest.approx(gd_rate(50.0), abs=1e-3) and gd.min() > bowl.min() + 0.2


@pytest.mark.parametrize("eigenvalue", [2.0, 100.0])
def test_critical_damping_separates_real_roots_from_complex_ones(eigenvalue):
    lrs = np.linspace(0.001, 3.9, 50) / eigenvalue  # eta * lambda below 4, where beta_c < 1
    beta_c = critical_beta(lrs, eigenvalue)
    trace = 1 + beta_c - lrs * eigenvalue
    np.testing.assert_allclose(trace**2, 4 * beta_c, atol=1e-12)  # a double root
    # At a double root the rounding of tau^2 - 4 beta, of order 1e-16, moves the rate by its square root.
    np.testing.assert_allclose(heavy_ball_rate(lrs, beta_c, eigenvalue), np.sqrt(beta_c), rtol=1e-7, atol=1e-7)
    above = np.minimum(beta_c + 0.01, 0.999)
    np.testing.assert_allclose(heavy_ball_rate(lrs, above, eigenvalue), np.sqrt(above), rtol=1e-12)
    below = beta_c[beta_c > 0.01] - 0.01
    assert np.all(heavy_ball_rate(lrs[beta_c > 0.01], below, eigenvalue) > np.sqrt(below))
    lr_star, beta_star = momentum_optimal(2.0, 100.0)  # the tuned pair damps both extremes critically
    np.testing.assert_allclose(critical_beta(lr_star, eigenvalue), beta_star, rtol=1e-12)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_closed_form_rate_crosses_one_at_the_stability_limit(beta):
    """Below eta * lambda = 2 (1 + beta) the direction contracts, above it grows; damped_momentum_limit agrees."""
    limit = 2 * (1 + beta)
    assert heavy_ball_rate(0.999 * limit, beta, 1.0) < 1 < heavy_ball_rate(1.001 * limit, beta, 1.0)
    assert damped_momentum_limit(beta) * (1 - beta) == pytest.approx(limit)


def test_momentum_state_is_the_heavy_ball_recurrence():
    """w_{t+1} = w_t - eta*lambda*w_t + beta*(w_t - w_{t-1}), which heavy_ball_matrix encodes."""
    lr, beta, lam = 0.1, 0.7, 3.0
    errors = errors_on_quadratic(Momentum(lr=lr, beta=beta), [lam], steps=20)
    # The start is 1 and the first step is plain gradient descent (v_0 = 0).
    pair = np.array([1.0 - lr * lam, 1.0])
    for t in range(1, 20):
        pair = heavy_ball_matrix(lr, beta, lam) @ pair
        assert abs(pair[0]) == pytest.approx(errors[t + 1], rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(beta1=st.floats(0.0, 0.999), g=st.floats(-1e3, 1e3).filter(lambda x: abs(x) > 1e-6),
       steps=st.integers(1, 200))
def test_bias_correction_with_a_constant_gradient(beta1, g, steps):
    optimizer = Adam(lr=0.01, beta1=beta1, beta2=0.999, eps=0.0)
    params = [np.array([0.0])]
    state = optimizer.init(params)
    for t in range(1, steps + 1):
        params, state = optimizer.step(params, [np.array([g])], state)
        # m_t = (1 - beta1^t) g, to round-off (a few units in the last place per step)
        assert state.mu[0][0] == pytest.approx((1 - beta1**t) * g, rel=1e-12)
        # the corrected estimate is g itself
        assert state.mu[0][0] / (1 - beta1**state.count) == pytest.approx(g, rel=1e-12)
    # with m_hat = g and v_hat = g^2, every step moves by lr * sign(g) exactly
    assert params[0][0] == pytest.approx(-0.01 * steps * np.sign(g), rel=1e-10)


def random_objective(seed):
    """A random convex quadratic on two parameter arrays (a matrix and a vector)."""
    rng = np.random.default_rng(seed)
    scales = [rng.uniform(0.5, 3.0, (3, 2)), rng.uniform(0.5, 3.0, 4)]
    targets = [rng.standard_normal((3, 2)), rng.standard_normal(4)]

    def objective(params):
        residuals = [w - c for w, c in zip(params, targets)]
        loss = sum(0.5 * np.sum(s * r**2) for s, r in zip(scales, residuals))
        return loss, [s * r for s, r in zip(scales, residuals)]

    return objective, [rng.standard_normal((3, 2)), rng.standard_normal(4)]


@settings(max_examples=25, deadline=None)
@given(lr=st.floats(1e-3, 0.3), l2=st.floats(0.0, 1.0), seed=st.integers(0, 2**16))
def test_sgd_with_l2_equals_sgd_with_decay_lr_times_l2(lr, l2, seed):
    objective, start = random_objective(seed)
    _, _, with_l2 = minimize(objective, start, L2Penalty(SGD(lr=lr), l2=l2), steps=30)
    _, _, decayed = minimize(objective, start, DecoupledWeightDecay(SGD(lr=lr), weight_decay=lr * l2), steps=30)
    for a, b in zip(with_l2, decayed):  # iterate for iterate
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-14)


def test_for_adam_l2_and_decoupled_decay_differ():
    """The reason AdamW exists: the equivalence above fails once the step is rescaled."""
    objective, start = random_objective(0)
    lr, l2 = 0.05, 0.5
    with_l2, *_ = minimize(objective, start, L2Penalty(Adam(lr=lr), l2=l2), steps=30)
    decayed, *_ = minimize(objective, start, DecoupledWeightDecay(Adam(lr=lr), weight_decay=lr * l2), steps=30)
    assert max(np.max(np.abs(a - b)) for a, b in zip(with_l2, decayed)) > 1e-2


def test_nesterov_through_the_runner_follows_its_recurrence():
    r"""Along an eigen-direction :math:`\lambda`, Nesterov's method is
    :math:`w_{t+1} = (1+\beta)(1-\eta\lambda)\,w_t - \beta(1-\eta\lambda)\,w_{t-1}`:
    the gradient is taken at the look-ahead :math:`w_t + \beta(w_t - w_{t-1})`.
    (A runner that took it at :math:`w_t` would give heavy ball's recurrence instead.)"""
    lr, beta, eigenvalues = 0.02, 0.8, np.array([2.0, 30.0])
    path = run_on_surface(quadratic(eigenvalues), Momentum(lr=lr, beta=beta, nesterov=True), steps=40).path
    shrink = 1 - lr * eigenvalues
    np.testing.assert_allclose(path[1], shrink * path[0], rtol=1e-14)  # v_0 = 0: a plain gradient step
    for t in range(1, 40):
        expected = (1 + beta) * shrink * path[t] - beta * shrink * path[t - 1]
        np.testing.assert_allclose(path[t + 1], expected, rtol=1e-9, atol=1e-12)
