"""``train_each`` trains several optimizers side by side: the same numbers as one ``train`` per optimizer."""

import numpy as np
import pytest

from optlab import MLP, SGD, Adam, AdamW, Momentum, RMSProp, circle, train, train_each, xor


def _inits(net, seeds):
    return [np.stack(layer) for layer in zip(*(net.init(np.random.default_rng(s)) for s in seeds))]


def _same(fit, other):
    return (fit.losses.shape == other.losses.shape and np.array_equal(fit.losses, other.losses)
            and all(np.array_equal(a, b) for a, b in zip(fit.params, other.params)))


@pytest.mark.parametrize("task", [xor, circle])
def test_side_by_side_equals_one_run_per_optimizer_bit_for_bit(task):
    net = MLP((2, 8, 1), activation="sigmoid")
    X, Y = task()
    inits = _inits(net, [123, 1, 2])
    optimizers = {
        "SGD": SGD(lr=0.1),
        "Nesterov": Momentum(lr=0.1, beta=0.9, nesterov=True),  # a look-ahead: the loss is taken at w_t
        "RMSProp": RMSProp(lr=np.array([0.01, 0.02, 0.03])[:, None, None], beta=0.9),  # one rate per network
        "AdamW": AdamW(lr=0.01, weight_decay=1e-3),
    }
    together = train_each(net, inits, X, Y, optimizers, epochs=60)
    assert list(together) == list(optimizers)
    for name, optimizer in optimizers.items():
        assert _same(together[name], train(net, inits, X, Y, optimizer, epochs=60)), name


def test_one_network_without_a_batch_axis_keeps_the_shapes_of_train():
    net = MLP((2, 8, 1), activation="sigmoid")
    X, Y = xor()
    one = net.init(np.random.default_rng(5))
    fit = train_each(net, one, X, Y, {"Adam": Adam(lr=0.01), "SGD": SGD(lr=0.1)}, epochs=40)
    assert fit["Adam"].losses.shape == (40,) and fit["Adam"].params[0].shape == one[0].shape
    assert _same(fit["Adam"], train(net, one, X, Y, Adam(lr=0.01), epochs=40))
    assert not _same(fit["Adam"], fit["SGD"])  # each copy was trained by its own optimizer


def test_a_rate_that_does_not_broadcast_along_the_batch_is_refused():
    net = MLP((2, 8, 1), activation="sigmoid")
    X, Y = xor()
    with pytest.raises(ValueError, match="element-wise"):
        train_each(net, _inits(net, [1, 2]), X, Y, {"SGD": SGD(lr=np.ones((2, 1, 3)))}, epochs=2)
