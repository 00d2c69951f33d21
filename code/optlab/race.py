r"""The Optimizer Race's roster: one entry per racer, holding everything the race knows about it.

The applet (``_static/race/``) races the optimizers of :data:`ROSTER`, in its
order. Each entry is a :class:`Racer`: its name, its ``optlab`` constructor
(and flags: Nesterov's method is ``Momentum(nesterov=True)``), the settings
a reader may change (keys of :data:`SETTINGS`, each with its symbol, range
and slider), its starting values where they differ from the constructor's
defaults, a suggested learning rate per surface, its stability kind
(:func:`stability_limit`) and its style in every figure and in the applet
(:data:`optlab.plotting.STYLES` is made from the roster). :math:`\epsilon` is
:data:`EPS` throughout.

A race may also add gradient noise (:data:`NOISE`, through
:func:`optlab.noise.run_noisy`) and follow a learning-rate schedule
(:data:`SCHEDULES`, :func:`race_schedule`); the readout of one update
compares the largest eigenvalue of the preconditioned Hessian
(:func:`largest_step_curvature`) with the stability limit of its method.
:data:`RANGES` bounds what a reader may type. :func:`highest_gap_ratio` is
the test a suggested rate passes.

``python -m booktools.race_data`` writes all of this, with the surfaces, into
the applet's ``race_data.js`` (``make book`` runs it); ``booktools.race_vectors``
runs the same calls to make the parity vectors.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np

from . import optimizers
from .optimizers import Optimizer
from .schedules import Constant, Cosine, Schedule, StepDecay, WarmupCosine
from .surfaces import SURFACES
from .theory import damped_momentum_limit
from .training import run_on_surface

__all__ = ["EPS", "HORIZONS", "DIVERGED", "Setting", "SETTINGS", "RANGES", "NOISE", "SCHEDULES", "LIMIT_FORMULAS",
           "Racer", "ROSTER", "racer", "racers", "highest_gap_ratio", "largest_step_curvature", "race_schedule",
           "stability_limit", "convergence_rate", "curvatures", "stability_map"]

EPS = 1e-8
"""The :math:`\\epsilon` of every adaptive optimizer in the race."""

HORIZONS = (300, 1000, 3000)
"""The race lengths a reader can choose; the first is where a race starts."""

DIVERGED = 1e6
"""A run whose :math:`|w_i|` exceeds this (or whose loss is not finite) has diverged and stops."""


@dataclass(frozen=True)
class Setting:
    """A value a reader can set in the applet: its symbol in the chapter, its name, its range and its slider.

    ``scale`` is the slider's: ``"log"`` (rates), ``"decay"`` (even steps in
    :math:`1 - \\beta`, so 0.9, 0.99 and 0.999 are evenly spaced),
    ``"linear"``, or ``"noise"`` (0, then logarithmic).
    """

    symbol: str
    long: str
    min: float
    max: float
    scale: str


SETTINGS = {
    "lr": Setting("\u03b7", "learning rate", 1e-4, 5, "log"),
    "beta": Setting("\u03b2", "beta", 0, 0.9999, "decay"),
    "beta1": Setting("\u03b2\u2081", "beta1", 0, 0.9999, "decay"),
    "beta2": Setting("\u03b2\u2082", "beta2", 0, 0.9999, "decay"),
    "weight_decay": Setting("\u03c9", "weight decay", 0, 0.5, "linear"),
    "sigma": Setting("\u03c3", "gradient noise", 0, 100, "noise"),
}
"""Every value with a field and a slider: the hyperparameters a racer may take, and the noise level :math:`\\sigma`."""

RANGES = {key: {"min": s.min, "max": s.max} for key, s in SETTINGS.items()} | {"seed": {"min": 0, "max": 2**32 - 1}}
"""The values a reader may set, inclusive: :data:`SETTINGS`' ranges and the noise seed (an unsigned 32-bit integer)."""

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
    return curvatures(step_sizes, hessian)[0]


