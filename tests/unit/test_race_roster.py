"""The Optimizer Race's roster (:mod:`optlab.race`): one entry per racer, an optlab call with its settings."""

from __future__ import annotations

import math

import numpy as np
import pytest

import optlab
from optlab import SURFACES, AdamW, Momentum
from optlab.optimizers import MomentumState
from optlab.plotting import STYLES
from optlab.race import (
    EPS, NOISE, RANGES, ROSTER, SCHEDULES, Racer, convergence_rate, highest_gap_ratio, largest_step_curvature,
    race_schedule, racer, racers, stability_limit, stability_map,
)
from optlab.schedules import Constant, Cosine, StepDecay, WarmupCosine
from optlab.theory import spectral_radius


def test_every_racer_is_a_public_constructor_and_its_style_is_the_figures():
    assert [r.name for r in racers()] == list(STYLES)
    for r in ROSTER:
        assert r.constructor.__name__ in optlab.__all__, r.name
        assert STYLES[r.name] == r.style


@pytest.mark.parametrize(("change", "message"), [
    ({"hyper": ("lr", "beta")}, "hyper must name settings"),  # SGD takes no beta
    ({"suggested_lr": {"quadratic": 50}}, "suggested_lr must map"),
    ({"suggested_lr": {"bowl": 0.1}}, "suggested_lr must map"),
    ({"stability": "lion"}, "stability must be one of"),
    ({"beta": "beta1"}, "beta must be one of its settings"),
])
def test_a_roster_entry_with_a_mistake_is_refused(change, message):
    entry = dict(name="Toy", constructor=optlab.SGD, hyper=("lr",), suggested_lr={}, stability=None, style={})
    with pytest.raises(ValueError, match=message):
        Racer(**(entry | change))


def test_the_largest_step_curvature_is_the_largest_eigenvalue_of_diag_s_h():
    rng = np.random.default_rng(0)
    for _ in range(200):
        a = rng.normal(size=(2, 2))
        hessian = a + a.T
        s = rng.uniform(1e-3, 2, size=2)
        assert largest_step_curvature(s, hessian) == pytest.approx(max(np.linalg.eigvals(np.diag(s) @ hessian).real),
                                                                   rel=1e-10, abs=1e-12)
    # Rosenbrock at its start: the diagonal says 1.902, the coupling makes it 2.092 > 2.
    assert largest_step_curvature([0.001, 0.001], [[1902, 600], [600, 200]]) == pytest.approx(2.0922497, rel=1e-7)


def test_a_variant_is_its_constructor_with_the_flag_set():
    nesterov = racer("Nesterov")
    assert nesterov.make(lr=0.1, beta=0.5) == Momentum(lr=0.1, beta=0.5, nesterov=True)
    assert nesterov.hyper == ("lr", "beta")


def test_settings_are_the_constructors_defaults_with_the_suggested_rate():
    assert racer("RMSProp").settings("quadratic") == {"lr": 0.1, "beta": 0.99, "eps": EPS}
    assert racer("AdamW").settings("saddle") == {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "weight_decay": 0.01,
                                                 "eps": EPS}
    assert racer("AdamW").settings("a surface without suggestions")["lr"] == AdamW().inner.lr


def test_sgd_takes_no_eps():
    assert racer("SGD").make(lr=0.3, eps=EPS).lr == 0.3


def test_a_name_outside_the_roster_is_refused():
    with pytest.raises(ValueError, match="name must be one of SGD, Momentum"):
        racer("Lion")


@pytest.mark.parametrize("surface_key", SURFACES)
@pytest.mark.parametrize("name", list(STYLES))
def test_every_suggested_rate_keeps_the_race_fair(surface_key, name):
    """Over the longest race from the default start, the loss never climbs above where it started (nor diverges)."""
    ratio = highest_gap_ratio(surface_key, racer(name))
    print(f"\n{surface_key} {name} lr {racer(name).settings(surface_key)['lr']}: max_t gap/gap_0 = {ratio:.4f}")
    assert ratio <= 1.0


def test_the_fairness_check_fails_the_old_rosenbrock_rate():
    """SGD at 0.002 on Rosenbrock climbed from 12.5 to 52, 242, 511 and won by luck: the check refuses it."""
    sgd = racer("SGD")
    assert highest_gap_ratio("rosenbrock", sgd, sgd.settings("rosenbrock") | {"lr": 0.002}) > 40
    assert highest_gap_ratio("quadratic", sgd, sgd.settings("quadratic") | {"lr": 0.021}) == math.inf


