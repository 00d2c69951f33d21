"""Backpropagation against central finite differences, and the batched network against single ones."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from optlab import MLP, Adam, circle, replicate, train, xor
from optlab.network import SIGMOID_FLOOR, sigmoid


def finite_difference_grads(model, params, X, Y, h=1e-6):
    grads = []
    for index, p in enumerate(params):
        g = np.zeros_like(p)
        for position in np.ndindex(p.shape):
            shifted = [q.copy() for q in params]
            shifted[index][position] += h
            up = model.loss(shifted, X, Y)
            shifted[index][position] -= 2 * h
            down = model.loss(shifted, X, Y)
            g[position] = (up - down) / (2 * h)
        grads.append(g)
    return grads


ARCHITECTURES = [
    MLP((2, 8, 1)),
    MLP((2, 8, 1), activation="relu"),
    MLP((3, 5, 4, 2)),
    MLP((3, 5, 4, 2), activation="relu", output_activation="identity"),
    MLP((1, 16, 1), activation="sigmoid", output_activation="identity"),
    MLP((4, 1)),
]


def check_backprop(model, seed) -> bool:
    """Compare backprop with finite differences; False (nothing checked) if a ReLU sits on its kink."""
    rng = np.random.default_rng(seed)
    params = model.init(rng)
    # nonzero biases so every term of the chain rule is exercised
    params = [p + 0.1 * rng.standard_normal(p.shape) for p in params]
    X = rng.standard_normal((model.sizes[0], 9))
    Y = rng.uniform(0, 1, (model.sizes[-1], 9))
    # A ReLU pre-activation within the finite-difference step of its kink has no
    # derivative to compare with.
    zs, _ = model.forward(params, X)
    if "relu" in (model.activation, model.output_activation) and min(np.min(np.abs(z)) for z in zs) < 1e-4:
        return False
    _, grads = model.loss_and_grads(params, X, Y)
    expected = finite_difference_grads(model, params, X, Y)
    assert [g.shape for g in grads] == [p.shape for p in params]
    for g, e in zip(grads, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-8)
    return True


@pytest.mark.parametrize("model", ARCHITECTURES, ids=repr)
def test_backprop_matches_finite_differences(model):
    assert check_backprop(model, seed=7)


@settings(max_examples=20, deadline=None)
@given(widths=st.lists(st.integers(1, 5), min_size=2, max_size=4), activation=st.sampled_from(["sigmoid", "relu"]),
       output_activation=st.sampled_from([None, "identity", "sigmoid", "relu"]), seed=st.integers(0, 2**16))
def test_backprop_matches_finite_differences_on_random_architectures(widths, activation, output_activation, seed):
    assume(check_backprop(MLP(tuple(widths), activation=activation, output_activation=output_activation), seed))


def test_initialisation_reproduces_the_chapter_draws():
    params = MLP((2, 8, 1)).init(np.random.default_rng(123))
    rng = np.random.default_rng(123)
    np.testing.assert_array_equal(params[0], rng.standard_normal((8, 2)) * np.sqrt(2 / 10))
    np.testing.assert_array_equal(params[2], rng.standard_normal((1, 8)) * np.sqrt(2 / 9))
    np.testing.assert_array_equal(params[1], np.zeros((8, 1)))
    np.testing.assert_array_equal(params[3], np.zeros((1, 1)))


def test_loss_is_half_mean_squared_error():
    X, Y = xor()
    model = MLP((2, 1))
    params = [np.zeros((1, 2)), np.zeros((1, 1))]  # output sigmoid(0) = 0.5 everywhere
    assert model.loss(params, X, Y) == pytest.approx(0.5 * 0.25)


def test_batched_training_equals_separate_trainings():
    X, Y = circle(n=40)
    model = MLP((2, 8, 1))
    params = model.init(np.random.default_rng(123))
    lrs = np.array([0.001, 0.01, 0.1])
    batched = train(model, replicate(params, 3), X, Y, Adam(lr=lrs[:, None, None]), epochs=25)
    for index, lr in enumerate(lrs):
        single = train(model, params, X, Y, Adam(lr=lr), epochs=25)
        np.testing.assert_allclose(batched.losses[:, index], single.losses, rtol=1e-12)
        for b, s in zip(batched.params, single.params):
            np.testing.assert_allclose(b[index], s, rtol=1e-12, atol=1e-15)


def test_sigmoid_is_the_logistic_function_without_overflow():
    z = np.linspace(-30.0, 30.0, 6001)
    np.testing.assert_allclose(sigmoid(z), 0.5 * (1.0 + np.tanh(0.5 * z)), rtol=0, atol=5e-16)
    np.testing.assert_allclose(sigmoid(-z), 1.0 - sigmoid(z), rtol=0, atol=5e-16)  # symmetry
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no warning at the extremes
        far = sigmoid(np.array([-1e6, SIGMOID_FLOOR, 1e6]))
    assert 0.0 < far[0] == far[1] < 1e-300 and far[2] == 1.0
    assert np.all(np.diff(sigmoid(z)) >= 0.0)
