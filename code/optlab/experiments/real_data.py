r"""The runs of section 27.9: a network with one hidden layer on the handwritten digits.

The task. The 1,797 digits of :func:`optlab.datasets.digits` are split once
(seed 0) into 997 training, 300 validation and 500 test images. The network
is :data:`MODEL`, 64 inputs, 32 ReLU units and 10 logits under the softmax
cross-entropy, trained on mini-batches of ``BATCH`` images
(:func:`optlab.noise.train_minibatch`), 32 updates per epoch.

Seeds. Seed ``s`` fixes a run's initial weights
(``MODEL.init(np.random.default_rng(s))``) and its order of the training
images in every epoch, so two optimizers run with seed ``s`` start from the
same weights and see the same mini-batches. The tuning runs use seeds from
``TUNING_SEED`` on, the runs that are reported seeds 0, 1, ...: the test
set never takes part in a choice.

Each function below takes ``horizon`` and ``seeds`` (the contract of
:mod:`optlab.experiments`) and returns a frozen record whose ``verdicts``
the page prints; ``VERDICTS`` registers them at the page's horizons.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import diagnostics
from ..datasets import digits, random_split
from ..network import MLP, stack
from ..noise import batches_per_epoch, train_minibatch
from ..optimizers import SGD, AdamW, Adam, Momentum
from ..schedules import Constant, Cosine, WarmupCosine, batched_schedule
from . import Experiment

MODEL = MLP((64, 32, 10), activation="relu", criterion="cross_entropy")
"""64 pixels, 32 ReLU units, 10 logits: 2,410 weights and biases."""

SPLIT = (997, 300, 500)
"""Training, validation and test images."""

BATCH = 32
EPOCHS = 15
"""The page's training length, in epochs of ``BATCH``-image updates (480 updates)."""

TARGET = 0.2
"""The training loss whose first crossing measures speed (about 95 % of the training images right)."""

TUNING_SEED = 100
MOMENTUM = 0.9

OPTIMIZERS = ("SGD", "Momentum", "Adam", "AdamW")

LEARNING_RATES = tuple(float(10.0**e) for e in np.arange(-3.0, 0.75, 0.5))
"""Eight learning rates, half a decade apart, from 0.001 to 3.16: the grid of SGD, momentum and Adam."""

ADAMW_RATES = LEARNING_RATES[::2]
WEIGHT_DECAYS = (1e-4, 1e-3)
"""AdamW's eight trials: four rates a decade apart times two decoupled weight decays (per step, not times the rate)."""


def make_optimizer(name: str, lr, weight_decay=0.0):
    """The optimizer ``name`` of ``OPTIMIZERS``; ``lr`` and ``weight_decay`` may be arrays, one per network.

    Momentum is the heavy ball with ``MOMENTUM``; AdamW decays by
    ``weight_decay`` per step (the chapter's convention).
    """
    if name == "SGD":
        return SGD(lr=lr)
    if name == "Momentum":
        return Momentum(lr=lr, beta=MOMENTUM)
    if name == "Adam":
        return Adam(lr=lr)
    if name == "AdamW":
        return AdamW(lr=lr, weight_decay=weight_decay)
    raise ValueError(f"name must be one of {OPTIMIZERS}, got {name!r}")


def trials(name: str) -> list[dict]:
    """The settings that the tuning tries for optimizer ``name``: eight for each, the same budget."""
    if name == "AdamW":
        return [dict(lr=lr, weight_decay=wd) for lr in ADAMW_RATES for wd in WEIGHT_DECAYS]
    return [dict(lr=lr) for lr in LEARNING_RATES]


@dataclass(frozen=True)
class Task:
    """The digits split into ``train``, ``validation`` and ``test``, each an ``(X, Y)`` pair."""

    train: tuple
    validation: tuple
    test: tuple


@lru_cache(maxsize=1)
def task() -> Task:
    """The digits, split by :data:`SPLIT` with seed 0 (read and split once per process)."""
    return Task(*random_split(*digits(), SPLIT, seed=0))


def initial_weights(seeds) -> list[np.ndarray]:
    """One initialisation of :data:`MODEL` per seed, stacked along the batch axis."""
    return stack([MODEL.init(np.random.default_rng(int(s))) for s in seeds])


def _column(values) -> np.ndarray:
    """One hyperparameter value per network, shaped to broadcast against batched weights."""
    return np.asarray(values, dtype=float)[:, None, None]


def _fit(name: str, settings: list[dict], seeds, epochs: int, batch_size: int = BATCH, lr_schedule=None, **options):
    """Train one network per pair (``settings[k]``, ``seeds[k]``) as one batch.

    ``options`` are :func:`optlab.noise.train_minibatch`'s ``stop_below``
    and ``record_losses``. Returns the :class:`optlab.training.Training` and
    the wall-clock seconds of one epoch of one network. Runs without a
    schedule are remembered, so a run that two experiments share (Adam at
    its tuned rate, say) is made once.
    """
    if lr_schedule is not None:
        return _train(name, settings, seeds, epochs, batch_size, lr_schedule, **options)
    key = tuple(tuple(sorted(s.items())) for s in settings)
    return _remembered(name, key, tuple(int(s) for s in seeds), epochs, batch_size, **options)


