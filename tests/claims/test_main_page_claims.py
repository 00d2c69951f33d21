"""Claims of sections 27.5 and 27.6 (page ``momentum_rmsprop_adam``) that hold beyond the page's horizon.

The verdicts the page prints are rerun at twice their horizon by
``test_horizons.py``; these tests check the sentences around them that
reach further than a printed line: that a network run which misses the
target within the budget misses it in twice the budget too, and how far
Adam + L2 and AdamW stay from their predictions late in the run.
"""

from __future__ import annotations

import numpy as np
import pytest

from optlab import MLP, SGD, Momentum, RMSProp, circle, epochs_to_reach, train, xor
from optlab.experiments import adaptive

SEEDS = [123, *range(1, 11)]  # the page's eleven initialisations
TASKS = {"XOR": (xor, 3000), "circle": (circle, 2000)}


def epochs_over_seeds(task, optimizer, epochs):
    net = MLP((2, 8, 1), activation="sigmoid")
    stacked = [np.stack(layer) for layer in zip(*(net.init(np.random.default_rng(seed)) for seed in SEEDS))]
    X, Y = TASKS[task][0]()
    return [epochs_to_reach(losses, 0.01) for losses in train(net, stacked, X, Y, optimizer, epochs).losses.T]


@pytest.mark.parametrize("task, optimizer", [("XOR", SGD(lr=0.1)), ("circle", SGD(lr=0.1)),
                                             ("circle", Momentum(lr=0.1, beta=0.9))])
def test_misses_are_not_a_matter_of_the_budget(task, optimizer):
    """'With twice as many epochs not one of those runs reaches it either.'"""
    assert epochs_over_seeds(task, optimizer, 2 * TASKS[task][1]) == [None] * len(SEEDS)


@pytest.mark.parametrize("task", TASKS)
def test_rmsprop_reaches_the_target_every_time(task):
    assert None not in epochs_over_seeds(task, RMSProp(lr=0.01, beta=0.9), TASKS[task][1])


def test_the_late_momentum_run_on_xor_arrives_near_epoch_4500():
    """'Momentum reaches the target in ten of eleven runs within the budget (the eleventh at about 4500 epochs).'"""
    epochs = epochs_over_seeds("XOR", Momentum(lr=0.1, beta=0.9), 6000)
    late = [e for e in epochs if e > 3000]
    assert len(late) == 1 and 4000 < late[0] < 5000


@pytest.fixture(scope="module")
def shifted_runs():
    return adaptive.ridge_and_box(horizon=20000)


@pytest.mark.parametrize("name", ["Adam + L2", "AdamW"])
def test_late_distance_from_the_prediction_is_a_few_hundredths(shifted_runs, name):
    """'In bursts that reach a few hundredths' (Adam + L2); 'rattles a few hundredths around 1' (AdamW's w2)."""
    late = np.abs(shifted_runs.paths[name][10000:] - shifted_runs.predictions[name]).max(axis=0)
    assert 0.01 < late.max() < 0.05


def test_adamw_w1_settles_against_the_face_of_the_box(shifted_runs):
    """'w1 settles against the face w1 = 2 to about 1e-3.'"""
    w1 = shifted_runs.paths["AdamW"][10000:, 0]
    assert np.abs(w1 - 2.0).max() < 3e-3