def convergence_rate(kind: str, x, beta=0.0):
    r"""The per-step contraction of a method's step on a one-dimensional quadratic: the spectral radius of its iteration.

    With :math:`x = s h` (step size times curvature) each kind of
    :func:`stability_limit` is the linear iteration whose characteristic
    polynomial is :math:`\lambda^2 - T\lambda + D`:

    * ``"gradient_descent"``: :math:`|1 - x|`;
    * ``"heavy_ball"``: :math:`T = 1 + \beta - x`, :math:`D = \beta`
      (:func:`optlab.theory.heavy_ball_matrix`);
    * ``"nesterov"``: :math:`T = (1 + \beta)(1 - x)`, :math:`D = \beta(1 - x)`;
    * ``"averaged_momentum"``: heavy ball at :math:`x(1 - \beta)`.

    The radius is :math:`\max |\lambda_\pm|`, :math:`\lambda_\pm = T/2 \pm \sqrt{T^2/4 - D}`, and
    :math:`\sqrt{D}` when the roots are complex. It is below 1 exactly when :math:`0 < x <`
    :func:`stability_limit`; a negative :math:`x` (negative curvature) gives more than 1 at any
    step size. Arrays broadcast.
    """
    x, beta = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(beta, dtype=float))
    if kind == "gradient_descent":
        return np.abs(1 - x) if x.ndim else float(abs(1 - x))
    if kind == "heavy_ball":
        trace, det = 1 + beta - x, beta
    elif kind == "nesterov":
        trace, det = (1 + beta) * (1 - x), beta * (1 - x)
    elif kind == "averaged_momentum":
        trace, det = 1 + beta - x * (1 - beta), beta
    else:
        raise ValueError(f"kind must be one of gradient_descent, heavy_ball, nesterov, averaged_momentum; got {kind!r}")
    half = trace / 2
    disc = half * half - det
    real = np.maximum(np.abs(half + np.sqrt(np.maximum(disc, 0))), np.abs(half - np.sqrt(np.maximum(disc, 0))))
    rate = np.where(disc >= 0, real, np.sqrt(np.abs(det)))
    return rate if rate.ndim else float(rate)


def curvatures(scales, hessian) -> list[float]:
    r"""Both eigenvalues of :math:`\operatorname{diag}(p) H`, the larger first: the curvatures a step :math:`-\operatorname{diag}(p)\,g` meets.

    :math:`\operatorname{diag}(p) H` is similar to the symmetric :math:`D^{1/2} H D^{1/2}`,
    :math:`D = \operatorname{diag}(p)`, :math:`p > 0`, so they are real:

    .. math:: \lambda_\pm = \frac{a + d}{2} \pm \sqrt{\Big(\frac{a - d}{2}\Big)^2 + p_1 p_2 h_{12}^2},
       \qquad a = p_1 h_{11},\ d = p_2 h_{22}.

    With :math:`p` the step sizes :math:`s` it gives :func:`largest_step_curvature`; with
    :math:`p = s/\eta` (ones for a method without per-coordinate step sizes), the curvatures per unit
    learning rate that :func:`stability_map` scales by :math:`\eta`.
    """
    (h11, h12), (_, h22) = np.asarray(hessian, dtype=float)
    p1, p2 = (float(v) for v in scales)
    a, d = p1 * h11, p2 * h22
    half = (a - d) / 2
    root = float(np.sqrt(half * half + p1 * p2 * (h12 * h12)))
    return [float((a + d) / 2 + root), float((a + d) / 2 - root)]


