"""First two steps of every optimizer against numbers worked out by hand from its box.

The scalar problem: w_0 = 1, then gradients g_1 = 2 and g_2 = -1 handed in
directly, with eps = 0 so every number is a short hand calculation (shown
in the comments). Invariants shared by all optimizers follow.
"""

import numpy as np
import pytest

from optlab import SGD, AdaGrad, Adam, AdamW, DecoupledWeightDecay, L2Penalty, Momentum, RMSProp

G1, G2 = 2.0, -1.0


def two_steps(optimizer, g1=G1, g2=G2):
    params = [np.array([1.0])]
    state = optimizer.init(params)
    first, state = optimizer.step(params, [np.array([g1])], state)
    second, state = optimizer.step(first, [np.array([g2])], state)
    return float(first[0][0]), float(second[0][0]), state


HAND = [
    # w1 = 1 - 0.1*2 = 0.8;  w2 = 0.8 - 0.1*(-1) = 0.9
    (SGD(lr=0.1), 0.8, 0.9),
    # v1 = 2, w1 = 0.8;  v2 = 0.9*2 - 1 = 0.8, w2 = 0.8 - 0.08 = 0.72
    (Momentum(lr=0.1, beta=0.9), 0.8, 0.72),
    # v1 = 0.1*2 = 0.2, w1 = 0.98;  v2 = 0.18 - 0.1 = 0.08, w2 = 0.972
    (Momentum(lr=0.1, beta=0.9, damped=True), 0.98, 0.972),
    # G1 = 4, w1 = 1 - 0.1*2/2 = 0.9;  G2 = 5, w2 = 0.9 + 0.1/sqrt(5)
    (AdaGrad(lr=0.1, eps=0.0), 0.9, 0.9 + 0.1 / np.sqrt(5)),
    # v1 = 0.1*4 = 0.4, w1 = 1 - 0.2/sqrt(0.4);  v2 = 0.36 + 0.1 = 0.46, w2 = w1 + 0.1/sqrt(0.46)
    (RMSProp(lr=0.1, beta=0.9, eps=0.0), 1 - 0.2 / np.sqrt(0.4), 1 - 0.2 / np.sqrt(0.4) + 0.1 / np.sqrt(0.46)),
    # m1 = 0.2, v1 = 0.004, m_hat = 2, v_hat = 4, w1 = 1 - 0.1*2/2 = 0.9;
    # m2 = 0.18 - 0.1 = 0.08, v2 = 0.003996 + 0.001 = 0.004996,
    # m_hat = 0.08/0.19, v_hat = 0.004996/0.001999
    (Adam(lr=0.1, eps=0.0), 0.9, 0.9 - 0.1 * (0.08 / 0.19) / np.sqrt(0.004996 / 0.001999)),
    # without correction: w1 = 1 - 0.1*0.2/sqrt(0.004); w2 = w1 - 0.1*0.08/sqrt(0.004996)
    (Adam(lr=0.1, eps=0.0, bias_correction=False),
     1 - 0.02 / np.sqrt(0.004), 1 - 0.02 / np.sqrt(0.004) - 0.008 / np.sqrt(0.004996)),
    # AMSGrad: v_hat_2 = 2.499... < 4 = v_hat_1, so the denominator stays sqrt(4) = 2
    (Adam(lr=0.1, eps=0.0, amsgrad=True), 0.9, 0.9 - 0.1 * (0.08 / 0.19) / 2),
    # AdamW: w1 = 1 - 0.1 (Adam's step) - 0.01*1 = 0.89; w2 = 0.89 - Adam's 2nd step - 0.01*0.89
    (AdamW(lr=0.1, eps=0.0, weight_decay=0.01),
     0.89, 0.89 - 0.1 * (0.08 / 0.19) / np.sqrt(0.004996 / 0.001999) - 0.0089),
    # PyTorch's convention decays by lr*lambda = 0.001: w1 = 1 - 0.1 - 0.001 = 0.899
    (AdamW(lr=0.1, eps=0.0, weight_decay=0.01, scale_by_lr=True),
     0.899, 0.899 - 0.1 * (0.08 / 0.19) / np.sqrt(0.004996 / 0.001999) - 0.000899),
    # SGD on L + 0.5*0.5*w^2: g1 = 2 + 0.5*1 = 2.5, w1 = 0.75; g2 = -1 + 0.375, w2 = 0.75 + 0.0625
    (L2Penalty(SGD(lr=0.1), l2=0.5), 0.75, 0.8125),
]


@pytest.mark.parametrize("optimizer, w1, w2", HAND, ids=lambda x: repr(x)[:60] if not isinstance(x, float) else "")
def test_first_two_steps_match_hand_calculation(optimizer, w1, w2):
    first, second, _ = two_steps(optimizer)
    assert first == pytest.approx(w1, rel=1e-14, abs=1e-15)
    assert second == pytest.approx(w2, rel=1e-14, abs=1e-15)


