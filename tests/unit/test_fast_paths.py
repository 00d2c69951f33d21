"""The runners' shortcuts change nothing: the same numbers, bit for bit, as the plain loop.

``train`` and ``train_minibatch`` lay a network's parameters side by side in
one array when the optimizer is element-wise, and backpropagation then
writes the gradients straight into their places. These tests run the plain per-array loop
(``minimize`` on ``loss_and_grads``) next to ``train`` and require equal
bits, for every optimizer and wrapper, batched or not, with a schedule or
without.
"""

from dataclasses import dataclass, replace

import numpy as np
import pytest

from optlab import (
    MLP,
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    DecoupledWeightDecay,
    L2Penalty,
    Momentum,
    RMSProp,
    check_decay_rate,
    circle,
    linear_warmup,
    replicate,
    sine,
    train,
    xor,
)
from optlab.noise import train_minibatch
from optlab.optimizers import Optimizer, Wrapper
from optlab.training import _PackedParameters, minimize

LRS = np.array([1e-3, 1e-2, 1e-1])[:, None, None]

OPTIMIZERS = [
    SGD(lr=0.1),
    Momentum(lr=0.1, beta=0.9),
    Momentum(lr=0.1, beta=0.9, nesterov=True),
    Momentum(lr=0.1, beta=0.9, damped=True),
    AdaGrad(lr=0.1),
    RMSProp(lr=0.01, beta=0.9),
    RMSProp(lr=0.01, eps_inside_sqrt=True),
    Adam(lr=0.01),
    Adam(lr=0.01, bias_correction=False),
    Adam(lr=0.01, amsgrad=True),
    Adam(lr=0.01, amsgrad=True, amsgrad_max="raw"),
    AdamW(lr=0.01, weight_decay=1e-3),
    L2Penalty(Momentum(lr=0.05, beta=0.9, nesterov=True), l2=1e-3),
]


def plain_loop(model, params, X, Y, optimizer, epochs, lr_schedule=None):
    final, losses, _ = minimize(lambda p: model.loss_and_grads(p, X, Y), params, optimizer, epochs, lr_schedule)
    return final, losses


def assert_same_bits(fit, final, losses):
    assert np.array_equal(fit.losses, losses)
    assert len(fit.params) == len(final)
    for ours, theirs in zip(fit.params, final):
        assert ours.shape == theirs.shape
        assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=repr)
def test_packed_training_equals_the_plain_loop(optimizer):
    net = MLP((2, 8, 1))
    init = net.init(np.random.default_rng(123))
    X, Y = circle(n=40)
    assert _PackedParameters.applies(init, optimizer)
    assert_same_bits(train(net, init, X, Y, optimizer, 150), *plain_loop(net, init, X, Y, optimizer, 150))


@pytest.mark.parametrize(
    "optimizer",
    [SGD(lr=LRS), Momentum(lr=LRS, beta=0.9, nesterov=True), RMSProp(lr=LRS), Adam(lr=LRS),
     AdamW(lr=0.01, weight_decay=np.array([0.0, 1e-3, 1e-2])[:, None, None])],
    ids=lambda o: type(o).__name__,
)
def test_packed_batched_training_equals_the_plain_loop(optimizer):
    net = MLP((2, 8, 1))
    batch = replicate(net.init(np.random.default_rng(123)), 3)
    X, Y = xor()
    assert_same_bits(train(net, batch, X, Y, optimizer, 300), *plain_loop(net, batch, X, Y, optimizer, 300))


def test_packed_training_with_a_schedule_and_deeper_networks():
    X, Y = sine(n=16)
    for net in (MLP((1, 16, 1), output_activation="identity"), MLP((1, 5, 4, 1), activation="relu",
                                                                    output_activation="identity")):
        init = net.init(np.random.default_rng(5))
        schedule = linear_warmup(0.01, 20)
        fit = train(net, init, X, Y, Adam(lr=0.01), 80, lr_schedule=schedule)
        assert_same_bits(fit, *plain_loop(net, init, X, Y, Adam(lr=0.01), 80, schedule))


def test_unbatched_parameters_broadcast_against_a_batched_learning_rate():
    net = MLP((2, 8, 1))
    init = net.init(np.random.default_rng(0))
    X, Y = xor()
    fit = train(net, init, X, Y, SGD(lr=LRS), 1)  # one step: the update broadcasts to 3 networks
    final, _ = plain_loop(net, init, X, Y, SGD(lr=LRS), 1)
    assert [p.shape for p in fit.params] == [(3, 8, 2), (3, 8, 1), (3, 1, 8), (3, 1, 1)]
    for ours, theirs in zip(fit.params, final):
        assert np.array_equal(ours, theirs)


@dataclass(frozen=True)
class LayerwiseNormalized(Optimizer):
    """Each array's gradient divided by its own norm: not element-wise, so never packed."""

    lr: float = 0.1

    def init(self, params):
        return ()

    def update(self, params, grads, state):
        return [w - self.lr * g / np.linalg.norm(g) for w, g in zip(params, grads)], state


