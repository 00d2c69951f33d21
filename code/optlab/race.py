r"""The Optimizer Race's roster: each optimizer of the style table as an ``optlab`` call, and where a race starts.

The applet (``_static/race/``) races every optimizer that
:data:`optlab.plotting.STYLES` gives a style, under the same name. A name is
either a public constructor of ``optlab`` (``SGD``, ``Adam``, ``AdamW``, ...)
or one of the :data:`VARIANTS`, a constructor with a flag set (Nesterov's
method is ``Momentum(nesterov=True)``). Its hyperparameters are the
constructor's arguments among :data:`HYPERPARAMETERS`, with the
constructor's defaults, except where :data:`RACE_DEFAULTS` says otherwise; its
learning rate on a surface is :data:`SUGGESTED_LR`'s, or the constructor's
default for an optimizer the table does not know. :math:`\epsilon` is
:data:`EPS` throughout.

A race may also add gradient noise (:data:`NOISE`, through
:func:`optlab.noise.run_noisy`) and follow a learning-rate schedule
(:data:`SCHEDULES`, :func:`race_schedule`); the readout of one update
compares each step size with the stability limit of its method
(:data:`STABILITY`, :func:`stability_limit`). :data:`RANGES` bounds what a
reader may type. :func:`highest_gap_ratio` is the test a suggested rate passes.

``python -m booktools.race_data`` writes all of this, with the surfaces and
the styles, into the applet's ``race_data.js``; ``booktools.race_vectors``
runs the same calls to make the parity vectors.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass

import numpy as np

from .optimizers import Optimizer
from .plotting import STYLES
from .schedules import Constant, Cosine, Schedule, StepDecay, WarmupCosine
from .surfaces import SURFACES
from .theory import damped_momentum_limit
from .training import run_on_surface

__all__ = ["EPS", "HORIZONS", "DIVERGED", "HYPERPARAMETERS", "VARIANTS", "RACE_DEFAULTS", "SUGGESTED_LR",
           "RANGES", "NOISE", "SCHEDULES", "STABILITY", "LIMIT_FORMULAS", "Racer", "racer", "racers",
           "highest_gap_ratio", "largest_step_curvature", "race_schedule", "stability_limit"]

EPS = 1e-8
"""The :math:`\\epsilon` of every adaptive optimizer in the race."""

HORIZONS = (300, 1000, 3000)
"""The race lengths a reader can choose; the first is where a race starts."""

DIVERGED = 1e6
"""A run whose :math:`|w_i|` exceeds this (or whose loss is not finite) has diverged and stops."""

HYPERPARAMETERS = ("lr", "beta", "beta1", "beta2", "weight_decay")
"""The arguments a reader can set in the applet, where an optimizer takes them."""

VARIANTS = {
    "Nesterov": ("Momentum", {"nesterov": True}),
    "AMSGrad": ("Adam", {"amsgrad": True}),
}
"""Racers that are another constructor with a flag set: name -> (constructor, flags)."""

RACE_DEFAULTS = {"RMSProp": {"beta": 0.99}}
"""Where a race starts from other values than the constructor's defaults (RMSProp's
:math:`\\beta = 0.99`, PyTorch's default, is the one the chapter's figures use)."""

SUGGESTED_LR = {
    "quadratic": {"SGD": 0.012, "Momentum": 0.012, "Nesterov": 0.012, "AdaGrad": 1.0,
                  "RMSProp": 0.1, "Adam": 0.1, "AdamW": 0.1, "AMSGrad": 0.1},
    "rosenbrock": {"SGD": 0.001, "Momentum": 0.0005, "Nesterov": 0.0005, "AdaGrad": 0.1,
                   "RMSProp": 0.01, "Adam": 0.1, "AdamW": 0.1, "AMSGrad": 0.1},
    "saddle": {"SGD": 0.1, "Momentum": 0.02, "Nesterov": 0.02, "AdaGrad": 0.2,
               "RMSProp": 0.01, "Adam": 0.05, "AdamW": 0.05, "AMSGrad": 0.05},
    "plateau": {"SGD": 0.5, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 0.5,
                "RMSProp": 0.01, "Adam": 0.05, "AdamW": 0.05, "AMSGrad": 0.05},
}
"""A learning rate per surface and optimizer that shows the method at its best while
keeping the race fair: every rate passes :func:`highest_gap_ratio` (the quadratic bowl's
are the chapter's). Where a rate failed, it was lowered down the 1-2-5 grid to the first
value that passes (on Rosenbrock, SGD 0.002 -> 0.001, Momentum and Nesterov 0.001 -> 0.0005,
AdaGrad 0.5 -> 0.1, AMSGrad 0.2 -> 0.1)."""

RANGES = {
    "lr": {"min": 1e-4, "max": 5},
    "beta": {"min": 0, "max": 0.9999},
    "beta1": {"min": 0, "max": 0.9999},
    "beta2": {"min": 0, "max": 0.9999},
    "weight_decay": {"min": 0, "max": 0.5},
    "sigma": {"min": 0, "max": 100},
    "seed": {"min": 0, "max": 2**32 - 1},
}
"""The values a reader may set, inclusive: the hyperparameters, the noise level :math:`\\sigma`
and the noise seed (an unsigned 32-bit integer)."""

NOISE = {"sigma": 0, "seed": 0}
"""Where a race starts: exact gradients (:math:`\\sigma = 0`), seed 0. With :math:`\\sigma > 0` every
gradient is :math:`\\nabla L + \\sigma z_t` with the draws of :class:`optlab.noise.GradientNoise` for the
seed, the same for every optimizer of the race (common random numbers)."""

SCHEDULES = {
    "constant": {"name": "Constant"},
    "step": {"name": "Step decay", "parts": 3, "gamma": 0.1},
    "cosine": {"name": "Cosine"},
    "warmup_cosine": {"name": "Warmup + cosine", "parts": 10, "start_factor": 0.01},
}
"""The schedules a race can follow, by key: a readable name and the constants :func:`race_schedule` uses."""


def race_schedule(key: str, lr: float, horizon: int) -> Schedule:
    r"""The :mod:`optlab.schedules` object of schedule ``key`` for a race of ``horizon`` updates from rate ``lr``.

    With :math:`T` the horizon:

    * ``"constant"``: :math:`\eta_t = \eta` (:class:`~optlab.schedules.Constant`);
    * ``"step"``: the rate falls tenfold after each third of the race,
      :math:`\eta_t = \eta\, 0.1^{\lfloor t/s \rfloor}` with :math:`s = \lfloor T/3 \rfloor`
      (:class:`~optlab.schedules.StepDecay`);
    * ``"cosine"``: :math:`\eta_t = \eta\, \tfrac12 (1 + \cos(\pi t/T))`, to 0 at the end of the race
      (:class:`~optlab.schedules.Cosine`);
    * ``"warmup_cosine"``: a linear warmup from :math:`0.01\eta` over the first tenth,
      :math:`W = \lfloor T/10 \rfloor` updates, then the cosine from :math:`\eta` to 0 over the rest
      (:class:`~optlab.schedules.WarmupCosine`).

    Step counts are at least 1, so a race of a few steps still has a schedule.
    """
    spec = SCHEDULES[key]
    if key == "constant":
        return Constant(lr)
    if key == "cosine":
        return Cosine(lr, total_steps=horizon)
    steps = max(1, horizon // spec["parts"])
    if key == "step":
        return StepDecay(lr, step_size=steps, gamma=spec["gamma"])
    return WarmupCosine(lr, warmup_steps=steps, total_steps=horizon, start_factor=spec["start_factor"])


STABILITY = {
    "SGD": ("gradient_descent", None),
    "Momentum": ("heavy_ball", "beta"),
    "Nesterov": ("nesterov", "beta"),
    "AdaGrad": ("gradient_descent", None),
    "RMSProp": ("gradient_descent", None),
    "Adam": ("averaged_momentum", "beta1"),
    "AdamW": ("averaged_momentum", "beta1"),
    "AMSGrad": ("averaged_momentum", "beta1"),
}
"""Each racer's stability limit (:func:`stability_limit`): its kind, and the hyperparameter that is its
:math:`\\beta` (``None`` where the limit has none). A racer not listed has no known limit."""

LIMIT_FORMULAS = {
    "gradient_descent": "2",
    "heavy_ball": "2(1 + {beta})",
    "nesterov": "2(1 + {beta})/(1 + 2{beta})",
    "averaged_momentum": "2(1 + {beta})/(1 − {beta})",
}
"""Each kind of :func:`stability_limit` as plain text, ``{beta}`` standing for the racer's symbol (β or β₁)."""


def stability_limit(kind: str, beta: float = 0.0) -> float:
    r"""The largest :math:`s h` for which a method's step is stable on a one-dimensional quadratic.

    On :math:`L(w) = \tfrac12 h w^2` the gradient is :math:`h w`, and with a
    frozen step size :math:`s` (the learning rate :math:`\eta`, or an adaptive
    method's effective rate :math:`\eta/(\sqrt{\hat v}+\epsilon)`, held fixed)
    each method is a linear iteration. It is stable when its matrix has
    spectral radius below 1; by the Jury criterion for
    :math:`\lambda^2 - T\lambda + D`, exactly when :math:`|D| < 1` and
    :math:`|T| < 1 + D`. With :math:`x = s h > 0`:

    * ``"gradient_descent"`` (SGD; AdaGrad and RMSProp, whose step is :math:`s g`):
      :math:`w \leftarrow (1 - x) w`, stable for :math:`x < 2`;
    * ``"heavy_ball"`` (optlab's momentum :math:`b \leftarrow \beta b + g`,
      :math:`w \leftarrow w - \eta b`): :math:`T = 1 + \beta - x`, :math:`D = \beta`, stable for
      :math:`x < 2(1+\beta)`;
    * ``"nesterov"`` (the gradient at :math:`w - \eta\beta b`): on :math:`(w, b)` the matrix
      :math:`\begin{pmatrix} 1-x & -\eta\beta(1-x) \\ h & \beta(1-x) \end{pmatrix}` has
      :math:`T = (1+\beta)(1-x)`, :math:`D = \beta(1-x)`, stable for :math:`x < 2(1+\beta)/(1+2\beta)`;
    * ``"averaged_momentum"`` (Adam, AdamW, AMSGrad: the step :math:`s \hat m` with
      :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`, late enough that :math:`\hat m \approx m`): heavy
      ball with learning rate :math:`s(1-\beta_1)`, stable for :math:`x < 2(1+\beta_1)/(1-\beta_1)`
      (:func:`optlab.theory.damped_momentum_limit`).

    At :math:`\beta = 0` all four are gradient descent's 2. ``tests/unit/test_race_roster.py``
    checks each against the spectral radius of optlab's own update, just below and just above.
    """
    if kind == "gradient_descent":
        return 2.0
    if kind == "heavy_ball":
        return 2 * (1 + beta)
    if kind == "nesterov":
        return 2 * (1 + beta) / (1 + 2 * beta)
    if kind == "averaged_momentum":
        return damped_momentum_limit(beta)
    raise ValueError(f"kind must be one of gradient_descent, heavy_ball, nesterov, averaged_momentum; got {kind!r}")


def largest_step_curvature(step_sizes, hessian) -> float:
    r"""The largest eigenvalue of :math:`\operatorname{diag}(s)\, H`: what :func:`stability_limit` bounds, in two dimensions.

    On a quadratic with Hessian :math:`H`, a step :math:`\Delta w = -\operatorname{diag}(s)\, g`
    (:math:`s = (\eta, \eta)` for plain gradient descent, :math:`s_i = \eta/(\sqrt{v_i}+\epsilon)`
    for an adaptive method whose :math:`v` is frozen) multiplies the error by
    :math:`I - \operatorname{diag}(s) H`. That matrix is similar to the symmetric
    :math:`I - D^{1/2} H D^{1/2}`, :math:`D = \operatorname{diag}(s)`, so its eigenvalues are real and

    .. math:: \lambda_{\max} = \frac{a + d}{2} + \sqrt{\Big(\frac{a - d}{2}\Big)^2 + s_1 s_2 h_{12}^2},
       \qquad a = s_1 h_{11},\ d = s_2 h_{22}.

    Using only the diagonal (:math:`s_i h_{ii}`) misses the coupling: on Rosenbrock at
    :math:`(-1.5, 2)`, :math:`H = \begin{pmatrix} 1902 & 600 \\ 600 & 200 \end{pmatrix}` and with
    :math:`\eta = 0.001` the diagonal gives 1.902 but :math:`\eta\lambda_{\max} = 2.092 > 2`.
    """
    (h11, h12), (_, h22) = np.asarray(hessian, dtype=float)
    s1, s2 = (float(v) for v in step_sizes)
    a, d = s1 * h11, s2 * h22
    half = (a - d) / 2
    return float((a + d) / 2 + np.sqrt(half * half + s1 * s2 * (h12 * h12)))


@dataclass(frozen=True)
class Racer:
    """One optimizer of the race: its name, the ``optlab`` call it is, and its settings.

    ``hyper`` lists the hyperparameters a reader can set, in the
    constructor's order; ``defaults`` holds their starting values.
    """

    name: str
    constructor: str
    flags: dict
    hyper: tuple[str, ...]
    defaults: dict
    takes_eps: bool

    def make(self, **hyper) -> Optimizer:
        """The optimizer with these hyperparameters (``eps`` is :data:`EPS` unless given)."""
        if self.takes_eps:
            hyper.setdefault("eps", EPS)
        else:
            hyper.pop("eps", None)
        return getattr(importlib.import_module("optlab"), self.constructor)(**hyper, **self.flags)

    def settings(self, surface_key: str) -> dict:
        """The hyperparameters a race on ``surface_key`` starts from, ``eps`` included."""
        lr = SUGGESTED_LR.get(surface_key, {}).get(self.name, self.defaults["lr"])
        return {**self.defaults, "lr": lr, "eps": EPS}

    def limit(self, hyper: dict) -> float | None:
        """This racer's stability limit with ``hyper`` (:data:`STABILITY`); ``None`` for a racer it does not list."""
        if self.name not in STABILITY:
            return None
        kind, beta = STABILITY[self.name]
        return stability_limit(kind, hyper[beta] if beta else 0.0)


def racer(name: str) -> Racer:
    """The racer called ``name``: a public constructor of ``optlab``, or one of the :data:`VARIANTS`."""
    optlab = importlib.import_module("optlab")
    constructor, flags = VARIANTS.get(name, (name, {}))
    if constructor not in optlab.__all__:
        raise ValueError(f"{name!r} has a style but optlab exports no {constructor!r}: add it to optlab.__all__")
    parameters = inspect.signature(getattr(optlab, constructor)).parameters
    hyper = tuple(p for p in parameters if p in HYPERPARAMETERS)
    defaults = {p: parameters[p].default for p in hyper} | RACE_DEFAULTS.get(name, {})
    return Racer(name, constructor, dict(flags), hyper, defaults, takes_eps="eps" in parameters)


def racers() -> list[Racer]:
    """Every optimizer of :data:`optlab.plotting.STYLES`, in the table's order."""
    return [racer(name) for name in STYLES]


def highest_gap_ratio(surface_key: str, racer: Racer, hyper: dict | None = None,
                      steps: int = HORIZONS[-1]) -> float:
    r"""How far a race climbs above its start: :math:`\max_t (L(w_t) - L^\star) / (L(w_0) - L^\star)`.

    The run is ``racer`` with ``hyper`` (default: its settings on the surface)
    from the surface's start, exact gradients, over ``steps`` updates (default: the
    longest race). A run that diverges (:math:`|w_i| > ` :data:`DIVERGED` or a
    loss that is not finite) gives infinity.

    A suggested rate must give at most 1: the loss never rises above where it
    started, at any step of the longest race, which includes the first step
    (no opening climb) and excludes divergence. A run that climbs above its
    start has been thrown out of the basin it was descending (on Rosenbrock,
    across the valley), and where it lands afterwards is chance, not its
    method: the race would crown luck. Momentum may still overshoot, as long
    as it overshoots downhill of the start.
    """
    surface = SURFACES[surface_key]
    hyper = racer.settings(surface_key) if hyper is None else hyper
    path = run_on_surface(surface, racer.make(**hyper), steps).path
    with np.errstate(all="ignore"):  # a diverging run overflows on its way out
        gaps = surface.gap(path)
    if not (np.all(np.abs(path) <= DIVERGED) and np.all(np.isfinite(gaps))):
        return float("inf")
    return float(gaps.max() / gaps[0])
