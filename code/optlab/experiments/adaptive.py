r"""The runs of sections 27.3 to 27.6 that end in a verdict, on the bowl :math:`L = w_1^2 + 50\,w_2^2`.

The main page prints those of :func:`adagrad_and_rmsprop`, :func:`remedies`
and :func:`ridge_and_box`; its companion "27.4 in depth" those of
:func:`adam_blowup`, :func:`sawtooth` and :func:`ablation`; the conventions
page those of :func:`rmsprop_decays`.

Each function runs one experiment of the chapter for ``horizon`` steps and
returns :class:`Runs`: the iterates, the step sizes
:math:`\eta_t/(\sqrt{s_t} + \epsilon)` of each coordinate, and the
verdicts the page prints, each read off the run by :mod:`optlab.diagnostics`.
``VERDICTS`` lists the horizons at which the page reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import diagnostics, theory
from ..optimizers import Adam, AdaGrad, DecoupledWeightDecay, L2Penalty, RMSProp
from ..surfaces import ILL_CONDITIONED, quadratic
from ..training import run_on_surface
from . import Experiment

BOWL = ILL_CONDITIONED
STEEP_LIMIT = theory.damped_momentum_limit(0.9) / 100.0
"""Adam's stability limit (27.N, eq-adam-limit) for the bowl's steep curvature 100 with beta1 = 0.9: 0.38."""


@dataclass(frozen=True)
class Runs:
    """The runs of one experiment, by row: ``paths[row][t]`` is :math:`w_t`, ``step_sizes[row][t]`` the step size after step t."""

    paths: dict
    step_sizes: dict = field(default_factory=dict)
    verdicts: dict = field(default_factory=dict)
    predictions: dict = field(default_factory=dict)


def adagrad_and_rmsprop(horizon: int = 300, seeds: int = 1, start=None) -> Runs:
    r"""AdaGrad (:math:`\eta = 1`) and RMSProp (:math:`\eta = 0.1`, :math:`\beta = 0.99`) from ``start``.

    The verdicts: each run's :func:`~optlab.diagnostics.verdict`, and whether
    AdaGrad's step size ever grows (:func:`~optlab.diagnostics.first_rise`).
    """
    optimizers = {"AdaGrad": AdaGrad(lr=1.0), "RMSProp": RMSProp(lr=0.1, beta=0.99)}
    runs = {name: run_on_surface(BOWL, opt, steps=horizon, start=start, step_sizes=True)
            for name, opt in optimizers.items()}
    paths, sizes = {name: run.path for name, run in runs.items()}, {name: run.step_sizes for name, run in runs.items()}
    verdicts = {name: diagnostics.verdict(path) for name, path in paths.items()}
    verdicts["AdaGrad step size"] = diagnostics.first_rise(sizes["AdaGrad"])
    return Runs(paths, sizes, verdicts)


def rmsprop_decays(horizon: int = 300, seeds: int = 1, lr: float = 0.1, betas=(0.9, 0.99)) -> Runs:
    r"""RMSProp at ``lr`` with each decay rate of ``betas`` (one batched run), rows ``"beta = 0.9"`` and so on."""
    betas = np.asarray(betas, dtype=float)[:, None]
    path = run_on_surface(BOWL, RMSProp(lr=lr, beta=betas), steps=horizon,
                          start=np.tile(BOWL.start, (len(betas), 1))).path
    rows = [f"beta = {beta:g}" for beta in betas[:, 0]]
    return Runs({row: path[:, k] for k, row in enumerate(rows)},
                verdicts={row: diagnostics.verdict(path[:, k]) for k, row in enumerate(rows)})


def adam_blowup(horizon: int = 6000, seeds: int = 1) -> Runs:
    r"""Adam with its defaults at :math:`\eta = 0.1`: when the step size of :math:`w_2` crosses its limit, and the blow-up."""
    run = run_on_surface(BOWL, Adam(lr=0.1), steps=horizon, step_sizes=True)
    path, sizes = run.path, run.step_sizes
    verdicts = {"Adam": diagnostics.verdict(path), "step size of w2": diagnostics.limit_verdict(sizes[:, 1], STEEP_LIMIT)}
    return Runs({"Adam": path}, {"Adam": sizes}, verdicts)


def sawtooth(horizon: int = 3000, seeds: int = 1, lrs=(0.3, 1.0)) -> Runs:
    r"""Adam and AMSGrad at the learning rates ``lrs``, one batched run each; rows ``"Adam, lr = 0.3"`` and so on."""
    lrs = np.asarray(lrs, dtype=float)[:, None]
    start = np.tile(BOWL.start, (len(lrs), 1))
    runs = Runs({}, {})
    for name, optimizer in {"Adam": Adam(lr=lrs), "AMSGrad": Adam(lr=lrs, amsgrad=True)}.items():
        run = run_on_surface(BOWL, optimizer, steps=horizon, start=start, step_sizes=True)
        path, sizes = run.path, run.step_sizes
        for k, lr in enumerate(lrs[:, 0]):
            row = f"{name}, lr = {lr:g}"
            runs.paths[row], runs.step_sizes[row] = path[:, k], sizes[:, k]
            runs.verdicts[row] = diagnostics.verdict(path[:, k])
    return runs


ABLATION_BETAS = [(beta1, beta2) for beta1 in (0.0, 0.9) for beta2 in (0.9, 0.99, 0.999)]
"""The six (beta1, beta2) pairs of the ablation, each with and without bias correction."""


def ablation(horizon: int = 6000, seeds: int = 1) -> Runs:
    r"""Adam at :math:`\eta = 0.1` for every pair of ``ABLATION_BETAS``, with and without bias correction.

    Rows are ``(beta1, beta2, corrected)``; two batched runs of six.
    """
    beta1s, beta2s = (np.array(column)[:, None] for column in zip(*ABLATION_BETAS))
    runs = Runs({}, {})
    for corrected in (True, False):
        optimizer = Adam(lr=0.1, beta1=beta1s, beta2=beta2s, bias_correction=corrected)
        run = run_on_surface(BOWL, optimizer, steps=horizon, start=np.tile(BOWL.start, (len(beta1s), 1)),
                             step_sizes=True)
        path, sizes = run.path, run.step_sizes
        for k, betas in enumerate(ABLATION_BETAS):
            row = (*betas, corrected)
            runs.paths[row], runs.step_sizes[row] = path[:, k], sizes[:, k]
            runs.verdicts[row] = diagnostics.verdict(path[:, k])
    return runs


REMEDIES = {  # name: (eps, learning rate at step t)
    "constant lr": (1e-8, lambda t: 0.1),
    "lr / sqrt(1 + t)": (1e-8, lambda t: 0.1 / np.sqrt(1 + t)),
    "lr * 0.999^t": (1e-8, lambda t: 0.1 * 0.999**t),
    "eps = 0.2": (0.2, lambda t: 0.1),
    "eps = 0.5": (0.5, lambda t: 0.1),
}
"""Adam at eta = 0.1 with the remedies of section 27.4 (a schedule or a larger epsilon), by name."""


def remedies(horizon: int = 15000, seeds: int = 1) -> Runs:
    r"""Adam with each of ``REMEDIES`` (one batched run), and AMSGrad.

    For each row two verdicts: where
    the step size of :math:`w_2` stands against its limit
    (:func:`~optlab.diagnostics.limit_verdict`), keyed ``(name, "step size")``,
    and the run's :func:`~optlab.diagnostics.verdict`, keyed ``(name, "run")``.
    """
    eps = np.array([e for e, _ in REMEDIES.values()])[:, None]
    schedules = [schedule for _, schedule in REMEDIES.values()]
    run = run_on_surface(BOWL, Adam(lr=0.1, eps=eps), steps=horizon, start=np.tile(BOWL.start, (len(eps), 1)),
                         lr_schedule=lambda t: np.array([[schedule(t)] for schedule in schedules]), step_sizes=True)
    runs = Runs({name: run.path[:, k] for k, name in enumerate(REMEDIES)},
                {name: run.step_sizes[:, k] for k, name in enumerate(REMEDIES)})
    amsgrad = run_on_surface(BOWL, Adam(lr=0.1, amsgrad=True), steps=horizon, step_sizes=True)
    runs.paths["AMSGrad"], runs.step_sizes["AMSGrad"] = amsgrad.path, amsgrad.step_sizes
    for name, path in runs.paths.items():
        runs.verdicts[name, "step size"] = diagnostics.limit_verdict(runs.step_sizes[name][:, 1], STEEP_LIMIT)
        runs.verdicts[name, "run"] = diagnostics.verdict(path)
    return runs


SHIFTED_BOWL = quadratic(center=(3.0, 1.0), name="Shifted bowl")
"""The bowl with its minimiser moved to c = (3, 1), where the loss and a regulariser disagree."""


def ridge_and_box(horizon: int = 20000, seeds: int = 1, lr: float = 0.1, decay: float = 0.05) -> Runs:
    r"""Adam with an :math:`\ell_2` penalty and AdamW, both with coefficient ``decay``, on :data:`SHIFTED_BOWL`.

    Each run against its prediction: the ridge solution
    :math:`(A + \omega I)^{-1} A c` for the penalty, the minimiser over the box
    :math:`\lVert w\rVert_\infty \le \eta/\omega` for AdamW
    (:func:`~optlab.diagnostics.settle_verdict` to :math:`10^{-6}`).
    """
    # One batched run of two rows: row 0 has the penalty and no decoupled decay, row 1 the reverse. A
    # coefficient of 0 adds exactly 0.0, so each row is, bit for bit, its method run alone.
    both = DecoupledWeightDecay(L2Penalty(Adam(lr=lr), l2=np.array([[decay], [0.0]])),
                                weight_decay=np.array([[0.0], [decay]]))
    path = run_on_surface(SHIFTED_BOWL, both, steps=horizon, start=np.tile(SHIFTED_BOWL.start, (2, 1))).path
    paths = {"Adam + L2": path[:, 0], "AdamW": path[:, 1]}
    predictions = {"Adam + L2": theory.ridge_minimiser(SHIFTED_BOWL, decay),
                   "AdamW": theory.box_minimiser(SHIFTED_BOWL, lr / decay)}
    verdicts = {name: diagnostics.settle_verdict(path, predictions[name]) for name, path in paths.items()}
    return Runs(paths, verdicts=verdicts, predictions=predictions)


VERDICTS = (
    Experiment(adagrad_and_rmsprop, horizon=300),
    Experiment(adagrad_and_rmsprop, horizon=1000, kwargs={"start": (50.0, 0.5)}),
    Experiment(rmsprop_decays, horizon=300),
    Experiment(adam_blowup, horizon=6000),
    Experiment(sawtooth, horizon=3000),
    Experiment(ablation, horizon=6000),
    Experiment(remedies, horizon=15000),
    Experiment(ridge_and_box, horizon=20000),
)
