"""Claims the chapter's prose makes, checked on the package's own runs.

Each test names the section whose sentence it checks. The chapter prints some
of these numbers too; the tests turn the sentences into assertions that fail
if a change to the package (or the text's settings) makes them untrue.
"""

import numpy as np
import pytest

from optlab import (
    ILL_CONDITIONED, MLP, SGD, AdaGrad, Adam, AdamW, DecoupledWeightDecay, L2Penalty, Momentum, RMSProp,
    circle, quadratic, run_on_surface, train, xor,
)
from optlab import diagnostics, theory

BOWL = ILL_CONDITIONED


# --- 27.1 --------------------------------------------------------------------

def test_sgd_on_the_bowl_is_stable_below_2_over_lambda_max_and_diverges_above():
    """'eta must stay below 2/100 = 0.02': 0.019 converges, 0.021 blows up."""
    lrs = np.array([0.019, 0.021])
    losses = run_on_surface(BOWL, SGD(lr=lrs[:, None]), steps=200, start=np.tile(BOWL.start, (2, 1))).losses
    assert losses[-1, 0] < 1e-3 < 1e6 < losses[-1, 1]


# --- 27.2 --------------------------------------------------------------------

@pytest.mark.parametrize("kappa", [10.0, 50.0, 100.0, 1000.0])
def test_tuned_heavy_ball_companion_matrix_has_radius_sqrt_beta_on_the_whole_spectrum(kappa):
    lr, beta = theory.momentum_optimal(1.0, kappa)
    radii = [theory.spectral_radius(theory.heavy_ball_matrix(lr, beta, lam)) for lam in np.linspace(1.0, kappa, 301)]
    np.testing.assert_allclose(radii, np.sqrt(beta), rtol=1e-6)
    assert np.sqrt(beta) == pytest.approx(theory.momentum_rate(kappa))
    below = theory.spectral_radius(theory.heavy_ball_matrix(lr, beta, 0.5))
    above = theory.spectral_radius(theory.heavy_ball_matrix(lr, beta, 1.01 * kappa))
    assert np.sqrt(beta) < below < 1 and above > np.sqrt(beta)
    unstable = 1.01 * 2 * (1 + beta) / lr  # heavy ball diverges once eta * lambda > 2 (1 + beta)
    assert theory.spectral_radius(theory.heavy_ball_matrix(lr, beta, unstable)) > 1


def test_steps_for_a_thousandfold_reduction_at_kappa_100():
    """'about 345 steps of gradient descent and about 35 of momentum'."""
    steps = lambda rate: np.log(1000) / -np.log(rate)  # noqa: E731
    assert round(steps(theory.gd_rate(100.0))) == 345
    assert round(steps(theory.momentum_rate(100.0))) in (34, 35)


def test_heavy_ball_error_bound_with_the_t_plus_one_factor():
    """The (t + 1) rho^t bound of the theorem holds along a tuned run, and rho^t alone is too tight at the start."""
    surface = quadratic(eigenvalues=(1.0, 100.0), start=(5.0, 0.5))
    lr, beta = theory.momentum_optimal(1.0, 100.0)
    path = run_on_surface(surface, Momentum(lr=lr, beta=beta), steps=200).path
    errors = np.linalg.norm(path, axis=1) / np.linalg.norm(path[0])
    t = np.arange(len(errors))
    rho = theory.momentum_rate(100.0)
    ratio = errors / ((t + 1) * rho**t)
    assert ratio.max() < 10  # bounded: C exists
    assert (errors / rho**t).max() > 1  # the polynomial factor is not decorative


def test_momentum_with_beta_zero_is_gradient_descent_exactly():
    a = run_on_surface(BOWL, Momentum(lr=0.012, beta=0.0), steps=80).path
    b = run_on_surface(BOWL, SGD(lr=0.012), steps=80).path
    np.testing.assert_array_equal(a, b)


def test_nesterov_beats_momentum_beats_sgd_on_the_original_settings():
    finals = [run_on_surface(BOWL, opt, steps=80).losses[-1] for opt in
              (SGD(lr=0.012), Momentum(lr=0.012, beta=0.9), Momentum(lr=0.012, beta=0.9, nesterov=True))]
    assert finals[0] > finals[1] > finals[2]


# --- 27.3 --------------------------------------------------------------------

