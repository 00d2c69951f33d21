"""Every verdict a page prints holds at twice the horizon the page reads it at.

The experiments are those of :func:`optlab.experiments.all_experiments`;
each is rerun at its horizon and at twice it, with the same seeds, and the
verdicts must agree. "No blow-up in 2000 steps" and "no blow-up in 4000
steps" agree; "no blow-up in 100 steps" and "blows up at step 119" do not,
and then the page's text is wrong, not this test.
"""

from __future__ import annotations

import re

import pytest

from optlab import ILL_CONDITIONED, RMSProp, diagnostics, run_on_surface
from optlab.experiments import Experiment, all_experiments

EXPERIMENTS = all_experiments()


def horizon_free(verdict: str) -> str:
    """A verdict without the length of the run it was read on ("no blow-up in 2000 steps" -> "no blow-up")."""
    return re.sub(r"\s+(in|within|over|after) \d+ (steps|updates|epochs)\b", "", verdict)


def changed_verdicts(experiment: Experiment, scale: int = 2) -> dict[str, tuple[str, str]]:
    """The rows whose verdict at ``scale`` times the horizon differs from the page's: row -> (page, longer run)."""
    page, longer = experiment.run().verdicts, experiment.run(scale).verdicts
    assert page.keys() == longer.keys()
    return {row: (page[row], longer[row]) for row in page if horizon_free(page[row]) != horizon_free(longer[row])}


def test_experiments_are_registered():
    assert EXPERIMENTS, "no verdict experiment is registered in optlab.experiments"


@pytest.mark.parametrize("name, experiment", EXPERIMENTS, ids=[name for name, _ in EXPERIMENTS])
def test_noisy_verdicts_are_read_over_ten_seeds_or_more(name, experiment):
    assert experiment.seeds == 1 or experiment.seeds >= 10, f"{name} reads a noisy verdict over {experiment.seeds} seeds"


@pytest.mark.parametrize("name, experiment", EXPERIMENTS, ids=[name for name, _ in EXPERIMENTS])
def test_verdict_holds_at_twice_its_horizon(name, experiment):
    assert changed_verdicts(experiment) == {}


class _Result:
    def __init__(self, verdicts):
        self.verdicts = verdicts


def _rmsprop_on_the_bowl(horizon, seeds):
    """RMSProp at eta = 0.1, beta = 0.99 from the bowl's start: converged at step 100, blown up at step 119."""
    path = run_on_surface(ILL_CONDITIONED, RMSProp(lr=0.1, beta=0.99), steps=horizon).path
    return _Result({"RMSProp": diagnostics.verdict(path)})


def test_a_verdict_read_at_100_steps_is_caught():
    changed = changed_verdicts(Experiment(_rmsprop_on_the_bowl, horizon=100))
    assert changed == {"RMSProp": ("no blow-up in 100 steps", "blows up at step 119")}
    assert changed_verdicts(Experiment(_rmsprop_on_the_bowl, horizon=200)) == {}


def test_horizon_free_keeps_the_step_of_a_blow_up():
    assert horizon_free("no blow-up in 2000 steps") == horizon_free("no blow-up in 4000 steps")
    assert horizon_free("blows up at step 119") != horizon_free("blows up at step 120")
    assert all(horizon_free(v) == v for v in ("never settles", "reaches 0.01 in 7 of 10 seeds"))
