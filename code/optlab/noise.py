r"""Noisy gradients: a portable random generator, a noisy-gradient oracle and mini-batches.

The generator. Every random number of this module is a pure function of a
seed and a counter, :math:`x = \operatorname{mix}(\operatorname{mix}(s) + (k+1)\gamma)
\bmod 2^{64}`, where :math:`\operatorname{mix}` is the finaliser of SplitMix64
(Steele, Lea & Flood 2014; the constants are those of Vigna's public-domain
``splitmix64.c``) and :math:`\gamma = \texttt{0x9E3779B97F4A7C15}`. For a fixed
seed, counters 0, 1, 2, ... give exactly SplitMix64's sequence started from
:math:`\operatorname{mix}(s)`. Counter-based, it needs no state: the numbers of
step :math:`t` of seed :math:`s` are computed directly, for all seeds of a batch
at once.

Normal deviates. A deviate is the sum of twelve uniforms minus 6 (the
Irwin–Hall construction): each 64-bit output gives two uniforms
:math:`(k + \tfrac12)/2^{32}` in (0, 1) from its two 32-bit halves, so six
outputs make one deviate. Its mean is 0 and its variance :math:`1 - 2^{-64}`; it lies in
:math:`[-6, 6]` and its excess kurtosis is :math:`-0.1`, close enough to a normal
for additive gradient noise, whose effect on the runs below depends on the
variance alone. The reason for this choice over Box–Muller is portability:
every uniform is a 33-bit binary fraction and every partial sum fits in 38
bits, so each deviate is *exact* in float64, and the same integer
operations in JavaScript (``BigInt`` or 32-bit halves) give the same numbers
bit for bit. Box–Muller's ``log`` and ``cos`` are not correctly rounded, and
their last bits differ between libms and JavaScript engines.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .network import MLP
from .optimizers import Optimizer
from .surfaces import Surface
from .training import Training, Trajectory, descend_network, run_on_surface

__all__ = [
    "mix64", "random_bits", "standard_normal", "GradientNoise", "run_noisy", "expected_sgd_loss", "epoch_order", "batches_per_epoch",
    "train_minibatch",
]

GOLDEN_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TWO_TO_32 = 4294967296.0
UNIFORMS_PER_NORMAL = 12
BLOCK_OUTPUTS = 1 << 18


def mix64(x):
    r"""SplitMix64's finaliser on unsigned 64-bit integers, element-wise, arithmetic modulo :math:`2^{64}`.

    .. math:: z \leftarrow (z \oplus (z \gg 30))\, c_1;\quad z \leftarrow (z \oplus (z \gg 27))\, c_2;\quad
              z \oplus (z \gg 31)
    """
    z = np.array(x, dtype=np.uint64)  # a copy, updated in place below
    with np.errstate(over="ignore"):  # the wrap-around modulo 2^64 is the algorithm
        z ^= z >> np.uint64(30)
        z *= _MIX1
        z ^= z >> np.uint64(27)
        z *= _MIX2
    z ^= z >> np.uint64(31)
    return z


def random_bits(seeds, counters):
    """64 random bits for every pair (seed, counter), broadcast against each other.

    Counter ``k`` of seed ``s`` is SplitMix64's output number ``k`` from the
    state ``mix64(s)``.
    """
    key = mix64(np.asarray(seeds, dtype=np.uint64))
    counters = np.asarray(counters, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return mix64(key + (counters + np.uint64(1)) * GOLDEN_GAMMA)


def standard_normal(seeds, first: int, count: int) -> np.ndarray:
    r"""Approximately standard normal deviates number ``first`` to ``first + count - 1`` of each seed.

    ``seeds`` is a 1-D array; the result has shape ``(len(seeds), count)``.
    Deviate :math:`j` of seed :math:`s` is made of the outputs with counters
    :math:`6j, \dots, 6j+5`: with :math:`h_i, \ell_i` the high and low 32 bits
    of output :math:`i`, it is

    .. math:: z = \sum_{i=0}^{5} \Bigl(\frac{h_i + \tfrac12}{2^{32}} + \frac{\ell_i + \tfrac12}{2^{32}}\Bigr) - 6
              = \frac{S + 6}{2^{32}} - 6, \qquad S = \sum_{i=0}^{5} (h_i + \ell_i),

    computed in the second form: :math:`S` is an integer below :math:`2^{36}`,
    and each operation after it is exact in float64 (see the module's
    docstring for why this sum of uniforms).
    """
    per_normal = UNIFORMS_PER_NORMAL // 2
    seeds = np.asarray(seeds, dtype=np.uint64)
    deviates = np.empty((len(seeds), count))
    # Blocks of about BLOCK_OUTPUTS outputs: the integer temporaries then stay
    # in the cache, several times faster than one pass over all of them.
    block = max(1, BLOCK_OUTPUTS // (per_normal * max(len(seeds), 1)))
    for start in range(0, count, block):
        size = min(block, count - start)
        counters = np.arange((first + start) * per_normal, (first + start + size) * per_normal, dtype=np.uint64)
        bits = random_bits(seeds[:, None], counters[None, :])
        halves = (bits >> np.uint64(32)) + (bits & np.uint64(0xFFFFFFFF))
        total = halves.reshape(len(seeds), size, per_normal).sum(axis=-1)
        deviates[:, start:start + size] = (total.astype(np.float64) + per_normal) / _TWO_TO_32 - 6.0
    return deviates


@dataclass(frozen=True)
class GradientNoise:
    r"""The oracle :math:`\tilde g = \nabla L(w) + \sigma z` with :math:`z` approximately :math:`\mathcal N(0, I)`.

    One run per entry of ``seeds``; ``scale`` (:math:`\sigma`) is a number or
    an array that broadcasts against the batch, e.g. ``scale=sigmas[:, None]``
    for one noise level per run. The noise of the :math:`k`-th gradient
    evaluation of a run with seed :math:`s` is the block of deviates
    :math:`kd, \dots, kd + d - 1` of :func:`standard_normal` (:math:`d` the
    dimension), so every run is reproducible on its own and a batch of runs
    is one array computation.
    """

    scale: float | np.ndarray
    seeds: np.ndarray

    def draws(self, evaluations: int, dim: int) -> np.ndarray:
        """:math:`\\sigma z` for gradient evaluations 0 to ``evaluations - 1``: shape ``(len(seeds), evaluations, dim)``."""
        seeds = np.asarray(self.seeds)
        scale = np.broadcast_to(np.asarray(self.scale, dtype=float)[..., None], (len(seeds), 1, 1))
        noisy = np.flatnonzero(scale[:, 0, 0])  # runs without noise need no deviates
        z = np.zeros((len(seeds), evaluations, dim))
        z[noisy] = standard_normal(seeds[noisy], 0, evaluations * dim).reshape(len(noisy), evaluations, dim)
        return scale * z


def _check_not_look_ahead(optimizer: Optimizer, params) -> None:
    """Refuse an optimizer that takes its gradient away from the parameters (Nesterov) in :func:`train_minibatch`.

    Its run would record the loss at :math:`w_t` rather than at the
    gradient point, a second evaluation with no mini-batch of its own.
    """
    if optimizer.gradient_point(params, optimizer.init(params)) is not params:
        raise ValueError("a look-ahead optimizer (Nesterov) is not supported by train_minibatch")


@dataclass(frozen=True)
class _NoisySurface:
    """``surface`` seen through a noisy oracle: its own loss, and its gradient plus the next draw of ``draws``."""

    surface: Surface
    draws: Iterator[np.ndarray]

    def loss(self, w):
        return self.surface.loss(w)

    def grad(self, w):
        return self.surface.grad(w) + next(self.draws)


def run_noisy(surface: Surface, optimizer: Optimizer, steps: int, noise: GradientNoise, start=None,
              lr_schedule=None, *, step_sizes: bool = False) -> Trajectory:
    r"""Run ``optimizer`` on ``surface`` with the noisy gradients of ``noise``, one run per seed.

    ``start`` defaults to ``surface.start`` for every run; the losses are
    those of the true surface. Update :math:`t` uses noise draw :math:`t`,
    :math:`\tilde g_t = \nabla L(p_t) + \sigma z_t`, where :math:`p_t` is the
    optimizer's gradient point: :math:`w_t`, or Nesterov's look-ahead
    :math:`w_t - \eta\beta b_t`. The run is :func:`optlab.training.run_on_surface`'s,
    which asks for one gradient per update and computes the losses from the
    path afterwards, so no draw is ever spent on a loss; with
    ``step_sizes=True`` it records an adaptive optimizer's step sizes after
    every update. All the draws are made before the run starts.
    """
    runs = len(noise.seeds)
    start = np.broadcast_to(np.asarray(surface.start if start is None else start, dtype=float), (runs, 2))
    draws = iter(noise.draws(steps, start.shape[-1]).swapaxes(0, 1))  # one (runs, 2) block per step
    return run_on_surface(_NoisySurface(surface, draws), optimizer, steps, start=start, lr_schedule=lr_schedule,
                          step_sizes=step_sizes)


def expected_sgd_loss(surface: Surface, rates, sigma: float, checkpoints) -> np.ndarray:
    r"""The mean loss of SGD with the noisy gradients of :class:`GradientNoise`, exactly, at each checkpoint step.

    On an axis-aligned quadratic :math:`L(w) = \tfrac12 \sum_i \lambda_i w_i^2`
    (``surface.hessian`` diagonal, minimum at 0), SGD with rates
    :math:`\eta_t` moves each coordinate by
    :math:`w_{t+1,i} = (1 - \eta_t\lambda_i)\, w_{t,i} - \eta_t \sigma z_{t,i}`, so
    its second moment :math:`q_{t,i} = \mathbb E[w_{t,i}^2]` obeys
    :math:`q_{t+1,i} = a_{t,i}\, q_{t,i} + \eta_t^2\sigma^2` with
    :math:`a_{t,i} = (1 - \eta_t\lambda_i)^2`, whose solution is

    .. math:: q_{T,i} = \Bigl(\prod_{s<T} a_{s,i}\Bigr) w_{0,i}^2
              + \sigma^2 \sum_{t<T} \eta_t^2 \prod_{t<s<T} a_{s,i},
              \qquad \mathbb E[L(w_T)] = \sum_i \tfrac12 \lambda_i\, q_{T,i}.

    The products are running products from the end (no division, so a
    factor :math:`a = 0` or an underflow is harmless). ``rates[t]`` is
    :math:`\eta_t` for :math:`t < \max(\text{checkpoints})`; returns
    :math:`\mathbb E[L(w_T)]` for each :math:`T` in ``checkpoints``. The deviates
    of :func:`standard_normal` have variance :math:`1 - 2^{-64}`, which this
    takes as 1.
    """
    hessian = np.asarray(surface.hessian, dtype=float)
    if np.any(hessian != np.diag(np.diag(hessian))) or np.any(np.asarray(surface.minima[0]) != 0):
        raise ValueError("expected_sgd_loss needs a quadratic with a diagonal Hessian and its minimum at 0")
    curvatures, start = np.diag(hessian), np.asarray(surface.start, dtype=float)
    rates = np.asarray(rates, dtype=float)
    losses = []
    for steps in checkpoints:
        eta = rates[:steps, None]
        after = np.cumprod(((1 - eta * curvatures) ** 2)[::-1], axis=0)[::-1]  # after[t] = prod over s >= t
        later = np.concatenate([after[1:], np.ones((1, len(curvatures)))])  # prod over s > t
        second_moment = after[0] * start**2 + sigma**2 * np.sum(eta**2 * later, axis=0)
        losses.append(0.5 * np.sum(curvatures * second_moment))
    return np.array(losses)


def epoch_order(seeds, epoch: int, samples: int) -> np.ndarray:
    r"""A random permutation of ``range(samples)`` for each seed: the order of one epoch without replacement.

    The samples are sorted by random keys ``random_bits(seed, epoch * samples + i)``.
    Shape ``(len(seeds), samples)``. The keys of one seed are distinct: for a
    fixed seed, :func:`random_bits` is a bijection of the 64-bit counter
    (:func:`mix64` is one, and so is :math:`k \mapsto \operatorname{mix}(s) + (k+1)\gamma`
    with :math:`\gamma` odd). So the sorting permutation is unique, and
    NumPy's default sort (vectorised, not stable) finds it, several times
    faster than a stable sort.
    """
    counters = np.arange(epoch * samples, (epoch + 1) * samples, dtype=np.uint64)
    keys = random_bits(np.asarray(seeds, dtype=np.uint64)[:, None], counters[None, :])
    return np.argsort(keys, axis=-1)


def batches_per_epoch(samples: int, batch_size: int) -> int:
    """Updates per epoch; the last batch is smaller when ``batch_size`` does not divide ``samples``."""
    if not 1 <= batch_size <= samples:
        raise ValueError(f"batch_size must lie in [1, {samples}], got {batch_size!r}")
    return -(-samples // batch_size)


class _EveryRunReached(Exception):
    """Raised in :func:`train_minibatch` when every run is below ``stop_below``; carries the parameters."""

    def __init__(self, params):
        super().__init__()
        self.params = params


def train_minibatch(model: MLP, params, X, Y, optimizer: Optimizer, epochs: int, batch_size: int, seeds,
                    lr_schedule=None, stop_below: float | None = None, *, record_losses: bool = True) -> Training:
    r"""Mini-batch training of a batch of networks, one per seed, each on its own shuffles of the data.

    Every epoch visits each of the :math:`n` samples once, in the order
    :func:`epoch_order` gives for the run's seed, in
    :math:`\lceil n/B \rceil` updates on batches of :math:`B` = ``batch_size``
    samples. ``params`` carries the batch axis (:func:`optlab.network.replicate`).
    ``losses[e]`` is the loss on *all* the data at the start of epoch
    :math:`e`, for :math:`e = 0, \dots` ``epochs`` (the last entry is after the
    final epoch), shape ``(epochs + 1, len(seeds))``. A schedule is indexed
    by the update, not the epoch.

    With ``stop_below``, training ends at the start of the first epoch at
    which every run's loss is below it (a question such as "how many epochs
    to the target?" is then answered for every run), and ``losses`` ends
    with that epoch; the runs are the same as without it up to there.
    ``record_losses=False`` skips the losses on all the data (a forward pass
    over every sample per epoch) for a caller that reads only the final
    parameters; ``losses`` is then empty.
    """
    if stop_below is not None and not record_losses:
        raise ValueError("stop_below reads the losses on all the data: it needs record_losses=True")
    seeds = np.asarray(seeds)
    samples = X.shape[-1]
    per_epoch = batches_per_epoch(samples, batch_size)
    X_rows, Y_rows = X.T, Y.T  # one row per sample, so a batch is X_rows[indices]
    evaluations = itertools.count()
    order, losses = None, []

    def backprop(params, grads):
        nonlocal order
        epoch, batch = divmod(next(evaluations), per_epoch)
        if batch == 0:  # the parameters at the start of an epoch: record their loss on all the data
            if record_losses:
                losses.append(model.loss(params, X, Y))
            if stop_below is not None and np.all(losses[-1] < stop_below):
                raise _EveryRunReached([p.copy() for p in params])
            order = epoch_order(seeds, epoch, samples)
        indices = order[:, batch * batch_size:(batch + 1) * batch_size]
        return model.backprop(params, X_rows[indices].swapaxes(-1, -2), Y_rows[indices].swapaxes(-1, -2), grads)

    params = [np.asarray(p, dtype=float) for p in params]
    _check_not_look_ahead(optimizer, params)
    try:  # no loss_at: a look-ahead optimizer, the only one that asks for it, is refused above
        final, _ = descend_network(backprop, None, params, optimizer, epochs * per_epoch, lr_schedule)
        if record_losses:
            losses.append(model.loss(final, X, Y))
    except _EveryRunReached as reached:
        final = reached.params
    return Training(params=final, losses=np.array(losses))
