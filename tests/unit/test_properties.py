"""General claims about the optimizers, checked on many random cases with hypothesis.

Gradients are drawn as whole sequences (a list of steps, each a small array),
so the claims are tested along random trajectories, not only at one step.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from optlab import SGD, AdaGrad, Adam, AdamW, DecoupledWeightDecay, Momentum, RMSProp

FEW = settings(max_examples=25, deadline=None)

# Entries are 0 or of magnitude in [1e-3, 10]: a subnormal gradient would
# underflow when squared, which is float64's limit, not the optimizer's.
finite = st.one_of(st.just(0.0), st.floats(1e-3, 10.0), st.floats(-10.0, -1e-3))
# 0 or in [1e-3, 0.999]: a subnormal beta would make the moments subnormal too,
# where float64 keeps only a few significant bits.
decay_rate = st.one_of(st.just(0.0), st.floats(1e-3, 0.999))


@st.composite
def gradient_sequences(draw, min_steps=1, max_steps=12):
    """A start point and a sequence of gradients, all of one random shape."""
    shape = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    start = draw(arrays(np.float64, shape, elements=finite))
    steps = draw(st.integers(min_steps, max_steps))
    grads = [draw(arrays(np.float64, shape, elements=finite)) for _ in range(steps)]
    return start, grads


def run(optimizer, start, grads):
    """Iterates and states after each gradient of ``grads`` (handed in, not computed)."""
    params, state = [start], optimizer.init([start])
    iterates, states = [], []
    for g in grads:
        params, state = optimizer.step(params, [g], state)
        iterates.append(params[0])
        states.append(state)
    return iterates, states


@FEW
@given(sequence=gradient_sequences(), scale=st.floats(1e-3, 1e3), lr=st.floats(1e-4, 1.0),
       beta1=decay_rate, beta2=decay_rate, amsgrad=st.booleans())
def test_adam_step_ignores_the_scale_of_the_loss(sequence, scale, lr, beta1, beta2, amsgrad):
    """Multiplying the loss by c > 0 multiplies every gradient by c; with eps = 0 Adam's steps do not change."""
    start, grads = sequence
    optimizer = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=0.0, amsgrad=amsgrad)
    # eps = 0: 0/0 where a coordinate has seen only zeros, m/0 where beta2 = 0 and
    # the gradient just vanished; the same NaN or inf appears in both runs.
    with np.errstate(invalid="ignore", divide="ignore"):
        plain, _ = run(optimizer, start, grads)
        scaled, _ = run(optimizer, start, [scale * g for g in grads])
    for a, b in zip(plain, scaled):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * lr)


def test_with_eps_the_scale_matters_only_near_zero():
    """With eps > 0 the step of a gradient g is lr*|g|/(|g| + eps): scale-free while |g| >> eps."""
    optimizer = Adam(lr=0.1, eps=1e-8)
    start, g = np.zeros(1), np.ones(1)
    big, _ = run(optimizer, start, [1e3 * g])
    tiny, _ = run(optimizer, start, [1e-8 * g])
    assert big[0][0] == pytest.approx(-0.1, rel=1e-10)
    assert tiny[0][0] == pytest.approx(-0.05, rel=1e-10)  # |g| = eps halves the step


@FEW
@given(sequence=gradient_sequences(max_steps=20), lr=st.floats(1e-4, 1.0), beta1=decay_rate,
       beta2=decay_rate, eps=st.floats(0.0, 1e-3))
def test_amsgrad_effective_step_never_increases(sequence, lr, beta1, beta2, eps):
    r"""The element-wise step size lr / (sqrt(v_tilde_t) + eps) of AMSGrad is non-increasing in t."""
    start, grads = sequence
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # eps = 0 and nothing seen: 0/0, 1/0
        _, states = run(Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps, amsgrad=True), start, grads)
        sizes = [lr / (np.sqrt(state.nu_max[0]) + eps) for state in states]
    for earlier, later in zip(sizes, sizes[1:]):
        assert np.all(later <= earlier * (1 + 1e-12))


