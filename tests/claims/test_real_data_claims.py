"""Claims of section 27.9 (page ``real_data``): a 64-32-10 network on the handwritten digits.

Each fixture reruns one experiment of :mod:`optlab.experiments.real_data` at
the page's horizon (15 epochs) and over the page's seeds (one tuning seed,
ten seeds for the rest); each test turns a sentence of the page into
assertions. The verdicts themselves are rerun at twice their horizon by the
test of every registered experiment; here they are checked at the horizon
the page reads them at.
"""

from __future__ import annotations

import numpy as np
import pytest

from optlab import diagnostics
from optlab.experiments import all_experiments, real_data

SEEDS = 10


@pytest.fixture(scope="module")
def tuning():
    return real_data.tune()


@pytest.fixture(scope="module")
def comparison():
    return real_data.compare()


@pytest.fixture(scope="module")
def batches():
    return real_data.batch_sizes()


@pytest.fixture(scope="module")
def schedules():
    return real_data.schedules()


def lower_quantiles(values):
    """Median, 10 % and 90 % quantiles as the page prints counts (``method="lower"``)."""
    return np.quantile(values, [0.5, 0.1, 0.9], method="lower")


# --- the setting ---------------------------------------------------------------

def test_the_split_and_the_network_are_as_described():
    task = real_data.task()
    assert [part[0].shape for part in (task.train, task.validation, task.test)] == [(64, 997), (64, 300), (64, 500)]
    assert sum(p.size for p in real_data.MODEL.init(np.random.default_rng(0))) == 2410
    assert real_data.batches_per_epoch(997, real_data.BATCH) == 32


def test_every_optimizer_gets_the_same_budget_of_eight_trials():
    """'each ... gets the same budget: eight trials'; AdamW: four rates a decade apart times two decays."""
    assert {name: len(real_data.trials(name)) for name in real_data.OPTIMIZERS} == dict.fromkeys(
        real_data.OPTIMIZERS, 8)
    assert real_data.LEARNING_RATES[0] == pytest.approx(1e-3) and real_data.LEARNING_RATES[-1] == pytest.approx(10**0.5)
    np.testing.assert_allclose(np.diff(np.log10(real_data.LEARNING_RATES)), 0.5)
    np.testing.assert_allclose(np.diff(np.log10(real_data.ADAMW_RATES)), 1.0)


def test_the_section_registers_its_verdict_experiments():
    names = {name for name, _ in all_experiments()}
    assert {"real_data.tune", "real_data.compare", "real_data.batch_sizes"} <= names


# --- tuning ----------------------------------------------------------------------

def test_tuning_chooses_the_registered_settings_inside_the_grid(tuning):
    """The registered TUNED settings are what the tuning chooses; 'Every chosen rate lies inside its grid'."""
    assert tuning.chosen == real_data.TUNED
    assert set(tuning.verdicts.values()) == {"inside the grid"}


def test_the_chosen_rates_follow_the_effective_learning_rate(tuning):
    """Momentum's best is SGD's divided by 10; Adam's half a decade lower; AdamW's half a decade below Adam's."""
    lr = {name: tuning.chosen[name]["lr"] for name in real_data.OPTIMIZERS}
    assert lr["Momentum"] == pytest.approx(lr["SGD"] * (1 - real_data.MOMENTUM))
    assert lr["Adam"] == pytest.approx(lr["Momentum"] / 10**0.5)
    assert lr["AdamW"] == pytest.approx(lr["Adam"] / 10**0.5) == pytest.approx(0.01)


def test_failure_lies_one_rate_above_sgd_and_two_above_momentum_and_adam(tuning):
    """'a rate at which training fails, with a validation accuracy near chance: the next rate up for SGD,
    two rates up for momentum and Adam'."""
    near_chance = 0.2
    for name, steps_up in [("SGD", 1), ("Momentum", 2), ("Adam", 2)]:
        best = tuning.trials[name].index(tuning.chosen[name])
        accuracy = tuning.validation_accuracy[name]
        assert np.all(accuracy[best:best + steps_up] > 0.5), name
        assert accuracy[best + steps_up] < near_chance, name


# --- the fair comparison -----------------------------------------------------------

def test_every_method_with_momentum_is_faster_than_sgd(comparison):
    """'reach the target no later than SGD on every seed, and sooner on seven to ten of the ten; Adam is
    first, in a median of 2 epochs against SGD's 6'."""
    assert comparison.verdicts == dict.fromkeys(["Momentum", "Adam", "AdamW"], "faster than SGD")
    for name in ("Momentum", "Adam", "AdamW"):
        assert np.all(comparison.epochs[name] <= comparison.epochs["SGD"])
        assert np.sum(comparison.epochs[name] < comparison.epochs["SGD"]) >= 7
    medians = {name: lower_quantiles(comparison.epochs[name])[0] for name in real_data.OPTIMIZERS}
    assert medians["Adam"] == 2 and medians["SGD"] == 6
    assert medians["Adam"] == min(medians.values())