def test_adagrad_stalls_far_along_the_valley_while_rmsprop_arrives():
    """From (50, 0.5): AdaGrad's step sizes never grow and it is still beyond w1 = 5 after 1000 steps."""
    ada, rms = AdaGrad(lr=1.0), RMSProp(lr=0.1, beta=0.99)
    a = run_on_surface(BOWL, ada, steps=1000, start=(50.0, 0.5)).path
    r = run_on_surface(BOWL, rms, steps=1000, start=(50.0, 0.5)).path
    sizes = diagnostics.effective_lrs(ada, BOWL.grad(a[:-1]))
    assert np.all(np.diff(sizes, axis=0) <= 0)
    assert sizes[-1, 0] < sizes[0, 0] / 10  # 'falls more than tenfold'
    assert a[-1, 0] > 5 and abs(r[-1, 0]) < 1e-6
    rms_sizes = diagnostics.effective_lrs(rms, BOWL.grad(r[:-1]))
    assert rms_sizes[-1, 0] > 10 * rms_sizes[:500, 0].min()  # RMSProp's step size grows back


# --- 27.4 --------------------------------------------------------------------

def test_bias_correction_factors_quoted_in_the_text():
    assert theory.bias_factor(0.999, 1) == pytest.approx(0.001)
    assert theory.bias_factor(0.999, 1000) == pytest.approx(0.632, abs=1e-3)
    t = np.arange(1, 200)
    factor = theory.bias_factor(0.9, t) / np.sqrt(theory.bias_factor(0.999, t))
    assert factor[0] == pytest.approx(np.sqrt(10), rel=1e-12)
    assert t[factor.argmax()] == 12 and factor.max() == pytest.approx(6.5, abs=0.1)


def test_uncorrected_adam_follows_the_predicted_step_factor_for_the_first_steps():
    path = run_on_surface(BOWL, Adam(lr=0.1, bias_correction=False), steps=6).path
    lengths = np.abs(np.diff(path[:, 0])) / 0.1
    t = np.arange(1, 7)
    predicted = theory.bias_factor(0.9, t) / np.sqrt(theory.bias_factor(0.999, t))
    np.testing.assert_allclose(lengths[:5], predicted[:5], rtol=0.05)


def test_rmsprop_is_adam_with_beta1_zero_and_no_bias_correction():
    a = run_on_surface(BOWL, RMSProp(lr=0.1, beta=0.99), steps=300).path
    b = run_on_surface(BOWL, Adam(lr=0.1, beta1=0.0, beta2=0.99, bias_correction=False), steps=300).path
    np.testing.assert_array_equal(a, b)


@pytest.fixture(scope="module")
def sawtooth():
    lrs = np.array([0.3, 1.0])[:, None]
    start = np.tile(BOWL.start, (2, 1))
    runs = {}
    for name, opt in {"Adam": Adam(lr=lrs), "AMSGrad": Adam(lr=lrs, amsgrad=True)}.items():
        run = run_on_surface(BOWL, opt, steps=1500, start=start)
        runs[name] = (run.losses, diagnostics.effective_lrs(opt, BOWL.grad(run.path[:-1])))
    return runs


def test_adam_sawtooth_has_several_times_the_rises_of_amsgrad(sawtooth):
    for k in range(2):
        adam = diagnostics.count_rises(sawtooth["Adam"][0][:, k], 10.0)
        ams = diagnostics.count_rises(sawtooth["AMSGrad"][0][:, k], 10.0)
        assert adam >= 3 * ams > 0


def test_adam_at_lr_one_blows_up_after_converging_and_amsgrad_does_not(sawtooth):
    adam, ams = sawtooth["Adam"][0][:, 1], sawtooth["AMSGrad"][0][:, 1]
    assert adam[:1200].min() < 1e-50 and adam[1200:].max() > 1e-2
    assert diagnostics.late_climb(adam, 1200) > 40
    assert diagnostics.late_climb(ams, 1200) < 1


def test_adam_step_size_grows_past_the_stability_limit_and_amsgrad_step_never_grows(sawtooth):
    limit = theory.damped_momentum_limit(0.9) / 100.0
    adam_w2, ams = sawtooth["Adam"][1][:, :, 1], sawtooth["AMSGrad"][1]
    assert adam_w2[:, 0].max() < limit < adam_w2[:, 1].max()
    assert np.all(np.diff(ams, axis=0) <= 0)


