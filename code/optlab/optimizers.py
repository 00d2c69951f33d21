r"""The chapter's optimizers, one small class each, with explicit state.

Every optimizer is a frozen dataclass of hyperparameters with two methods:

* ``init(params) -> state`` makes the state for a list of parameter arrays
  (zeros of the right shapes, a step counter at 0);
* ``update(params, grads, state) -> (params, state)`` applies one update and
  returns new arrays; nothing is modified in place. Each class implements
  ``update``; callers use :meth:`Optimizer.step`, which checks that the
  gradients match the parameters and then calls it.

The state is a small named tuple whose fields carry the names of the
algorithm boxes (``velocity``, ``sum_sq``, ``nu``, ``mu``, ``count``), so a
reader can print it and see what the algorithm remembers. A new experiment
asks for a new state with ``init``; an optimizer object is never "reset".

Nesterov's method evaluates the gradient at a look-ahead point rather than at
the parameters. ``gradient_point(params, state)`` says where the gradient must
be taken; for every other optimizer it returns ``params`` itself. The runners
in :mod:`optlab.training` always ask for it.

Conventions (the chapter's section on conventions compares the alternatives):

* ``eps`` is added *outside* the square root, as in Kingma & Ba (2015) and in
  PyTorch; ``eps_inside_sqrt=True`` gives :math:`\sqrt{v + \epsilon}` instead.
* Momentum is *undamped*, :math:`v \leftarrow \beta v + g` (Polyak 1964,
  PyTorch); ``damped=True`` gives :math:`v \leftarrow \beta v + (1-\beta) g`.
* Decoupled weight decay is :math:`w \leftarrow w - \lambda w` (the chapter's
  AdamW box); ``scale_by_lr=True`` gives PyTorch's and optax's
  :math:`w \leftarrow w - \eta\lambda w`.
* AMSGrad keeps the running maximum of the *bias-corrected* second moment;
  ``amsgrad_max="raw"`` keeps the maximum of the raw moment, as PyTorch does.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple, Sequence

import numpy as np

from .validation import check_decay_rate, check_matching, check_nonnegative

Arrays = Sequence[np.ndarray]

_SWITCH = dict(default=False, kw_only=True)
"""A boolean option of an optimizer: off by default, and always passed by name (``nesterov=True``)."""


def _zeros_like(params: Arrays) -> tuple[np.ndarray, ...]:
    return tuple(np.zeros_like(p, dtype=float) for p in params)


def _with_field(optimizer, name: str, value):
    """A copy of the frozen dataclass ``optimizer`` with field ``name`` set to ``value``.

    Unlike ``dataclasses.replace`` it does not run ``__post_init__`` again:
    the caller checks the new value, and the other fields were checked when
    ``optimizer`` was built. A schedule changes the rate at every step, and
    rebuilding Adam or AdamW with every check took about three times as long.
    """
    changed = copy.copy(optimizer)
    object.__setattr__(changed, name, value)  # the copy is new, so setting its field is safe
    return changed


class Optimizer:
    """What every optimizer shares, and the protocol a new one follows.

    An optimizer is a frozen dataclass of hyperparameters with an ``lr``
    field (the learning rate) and these methods:

    * ``init(params) -> state``: the state before the first step;
    * ``update(params, grads, state) -> (params, state)``: one step, new
      arrays, nothing modified in place (``step`` is the same with the
      argument check);
    * ``gradient_point(params, state)``: where the next gradient is taken
      (the parameters themselves unless the method looks ahead);
    * ``with_lr(lr)``: the same optimizer with another learning rate, which
      is how a schedule changes it at each step. The default checks ``lr``
      and copies the dataclass with its ``lr`` field changed (the other
      fields are not checked again); an optimizer that holds its learning
      rate elsewhere (as :class:`Wrapper` does, in its inner optimizer)
      overrides it;
    * ``effective_lr(state)``: for an adaptive method (a subclass of :class:`Adaptive`), the element-wise
      step size its state implies.
    """

    elementwise: ClassVar[bool] = False
    """True when ``update`` treats every entry of every parameter on its own,
    so a runner may lay the parameters side by side in one array and update
    them all at once (the chapter's optimizers all do; a method that takes
    norms per layer would not)."""

    def init(self, params: Arrays):
        raise NotImplementedError

    def update(self, params: Arrays, grads: Arrays, state):
        """One step without argument checks; ``step`` is the public entry."""
        raise NotImplementedError

    def gradient_point(self, params: Arrays, state) -> Arrays:
        """Where the next gradient must be evaluated: the parameters themselves."""
        return params

    def step(self, params: Arrays, grads: Arrays, state):
        """Check that ``grads`` matches ``params``, then apply one update."""
        check_matching(params, grads)
        return self.update(params, grads, state)

    def with_lr(self, lr):
        """The same optimizer with learning rate ``lr`` (a schedule's value at one step); only ``lr`` is checked."""
        check_nonnegative("lr", lr)
        return _with_field(self, "lr", lr)

    def effective_lr(self, state) -> list[np.ndarray]:
        r"""The element-wise step size :math:`\eta / (\sqrt{s} + \epsilon)` held in ``state``, one array per parameter.

        Only adaptive optimizers have one; the others raise ``TypeError``.
        """
        raise TypeError(f"{type(self).__name__} has no per-coordinate step size")


class Adaptive(Optimizer):
    r"""An optimizer that divides each coordinate's step by :math:`\sqrt{s} + \epsilon`, :math:`s` a second moment.

    A subclass has the fields ``lr``, ``eps`` and ``eps_inside_sqrt`` and
    says which moment :math:`s` its state holds (:meth:`second_moment`);
    its step size :meth:`effective_lr` follows.
    """

    def second_moment(self, state) -> list[np.ndarray]:
        """The moment :math:`s` that divides the step, one array per parameter."""
        raise NotImplementedError

    def denominator(self, moment: np.ndarray) -> np.ndarray:
        r""":math:`\sqrt{s} + \epsilon`, or :math:`\sqrt{s + \epsilon}` with ``eps_inside_sqrt=True``."""
        if self.eps_inside_sqrt:
            return np.sqrt(moment + self.eps)
        return np.sqrt(moment) + self.eps

    def effective_lr(self, state) -> list[np.ndarray]:
        r""":math:`\eta / (\sqrt{s} + \epsilon)`, the step size of each coordinate."""
        return [self.lr / self.denominator(s) for s in self.second_moment(state)]


class EmptyState(NamedTuple):
    """SGD remembers nothing between steps."""


@dataclass(frozen=True)
class SGD(Optimizer):
    r"""Gradient descent (Cauchy 1847; Robbins & Monro 1951 for noisy gradients).

    .. math:: w_{t+1} = w_t - \eta\, g_t

    >>> import numpy as np
    >>> params, _ = SGD(lr=0.1).step([np.array([1.0])], [np.array([2.0])], EmptyState())
    >>> float(params[0][0])
    0.8
    """

    elementwise: ClassVar[bool] = True
    lr: float = 0.01

    def __post_init__(self):
        check_nonnegative("lr", self.lr)

    def init(self, params: Arrays) -> EmptyState:
        return EmptyState()

    def update(self, params, grads, state):
        params = [w - self.lr * g for w, g in zip(params, grads)]
        return params, state


class MomentumState(NamedTuple):
    """Momentum remembers its velocity :math:`v_t`, one array per parameter."""

    velocity: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class Momentum(Optimizer):
    r"""Heavy-ball momentum (Polyak 1964), optionally with Nesterov's look-ahead.

    .. math::

        b_{t+1} &= \beta\, b_t + \nabla L(w_t) \\
        w_{t+1} &= w_t - \eta\, b_{t+1}

    with the velocity :math:`b_0 = 0`. With ``nesterov=True`` the gradient is taken at the
    look-ahead point :math:`w_t - \eta\beta b_t` (Nesterov 1983, in the form of
    Sutskever et al. 2013), which :meth:`gradient_point` returns.
    With ``damped=True`` the first line becomes
    :math:`b_{t+1} = \beta b_t + (1-\beta)\nabla L`, which equals the undamped
    method with learning rate :math:`\eta(1-\beta)`.
    """

    elementwise: ClassVar[bool] = True
    lr: float = 0.01
    beta: float = 0.9
    nesterov: bool = field(**_SWITCH)
    damped: bool = field(**_SWITCH)

    def __post_init__(self):
        check_nonnegative("lr", self.lr)
        check_decay_rate("beta", self.beta)

    def init(self, params: Arrays) -> MomentumState:
        return MomentumState(velocity=_zeros_like(params))

    def gradient_point(self, params, state):
        if not self.nesterov:
            return params
        return [w - self.lr * self.beta * b for w, b in zip(params, state.velocity)]

    def update(self, params, grads, state):
        gain = 1 - self.beta if self.damped else 1.0
        velocity = tuple(self.beta * b + gain * g for b, g in zip(state.velocity, grads))
        params = [w - self.lr * b for w, b in zip(params, velocity)]
        return params, MomentumState(velocity)


class AdaGradState(NamedTuple):
    """AdaGrad remembers the sum of squared gradients :math:`G_t`, one array per parameter."""

    sum_sq: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class AdaGrad(Adaptive):
    r"""AdaGrad (Duchi, Hazan & Singer 2011), element-wise.

    .. math::

        G_t &= G_{t-1} + g_t^2 \\
        w_{t+1} &= w_t - \frac{\eta}{\sqrt{G_t} + \epsilon}\, g_t

    with :math:`G_0 = 0`. PyTorch's ``Adagrad`` has the same form with a
    default :math:`\epsilon = 10^{-10}`.
    """

    elementwise: ClassVar[bool] = True
    lr: float = 0.01
    eps: float = 1e-8
    eps_inside_sqrt: bool = field(**_SWITCH)

    def __post_init__(self):
        check_nonnegative("lr", self.lr)
        check_nonnegative("eps", self.eps)

    def init(self, params: Arrays) -> AdaGradState:
        return AdaGradState(sum_sq=_zeros_like(params))

    def second_moment(self, state: AdaGradState) -> list[np.ndarray]:
        """:math:`G_t`, the sum of squared gradients."""
        return list(state.sum_sq)

    def update(self, params, grads, state):
        sum_sq = tuple(G + g * g for G, g in zip(state.sum_sq, grads))
        params = [
            w - self.lr * g / self.denominator(G)
            for w, g, G in zip(params, grads, sum_sq)
        ]
        return params, AdaGradState(sum_sq)


class RMSPropState(NamedTuple):
    """RMSProp remembers the running mean of squared gradients :math:`v_t`, one array per parameter."""

    nu: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class RMSProp(Adaptive):
    r"""RMSProp (Tieleman & Hinton 2012, Coursera lecture 6e), element-wise.

    .. math::

        v_t &= \beta\, v_{t-1} + (1-\beta)\, g_t^2 \\
        w_{t+1} &= w_t - \frac{\eta}{\sqrt{v_t} + \epsilon}\, g_t

    with :math:`v_0 = 0`. The lecture suggests :math:`\beta = 0.9`; PyTorch's
    ``RMSprop`` calls it ``alpha`` and defaults to 0.99. RMSProp is Adam with
    :math:`\beta_1 = 0` and no bias correction.
    """

    elementwise: ClassVar[bool] = True
    lr: float = 0.001
    beta: float = 0.9
    eps: float = 1e-8
    eps_inside_sqrt: bool = field(**_SWITCH)

    def __post_init__(self):
        check_nonnegative("lr", self.lr)
        check_decay_rate("beta", self.beta)
        check_nonnegative("eps", self.eps)

    def init(self, params: Arrays) -> RMSPropState:
        return RMSPropState(nu=_zeros_like(params))

    def second_moment(self, state: RMSPropState) -> list[np.ndarray]:
        """:math:`v_t`, the running mean of squared gradients."""
        return list(state.nu)

    def update(self, params, grads, state):
        nu = tuple(self.beta * v + (1 - self.beta) * g * g for v, g in zip(state.nu, grads))
        params = [
            w - self.lr * g / self.denominator(v)
            for w, g, v in zip(params, grads, nu)
        ]
        return params, RMSPropState(nu)


class AdamState(NamedTuple):
    """Adam remembers the step count :math:`t`, the moments :math:`m_t` (``mu``) and :math:`v_t` (``nu``),
    and AMSGrad's running maximum (``nu_max``; zeros when it is not used)."""

    count: int
    mu: tuple[np.ndarray, ...]
    nu: tuple[np.ndarray, ...]
    nu_max: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class Adam(Adaptive):
    r"""Adam (Kingma & Ba 2015), with the AMSGrad variant (Reddi, Kale & Kumar 2018).

    .. math::

        t &\leftarrow t + 1 \\
        g_t &\leftarrow \nabla L(w_t) \\
        m_t &\leftarrow \beta_1\, m_{t-1} + (1 - \beta_1)\, g_t \\
        v_t &\leftarrow \beta_2\, v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        \hat m_t &\leftarrow m_t / (1 - \beta_1^t) \\
        \hat v_t &\leftarrow v_t / (1 - \beta_2^t) \\
        w_{t+1} &\leftarrow w_t - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    These are the lines of the chapter's Adam box; the state calls
    :math:`m` and :math:`v` ``mu`` and ``nu``.

    ``bias_correction=False`` uses :math:`m_t, v_t` in place of
    :math:`\hat m_t, \hat v_t`. ``amsgrad=True`` replaces :math:`\hat v_t` in
    the last line by its running maximum
    :math:`\tilde v_t = \max(\tilde v_{t-1}, \hat v_t)`, so the element-wise
    step size :math:`\eta / (\sqrt{\tilde v_t} + \epsilon)` never grows;
    ``amsgrad_max="raw"`` takes PyTorch's running maximum of the raw
    :math:`v_t` and divides it by :math:`1-\beta_2^t` afterwards.
    """

    elementwise: ClassVar[bool] = True
    lr: float = 0.001
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    bias_correction: bool = field(default=True, kw_only=True)
    amsgrad: bool = field(**_SWITCH)
    amsgrad_max: str = field(default="corrected", kw_only=True)
    eps_inside_sqrt: bool = field(**_SWITCH)

    def __post_init__(self):
        check_nonnegative("lr", self.lr)
        check_decay_rate("beta1", self.beta1)
        check_decay_rate("beta2", self.beta2)
        check_nonnegative("eps", self.eps)
        if self.amsgrad_max not in ("corrected", "raw"):
            raise ValueError(f"amsgrad_max must be 'corrected' or 'raw', got {self.amsgrad_max!r}")

    def init(self, params: Arrays) -> AdamState:
        zeros = _zeros_like(params)
        return AdamState(count=0, mu=zeros, nu=zeros, nu_max=zeros)

    def _corrections(self, count: int) -> tuple[float, float]:
        """The factors :math:`1-\\beta_1^t` and :math:`1-\\beta_2^t` (1 when switched off)."""
        if not self.bias_correction:
            return 1.0, 1.0
        return 1 - self.beta1**count, 1 - self.beta2**count

    def second_moment(self, state: AdamState) -> list[np.ndarray]:
        r"""The second moment that divides the step: :math:`\hat v_t`, or :math:`v_t` without
        bias correction, or AMSGrad's running maximum :math:`\tilde v_t`."""
        _, correction2 = self._corrections(state.count)
        if self.amsgrad and self.amsgrad_max == "corrected":
            return list(state.nu_max)
        source = state.nu_max if self.amsgrad else state.nu
        return [v / correction2 for v in source]


    def update(self, params, grads, state):
        count = state.count + 1
        mu = tuple(self.beta1 * m + (1 - self.beta1) * g for m, g in zip(state.mu, grads))
        nu = tuple(self.beta2 * v + (1 - self.beta2) * g * g for v, g in zip(state.nu, grads))
        correction1, correction2 = self._corrections(count)
        nu_max = state.nu_max
        if self.amsgrad and self.amsgrad_max == "corrected":
            nu_max = tuple(np.maximum(vm, v / correction2) for vm, v in zip(nu_max, nu))
        elif self.amsgrad:
            nu_max = tuple(np.maximum(vm, v) for vm, v in zip(nu_max, nu))
        state = AdamState(count, mu, nu, nu_max)
        params = [
            w - self.lr * (m / correction1) / self.denominator(v)
            for w, m, v in zip(params, mu, self.second_moment(state))
        ]
        return params, state


@dataclass(frozen=True)
class Wrapper(Optimizer):
    """An optimizer that changes what another one, ``inner``, does.

    It keeps the inner optimizer's state, learning rate, gradient point and
    step size; a subclass says what it adds in ``update``.
    """

    inner: Optimizer

    @property
    def elementwise(self):
        return self.inner.elementwise

    @property
    def lr(self):
        """The inner optimizer's learning rate."""
        return self.inner.lr

    def with_lr(self, lr):
        return _with_field(self, "inner", self.inner.with_lr(lr))

    def init(self, params: Arrays):
        return self.inner.init(params)

    def gradient_point(self, params, state):
        return self.inner.gradient_point(params, state)

    def effective_lr(self, state) -> list[np.ndarray]:
        """The inner optimizer's step size."""
        return self.inner.effective_lr(state)


@dataclass(frozen=True)
class DecoupledWeightDecay(Wrapper):
    r"""Any optimizer followed by weight decay applied to the parameters directly.

    .. math:: w_{t+1} = w_t + \Delta_t - \lambda\, w_t

    where :math:`\Delta_t` is the inner optimizer's update
    (Loshchilov & Hutter 2019). With ``scale_by_lr=True`` the decay is
    :math:`\eta\lambda w_t`, PyTorch's and optax's convention; the two agree
    when :math:`\lambda_{\text{chapter}} = \eta\,\lambda_{\text{PyTorch}}`.
    The decay never passes through the inner optimizer's state.
    """

    weight_decay: float = 0.01
    scale_by_lr: bool = field(**_SWITCH)

    def __post_init__(self):
        check_nonnegative("weight_decay", self.weight_decay)

    @property
    def decay(self):
        """The factor that multiplies :math:`w_t` in the decay term."""
        return self.weight_decay * self.inner.lr if self.scale_by_lr else self.weight_decay

    def update(self, params, grads, state):
        stepped, state = self.inner.update(params, grads, state)
        return [s - self.decay * w for s, w in zip(stepped, params)], state


@dataclass(frozen=True)
class L2Penalty(Wrapper):
    r"""Any optimizer run on :math:`L(w) + \tfrac{\lambda}{2}\lVert w\rVert^2`.

    The penalty's gradient :math:`\lambda w` is added to the loss gradient
    before the inner optimizer sees it, so an adaptive optimizer rescales it
    like any other gradient. (For a look-ahead optimizer the penalty is taken
    at the same point as the loss gradient.)
    """

    l2: float = 0.01

    def __post_init__(self):
        check_nonnegative("l2", self.l2)

    def update(self, params, grads, state):
        point = self.inner.gradient_point(params, state)
        grads = [g + self.l2 * x for g, x in zip(grads, point)]
        return self.inner.update(params, grads, state)


def AdamW(  # noqa: N802 - reads like the other optimizers' constructors
    lr: float = 0.001,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.01,
    *,
    scale_by_lr: bool = False,
    **adam_options,
) -> DecoupledWeightDecay:
    r"""AdamW (Loshchilov & Hutter 2019): Adam composed with decoupled weight decay.

    .. math:: w_{t+1} = (1-\lambda)\, w_t - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    The moments :math:`m_t, v_t` see only the loss gradient. Pass
    ``scale_by_lr=True`` for PyTorch's :math:`(1-\eta\lambda)\,w_t`.
    """
    adam = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps, **adam_options)
    return DecoupledWeightDecay(adam, weight_decay=weight_decay, scale_by_lr=scale_by_lr)
