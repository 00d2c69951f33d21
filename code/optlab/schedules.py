r"""Learning-rate schedules: small frozen dataclasses, called on the step index.

A schedule maps the index :math:`t` of an update to the learning rate
:math:`\eta_t` that this update uses; the runners of :mod:`optlab.training`
take any of them as ``lr_schedule``::

    run_on_surface(bowl, SGD(lr=0.01), steps=500, lr_schedule=Cosine(lr=0.01, total_steps=500))

The learning rate ``lr`` may be an array, one rate per member of a batch of
runs; every schedule then returns an array of that shape.

Step convention. :math:`t = 0` is the *first* update, so ``schedule(0)`` is
the rate of the first step. PyTorch's schedulers count epochs in the same
way when ``scheduler.step()`` is called once after every
``optimizer.step()``: the rate the optimizer holds before its update number
:math:`t` is the scheduler's value at ``last_epoch = t``. Each schedule's
:meth:`~Schedule.torch_scheduler` builds its ``torch.optim.lr_scheduler``
counterpart, and ``tests/unit/test_schedules.py`` checks that the two agree to
:math:`10^{-12}` over a thousand steps. The one mapping that is not a
renaming is the warmup: PyTorch's ``LinearLR`` starts at
``start_factor * lr`` with ``0 < start_factor <= 1``, so a warmup "from 0"
has no exact counterpart there (:class:`WarmupCosine`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .validation import check_nonnegative

__all__ = [
    "Schedule", "Constant", "StepDecay", "Exponential", "Cosine", "WarmupCosine", "PowerDecay", "linear_warmup",
    "batched_schedule", "torch_rates",
]


def _check_positive_steps(name: str, value) -> None:
    if not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _check_factor(name: str, value) -> None:
    """Require ``0 < value <= 1``, the range of a decay factor or of a warmup's start."""
    if not 0 < value <= 1:
        raise ValueError(f"{name} must lie in (0, 1], got {value!r}")


def _cosine_factor(t: int, total_steps: int) -> float:
    r""":math:`\tfrac12 (1 + \cos(\pi t / T))`, falling from 1 at t = 0 to 0 at t = T, and 0 after it."""
    return (1 + math.cos(math.pi * min(t, total_steps) / total_steps)) / 2


class Schedule:
    """What every schedule shares: a base rate ``lr`` and its value at step ``t``."""

    lr: float

    def __call__(self, t: int):
        raise NotImplementedError

    def torch_scheduler(self, optimizer):
        """The ``torch.optim.lr_scheduler`` object that gives ``optimizer`` the same rates.

        ``optimizer`` must have been built with ``lr=self.lr``. A schedule
        without a dedicated PyTorch class maps to ``LambdaLR``, which
        multiplies the base rate by a function of the epoch.
        """
        from torch.optim.lr_scheduler import LambdaLR

        return LambdaLR(optimizer, lambda epoch: self(epoch) / self.lr)


@dataclass(frozen=True)
class Constant(Schedule):
    r""":math:`\eta_t = \eta`. PyTorch: ``LambdaLR`` with the factor 1."""

    lr: float

    def __post_init__(self):
        check_nonnegative("lr", self.lr)

    def __call__(self, t: int):
        return self.lr