def test_an_optimizer_that_is_not_elementwise_sees_separate_arrays():
    net = MLP((2, 8, 1))
    init = net.init(np.random.default_rng(1))
    X, Y = xor()
    optimizer = LayerwiseNormalized()
    assert not _PackedParameters.applies(init, optimizer)
    assert_same_bits(train(net, init, X, Y, optimizer, 20), *plain_loop(net, init, X, Y, optimizer, 20))
    # Packing it anyway would change the run: one norm for all arrays.
    layout = _PackedParameters(init)
    packed = optimizer.update([layout.pack(init)], [layout.pack(net.loss_and_grads(init, X, Y)[1])], ())[0][0]
    separate = optimizer.update(init, net.loss_and_grads(init, X, Y)[1], ())[0]
    assert not np.allclose(layout.unpack(packed)[0], separate[0])


def test_packing_needs_learning_rates_that_broadcast_along_the_batch_only():
    params = MLP((2, 8, 1)).init(np.random.default_rng(0))
    assert _PackedParameters.applies(params, Adam(lr=np.full((4, 1, 1), 0.01)))
    assert not _PackedParameters.applies(params, SGD(lr=np.full((8, 2), 0.01)))  # one lr per weight entry
    assert not _PackedParameters.applies([params[0]], SGD(lr=0.1))  # nothing to pack
    assert not _PackedParameters.applies([params[0], params[1][None]], SGD(lr=0.1))  # batch shapes differ


def test_pack_and_unpack_are_inverse():
    params = replicate(MLP((3, 5, 2)).init(np.random.default_rng(2)), 4)
    layout = _PackedParameters(params)
    packed = layout.pack(params)
    assert packed.shape == (4, 1, 5 * 3 + 5 + 2 * 5 + 2)
    for original, view in zip(params, layout.unpack(packed)):
        assert np.array_equal(original, view)


def test_minimize_can_skip_recording_iterates():
    net = MLP((2, 3, 1))
    init = net.init(np.random.default_rng(3))
    X, Y = xor()

    def objective(p):
        return net.loss_and_grads(p, X, Y)

    final, losses, iterates = minimize(objective, init, SGD(lr=0.5), 5, keep_iterates=False)
    assert iterates == [] and losses.shape == (5,)
    kept_final, kept_losses, kept = minimize(objective, init, SGD(lr=0.5), 5)
    assert len(kept) == 5 and np.array_equal(kept_losses, losses)
    assert all(np.array_equal(a, b) for a, b in zip(kept[-1], final))


FAST_LRS = np.array([0.02, 0.05, 0.1])[:, None, None]


@pytest.mark.parametrize("optimizer", [SGD(lr=0.5), Momentum(lr=10 * FAST_LRS, beta=0.9), Adam(lr=FAST_LRS),
                                       AdamW(lr=0.05, weight_decay=1e-4)], ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("stop_below", [None, 0.11])
def test_packed_minibatch_training_equals_the_plain_loop(optimizer, stop_below, monkeypatch):
    net = MLP((2, 8, 1))
    batch = replicate(net.init(np.random.default_rng(123)), 3)
    X, Y = circle(n=60)
    assert _PackedParameters.applies(batch, optimizer)

    def run():
        return train_minibatch(net, batch, X, Y, optimizer, 8, 25, seeds=np.arange(3), stop_below=stop_below)

    packed = run()
    monkeypatch.setattr(_PackedParameters, "applies", staticmethod(lambda params, optimizer: False))
    plain = run()
    assert_same_bits(packed, plain.params, plain.losses)
    assert len(packed.losses) < 9 if stop_below else len(packed.losses) == 9


@pytest.mark.parametrize("optimizer", OPTIMIZERS + [DecoupledWeightDecay(SGD(lr=0.1), weight_decay=0.01,
                                                                         scale_by_lr=True)], ids=repr)
def test_with_lr_is_the_optimizer_rebuilt_with_that_rate(optimizer):
    """``with_lr`` copies the optimizer and checks the new rate alone; rebuilding it checks every field."""
    changed = optimizer.with_lr(0.25)
    if isinstance(optimizer, Wrapper):
        inner, rebuilt = optimizer.inner, replace(optimizer, inner=replace(optimizer.inner, lr=0.25))
    else:
        inner, rebuilt = optimizer, replace(optimizer, lr=0.25)
    assert changed == rebuilt and type(changed) is type(optimizer)
    assert optimizer.lr == inner.lr != 0.25  # the original is left alone
    for bad, message in [(-0.1, r"lr must lie in \[0, inf\)"), (float("nan"), "lr must be finite"),
                         (np.array([0.1, -1e-9]), r"lr must lie in \[0, inf\)"),
                         (np.array([[0.1], [np.inf]]), "lr must be finite"), ("fast", "lr must be a real number")]:
        with pytest.raises(ValueError, match=message):
            optimizer.with_lr(bad)


def test_an_array_is_checked_like_its_entries_one_by_one():
    for values in ([0.0, 0.5, 0.999], [], [0.5, 1.0], [-0.0, 0.2], [0.3, np.nan], [np.inf], [-np.inf, 0.1]):
        expected = None
        for value in values:  # the plain path: one float at a time
            try:
                check_decay_rate("beta", value)
            except ValueError as error:
                expected = expected or str(error).split(",")[0]
        try:
            check_decay_rate("beta", np.array(values))
            found = None
        except ValueError as error:
            found = str(error).split(",")[0]
        assert found == expected, values
