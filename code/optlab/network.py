r"""A small fully connected network with backpropagation, for regression or classification.

Layer :math:`l` computes :math:`a^{(l)} = \sigma(W^{(l)} a^{(l-1)} + b^{(l)})`
on column data (``X`` has shape ``(features, samples)``). The loss over
:math:`m` samples is the mean squared error

.. math:: L = \frac{1}{2m} \sum_{i=1}^{m} \lVert \hat y_i - y_i \rVert^2

or, for a classifier over :math:`K` classes, the softmax cross-entropy of the
output layer's values :math:`z_i` (the *logits*) against the targets
:math:`y_i` (one-hot columns),

.. math:: L = -\frac{1}{m} \sum_{i=1}^{m} \sum_{k=1}^{K} y_{ik} \log p_{ik}, \qquad
          p_{ik} = \frac{e^{z_{ik}}}{\sum_{j} e^{z_{ij}}} .

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


def sigmoid(z, in_place: bool = False):
    r""":math:`\sigma(z) = 1 / (1 + e^{-z})`.

    :math:`e^{-z}` overflows float64 for :math:`z < -709.8`, so ``z`` is first
    raised to :data:`SIGMOID_FLOOR`; below it :math:`\sigma(z) < 10^{-304}`
    either way. (The equal form :math:`\tfrac12(1 + \tanh(z/2))` needs no
    floor, but NumPy's float64 ``tanh`` takes twice as long as ``exp``, and
    the sigmoid is most of a forward pass over 300 samples.) The steps work
    in place on one new array (on ``z`` itself with ``in_place=True``): the
    same arithmetic, several times faster on a network's small arrays than
    one temporary per operation.
    """
    a = np.maximum(z, SIGMOID_FLOOR, out=z if in_place else None)
    np.negative(a, out=a)
    np.exp(a, out=a)
    a += 1.0
    return np.divide(1.0, a, out=a)


def _sigmoid_slope(z, a):
    r""":math:`\sigma'(z) = a(1 - a)` with :math:`a = \sigma(z)`, in place on one new array."""
    slope = 1.0 - a
    slope *= a
    return slope


def relu(z, in_place: bool = False):
    return np.maximum(z, 0.0, out=z if in_place else None)


def _relu_slope(z, a):
    return (z > 0).astype(float)


def identity(z, in_place: bool = False):
    return z


def _identity_slope(z, a):
    return np.ones_like(z)


ACTIVATIONS = {
    "sigmoid": (sigmoid, _sigmoid_slope),
    "relu": (relu, _relu_slope),
    "identity": (identity, _identity_slope),
}
"""Each activation with its derivative, written in terms of ``z`` and ``a = f(z)``.