def stability_map(kind: str, curvature: list, lrs, betas) -> np.ndarray:
    r"""The convergence rate over a grid: ``rates[j, i]`` is the slowest contraction over the curvatures at ``lrs[i] * scale``, ``betas[j]``.

    ``curvature`` holds the eigenvalues :math:`c_k` of the (preconditioned) Hessian per unit
    learning rate (:func:`curvatures`, times :math:`s_1/\eta` for an adaptive method), so
    :math:`x_k = \eta c_k`; the rate is :math:`\max_k` :func:`convergence_rate` of
    :math:`x_k`, which is below 1 exactly inside the region of stability.
    """
    lr, beta = np.meshgrid(np.asarray(lrs, dtype=float), np.asarray(betas, dtype=float))
    return np.max([convergence_rate(kind, lr * c, beta) for c in curvature], axis=0)


@dataclass(frozen=True)
class Racer:
    r"""One optimizer of the race, and everything the race knows about it: its roster entry.

    ``constructor`` is the ``optlab`` class, called with ``flags`` as well;
    ``hyper`` the settings a reader may change (keys of :data:`SETTINGS`, in
    the constructor's order), starting from the constructor's defaults except
    where ``starts`` says otherwise; ``suggested_lr`` a learning rate per
    surface key (the constructor's default on another surface); ``stability``
    the kind of :func:`stability_limit` (``None``: no known limit) and ``beta``
    the setting that is its :math:`\beta`; ``style`` its colour, matplotlib line
    style and marker. A mistake (a setting the constructor does not take, a
    rate outside its range) is refused when the entry is made.
    """

    name: str
    constructor: type
    hyper: tuple[str, ...]
    suggested_lr: dict
    stability: str | None
    style: dict
    beta: str | None = None
    flags: dict = field(default_factory=dict)
    starts: dict = field(default_factory=dict)

    def __post_init__(self):
        parameters = inspect.signature(self.constructor).parameters
        for key in self.hyper:
            if key not in SETTINGS or key not in parameters:
                raise ValueError(f"{self.name}: hyper must name settings of SETTINGS that "
                                 f"{self.constructor.__name__} takes; got {key!r}")
        for key, lr in self.suggested_lr.items():
            if key not in SURFACES or not SETTINGS["lr"].min <= lr <= SETTINGS["lr"].max:
                raise ValueError(f"{self.name}: suggested_lr must map surface keys to rates in "
                                 f"[{SETTINGS['lr'].min}, {SETTINGS['lr'].max}]; got {key!r}: {lr}")
        if self.stability is not None and self.stability not in LIMIT_FORMULAS:
            raise ValueError(f"{self.name}: stability must be one of {', '.join(LIMIT_FORMULAS)} or None; "
                             f"got {self.stability!r}")
        if self.beta is not None and self.beta not in self.hyper:
            raise ValueError(f"{self.name}: beta must be one of its settings {self.hyper}; got {self.beta!r}")

    @property
    def defaults(self) -> dict:
        """The settings a race starts from: the constructor's defaults, then ``starts``."""
        parameters = inspect.signature(self.constructor).parameters
        return {key: parameters[key].default for key in self.hyper} | self.starts

    @property
    def takes_eps(self) -> bool:
        return "eps" in inspect.signature(self.constructor).parameters

    def make(self, **hyper) -> Optimizer:
        """The optimizer with these hyperparameters (``eps`` is :data:`EPS` unless given)."""
        if self.takes_eps:
            hyper.setdefault("eps", EPS)
        else:
            hyper.pop("eps", None)
        return self.constructor(**hyper, **self.flags)

    def settings(self, surface_key: str) -> dict:
        """The hyperparameters a race on ``surface_key`` starts from, ``eps`` included."""
        lr = self.suggested_lr.get(surface_key, self.defaults["lr"])
        return {**self.defaults, "lr": lr, "eps": EPS}

    def limit(self, hyper: dict) -> float | None:
        """This racer's stability limit with ``hyper``; ``None`` for a racer without a known one."""
        if self.stability is None:
            return None
        return stability_limit(self.stability, hyper[self.beta] if self.beta else 0.0)


def _rates(quadratic, rosenbrock, saddle, plateau) -> dict:
    return {"quadratic": quadratic, "rosenbrock": rosenbrock, "saddle": saddle, "plateau": plateau}