@dataclass(frozen=True)
class StepDecay(Schedule):
    r""":math:`\eta_t = \eta\, \gamma^{\lfloor t / s \rfloor}`: the rate drops by ``gamma`` every ``step_size`` steps.

    PyTorch: ``StepLR(optimizer, step_size, gamma)``, whose default ``gamma``
    is 0.1 as here.
    """

    lr: float
    step_size: int
    gamma: float = 0.1

    def __post_init__(self):
        check_nonnegative("lr", self.lr)
        _check_positive_steps("step_size", self.step_size)
        _check_factor("gamma", self.gamma)

    def __call__(self, t: int):
        return self.lr * self.gamma ** (t // self.step_size)

    def torch_scheduler(self, optimizer):
        from torch.optim.lr_scheduler import StepLR

        return StepLR(optimizer, step_size=self.step_size, gamma=self.gamma)


@dataclass(frozen=True)
class Exponential(Schedule):
    r""":math:`\eta_t = \eta\, \gamma^t`. PyTorch: ``ExponentialLR(optimizer, gamma)``.

    A ``gamma`` above 1 makes the rate grow, as a learning-rate range test
    needs (Smith 2017).
    """

    lr: float
    gamma: float

    def __post_init__(self):
        check_nonnegative("lr", self.lr)
        if not self.gamma > 0:
            raise ValueError(f"gamma must be positive, got {self.gamma!r}")

    def __call__(self, t: int):
        return self.lr * self.gamma**t

    def torch_scheduler(self, optimizer):
        from torch.optim.lr_scheduler import ExponentialLR

        return ExponentialLR(optimizer, gamma=self.gamma)


@dataclass(frozen=True)
class Cosine(Schedule):
    r"""Cosine annealing (Loshchilov & Hutter 2017, SGDR without restarts).

    .. math:: \eta_t = \eta_{\min} + (\eta - \eta_{\min})\, \tfrac12 \bigl(1 + \cos(\pi t / T)\bigr)
              \quad (0 \le t \le T), \qquad \eta_t = \eta_{\min} \quad (t > T).

    PyTorch: ``CosineAnnealingLR(optimizer, T_max=T, eta_min)``, equal for
    :math:`t \le T`; after :math:`T` PyTorch's cosine rises again (period
    :math:`2T`), ours stays at :math:`\eta_{\min}`.
    """

    lr: float
    total_steps: int
    min_lr: float = 0.0

    def __post_init__(self):
        check_nonnegative("lr", self.lr)
        check_nonnegative("min_lr", self.min_lr)
        _check_positive_steps("total_steps", self.total_steps)

    def __call__(self, t: int):
        return self.min_lr + (self.lr - self.min_lr) * _cosine_factor(t, self.total_steps)

    def torch_scheduler(self, optimizer):
        from torch.optim.lr_scheduler import CosineAnnealingLR

        return CosineAnnealingLR(optimizer, T_max=self.total_steps, eta_min=self.min_lr)


@dataclass(frozen=True)
class WarmupCosine(Schedule):
    r"""A linear warmup over :math:`W` steps, then cosine annealing to step :math:`T`.

    .. math::

        \eta_t = \eta \Bigl(f + (1 - f)\,\frac{t}{W}\Bigr) \quad (t < W), \qquad
        \eta_t = \eta_{\min} + (\eta - \eta_{\min})\, \tfrac12 \Bigl(1 + \cos\frac{\pi (t - W)}{T - W}\Bigr)
        \quad (W \le t \le T),

    and :math:`\eta_{\min}` after :math:`T`; :math:`f` is ``start_factor``,
    so the first step uses :math:`f\eta`. PyTorch: ``SequentialLR`` of
    ``LinearLR(start_factor=f, end_factor=1, total_iters=W)`` and
    ``CosineAnnealingLR(T_max=T - W, eta_min)`` with ``milestones=[W]``.
    PyTorch requires :math:`f > 0` and defaults to :math:`f = 1/3`; the
    warmup of Goyal et al. (2017) starts from a fraction of the target rate
    as well.
    """

    lr: float
    warmup_steps: int
    total_steps: int
    start_factor: float = 0.01
    min_lr: float = 0.0

    def __post_init__(self):
        check_nonnegative("lr", self.lr)
        check_nonnegative("min_lr", self.min_lr)
        _check_positive_steps("warmup_steps", self.warmup_steps)
        _check_positive_steps("cosine steps (total_steps - warmup_steps)", self.total_steps - self.warmup_steps)
        _check_factor("start_factor", self.start_factor)

    def __call__(self, t: int):
        if t < self.warmup_steps:
            return self.lr * (self.start_factor + (1 - self.start_factor) * t / self.warmup_steps)
        cosine = _cosine_factor(t - self.warmup_steps, self.total_steps - self.warmup_steps)
        return self.min_lr + (self.lr - self.min_lr) * cosine

    def torch_scheduler(self, optimizer):
        from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

        warmup = LinearLR(optimizer, start_factor=self.start_factor, end_factor=1.0, total_iters=self.warmup_steps)
        cosine = CosineAnnealingLR(optimizer, T_max=self.total_steps - self.warmup_steps, eta_min=self.min_lr)
        return SequentialLR(optimizer, [warmup, cosine], milestones=[self.warmup_steps])


@dataclass(frozen=True)
class PowerDecay(Schedule):
    r""":math:`\eta_t = \eta\, (1 + t/\tau)^{-p}`, with :math:`\tau` = ``scale`` and :math:`p` = ``power``.

    ``power=0.5`` is the :math:`1/\sqrt{t}` schedule; ``power=1`` decays like
    :math:`1/t` and is the classical choice that meets the conditions of
    Robbins & Monro (1951), :math:`\sum_t \eta_t = \infty` and
    :math:`\sum_t \eta_t^2 < \infty` (with :math:`p = 1/2` the second sum
    diverges). PyTorch: ``LambdaLR`` with this factor.
    """

    lr: float
    power: float = 0.5
    scale: float = 1.0

    def __post_init__(self):
        check_nonnegative("lr", self.lr)
        if not 0 < self.power <= 1:
            raise ValueError(f"power must lie in (0, 1], got {self.power!r}")
        if not self.scale > 0:
            raise ValueError(f"scale must be positive, got {self.scale!r}")

    def __call__(self, t: int):
        base = 1 + t / self.scale
        return self.lr / (math.sqrt(base) if self.power == 0.5 else base**self.power)


def linear_warmup(lr: float, warmup_steps):
    r"""The schedule :math:`\eta_t = \eta \min(1, t / T)` that rises from 0 to ``lr`` over T steps.

    ``warmup_steps = 0`` means no warmup: :math:`\eta_t = \eta` from the start.
    ``warmup_steps`` may also be an integer array, one T per member of a batch
    of trainings; the schedule then returns an array of that shape, e.g.
    ``linear_warmup(0.01, np.array([0, 50, 100])[:, None, None])`` for three
    batched networks. A warmup from 0 has no PyTorch counterpart (see the
    module's docstring), hence a function rather than a :class:`Schedule`.
    """
    if np.ndim(warmup_steps) > 0:
        steps = np.asarray(warmup_steps, dtype=float)
        if np.any(steps < 0):
            raise ValueError(f"warmup_steps must be >= 0, got {warmup_steps!r}")
        return lambda t: lr * np.where(steps == 0, 1.0, np.minimum(1.0, t / np.maximum(steps, 1.0)))
    if warmup_steps == 0:
        return lambda t: lr
    return lambda t: lr * min(1.0, t / warmup_steps)


def batched_schedule(schedules, repeats: int = 1, ndim: int = 2):
    """Several schedules as one, for a batch of runs: each group of ``repeats`` runs follows its own.

    At step ``t`` it returns the rates ``schedules[k](t)``, each repeated
    ``repeats`` times (one per seed, say), as a column of shape
    ``(len(schedules) * repeats, 1, ...)`` with ``ndim`` axes: 2 for runs on
    a surface, 3 for batched networks. Several schedules then run as one
    batched computation.
    """
    schedules = tuple(schedules)
    shape = (len(schedules) * repeats,) + (1,) * (ndim - 1)
    return lambda t: np.repeat([s(t) for s in schedules], repeats).reshape(shape)


def torch_rates(schedule: Schedule, steps: int) -> list[float]:
    """The rate a PyTorch optimizer holds before each of ``steps`` updates under ``schedule``'s scheduler.

    The loop is PyTorch's documented one: ``optimizer.step()``, then
    ``scheduler.step()``. The optimizer is SGD on one weight with no
    gradient, so only the schedule moves. Needs torch.
    """
    import torch

    weight = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([weight], lr=schedule.lr)
    scheduler = schedule.torch_scheduler(optimizer)
    rates = []
    for _ in range(steps):
        rates.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
    return rates