def test_pytorch_amsgrad_step_can_increase():
    """PyTorch's raw maximum divided by 1 - beta2^t decreases when gradients stop: the step then grows."""
    optimizer = Adam(lr=0.1, beta2=0.9, eps=0.0, amsgrad=True, amsgrad_max="raw")
    _, states = run(optimizer, np.zeros(1), [np.ones(1), np.zeros(1), np.zeros(1)])
    v_tilde = [s.nu_max[0][0] / (1 - 0.9**s.count) for s in states]
    assert v_tilde == pytest.approx([1.0, 0.1 / 0.19, 0.1 / 0.271], rel=1e-12)
    assert v_tilde[2] < v_tilde[1] < v_tilde[0]


OPTIMIZERS = {
    "sgd": lambda lr, beta, eps: SGD(lr=lr),
    "momentum": lambda lr, beta, eps: Momentum(lr=lr, beta=beta),
    "nesterov": lambda lr, beta, eps: Momentum(lr=lr, beta=beta, nesterov=True),
    "damped": lambda lr, beta, eps: Momentum(lr=lr, beta=beta, damped=True),
    "adagrad": lambda lr, beta, eps: AdaGrad(lr=lr, eps=eps),
    "rmsprop": lambda lr, beta, eps: RMSProp(lr=lr, beta=beta, eps=eps),
    "adam": lambda lr, beta, eps: Adam(lr=lr, beta1=beta, eps=eps),
    "amsgrad": lambda lr, beta, eps: Adam(lr=lr, beta1=beta, eps=eps, amsgrad=True),
    "amsgrad_raw": lambda lr, beta, eps: Adam(lr=lr, beta1=beta, eps=eps, amsgrad=True, amsgrad_max="raw"),
}


@FEW
@given(name=st.sampled_from(sorted(OPTIMIZERS)), sequence=gradient_sequences(), lr=st.floats(0.0, 1.0),
       beta=decay_rate, eps=st.floats(1e-12, 1e-2), weight_decay=st.floats(0.0, 0.5))
def test_zero_gradients_leave_parameters_alone_except_for_decoupled_decay(
        name, sequence, lr, beta, eps, weight_decay):
    start, grads = sequence
    zeros = [np.zeros_like(g) for g in grads]
    optimizer = OPTIMIZERS[name](lr, beta, eps)
    iterates, _ = run(optimizer, start, zeros)
    for w in iterates:
        np.testing.assert_array_equal(w, start)
    decayed, _ = run(DecoupledWeightDecay(optimizer, weight_decay=weight_decay), start, zeros)
    for t, w in enumerate(decayed, start=1):
        np.testing.assert_allclose(w, start * (1 - weight_decay) ** t, rtol=1e-12, atol=0)


@FEW
@given(sequence=gradient_sequences(), lr=st.floats(1e-4, 1.0), beta=decay_rate, eps=st.floats(0.0, 1e-2),
       eps_inside_sqrt=st.booleans())
def test_rmsprop_is_adam_without_first_moment_or_bias_correction(sequence, lr, beta, eps, eps_inside_sqrt):
    start, grads = sequence
    options = dict(lr=lr, eps=eps, eps_inside_sqrt=eps_inside_sqrt)
    with np.errstate(invalid="ignore"):
        rmsprop, _ = run(RMSProp(beta=beta, **options), start, grads)
        adam, _ = run(Adam(beta1=0.0, beta2=beta, bias_correction=False, **options), start, grads)
    for a, b in zip(rmsprop, adam):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=0)


@FEW
@given(sequence=gradient_sequences(), lr=st.floats(1e-4, 1.0), weight_decay=st.floats(0.0, 0.5))
def test_adamw_moments_never_see_the_decay(sequence, lr, weight_decay):
    """AdamW's m and v are Adam's on the same gradients: the decay acts on w only."""
    start, grads = sequence
    _, adam_states = run(Adam(lr=lr), start, grads)
    _, adamw_states = run(AdamW(lr=lr, weight_decay=weight_decay), start, grads)
    for a, b in zip(adam_states, adamw_states):
        assert a.count == b.count
        np.testing.assert_array_equal(a.mu[0], b.mu[0])
        np.testing.assert_array_equal(a.nu[0], b.nu[0])
