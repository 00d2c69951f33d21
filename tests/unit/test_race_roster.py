"""The Optimizer Race's roster (:mod:`optlab.race`): every styled optimizer as an optlab call, and its settings."""

from __future__ import annotations

import pytest

from optlab import AdamW, Momentum
from optlab.plotting import STYLES
from optlab.race import EPS, racer, racers


def test_every_styled_optimizer_races_in_the_table_order():
    assert [r.name for r in racers()] == list(STYLES)


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


def test_a_style_without_a_public_constructor_is_refused():
    with pytest.raises(ValueError, match="optlab.__all__"):
        racer("Lion")