@pytest.fixture(scope="module")
def ablation():
    beta1s = np.repeat([0.0, 0.9], 3)[:, None]
    beta2s = np.tile([0.9, 0.99, 0.999], 2)[:, None]
    out = {}
    for corrected in (True, False):
        losses = run_on_surface(BOWL, Adam(lr=0.1, beta1=beta1s, beta2=beta2s, bias_correction=corrected),
                                steps=2000, start=np.tile(BOWL.start, (6, 1))).losses
        for k in range(6):
            out[(beta1s[k, 0], beta2s[k, 0], corrected)] = losses[:, k]
    return out


def test_ablation_only_beta1_09_with_beta2_0999_is_stable_with_and_without_correction(ablation):
    stable = {key for key, losses in ablation.items() if diagnostics.late_climb(losses, 1000) < 1
              and losses[-1] < 1e-30}
    assert {(0.9, 0.999, True), (0.9, 0.999, False)} <= stable
    assert stable - {(0.9, 0.999, True), (0.9, 0.999, False)} == {(0.0, 0.999, False)}


def test_ablation_bias_correction_does_not_stabilise_rmsprop(ablation):
    for corrected in (True, False):
        assert diagnostics.late_climb(ablation[(0.0, 0.99, corrected)], 1000) > 10
    assert diagnostics.late_climb(ablation[(0.0, 0.999, True)], 1000) > 10  # the corrected run is the unstable one
    for beta1 in (0.0, 0.9):
        for corrected in (True, False):
            assert ablation[(beta1, 0.9, corrected)][-1] > 1e-5  # with beta2 = 0.9 nothing converges


# --- 27.5 --------------------------------------------------------------------

def test_sgd_and_momentum_sit_at_the_constant_output_plateau_on_the_circle():
    net = MLP((2, 8, 1))
    init = net.init(np.random.default_rng(123))
    X, Y = circle()
    plateau = 0.5 * Y.mean() * (1 - Y.mean())
    for opt in (SGD(lr=0.1), Momentum(lr=0.1, beta=0.9)):
        assert train(net, init, X, Y, opt, 2000).final_loss == pytest.approx(plateau, abs=1e-4)
    X, Y = xor()
    assert train(net, init, X, Y, SGD(lr=0.1), 3000).final_loss == pytest.approx(0.125, abs=1e-3)


# --- 27.6 --------------------------------------------------------------------

def test_l2_penalty_and_weight_decay_agree_for_sgd_iff_decay_is_lr_times_l2():
    lr, l2 = 0.012, 0.5
    penalised = run_on_surface(BOWL, L2Penalty(SGD(lr=lr), l2=l2), steps=50).path
    decayed = run_on_surface(BOWL, DecoupledWeightDecay(SGD(lr=lr), weight_decay=lr * l2), steps=50).path
    np.testing.assert_allclose(penalised, decayed, rtol=1e-12, atol=1e-300)
    other = run_on_surface(BOWL, DecoupledWeightDecay(SGD(lr=lr), weight_decay=l2), steps=50).path
    assert not np.allclose(penalised, other)


def test_l2_and_decoupled_decay_differ_for_adam():
    penalised = run_on_surface(BOWL, L2Penalty(Adam(lr=0.1), l2=0.5), steps=20).path
    for decay in (0.5, 0.1 * 0.5):
        decayed = run_on_surface(BOWL, AdamW(lr=0.1, weight_decay=decay), steps=20).path
        assert np.abs(penalised - decayed).max() > 1e-3


@pytest.fixture(scope="module")
def shifted_runs():
    surface = quadratic(center=(3.0, 1.0))
    return surface, {
        "L2": run_on_surface(surface, L2Penalty(Adam(lr=0.1), l2=0.05), steps=2000).path,
        "AdamW": run_on_surface(surface, AdamW(lr=0.1, weight_decay=0.05), steps=2000).path,
    }


def test_adam_with_l2_converges_to_the_ridge_solution(shifted_runs):
    surface, paths = shifted_runs
    np.testing.assert_allclose(paths["L2"][-1], theory.ridge_minimiser(surface, 0.05), atol=1e-6)


def test_adamw_stays_in_the_linf_box_and_approaches_the_box_minimiser(shifted_runs):
    surface, paths = shifted_runs
    box = theory.box_minimiser(surface, 0.1 / 0.05)
    path = paths["AdamW"]
    assert np.abs(path[200:]).max() <= 0.1 / 0.05
    gaps = np.abs(path - box).max(axis=1)
    assert gaps[-1] < gaps[1000] < gaps[200] and gaps[-1] < 0.03
    ridge = theory.ridge_minimiser(surface, 0.05)
    assert np.abs(path[-1] - ridge).max() > 0.9  # far from where the penalty leads
