r"""The experiments of sections 27.7 and 27.8 (the page on noise and schedules).

Each function runs one table's or figure's runs as one batched computation
and returns what the page prints and draws; those that print a verdict are
listed in ``VERDICTS`` with the horizon the page reads them at. A horizon
counts steps on the bowl and updates on the circle task; a schedule of a
fixed length (a cosine over 6000 steps, say) keeps its length when the
horizon doubles, so the longer run asks what happens after it ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import diagnostics, theory
from ..datasets import circle
from ..network import MLP, replicate
from ..noise import GradientNoise, batches_per_epoch, expected_sgd_loss, run_noisy, train_minibatch
from ..optimizers import SGD, Adam, Momentum
from ..schedules import Constant, Cosine, PowerDecay, StepDecay, WarmupCosine, batched_schedule
from ..surfaces import ILL_CONDITIONED
from ..training import epochs_to_reach
from . import Experiment

__all__ = [
    "per_run", "seed_grid", "spread", "AdamOnTheBowl", "adam_on_the_bowl", "MomentumAgainstSGD", "momentum_against_sgd",
    "MinibatchReach", "circle_task", "minibatch_reach", "bowl_schedules", "SchedulesOnTheBowl", "schedules_on_the_bowl",
    "SchedulesInTheLongRun", "schedules_in_the_long_run", "VERDICTS",
]

BOWL = ILL_CONDITIONED
"""The bowl :math:`L(w) = w_1^2 + 50 w_2^2` from :math:`(5, 0.5)`: curvatures 2 and 100."""


def per_run(values, seeds: int) -> np.ndarray:
    """Each value repeated once per seed, as a column: one row per run of a batch."""
    return np.repeat(np.ravel(values), seeds)[:, None]


def seed_grid(groups: int, seeds: int) -> np.ndarray:
    """Seeds 0 to ``seeds - 1`` for each of ``groups`` groups of runs: the same noise in every group."""
    return np.tile(np.arange(seeds), groups)


def spread(values, axis=-1) -> np.ndarray:
    """Median, 10 % and 90 % quantiles over the seeds (the last axis unless told)."""
    return np.quantile(values, [0.5, 0.1, 0.9], axis=axis)


# --- 27.7: Adam under noise, and its late blow-up removed by decay ------------------


@dataclass(frozen=True)
class AdamOnTheBowl:
    r"""Adam at a large rate on the bowl: one row per noise scale at a constant rate, then the decayed rates.

    ``losses`` has shape ``(steps + 1, rows, seeds)``, ``step_sizes`` shape
    ``(steps, rows, seeds, 2)``. ``early`` and ``late`` are the median losses
    over steps :math:`[T/3, T/2)` and :math:`[5T/6, T]` of a horizon :math:`T`;
    ``rms_steps`` the root mean square of :math:`|w_{t+1,i} - w_{t,i}|/\eta`
    over the second half, per coordinate; ``largest_step_size`` the median
    over seeds of each run's largest step size of :math:`w_2` over the second
    half; ``scale_over_sigma`` the median of :math:`\sqrt{\hat v_t}/\sigma` for
    :math:`w_2` over the second half (``nan`` without noise); ``blown_up`` whether
    any run of the row blew up (:func:`optlab.diagnostics.first_blowup`), after
    which its losses and steps say nothing about the setting.
    """

    rows: tuple
    sigmas: np.ndarray
    lr: float
    limit: float
    losses: np.ndarray
    step_sizes: np.ndarray
    early: np.ndarray
    late: np.ndarray
    rms_steps: np.ndarray
    largest_step_size: np.ndarray
    scale_over_sigma: np.ndarray
    blown_up: np.ndarray
    verdicts: dict


def _first_blowups(paths) -> list:
    """:func:`optlab.diagnostics.first_blowup` of each run of ``paths`` (shape ``(steps + 1, runs, d)``).

    The runs are first read as one run with ``runs * d`` coordinates: that
    run blows up exactly when one of them does, so only a batch in which some
    run blows up is read run by run.
    """
    if diagnostics.first_blowup(paths.reshape(len(paths), -1)) is None:
        return [None] * paths.shape[1]
    return diagnostics.first_blowup(paths)


def adam_on_the_bowl(horizon: int = 6000, seeds: int = 16, sigmas=(0.0, 0.01, 0.1, 1.0), lr: float = 0.1,
                     decay_steps: int = 6000) -> AdamOnTheBowl:
    r"""Adam (:math:`\eta` = ``lr``, default betas) for ``horizon`` steps at each noise scale, and without noise
    under a cosine over ``decay_steps`` steps and a tenfold step decay every ``decay_steps // 3`` steps.

    One batched run of ``(len(sigmas) + 2) * seeds`` runs; the step sizes are
    recorded during it. The verdict of each row is
    :func:`optlab.diagnostics.stability_verdict` against the stability limit of
    the step size for the curvature 100, :math:`2(1+\beta_1)/(1-\beta_1)` times
    :math:`(1-\beta_1)/100` (section 27.4).
    """
    sigmas = np.asarray(sigmas, dtype=float)
    schedules = [Constant(lr)] * len(sigmas) + [Cosine(lr, decay_steps), StepDecay(lr, step_size=decay_steps // 3)]
    noise_scales = np.concatenate([sigmas, [0.0, 0.0]])
    rows = tuple("no noise" if s == 0 else f"sigma = {s:g}" for s in sigmas) + ("cosine decay", "step decay")
    run = run_noisy(BOWL, Adam(lr=np.full((len(rows) * seeds, 1), lr)), horizon,
                    GradientNoise(per_run(noise_scales, seeds), seed_grid(len(rows), seeds)),
                    lr_schedule=batched_schedule(schedules, seeds), step_sizes=True)
    paths = run.path.reshape(horizon + 1, len(rows), seeds, 2)
    losses = run.losses.reshape(horizon + 1, len(rows), seeds)
    sizes = run.step_sizes.reshape(horizon, len(rows), seeds, 2)
    limit = theory.damped_momentum_limit(0.9) / 100.0
    blowups = [_first_blowups(paths[:, k]) for k in range(len(rows))]
    half = horizon // 2
    moves = np.abs(np.diff(paths[half:], axis=0)) / lr
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = (lr / sizes[half:, : len(sigmas), :, 1] - Adam().eps) / sigmas[:, None]
    return AdamOnTheBowl(
        rows=rows, sigmas=sigmas, lr=lr, limit=limit, losses=losses, step_sizes=sizes,
        early=np.median(losses[horizon // 3:half], axis=(0, 2)), late=np.median(losses[5 * horizon // 6:], axis=(0, 2)),
        rms_steps=np.sqrt(np.mean(moves**2, axis=(0, 2))),
        largest_step_size=np.median(sizes[half:, :, :, 1].max(axis=0), axis=-1),
        scale_over_sigma=np.where(sigmas > 0, np.median(scale, axis=(0, 2)), np.nan),
        blown_up=np.array([any(step is not None for step in steps) for steps in blowups]),
        verdicts={row: diagnostics.stability_verdict(blowups[k], sizes[:, k, :, 1], limit) for k, row in enumerate(rows)},
    )


# --- 27.7: momentum against SGD at equal effective rate -----------------------------


@dataclass(frozen=True)
class MomentumAgainstSGD:
    r"""Mean scores of SGD over those of heavy ball at equal effective rate, per noise scale.

    ``ratio[k]`` is the mean over seeds of SGD's score over that of
    momentum's at ``sigmas[k]`` (a score: a run's mean loss over the last
    sixth of the horizon); ``low``, ``high`` its 10 % and 90 % quantiles over
    bootstrap resamples of the seeds. ``predicted`` is the ratio of the two
    stationary losses (:func:`optlab.theory.stationary_loss`), ``crossover``
    the noise scale at which SGD's floor equals its noiseless score.
    """

    sigmas: np.ndarray
    scores: np.ndarray
    ratio: np.ndarray
    low: np.ndarray
    high: np.ndarray
    predicted: float
    crossover: float


def momentum_against_sgd(horizon: int = 300, seeds: int = 64, sigmas=(0.0, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0),
                         effective: float = 0.015, beta: float = 0.9, resamples: int = 1000) -> MomentumAgainstSGD:
    r"""SGD at :math:`\eta` = ``effective`` and heavy ball at :math:`\eta = (1-\beta)` ``effective``, one batched run.

    SGD is heavy ball with :math:`\beta = 0`, so both run in one batch, with
    the same seeds (the same noise) for both methods. The bootstrap
    resamples the seeds, both methods' scores together, with a fixed
    generator (``default_rng(0)``), so its quantiles are reproducible.
    """
    sigmas = np.asarray(sigmas, dtype=float)
    beta_grid, noise_grid = np.meshgrid([0.0, beta], sigmas, indexing="ij")
    run = run_noisy(BOWL, Momentum(lr=effective * (1 - per_run(beta_grid, seeds)), beta=per_run(beta_grid, seeds)),
                    horizon, GradientNoise(per_run(noise_grid, seeds), seed_grid(beta_grid.size, seeds)))
    scores = run.losses[-(horizon // 6):].mean(axis=0).reshape(2, len(sigmas), seeds)
    picks = np.random.default_rng(0).integers(0, seeds, size=(resamples, seeds))
    resampled = scores[0][:, picks].mean(axis=-1) / scores[1][:, picks].mean(axis=-1)
    floors = theory.stationary_loss(effective * np.array([1.0, 1 - beta]), 1.0, BOWL.eigenvalues,
                                    beta=np.array([0.0, beta]))
    low, high = np.quantile(resampled, [0.1, 0.9], axis=-1)
    return MomentumAgainstSGD(
        sigmas=sigmas, scores=scores, ratio=scores[0].mean(axis=-1) / scores[1].mean(axis=-1), low=low, high=high,
        predicted=float(floors[0] / floors[1]), crossover=float(np.sqrt(np.median(scores[0, sigmas == 0]) / floors[0])),
    )


# --- 27.7: mini-batches on the circle task ------------------------------------------


@dataclass(frozen=True)
class MinibatchReach:
    """Epochs to a loss below ``target`` for each optimizer and batch size, one entry per run (``inf``: not reached).

    ``epochs[name, B]`` is an array over the runs; the full batch has no
    noise and one run. ``per_epoch[B]`` is the number of updates per epoch.
    """

    target: float
    horizon: int
    epochs: dict
    per_epoch: dict
    verdicts: dict


def circle_task():
    """The circle data, the 2-8-1 sigmoid network and its initial weights (seed 123), as in section 27.5."""
    X, Y = circle()
    net = MLP((2, 8, 1))
    return net, net.init(np.random.default_rng(123)), X, Y


def _first_epochs(losses, target: float) -> np.ndarray:
    """The first epoch of each run (a column of ``losses``) below ``target``, ``inf`` for a run that never is."""
    reached = [epochs_to_reach(losses[:, k], target) for k in range(losses.shape[1])]
    return np.array([np.inf if e is None else e for e in reached], dtype=float)


def minibatch_reach(horizon: int = 1500, seeds: int = 10, batch_sizes=(10, 30, 100, 300),
                    target: float = 0.03) -> MinibatchReach:
    r"""SGD (:math:`\eta = 10`), heavy ball (:math:`\eta = 1, \beta = 0.9`) and Adam (:math:`\eta = 0.1`) on the
    circle task, each with a budget of ``horizon`` updates, at each batch size.

    SGD and heavy ball share one batched run per batch size. The runs stop
    once every run of the batch is below ``target``, which changes none of
    the answers. The full batch (all 300 samples) draws no samples, so one
    run stands for every seed there.
    """
    net, init, X, Y = circle_task()
    samples = X.shape[-1]
    epochs, per_epoch = {}, {}
    for B in batch_sizes:
        runs = seeds if B < samples else 1
        per_epoch[B] = batches_per_epoch(samples, B)
        heavy_balls = Momentum(lr=per_run([10.0, 1.0], runs)[..., None], beta=per_run([0.0, 0.9], runs)[..., None])
        pair = train_minibatch(net, replicate(init, 2 * runs), X, Y, heavy_balls, horizon // per_epoch[B], B,
                               seed_grid(2, runs), stop_below=target)  # SGD, then momentum
        adam = train_minibatch(net, replicate(init, runs), X, Y, Adam(lr=0.1), horizon // per_epoch[B], B,
                               np.arange(runs), stop_below=target)
        epochs["SGD", B] = _first_epochs(pair.losses[:, :runs], target)
        epochs["Momentum", B] = _first_epochs(pair.losses[:, runs:], target)
        epochs["Adam", B] = _first_epochs(adam.losses, target)
    verdicts = {f"{name}, B = {B}": diagnostics.reach_verdict(e * per_epoch[B], horizon, target)
                for (name, B), e in epochs.items()}
    return MinibatchReach(target=target, horizon=horizon, epochs=epochs, per_epoch=per_epoch, verdicts=verdicts)


# --- 27.8: schedules on the noisy bowl ----------------------------------------------


def bowl_schedules(peak: float, steps: int) -> dict:
    """The six schedules of section 27.8 with peak rate ``peak``; the cosines span ``steps`` steps."""
    return {
        "constant": Constant(peak),
        "1/t": PowerDecay(peak, power=1.0, scale=100.0),
        "1/sqrt(t)": PowerDecay(peak, power=0.5, scale=100.0),
        "step": StepDecay(peak, step_size=steps // 3, gamma=0.1),
        "cosine": Cosine(peak, steps),
        "warmup + cosine": WarmupCosine(peak, warmup_steps=steps // 10, total_steps=steps),
    }


@dataclass(frozen=True)
class SchedulesOnTheBowl:
    """SGD under each schedule: ``losses`` of shape ``(steps + 1, schedules, seeds)``, and per schedule its
    final rate and the floor :math:`L_\\infty` of that rate."""

    schedules: dict
    losses: np.ndarray
    final_rates: np.ndarray
    floors: np.ndarray


def schedules_on_the_bowl(steps: int = 3000, seeds: int = 32, peak: float = 0.015, sigma: float = 1.0):
    """SGD on the noisy bowl under the six schedules of :func:`bowl_schedules`, one batched run."""
    schedules = bowl_schedules(peak, steps)
    run = run_noisy(BOWL, SGD(lr=np.full((len(schedules) * seeds, 1), peak)), steps,
                    GradientNoise(sigma, seed_grid(len(schedules), seeds)),
                    lr_schedule=batched_schedule(schedules.values(), seeds))
    final_rates = np.array([s(steps - 1) for s in schedules.values()])
    return SchedulesOnTheBowl(schedules=schedules, losses=run.losses.reshape(steps + 1, len(schedules), seeds),
                              final_rates=final_rates,
                              floors=theory.stationary_loss(final_rates, sigma, BOWL.eigenvalues))


@dataclass(frozen=True)
class SchedulesInTheLongRun:
    r"""The exact mean loss of SGD under the schedules made for :math:`t \to \infty`, at ``checkpoints``.

    ``mean_losses[name]`` and ``floors[name]`` (the floor of the rate the
    schedule has reached at each checkpoint) are arrays over the checkpoints.
    """

    checkpoints: tuple
    mean_losses: dict
    floors: dict
    verdicts: dict


def schedules_in_the_long_run(horizon: int = 30000, seeds: int = 1, peak: float = 0.015,
                              sigma: float = 1.0) -> SchedulesInTheLongRun:
    r"""The mean loss of SGD on the noisy bowl at steps ``horizon/100``, ``horizon/10`` and ``horizon``.

    The constant rate, :math:`1/t` and :math:`1/\sqrt t` of
    :func:`bowl_schedules`, computed exactly by
    :func:`optlab.noise.expected_sgd_loss` rather than sampled (so ``seeds``
    is 1: there is no sampling noise to average). The verdict is
    :func:`optlab.diagnostics.trend_verdict` of the three values against the
    floor of the constant rate.
    """
    checkpoints = (horizon // 100, horizon // 10, horizon)
    schedules = {name: s for name, s in bowl_schedules(peak, horizon).items() if name in ("constant", "1/t", "1/sqrt(t)")}
    mean_losses, floors = {}, {}
    for name, schedule in schedules.items():
        rates = np.array([schedule(t) for t in range(horizon)])
        mean_losses[name] = expected_sgd_loss(BOWL, rates, sigma, checkpoints)
        floors[name] = theory.stationary_loss(rates[np.array(checkpoints) - 1], sigma, BOWL.eigenvalues)
    constant_floor = float(theory.stationary_loss(peak, sigma, BOWL.eigenvalues))
    return SchedulesInTheLongRun(
        checkpoints=checkpoints, mean_losses=mean_losses, floors=floors,
        verdicts={name: diagnostics.trend_verdict(losses, constant_floor) for name, losses in mean_losses.items()},
    )


VERDICTS = (
    Experiment(adam_on_the_bowl, horizon=6000, seeds=16),
    Experiment(minibatch_reach, horizon=1500, seeds=10),
    Experiment(schedules_in_the_long_run, horizon=30000, seeds=1),
)
