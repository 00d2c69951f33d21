"""Runners: an optimizer on a loss surface, or on a network and a data set.

Both return plain arrays, so a notebook cell reads like a sentence::

    path = run_on_surface(ILL_CONDITIONED, Momentum(lr=0.012), steps=80)
    fit = train(MLP((2, 8, 1)), params, X, Y, Adam(lr=0.01), epochs=2000)

Each call makes a fresh optimizer state with ``optimizer.init``: runs never
share state. A learning-rate schedule, if given, maps the step index
``t = 0, 1, ...`` to the learning rate used at that step.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from typing import Callable

import numpy as np

from .network import MLP
from .optimizers import Optimizer
from .surfaces import Surface

__all__ = ["minimize", "run_on_surface", "train", "train_each", "descend_network", "Trajectory", "Training",
           "epochs_to_reach"]

RateAtStep = Callable[[int], float]
"""What a runner's ``lr_schedule`` is: any function from the step index to the learning rate
(a schedule of :mod:`optlab.schedules`, or a function of one's own)."""


def minimize(
    objective,
    params,
    optimizer: Optimizer,
    steps: int,
    lr_schedule: RateAtStep | None = None,
    *,
    keep_iterates: bool = True,
):
    """Run ``steps`` updates on ``objective(params) -> (loss, grads)``.

    Returns the final parameters, the loss *before* each update (length
    ``steps``), and the parameters after every update (length ``steps``;
    an empty list with ``keep_iterates=False``, which saves the memory).
    The gradient is taken where the optimizer asks
    (``optimizer.gradient_point``); the recorded loss is always at the
    parameters themselves.
    """
    params = [np.asarray(p, dtype=float) for p in params]
    return _descend(objective, lambda p: objective(p)[0], params, optimizer, steps,
                    lr_schedule=lr_schedule, keep_iterates=keep_iterates)


def _descend(objective, loss_at, params, optimizer, steps, *, lr_schedule=None, keep_iterates=True,
             grads_match=False):
    """The loop of :func:`minimize`.

    ``loss_at(params)`` is the loss alone (a look-ahead optimizer needs it at
    :math:`w_t`); ``grads_match=True`` says the objective's gradients always
    have the parameters' shapes, so the per-step check can be skipped.
    """
    state = optimizer.init(params)
    losses, iterates = [], []
    current = optimizer
    for t in range(steps):
        if lr_schedule is not None:
            lr = lr_schedule(t)
            if t == 0 or not np.array_equal(lr, current.lr):  # a warmup holds its lr after T steps
                current = optimizer.with_lr(lr)
        point = current.gradient_point(params, state)
        loss, grads = objective(point)
        if point is not params:  # a look-ahead optimizer: record the loss at w_t itself
            loss = loss_at(params)
        params, state = (current.update if grads_match else current.step)(params, grads, state)
        losses.append(loss)
        if keep_iterates:
            iterates.append(params)
    return params, np.array(losses), iterates


class _PackedParameters:
    """Parameter arrays of shape ``(*batch, rows, cols)`` laid side by side in one array.

    The packed array has shape ``(*batch, 1, total)``, so a learning rate of
    shape ``(batch, 1, 1)`` broadcasts against it as against every parameter.
    An element-wise optimizer then updates all parameters with one NumPy
    operation per line of its algorithm box instead of one per array, which
    is most of the cost of a step of a small network.
    """

    def __init__(self, params):
        self.shapes = [p.shape[-2:] for p in params]
        ends = np.cumsum([rows * cols for rows, cols in self.shapes])
        self.slices = [slice(end - rows * cols, end) for end, (rows, cols) in zip(ends, self.shapes)]

    @staticmethod
    def applies(params, optimizer: Optimizer) -> bool:
        """Whether packing changes nothing: an element-wise optimizer, matrices with one batch shape."""
        if len(params) < 2 or not optimizer.elementwise or any(np.ndim(p) < 2 for p in params):
            return False
        if len({p.shape[:-2] for p in params}) != 1:
            return False
        # Array hyperparameters must broadcast along the batch axes only.
        return all(all(n == 1 for n in np.shape(h)[-2:]) for h in _hyperparameters(optimizer))

    def pack(self, arrays):
        return np.concatenate([a.reshape(a.shape[:-2] + (1, -1)) for a in arrays], axis=-1)

    def unpack(self, packed):
        batch = packed.shape[:-2]
        return [packed[..., 0, part].reshape(batch + shape) for part, shape in zip(self.slices, self.shapes)]


class _Workspace:
    """A packed copy of the parameters and a packed gradient, with their views made once.

    ``load(packed)`` copies the parameters in and returns the per-array
    views the network reads; backpropagation writes into ``grad_views``,
    which are views of ``grads``. Copying one array is cheaper than
    slicing and reshaping every parameter at every step.
    """

    def __init__(self, layout: _PackedParameters):
        self.layout = layout
        self.params = self.grads = None

    def load(self, packed):
        if self.params is None or self.params.shape != packed.shape:  # the first step may broadcast
            self.params, self.grads = np.empty_like(packed), np.empty_like(packed)
            self.param_views = self.layout.unpack(self.params)
            self.grad_views = self.layout.unpack(self.grads)
        np.copyto(self.params, packed)
        return self.param_views


def _hyperparameters(optimizer: Optimizer):
    """Every hyperparameter value of ``optimizer`` and of the optimizers it wraps."""
    if is_dataclass(optimizer):
        values = [getattr(optimizer, f.name) for f in fields(optimizer)]
    else:
        values = vars(optimizer).values()
    for value in values:
        if isinstance(value, Optimizer):
            yield from _hyperparameters(value)
        else:
            yield value


@dataclass(frozen=True)
class Trajectory:
    r"""A run on a surface: ``path[t]`` is :math:`w_t` for t = 0..steps, ``losses[t]`` its loss.

    ``step_sizes[t]``, when the run was asked for them, is the element-wise
    step size :math:`\eta_t / (\sqrt{s_t} + \epsilon)` that an adaptive
    optimizer holds after update t (:meth:`optlab.optimizers.Optimizer.effective_lr`),
    shape ``(steps, *w.shape)``; ``None`` otherwise.
    """

    path: np.ndarray
    losses: np.ndarray
    step_sizes: np.ndarray | None = None


def run_on_surface(
    surface: Surface, optimizer: Optimizer, steps: int, start=None, lr_schedule: RateAtStep | None = None, *,
    step_sizes: bool = False,
) -> Trajectory:
    """Run ``optimizer`` for ``steps`` steps on ``surface`` from ``start`` (default ``surface.start``).

    The gradient is taken where the optimizer asks
    (:meth:`~optlab.optimizers.Optimizer.gradient_point`); the losses are
    computed for the whole path at the end, in one call. With
    ``step_sizes=True`` an adaptive optimizer's step sizes are recorded
    after every update, so that no second pass has to replay the gradients.
    Under a schedule the optimizer is rebuilt only at the steps where the
    rate changes.
    """
    start = np.asarray(surface.start if start is None else start, dtype=float)
    rates = None if lr_schedule is None else [lr_schedule(t) for t in range(steps)]
    path = np.empty((steps + 1,) + start.shape)
    path[0] = start
    sizes = np.empty((steps,) + start.shape) if step_sizes else None
    params, state, current = [start], optimizer.init([start]), optimizer
    for t in range(steps):
        if rates is not None and (t == 0 or not np.array_equal(rates[t], rates[t - 1])):
            current = optimizer.with_lr(rates[t])
        point = current.gradient_point(params, state)
        params, state = current.update(params, [surface.grad(point[0])], state)
        path[t + 1] = params[0]
        if sizes is not None:
            sizes[t] = current.effective_lr(state)[0]
    return Trajectory(path=path, losses=surface.loss(path), step_sizes=sizes)


@dataclass(frozen=True)
class Training:
    """A training run: final ``params`` and ``losses[e]``, the loss at the start of epoch e."""

    params: list
    losses: np.ndarray

    @property
    def final_loss(self):
        """The loss of the last epoch, as the chapter's tables report it."""
        return self.losses[-1]


def train(
    model: MLP, params, X, Y, optimizer: Optimizer, epochs: int, lr_schedule: RateAtStep | None = None
) -> Training:
    """Full-batch training: one gradient step on all of ``X`` per epoch.

    ``params`` is left untouched, so one initialisation can serve every
    optimizer. With batched parameters (a leading axis, see
    :func:`optlab.network.replicate`) ``losses`` has shape ``(epochs, batch)``.
    """

    final, losses = descend_network(lambda p, grads: model.backprop(p, X, Y, grads), lambda p: model.loss(p, X, Y),
                                   params, optimizer, epochs, lr_schedule)
    return Training(params=final, losses=losses)


def descend_network(backprop, loss_at, params, optimizer: Optimizer, steps: int, lr_schedule=None):
    """The loop of :func:`train` and :func:`optlab.noise.train_minibatch`: ``steps`` updates of a network.

    ``backprop(params, grads) -> (loss, grads)`` is the loss and its gradient
    at ``params``, each gradient written into ``grads[i]`` when that is an
    array (:meth:`optlab.network.MLP.backprop`); ``loss_at(params)`` is the
    loss alone, which only a look-ahead optimizer asks for (``None`` where
    none is used). When packing changes nothing (an element-wise optimizer,
    see ``_PackedParameters``) the run is made on the parameters packed into
    one array: bit for bit the same numbers, at a fraction of the cost per
    step. Returns the final parameters (new arrays) and the loss before each
    update.
    """
    params = [np.asarray(p, dtype=float) for p in params]
    if not _PackedParameters.applies(params, optimizer):
        final, losses, _ = _descend(lambda p: backprop(p, [None] * len(p)), loss_at, params, optimizer, steps,
                                    lr_schedule=lr_schedule, keep_iterates=False)
        return final, losses

    layout = _PackedParameters(params)
    work = _Workspace(layout)

    def objective(packed):
        loss, _ = backprop(work.load(packed[0]), work.grad_views)
        return loss, [work.grads.copy()]  # a new array: an optimizer may keep the gradient it is given

    def packed_loss_at(packed):
        return loss_at(work.load(packed[0]))

    final, losses, _ = _descend(objective, packed_loss_at, [layout.pack(params)], optimizer, steps,
                                lr_schedule=lr_schedule, keep_iterates=False, grads_match=True)
    return [p.copy() for p in layout.unpack(final[0])], losses


def train_each(model: MLP, params, X, Y, optimizers: dict, epochs: int) -> dict:
    """Full-batch training of one copy of ``params`` with each of ``optimizers`` (name -> optimizer), side by side.

    The result is ``{name: train(model, params, X, Y, optimizer, epochs)}``,
    number for number, but the copies lie along one batch axis: each epoch
    makes one forward and backward pass for all of them, and then each
    optimizer updates its own copies. On a small data set, where a pass
    costs little more for four networks than for one, that is most of the
    time of a run. ``params`` may have a batch axis of its own (several
    initialisations); every optimizer must be element-wise, and an array
    hyperparameter must broadcast along that batch axis.
    """
    arrays = [np.asarray(p, dtype=float) for p in params]
    single = arrays[0].ndim == 2  # one network: give it a batch axis of one, removed again at the end
    if single:
        arrays = [a[np.newaxis] for a in arrays]
    if not all(_PackedParameters.applies(arrays, optimizer) for optimizer in optimizers.values()):
        raise ValueError("train_each needs element-wise optimizers and parameters with one batch shape")
    batch = len(arrays[0])
    copies = [np.concatenate([a] * len(optimizers)) for a in arrays]
    layout = _PackedParameters(copies)
    work = _Workspace(layout)
    packed = layout.pack(copies)
    blocks = [slice(k * batch, (k + 1) * batch) for k in range(len(optimizers))]
    states = [optimizer.init([packed[block]]) for optimizer, block in zip(optimizers.values(), blocks)]
    losses = np.empty((epochs, len(packed)))
    points = np.empty_like(packed)
    for t in range(epochs):
        looked_ahead = False
        for optimizer, block, state in zip(optimizers.values(), blocks, states):
            own = [packed[block]]
            point = optimizer.gradient_point(own, state)
            looked_ahead |= point is not own
            points[block] = point[0]
        losses[t], _ = model.backprop(work.load(points), X, Y, work.grad_views)
        if looked_ahead:  # the loss is recorded at the parameters themselves
            losses[t] = model.loss(work.load(packed), X, Y)
        for k, (optimizer, block) in enumerate(zip(optimizers.values(), blocks)):
            stepped, states[k] = optimizer.update([packed[block]], [work.grads[block].copy()], states[k])
            packed[block] = stepped[0]
    runs = {}
    for name, block in zip(optimizers, blocks):
        final = [p.copy() for p in layout.unpack(packed[block])]
        runs[name] = Training(params=[p[0] for p in final] if single else final,
                              losses=losses[:, block.start] if single else losses[:, block])
    return runs


def epochs_to_reach(losses, threshold: float) -> int | None:
    """The first epoch whose loss is below ``threshold``, or ``None`` if none is."""
    below = np.flatnonzero(np.asarray(losses) < threshold)
    return int(below[0]) if below.size else None