``f(z, in_place=True)`` may overwrite ``z`` with ``a``, for a forward pass
that keeps no pre-activation (:meth:`optlab.network.MLP.predict`)."""


def softmax(z):
    r"""The probabilities :math:`p_k = e^{z_k} / \sum_j e^{z_j}` of each column of ``z`` (classes along axis -2).

    The largest logit of each column is subtracted first, so no exponential
    overflows; the result is the same.
    """
    e = np.exp(z - z.max(axis=-2, keepdims=True))
    return e / e.sum(axis=-2, keepdims=True)


def mse(y_hat, Y):
    r""":math:`\frac{1}{2m}\sum_i \lVert \hat y_i - y_i\rVert^2` over the last two axes."""
    return _half_mean_square(y_hat - Y, np.shape(Y)[-1])


def _half_mean_square(residual, samples: int):
    return 0.5 * np.add.reduce(residual**2, axis=(-2, -1)) / samples


def _mse_and_error(outputs, Y):
    r"""The mean squared error and its gradient with respect to the outputs, :math:`(\hat y - y)/m`."""
    residual = outputs - Y
    samples = np.shape(Y)[-1]
    return _half_mean_square(residual, samples), residual / samples


def cross_entropy(logits, Y):
    r"""The softmax cross-entropy :math:`-\frac1m \sum_i \sum_k y_{ik} \log p_{ik}`, one value per network.

    ``logits`` and ``Y`` have shape ``(..., classes, samples)``; the columns
    of ``Y`` are one-hot (or, more generally, probabilities that sum to one).
    Computed as :math:`\log \sum_j e^{z_{ij} - c_i} - (z_{ik} - c_i)` with
    :math:`c_i = \max_j z_{ij}`, which neither overflows nor loses a small
    probability to rounding. PyTorch: ``torch.nn.functional.cross_entropy``
    on the transposed logits.
    """
    return _cross_entropy_parts(logits, Y)[0]


def _cross_entropy_parts(logits, Y):
    r"""The cross-entropy, :math:`e^{z - c}` and its sums over the classes (what its gradient is made of)."""
    shifted = logits - logits.max(axis=-2, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=-2, keepdims=True)
    shifted -= np.log(total)  # now log p
    return -np.add.reduce(Y * shifted, axis=(-2, -1)) / np.shape(Y)[-1], e, total


def _cross_entropy_and_error(logits, Y):
    r"""The cross-entropy and its gradient with respect to the logits, :math:`(p - y)/m`."""
    loss, e, total = _cross_entropy_parts(logits, Y)
    return loss, (e / total - Y) / np.shape(Y)[-1]


LOSSES = {
    "mse": mse,
    "cross_entropy": cross_entropy,
}
"""Each loss alone: ``loss(outputs, Y)``, one value per network."""

CRITERIA = {
    "mse": _mse_and_error,
    "cross_entropy": _cross_entropy_and_error,
}
"""Each loss with its gradient: ``criterion(outputs, Y) -> (loss, dL/d outputs)``, one loss per network."""


def _transpose(a):
    return a.swapaxes(-1, -2)


def _back_through(W, delta):
    r""":math:`W^\top \delta`, the error one layer down.

    A layer with a single output (the last of a 2-8-1 network) makes it an
    outer product, which ``matmul`` computes several times slower than the
    broadcast product; with one term in each sum the two are the same numbers.
    """
    if W.shape[-2] == 1:
        return _transpose(W) * delta
    return _transpose(W) @ delta


@dataclass(frozen=True)
class MLP:
    """A feed-forward network of the given layer ``sizes``, e.g. ``(2, 8, 1)``.

    ``activation`` is used in the hidden layers and, unless
    ``output_activation`` says otherwise, in the output layer too (the
    chapter's classifiers use a sigmoid output; a regression needs
    ``output_activation="identity"``).

    ``criterion`` is the loss: ``"mse"``, the mean squared error, or
    ``"cross_entropy"``, the softmax cross-entropy of a classifier, whose
    output layer is then linear (its values are the logits, and
    ``output_activation`` must be left out or ``"identity"``), e.g.
    ``MLP((64, 32, 10), activation="relu", criterion="cross_entropy")``.
    """

    sizes: tuple[int, ...]
    activation: str = "sigmoid"
    output_activation: str | None = None
    criterion: str = "mse"

    def __post_init__(self):
        if len(self.sizes) < 2 or any(int(n) < 1 for n in self.sizes):
            raise ValueError(f"sizes must list at least two positive layer widths, got {self.sizes!r}")
        for name in (self.activation, self._output_activation):
            if name not in ACTIVATIONS:
                raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
        if self.criterion not in CRITERIA:
            raise ValueError(f"criterion must be one of {sorted(CRITERIA)}, got {self.criterion!r}")
        if self.criterion == "cross_entropy" and self._output_activation != "identity":
            raise ValueError(f"criterion 'cross_entropy' takes the logits of a linear output layer, "
                             f"got output_activation={self.output_activation!r}")

    @property
    def _output_activation(self) -> str:
        if self.output_activation is not None:
            return self.output_activation
        return "identity" if self.criterion == "cross_entropy" else self.activation

    def _layer_activation(self, layer: int):
        hidden, output = self._activation_pairs
        return output if layer == len(self.sizes) - 2 else hidden

    @cached_property
    def _activation_pairs(self):
        """The (function, derivative) pairs of the hidden layers and of the output layer, looked up once."""
        return ACTIVATIONS[self.activation], ACTIVATIONS[self._output_activation]

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

    @staticmethod
    def _pre_activation(params, layer: int, a):
        """:math:`z = W a + b` of ``layer``, a new array."""
        z = params[2 * layer] @ a
        z += params[2 * layer + 1]
        return z

    def forward(self, params, X) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Pre-activations ``zs`` and activations ``activations`` (``activations[0] = X``)."""
        zs, activations = [], [X]
        for layer in range(len(params) // 2):
            zs.append(self._pre_activation(params, layer, activations[-1]))
            activations.append(self._layer_activation(layer)[0](zs[-1]))
        return zs, activations

    def predict(self, params, X) -> np.ndarray:
        """The outputs: :meth:`forward`'s last activation, each layer's computed in place, nothing else kept."""
        a = X
        for layer in range(len(params) // 2):
            a = self._layer_activation(layer)[0](self._pre_activation(params, layer, a), in_place=True)
        return a

    def loss(self, params, X, Y):
        """The loss (``criterion``); one value per network of a batch."""
        return LOSSES[self.criterion](self.predict(params, X), Y)

    def accuracy(self, params, X, Y):
        """The fraction of samples whose largest output is in the row of their one-hot target; one per network.

        A tie between the largest outputs goes to the first of them, as in ``np.argmax``.
        """
        hits = self.predict(params, X).argmax(axis=-2) == np.asarray(Y).argmax(axis=-2)
        return hits.mean(axis=-1)

    def loss_and_grads(self, params, X, Y):
        r"""The loss and its gradient by backpropagation.

        With :math:`\delta^{(L)} = \partial L/\partial a^{(L)} \odot \sigma'(z^{(L)})`, where
        :math:`\partial L/\partial a^{(L)}` is :math:`(\hat y - y)/m` for the mean squared
        error and :math:`(p - y)/m` for the cross-entropy on the logits, and
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
        loss, error = CRITERIA[self.criterion](activations[-1], Y)
        for layer in reversed(range(len(zs))):
            _, slope = self._layer_activation(layer)
            delta = slope(zs[layer], activations[layer + 1])
            delta *= error
            grads[2 * layer] = np.matmul(delta, _transpose(activations[layer]), out=grads[2 * layer])
            grads[2 * layer + 1] = np.add.reduce(delta, axis=-1, keepdims=True, out=grads[2 * layer + 1])
            if layer > 0:  # the input layer's error would go unused
                error = _back_through(params[2 * layer], delta)
        return loss, grads


def replicate(params, copies: int) -> list[np.ndarray]:
    """Stack ``copies`` identical networks along a new leading batch axis."""
    return [np.repeat(p[np.newaxis], copies, axis=0) for p in params]


def stack(networks) -> list[np.ndarray]:
    """Stack different networks of one architecture (a list of parameter lists) along a new leading batch axis.

    E.g. ``stack([model.init(np.random.default_rng(s)) for s in seeds])``:
    one initialisation per seed, trained as one batch.
    """
    return [np.stack(arrays) for arrays in zip(*networks)]