def test_every_suggested_rate_and_starting_setting_lies_in_its_range():
    for key in SURFACES:
        for r in racers():
            for name, value in r.settings(key).items():
                if name in RANGES:
                    assert RANGES[name]["min"] <= value <= RANGES[name]["max"], (key, r.name, name, value)
    assert all(RANGES[k]["min"] <= v <= RANGES[k]["max"] for k, v in NOISE.items())


def test_race_schedules_are_optlab_schedules_over_the_race():
    assert list(SCHEDULES) == ["constant", "step", "cosine", "warmup_cosine"]
    assert race_schedule("constant", 0.1, 300) == Constant(0.1)
    assert race_schedule("step", 0.1, 1000) == StepDecay(0.1, step_size=333, gamma=0.1)
    assert race_schedule("cosine", 0.1, 300) == Cosine(0.1, total_steps=300)
    assert race_schedule("warmup_cosine", 0.1, 3000) == WarmupCosine(0.1, warmup_steps=300, total_steps=3000)
    assert race_schedule("step", 0.1, 2).step_size == 1


def _iteration_matrix(optimizer, curvature):
    """One update of ``optimizer`` on L = h w^2 / 2 as a matrix on (w, b), b its velocity, from the basis states."""
    columns = []
    for w, b in ((1.0, 0.0), (0.0, 1.0)):
        state = MomentumState((np.array([b]),))
        point = optimizer.gradient_point([np.array([w])], state)
        params, state = optimizer.step([np.array([w])], [curvature * point[0]], state)
        columns.append([params[0][0], state.velocity[0][0]])
    return np.array(columns).T


ITERATIONS = [
    ("gradient_descent", lambda lr, beta: Momentum(lr=lr, beta=0.0)),  # b = g: SGD's step
    ("heavy_ball", lambda lr, beta: racer("Momentum").make(lr=lr, beta=beta)),
    ("nesterov", lambda lr, beta: racer("Nesterov").make(lr=lr, beta=beta)),
    # Adam's first moment with the step size s = lr / (sqrt(v_hat) + eps) frozen, late (m_hat = m).
    ("averaged_momentum", lambda lr, beta: Momentum(lr=lr, beta=beta, damped=True)),
]


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
@pytest.mark.parametrize(("kind", "optimizer"), ITERATIONS)
def test_the_convergence_rate_is_the_spectral_radius_of_optlabs_update(kind, optimizer, beta):
    """The stability map's rate across and beyond the stable range, on curvature 3 (and -3 for a negative x)."""
    for x in np.linspace(-0.5, 1.5 * stability_limit(kind, beta), 41):
        h = 3.0 if x >= 0 else -3.0
        measured = spectral_radius(_iteration_matrix(optimizer(x / h, beta), h))
        assert convergence_rate(kind, x, beta) == pytest.approx(measured, rel=1e-9, abs=1e-12), x


def test_the_stability_map_takes_the_slowest_curvature():
    rates = stability_map("heavy_ball", [100.0, 2.0], [0.001, 0.01, 0.05], [0.0, 0.9])
    assert rates.shape == (2, 3)
    assert rates[0, 1] == pytest.approx(max(abs(1 - 0.01 * 100), abs(1 - 0.01 * 2)))
    assert rates[1, 2] > 1  # 0.05 x 100 = 5 > 2(1 + 0.9)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
@pytest.mark.parametrize(("kind", "optimizer"), ITERATIONS)
def test_stability_limit_is_where_optlabs_update_stops_contracting(kind, optimizer, beta):
    """On a 1-D quadratic of curvature h = 3: spectral radius below 1 at 0.9999 of the limit, above 1 at 1.0001."""
    h = 3.0
    limit = stability_limit(kind, beta)
    below = spectral_radius(_iteration_matrix(optimizer(limit * (1 - 1e-4) / h, beta), h))
    above = spectral_radius(_iteration_matrix(optimizer(limit * (1 + 1e-4) / h, beta), h))
    assert below < 1 < above, (below, above)


def test_every_racer_has_a_stability_limit_that_is_gradient_descents_at_beta_zero():
    for r in racers():
        hyper = r.settings("quadratic") | {k: 0.0 for k in ("beta", "beta1") if k in r.hyper}
        assert r.limit(hyper) == 2.0, r.name
    assert racer("Adam").limit({"beta1": 0.9}) == pytest.approx(38.0)
    assert racer("Nesterov").limit({"beta": 0.9}) == pytest.approx(3.8 / 2.8)
    with pytest.raises(ValueError, match="kind"):
        stability_limit("lion")