def test_the_three_methods_with_momentum_end_level_in_test_accuracy(comparison):
    """'within a few tenths of a point of each other, near 96.8 %', each median inside the others' 10-90 % range."""
    names = ("Momentum", "Adam", "AdamW")
    stats = {name: np.quantile(100 * comparison.test_accuracy[name], [0.5, 0.1, 0.9]) for name in names}
    medians = np.array([stats[name][0] for name in names])
    assert medians.max() - medians.min() <= 0.3
    assert np.all(np.abs(medians - 96.8) <= 0.3)
    for name in names:
        for other in names:
            assert stats[other][1] <= stats[name][0] <= stats[other][2], (name, other)


def test_no_sign_of_a_generalisation_gap_for_the_adaptive_methods(comparison):
    """'It shows no sign of the generalisation gap': Adam and AdamW are not clearly below momentum, seed by seed."""
    for name in ("Adam", "AdamW"):
        verdict = diagnostics.paired_verdict(comparison.test_accuracy[name], comparison.test_accuracy["Momentum"])
        assert verdict == "no clear difference", name


def test_sgd_at_its_chosen_rate_is_unreliable_on_other_seeds(comparison):
    """'two of the ten never reach the target ... and the worst test accuracy is 69 %'."""
    assert np.sum(np.isinf(comparison.epochs["SGD"])) == 2
    assert 100 * comparison.test_accuracy["SGD"].min() == pytest.approx(69.0)
    for name in ("Momentum", "Adam", "AdamW"):
        assert np.all(np.isfinite(comparison.epochs[name])) and comparison.test_accuracy[name].min() > 0.89


# --- mini-batches ------------------------------------------------------------------

def test_batch_size_verdicts(batches):
    assert batches.verdicts == {
        "SGD, B = 16": "more updates than at B = 32", "SGD, B = 128": "fewer updates than at B = 32",
        "Adam, B = 16": "more updates than at B = 32", "Adam, B = 128": "fewer updates than at B = 32",
    }


def test_adam_needs_fewer_updates_the_larger_the_batch_in_two_to_four_epochs(batches):
    """'126 at B = 16, 64 at 32 and 32 at 128 (medians), and about the same number of epochs, two to four'."""
    assert [lower_quantiles(batches.updates["Adam", B])[0] for B in (16, 32, 128)] == [126, 64, 32]
    for B in (16, 32, 128):
        _, low, high = lower_quantiles(batches.epochs["Adam", B])
        assert 2 <= low and high <= 4


def test_sgd_is_held_back_by_noise(batches):
    """'at B = 16 its median seed never reaches the target in 15 epochs, and at B = 128 it needs fewer
    updates than at B = 32 (medians of 64 against 192)'."""
    assert np.isinf(lower_quantiles(batches.updates["SGD", 16])[0])
    assert np.sum(np.isfinite(batches.updates["SGD", 16])) <= 2
    assert lower_quantiles(batches.updates["SGD", 128])[0] == 64
    assert lower_quantiles(batches.updates["SGD", 32])[0] == 192


# --- schedules -----------------------------------------------------------------------

def test_no_schedule_is_clearly_apart_from_the_constant_rate(schedules):
    """'with ten seeds no schedule's median training or test loss is clearly apart from the constant rate's'."""
    for name in ("cosine", "warmup + cosine"):
        for losses in (lambda n: schedules.losses[n][-1], lambda n: schedules.test_loss[n]):
            assert diagnostics.paired_verdict(losses(name), losses("constant")) == "no clear difference", name


def test_a_decay_narrows_the_spread_over_seeds(schedules):
    """Constant: final training loss between 0.006 and 0.2, worst test accuracy 89.4 %; both cosines end
    every seed between 0.012 and 0.026, with the worst seed at 96.2 % or better."""
    constant = schedules.losses["constant"][-1]
    assert round(constant.min(), 3) == 0.006 and round(constant.max(), 1) == 0.2
    assert 100 * schedules.test_accuracy["constant"].min() == pytest.approx(89.4)
    for name in ("cosine", "warmup + cosine"):
        final = schedules.losses[name][-1]
        assert 0.012 <= final.min() and final.max() <= 0.026, name
        assert 100 * schedules.test_accuracy[name].min() >= 96.2 - 1e-9, name


def test_the_schedules_share_the_comparisons_constant_run(schedules, comparison):
    np.testing.assert_array_equal(schedules.losses["constant"], comparison.losses["Adam"])
