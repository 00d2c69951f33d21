"""Every loss surface's gradient against central finite differences of its loss, and its stated minima.

The applet's parity test compares JavaScript with optlab, so a wrong
constant in a gradient that both share would pass it; these tests compare
each ``grad`` with its own ``loss``, on points spread over the surface's
plotting window and in batches of the shapes the runners use.
"""

import numpy as np
import pytest

from optlab import SURFACES, quadratic
from optlab.surfaces import PLATEAU
from optlab.theory import lessard_objective

CASES = {**SURFACES, "shifted-quadratic": quadratic(eigenvalues=(0.5, 8.0), center=(1.5, -2.0))}


def central_differences(loss, w, h):
    r"""The gradient by :math:`(L(w + h e_i) - L(w - h e_i)) / 2h`, one coordinate at a time, for a batch of points."""
    grads = np.zeros_like(w)
    for i in range(w.shape[-1]):
        step = np.zeros(w.shape[-1])
        step[i] = h
        grads[..., i] = (loss(w + step) - loss(w - step)) / (2 * h)
    return grads


def points_in_window(surface, count, seed=0):
    w1_low, w1_high, w2_low, w2_high = surface.window
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(w1_low, w1_high, count), rng.uniform(w2_low, w2_high, count)])


@pytest.mark.parametrize("key", CASES)
def test_gradient_matches_central_differences(key):
    """Error of the central difference: about h^2 |L'''| + eps |L| / h, far below 1e-6 of the gradient's scale."""
    surface = CASES[key]
    w = np.vstack([points_in_window(surface, 200), [surface.start], surface.minima])
    expected = central_differences(surface.loss, w, h=1e-5)
    scale = np.maximum(1.0, np.abs(expected))
    np.testing.assert_array_less(np.abs(surface.grad(w) - expected) / scale, 1e-6)


def test_the_check_catches_a_wrong_constant():
    """A gradient whose w2 component is 1% off (99 w2 instead of the bowl's 100 w2) misses by far more than the tolerance."""
    bowl = SURFACES["quadratic"]
    w = points_in_window(bowl, 50)
    wrong = bowl.grad(w) * np.array([1.0, 0.99])
    expected = central_differences(bowl.loss, w, h=1e-5)
    assert np.max(np.abs(wrong - expected) / np.maximum(1.0, np.abs(expected))) > 1e-3


@pytest.mark.parametrize("key", CASES)
def test_gradient_vanishes_at_each_stated_minimum_with_the_stated_value(key):
    surface = CASES[key]
    np.testing.assert_allclose(surface.grad(surface.minima), 0.0, atol=1e-12)
    np.testing.assert_allclose(surface.loss(surface.minima), surface.min_loss, atol=1e-15)
    assert np.all(surface.loss(points_in_window(surface, 500)) >= surface.min_loss)


@pytest.mark.parametrize("key", CASES)
def test_batched_points_give_each_point_its_own_loss_and_gradient(key):
    surface = CASES[key]
    w = points_in_window(surface, 6).reshape(2, 3, 2)
    for index in np.ndindex(2, 3):
        assert surface.loss(w)[index] == surface.loss(w[index])
        np.testing.assert_array_equal(surface.grad(w)[index], surface.grad(w[index]))


def test_plateau_loss_keeps_its_digits_near_the_minimum():
    r"""At :math:`q = 10^{-9}` the loss is :math:`q - q^2/2 + \dots`; ``1 - exp(-q)`` would keep about seven digits."""
    q = 1e-9
    w = np.array([np.sqrt(2 * q), 0.0])
    assert abs(PLATEAU.loss(w) - (q - q * q / 2)) <= 2 * np.spacing(q)


def test_lessard_gradient_matches_central_differences_on_each_piece():
    x = np.linspace(-3.0, 4.0, 141)
    x = x[np.min(np.abs(x[:, None] - np.array([1.0, 2.0])), axis=1) > 1e-3]  # off the two joins
    loss = lambda v: lessard_objective([v])[0]  # noqa: E731
    expected = (loss(x + 1e-6) - loss(x - 1e-6)) / 2e-6
    np.testing.assert_allclose(lessard_objective([x])[1][0], expected, rtol=1e-7, atol=1e-6)


@pytest.mark.parametrize("key", CASES)
def test_gap_is_the_loss_above_its_minimum(key):
    surface = CASES[key]
    w = points_in_window(surface, 300)
    np.testing.assert_allclose(surface.gap(w), surface.loss(w) - surface.min_loss, rtol=1e-12, atol=1e-15)


def test_saddle_gap_keeps_its_digits_next_to_a_minimum():
    """At (1e-9, 1 + 1e-9) the gap is 5e-19 + 1e-18 (to 1e-27); loss + 1/4 would give 0 or a multiple of 5.6e-17."""
    saddle = SURFACES["saddle"]
    h = 1e-9
    exact = 0.5 * h**2 + 0.25 * (h * (2 + h)) ** 2
    assert abs(saddle.gap(np.array([h, 1 + h])) - exact) <= 1e-6 * exact


@pytest.mark.parametrize("key", CASES)
def test_hessian_matches_central_differences_of_the_gradient(key):
    """Column i of the Hessian is (grad(w + h e_i) - grad(w - h e_i)) / 2h, to about h^2 |L''''| + eps |grad| / h."""
    surface = CASES[key]
    w = np.vstack([points_in_window(surface, 200), [surface.start], surface.minima])
    expected = np.stack([central_differences(lambda p: surface.grad(p)[..., j], w, h=1e-5) for j in range(2)], axis=-2)
    hessian = surface.hessian_at(w)
    assert hessian.shape == (len(w), 2, 2)
    np.testing.assert_array_equal(hessian, hessian.swapaxes(-1, -2))
    scale = np.maximum(1.0, np.abs(expected))
    np.testing.assert_array_less(np.abs(hessian - expected) / scale, 1e-6)


def test_hessian_of_a_quadratic_is_its_matrix_everywhere():
    bowl = SURFACES["quadratic"]
    w = points_in_window(bowl, 6).reshape(2, 3, 2)
    np.testing.assert_array_equal(bowl.hessian_at(w), np.broadcast_to(bowl.hessian, (2, 3, 2, 2)))
    np.testing.assert_array_equal(bowl.hessian_at(np.array(bowl.start)), bowl.hessian)