def test_amsgrad_raw_and_corrected_maxima_differ_by_hand():
    # g2 = 0.01: v2 = 0.999*0.004 + 0.001*1e-4 = 0.0039961 < v1 = 0.004.
    # raw max keeps v1 = 0.004 and divides by 1 - 0.999^2 = 0.001999;
    # corrected max keeps v_hat_1 = 4 > v2/0.001999.
    m_hat = (0.9 * 0.2 + 0.1 * 0.01) / 0.19
    _, raw, _ = two_steps(Adam(lr=0.1, eps=0.0, amsgrad=True, amsgrad_max="raw"), g2=0.01)
    _, corrected, _ = two_steps(Adam(lr=0.1, eps=0.0, amsgrad=True), g2=0.01)
    assert raw == pytest.approx(0.9 - 0.1 * m_hat / np.sqrt(0.004 / 0.001999), rel=1e-14)
    assert corrected == pytest.approx(0.9 - 0.1 * m_hat / 2.0, rel=1e-14)


def test_adam_counts_its_steps():
    *_, state = two_steps(Adam())
    assert state.count == 2


def test_nesterov_gradient_point_is_the_lookahead():
    optimizer = Momentum(lr=0.1, beta=0.9, nesterov=True)
    params = [np.array([1.0])]
    state = optimizer.init(params)
    assert optimizer.gradient_point(params, state)[0][0] == 1.0  # v0 = 0: look-ahead is w0
    params, state = optimizer.step(params, [np.array([2.0])], state)
    # w1 = 0.8, v1 = 2: look-ahead w1 - lr*beta*v1 = 0.8 - 0.18 = 0.62
    assert optimizer.gradient_point(params, state)[0][0] == pytest.approx(0.62, rel=1e-15)


def test_eps_inside_the_root_changes_the_step_as_written():
    params = [np.array([1.0])]
    for optimizer in (AdaGrad(lr=0.1, eps=0.5, eps_inside_sqrt=True),
                      RMSProp(lr=0.1, beta=0.0, eps=0.5, eps_inside_sqrt=True)):
        (w,), _ = optimizer.step(params, [np.array([2.0])], optimizer.init(params))
        assert w[0] == pytest.approx(1 - 0.1 * 2 / np.sqrt(4.5), rel=1e-15)
    adam = Adam(lr=0.1, eps=0.5, eps_inside_sqrt=True)
    (w,), _ = adam.step(params, [np.array([2.0])], adam.init(params))
    assert w[0] == pytest.approx(1 - 0.1 * 2 / np.sqrt(4.5), rel=1e-15)


UNREGULARISED = [SGD(lr=0.1), Momentum(lr=0.1), Momentum(lr=0.1, nesterov=True), AdaGrad(lr=0.1),
                 RMSProp(lr=0.1), Adam(lr=0.1), Adam(lr=0.1, amsgrad=True)]
ALL = UNREGULARISED + [L2Penalty(Adam(lr=0.1), l2=0.1), AdamW(lr=0.1)]


@pytest.mark.parametrize("optimizer", UNREGULARISED, ids=repr)
def test_zero_gradient_leaves_parameters_alone(optimizer):
    rng = np.random.default_rng(0)
    params = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    state = optimizer.init(params)
    for _ in range(3):
        new, state = optimizer.step(params, [np.zeros_like(p) for p in params], state)
        for before, after in zip(params, new):
            np.testing.assert_array_equal(before, after)


def test_decoupled_decay_alone_shrinks_geometrically():
    optimizer = DecoupledWeightDecay(Adam(lr=0.1), weight_decay=0.1)
    params = [np.array([2.0, -4.0])]
    state = optimizer.init(params)
    for _ in range(3):
        params, state = optimizer.step(params, [np.zeros(2)], state)
    np.testing.assert_allclose(params[0], np.array([2.0, -4.0]) * 0.9**3, rtol=1e-15)


@pytest.mark.parametrize("optimizer", ALL, ids=repr)
def test_step_returns_new_arrays_and_leaves_inputs_untouched(optimizer):
    params = [np.array([1.0, 2.0])]
    grads = [np.array([0.5, -0.5])]
    state = optimizer.init(params)
    new, _ = optimizer.step(params, grads, state)
    np.testing.assert_array_equal(params[0], [1.0, 2.0])
    np.testing.assert_array_equal(grads[0], [0.5, -0.5])
    assert new[0] is not params[0]


@pytest.mark.parametrize("optimizer", [AdamW(lr=0.1, weight_decay=0.05), L2Penalty(Momentum(lr=0.1), l2=0.1),
                                       DecoupledWeightDecay(SGD(lr=0.1), weight_decay=0.01, scale_by_lr=True)],
                         ids=repr)
def test_a_schedule_reaches_the_learning_rate_inside_a_wrapper(optimizer):
    from optlab import ILL_CONDITIONED, run_on_surface

    assert optimizer.with_lr(0.25).lr == 0.25
    assert type(optimizer.with_lr(0.25)) is type(optimizer)
    schedule = [0.0, 0.01, 0.02, 0.03]
    run = run_on_surface(ILL_CONDITIONED, optimizer, steps=4, lr_schedule=lambda t: schedule[t])
    params = [np.array(ILL_CONDITIONED.start)]
    state = optimizer.init(params)
    for t in range(4):  # the same steps by hand, one optimizer per scheduled rate
        current = optimizer.with_lr(schedule[t])
        grads = [ILL_CONDITIONED.grad(current.gradient_point(params, state)[0])]
        params, state = current.step(params, grads, state)
        np.testing.assert_array_equal(run.path[t + 1], params[0])