@lru_cache(maxsize=16)
def _remembered(name, settings_key, seeds, epochs, batch_size, **options):
    return _train(name, [dict(items) for items in settings_key], seeds, epochs, batch_size, None, **options)


def _train(name, settings, seeds, epochs, batch_size, lr_schedule, **options):
    hyper = {key: _column([s[key] for s in settings]) for key in settings[0]}
    X, Y = task().train
    start = time.perf_counter()
    fit = train_minibatch(MODEL, initial_weights(seeds), X, Y, make_optimizer(name, **hyper), epochs, batch_size,
                          seeds=np.asarray(seeds), lr_schedule=lr_schedule, **options)
    return fit, (time.perf_counter() - start) / (len(seeds) * epochs)


def epochs_to_target(losses, target: float = TARGET) -> np.ndarray:
    """For each run (column of ``losses``), the first epoch whose training loss is below ``target``; ``inf`` if none."""
    below = np.asarray(losses) < target
    return np.where(below.any(axis=0), below.argmax(axis=0), np.inf)


@dataclass(frozen=True)
class Tuning:
    """Each optimizer's trials, their validation loss and accuracy, and the chosen setting.

    The chosen setting has the lowest validation loss (the mean over the
    tuning seeds). ``verdicts`` says, per optimizer, whether its chosen
    learning rate lies inside the grid.
    """

    trials: dict
    validation_loss: dict
    validation_accuracy: dict
    chosen: dict
    verdicts: dict


def tune(horizon: int = EPOCHS, seeds: int = 1) -> Tuning:
    """Every optimizer's eight trials, ``horizon`` epochs each, on ``seeds`` tuning seeds; choose on validation."""
    tuning_seeds = TUNING_SEED + np.arange(seeds)
    X, Y = task().validation
    table = {name: trials(name) for name in OPTIMIZERS}
    losses, accuracies, chosen, verdicts = {}, {}, {}, {}
    for name, settings in table.items():
        fit, _ = _fit(name, [s for s in settings for _ in tuning_seeds], np.tile(tuning_seeds, len(settings)), horizon,
                      record_losses=False)  # the choice reads the validation set alone
        losses[name] = MODEL.loss(fit.params, X, Y).reshape(len(settings), seeds).mean(axis=1)
        accuracies[name] = MODEL.accuracy(fit.params, X, Y).reshape(len(settings), seeds).mean(axis=1)
        best = int(np.argmin(losses[name]))
        chosen[name] = settings[best]
        rates = sorted({s["lr"] for s in settings})
        verdicts[name] = diagnostics.grid_position(rates.index(settings[best]["lr"]), len(rates))
    return Tuning(table, losses, accuracies, chosen, verdicts)


TUNED = {
    "SGD": dict(lr=LEARNING_RATES[6]),
    "Momentum": dict(lr=LEARNING_RATES[4]),
    "Adam": dict(lr=LEARNING_RATES[3]),
    "AdamW": dict(lr=ADAMW_RATES[1], weight_decay=WEIGHT_DECAYS[0]),
}
"""What :func:`tune` chooses at the page's horizon (``tests/claims`` checks that it still does)."""


@dataclass(frozen=True)
class Comparison:
    """The tuned optimizers over seeds: training losses per epoch, test accuracy and loss, speed.

    ``losses[name]`` has shape ``(epochs + 1, seeds)``; ``epochs[name]`` is
    each seed's first epoch below :data:`TARGET`; ``seconds_per_epoch[name]``
    is the wall-clock time of one epoch of one network (the batched run's
    time divided by seeds and epochs; not a claim of the page, which shows
    it only in a figure). ``verdicts`` compares each optimizer's epochs to
    the target with SGD's, seed by seed.
    """

    settings: dict
    losses: dict
    test_accuracy: dict
    test_loss: dict
    epochs: dict
    seconds_per_epoch: dict
    verdicts: dict


def compare(horizon: int = EPOCHS, seeds: int = 10, settings: dict | None = None) -> Comparison:
    """Each optimizer at its tuned ``settings`` (default :data:`TUNED`): ``horizon`` epochs, seeds 0 to seeds - 1."""
    settings = TUNED if settings is None else settings
    X, Y = task().test
    losses, accuracy, test_loss, epochs, seconds = {}, {}, {}, {}, {}
    for name in OPTIMIZERS:
        fit, seconds[name] = _fit(name, [settings[name]] * seeds, np.arange(seeds), horizon)
        losses[name], epochs[name] = fit.losses, epochs_to_target(fit.losses)
        accuracy[name], test_loss[name] = MODEL.accuracy(fit.params, X, Y), MODEL.loss(fit.params, X, Y)
    verdicts = {name: diagnostics.paired_verdict(epochs[name], epochs["SGD"], "faster than SGD", "slower than SGD")
                for name in OPTIMIZERS[1:]}
    return Comparison(settings, losses, accuracy, test_loss, epochs, seconds, verdicts)


