r"""A small fully connected network with mean-squared-error loss and backpropagation.

Layer :math:`l` computes :math:`a^{(l)} = \sigma(W^{(l)} a^{(l-1)} + b^{(l)})`
on column data (``X`` has shape ``(features, samples)``). The loss over
:math:`m` samples is

.. math:: L = \frac{1}{2m} \sum_{i=1}^{m} \lVert \hat y_i - y_i \rVert^2 .

Parameters are a list ``[W1, b1, W2, b2, ...]`` and the gradients come back in
the same order. Every array may carry one extra leading axis: a *batch* of
independent networks (one per learning rate, say), trained as one array
computation with the same code, since ``@`` broadcasts over leading axes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


SIGMOID_FLOOR = -700.0
"""Pre-activations below this are raised to it before :math:`e^{-z}` is taken."""


def sigmoid(z):
    r""":math:`\sigma(z) = 1 / (1 + e^{-z})`.

    :math:`e^{-z}` overflows float64 for :math:`z < -709.8`, so ``z`` is first
    raised to :data:`SIGMOID_FLOOR`; below it :math:`\sigma(z) < 10^{-304}`
    either way. (The equal form :math:`\tfrac12(1 + \tanh(z/2))` needs no
    floor, but NumPy's float64 ``tanh`` takes twice as long as ``exp``, and
    the sigmoid is most of a forward pass over 300 samples.) The steps work
    in place on one new array: the same arithmetic, several times faster on
    a network's small arrays than one temporary per operation.
    """
    a = np.maximum(z, SIGMOID_FLOOR)
    np.negative(a, out=a)
    np.exp(a, out=a)
    a += 1.0
    return np.divide(1.0, a, out=a)


def _sigmoid_slope(z, a):
    """:math:`\sigma'(z) = a(1 - a)` with :math:`a = \sigma(z)`, in place on one new array."""
    slope = 1.0 - a
    slope *= a
    return slope


def relu(z):
    return np.maximum(z, 0.0)


def _relu_slope(z, a):
    return (z > 0).astype(float)


def identity(z):
    return z


def _identity_slope(z, a):
    return np.ones_like(z)


ACTIVATIONS = {
    "sigmoid": (sigmoid, _sigmoid_slope),
    "relu": (relu, _relu_slope),
    "identity": (identity, _identity_slope),
}
"""Each activation with its derivative, written in terms of ``z`` and ``a = f(z)``."""


def _transpose(a):
    return a.swapaxes(-1, -2)


@dataclass(frozen=True)
class MLP:
    """A feed-forward network of the given layer ``sizes``, e.g. ``(2, 8, 1)``.

    ``activation`` is used in the hidden layers and, unless
    ``output_activation`` says otherwise, in the output layer too (the
    chapter's classifiers use a sigmoid output; a regression needs
    ``output_activation="identity"``).
    """

    sizes: tuple[int, ...]
    activation: str = "sigmoid"
    output_activation: str | None = None

    def __post_init__(self):
        if len(self.sizes) < 2 or any(int(n) < 1 for n in self.sizes):
            raise ValueError(f"sizes must list at least two positive layer widths, got {self.sizes!r}")
        for name in (self.activation, self.output_activation or self.activation):
            if name not in ACTIVATIONS:
                raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")

    def _layer_activation(self, layer: int):
        hidden, output = self._activation_pairs
        return output if layer == len(self.sizes) - 2 else hidden

    @cached_property
    def _activation_pairs(self):
        """The (function, derivative) pairs of the hidden layers and of the output layer, looked up once."""
        return ACTIVATIONS[self.activation], ACTIVATIONS[self.output_activation or self.activation]

    def init(self, rng: np.random.Generator) -> list[np.ndarray]:
        r"""Xavier-style weights :math:`W \sim \mathcal N(0, 2/(n_{in}+n_{out}))` and zero biases.

        Layers are drawn in order from ``rng`` with ``standard_normal((n_out, n_in))``
        (Glorot & Bengio 2010 use the same variance).
        """
        params = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            params.append(rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / (n_in + n_out)))
            params.append(np.zeros((n_out, 1)))
        return params

    def forward(self, params, X) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Pre-activations ``zs`` and activations ``activations`` (``activations[0] = X``)."""
        zs, activations = [], [X]
        for layer in range(len(params) // 2):
            W, b = params[2 * layer], params[2 * layer + 1]
            f, _ = self._layer_activation(layer)
            z = W @ activations[-1]
            z += b
            zs.append(z)
            activations.append(f(zs[-1]))
        return zs, activations

    def predict(self, params, X) -> np.ndarray:
        return self.forward(params, X)[1][-1]

    def loss(self, params, X, Y):
        """The mean-squared error; one value per network of a batch."""
        return mse(self.predict(params, X), Y)

    def loss_and_grads(self, params, X, Y):
        r"""The loss and its gradient by backpropagation.

        With :math:`\delta^{(L)} = (\hat y - y)/m \odot \sigma'(z^{(L)})` and
        :math:`\delta^{(l)} = (W^{(l+1)})^\top \delta^{(l+1)} \odot \sigma'(z^{(l)})`,
        the gradients are :math:`\partial L/\partial W^{(l)} = \delta^{(l)} (a^{(l-1)})^\top`
        and :math:`\partial L/\partial b^{(l)} = \sum_i \delta^{(l)}_i`.
        """
        return self.backprop(params, X, Y, [None] * len(params))

    def backprop(self, params, X, Y, grads: list):
        """:meth:`loss_and_grads`, writing gradient ``i`` into ``grads[i]`` when that is an array.

        Returns the loss and ``grads``. A runner that trains for many steps
        passes views of one preallocated array (see :func:`optlab.training.train`),
        so no step allocates new gradient arrays; ``None`` entries get new arrays.
        """
        zs, activations = self.forward(params, X)
        residual = activations[-1] - Y
        samples = np.shape(Y)[-1]
        error = residual / samples
        for layer in reversed(range(len(zs))):
            _, slope = self._layer_activation(layer)
            delta = slope(zs[layer], activations[layer + 1])
            delta *= error
            grads[2 * layer] = np.matmul(delta, _transpose(activations[layer]), out=grads[2 * layer])
            grads[2 * layer + 1] = np.add.reduce(delta, axis=-1, keepdims=True, out=grads[2 * layer + 1])
            if layer > 0:  # the input layer's error would go unused
                error = _transpose(params[2 * layer]) @ delta
        return _half_mean_square(residual, samples), grads


def mse(y_hat, Y):
    r""":math:`\frac{1}{2m}\sum_i \lVert \hat y_i - y_i\rVert^2` over the last two axes."""
    return _half_mean_square(y_hat - Y, np.shape(Y)[-1])


def _half_mean_square(residual, samples: int):
    return 0.5 * np.add.reduce(residual**2, axis=(-2, -1)) / samples


def replicate(params, copies: int) -> list[np.ndarray]:
    """Stack ``copies`` identical networks along a new leading batch axis."""
    return [np.repeat(p[np.newaxis], copies, axis=0) for p in params]