ROSTER = (
    Racer("SGD", optimizers.SGD, ("lr",), _rates(0.012, 0.001, 0.1, 0.5), "gradient_descent",
          dict(color="#000000", linestyle="-", marker="o")),  # Okabe-Ito black
    Racer("Momentum", optimizers.Momentum, ("lr", "beta"), _rates(0.012, 0.0005, 0.02, 0.1), "heavy_ball",
          dict(color="#E69F00", linestyle="--", marker="s"), beta="beta"),  # orange
    Racer("Nesterov", optimizers.Momentum, ("lr", "beta"), _rates(0.012, 0.0005, 0.02, 0.1), "nesterov",
          dict(color="#56B4E9", linestyle="-.", marker="^"), beta="beta", flags={"nesterov": True}),  # sky blue
    Racer("AdaGrad", optimizers.AdaGrad, ("lr",), _rates(1.0, 0.1, 0.2, 0.5), "gradient_descent",
          dict(color="#CC79A7", linestyle=":", marker="v")),  # reddish purple
    Racer("RMSProp", optimizers.RMSProp, ("lr", "beta"), _rates(0.1, 0.01, 0.01, 0.01), "gradient_descent",
          dict(color="#009E73", linestyle=(0, (5, 1)), marker="D"), starts={"beta": 0.99}),  # bluish green
    Racer("Adam", optimizers.Adam, ("lr", "beta1", "beta2"), _rates(0.1, 0.1, 0.05, 0.05), "averaged_momentum",
          dict(color="#0072B2", linestyle="-", marker="P"), beta="beta1"),  # blue
    Racer("AdamW", optimizers.AdamW, ("lr", "beta1", "beta2", "weight_decay"), _rates(0.1, 0.1, 0.05, 0.05), "averaged_momentum",
          dict(color="#D55E00", linestyle=(0, (3, 1, 1, 1)), marker="X"), beta="beta1"),  # vermillion
    Racer("AMSGrad", optimizers.Adam, ("lr", "beta1", "beta2"), _rates(0.1, 0.1, 0.05, 0.05), "averaged_momentum",
          dict(color="#8C6D00", linestyle=(0, (1, 1)), marker="*"), beta="beta1", flags={"amsgrad": True}),
)
"""Every racer, in the order of the applet's standings and of the chapter's legends.

Starting values: RMSProp's :math:`\\beta = 0.99` is PyTorch's default, the one the chapter's
figures use. Styles: the Okabe-Ito palette (AMSGrad a dark shade of its yellow, too light on
white), a line style and a marker each. Suggested rates show each method at its best while keeping
the race fair: every one passes :func:`highest_gap_ratio` (the quadratic bowl's are the chapter's).
Where a rate failed, it was lowered down the 1-2-5 grid to the first value that passes (on
Rosenbrock, SGD 0.002 -> 0.001, Momentum and Nesterov 0.001 -> 0.0005, AdaGrad 0.5 -> 0.1, AMSGrad
0.2 -> 0.1)."""


def racer(name: str) -> Racer:
    """The racer called ``name`` in :data:`ROSTER`."""
    for entry in ROSTER:
        if entry.name == name:
            return entry
    raise ValueError(f"name must be one of {', '.join(r.name for r in ROSTER)}; got {name!r}")


def racers() -> list[Racer]:
    """Every racer of :data:`ROSTER`, in its order."""
    return list(ROSTER)


def highest_gap_ratio(surface_key: str, racer: Racer, hyper: dict | None = None,
                      steps: int = HORIZONS[-1]) -> float:
    r"""How far a race climbs above its start: :math:`\max_t (L(w_t) - L^\star) / (L(w_0) - L^\star)`.

    The run is ``racer`` with ``hyper`` (default: its settings on the surface)
    from the surface's start, exact gradients, over ``steps`` updates (default: the
    longest race). A run that diverges (a :math:`|w_i|` above :data:`DIVERGED`, or
    a loss that is not finite) gives infinity.

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