BATCH_SIZES = (16, 32, 128)
BATCH_OPTIMIZERS = ("SGD", "Adam")


@dataclass(frozen=True)
class BatchSizes:
    """Epochs and updates to :data:`TARGET` for each (optimizer, batch size), per seed (``inf``: not reached).

    ``verdicts`` compares, seed by seed, the updates at each other batch
    size with those at ``BATCH``.
    """

    epochs: dict
    updates: dict
    verdicts: dict


def batch_sizes(horizon: int = EPOCHS, seeds: int = 10, settings: dict | None = None) -> BatchSizes:
    """SGD and Adam at their tuned rates, for ``horizon`` epochs at each of ``BATCH_SIZES``.

    Every batch size gets the same number of epochs, so the same number of
    gradients of single images; a larger batch makes fewer updates of them.
    The runs at ``BATCH`` are those of :func:`compare`; the others stop once
    every seed is below :data:`TARGET`, which changes none of the answers.
    """
    settings = TUNED if settings is None else settings
    epochs, updates = {}, {}
    for name in BATCH_OPTIMIZERS:
        for size in BATCH_SIZES:
            until = {} if size == BATCH else dict(stop_below=TARGET)  # compare's run, made once, is drawn in full
            fit, _ = _fit(name, [settings[name]] * seeds, np.arange(seeds), horizon, size, **until)
            epochs[name, size] = epochs_to_target(fit.losses)
            updates[name, size] = epochs[name, size] * batches_per_epoch(SPLIT[0], size)
    verdicts = {
        f"{name}, B = {size}": diagnostics.paired_verdict(
            updates[name, size], updates[name, BATCH], f"fewer updates than at B = {BATCH}",
            f"more updates than at B = {BATCH}")
        for name in BATCH_OPTIMIZERS for size in BATCH_SIZES if size != BATCH
    }
    return BatchSizes(epochs, updates, verdicts)


def schedule_set(lr: float, steps: int) -> dict:
    """The schedules compared: constant, cosine to zero over ``steps``, and a tenth of them of warmup before it."""
    return {
        "constant": Constant(lr),
        "cosine": Cosine(lr, steps),
        "warmup + cosine": WarmupCosine(lr, steps // 10, steps),
    }


@dataclass(frozen=True)
class Schedules:
    """Adam under each schedule of :func:`schedule_set`: training losses per epoch, test accuracy and loss.

    ``losses[name]`` has shape ``(epochs + 1, seeds)``. No verdict: with
    ten seeds the schedules' medians do not separate in a way that a longer
    run keeps (``tests/claims`` pins what the page says of them).
    """

    losses: dict
    test_accuracy: dict
    test_loss: dict


def schedules(horizon: int = EPOCHS, seeds: int = 10, settings: dict | None = None) -> Schedules:
    """Adam at its tuned rate under each schedule of :func:`schedule_set` over ``horizon`` epochs.

    The constant rate is the run of :func:`compare`; the decaying schedules
    run side by side in one batch.
    """
    lr = (TUNED if settings is None else settings)["Adam"]["lr"]
    named = schedule_set(lr, horizon * batches_per_epoch(SPLIT[0], BATCH))
    decaying = list(named)[1:]
    constant, _ = _fit("Adam", [dict(lr=lr)] * seeds, np.arange(seeds), horizon)
    fit, _ = _fit("Adam", [dict(lr=lr)] * (len(decaying) * seeds), np.tile(np.arange(seeds), len(decaying)), horizon,
                  lr_schedule=batched_schedule([named[n] for n in decaying], seeds, ndim=3))
    X, Y = task().test
    losses = {"constant": constant.losses} | dict(zip(decaying, np.split(fit.losses, len(decaying), axis=1)))
    accuracy = {"constant": MODEL.accuracy(constant.params, X, Y)} | dict(
        zip(decaying, np.split(MODEL.accuracy(fit.params, X, Y), len(decaying))))
    test_loss = {"constant": MODEL.loss(constant.params, X, Y)} | dict(
        zip(decaying, np.split(MODEL.loss(fit.params, X, Y), len(decaying))))
    return Schedules(losses, accuracy, test_loss)


VERDICTS = (
    Experiment(tune, horizon=EPOCHS, seeds=1),
    Experiment(compare, horizon=EPOCHS, seeds=10),
    Experiment(batch_sizes, horizon=EPOCHS, seeds=10),
)
