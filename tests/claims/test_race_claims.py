"""Claims of the Optimizer Race page (``chapters/race.md``) that numbers decide.

The applet's core agrees with optlab to 1e-12 on noisy and scheduled races
(``tests/browser/test_race_core.py``), so these claims are checked with
optlab's own runners, over the seeds the page names.
"""

from __future__ import annotations

import numpy as np
import pytest

from optlab import SURFACES
from optlab.noise import GradientNoise, run_noisy
from optlab.race import HORIZONS, race_schedule, racer

BOWL = SURFACES["quadratic"]
SEEDS = np.arange(10)
SIGMA = 1.0


def final_gaps(name: str, schedule: str) -> np.ndarray:
    """L - L* after the longest race on the bowl with noise SIGMA, one value per seed of SEEDS."""
    hyper = racer(name).settings(BOWL.key)
    lr_schedule = race_schedule(schedule, hyper["lr"], HORIZONS[-1])
    run = run_noisy(BOWL, racer(name).make(**hyper), HORIZONS[-1], GradientNoise(SIGMA, SEEDS), lr_schedule=lr_schedule)
    return BOWL.gap(run.path[-1])


@pytest.mark.parametrize(("name", "factor"), [("SGD", 7), ("Momentum", 90), ("Nesterov", 90), ("RMSProp", 90),
                                              ("Adam", 90)])
def test_a_cosine_schedule_takes_each_method_below_its_noise_floor(name, factor):
    """Things to try, 6: below the constant rate's final gap for every seed, the median by the page's factor."""
    constant, cosine = final_gaps(name, "constant"), final_gaps(name, "cosine")
    print(f"\n{name}: median final gap {np.median(constant):.2e} constant, {np.median(cosine):.2e} cosine")
    assert np.all(cosine < constant)
    assert np.median(constant) / np.median(cosine) >= factor


def test_adagrad_needs_no_schedule_to_go_below_the_others_floors():
    """AdaGrad's step size shrinks on its own: its constant-rate race ends far below Momentum's."""
    assert np.median(final_gaps("AdaGrad", "constant")) < np.median(final_gaps("Momentum", "constant")) / 10
