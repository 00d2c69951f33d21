r"""The Optimizer Race's roster: each optimizer of the style table as an ``optlab`` call, and where a race starts.

The applet (``_static/race/``) races every optimizer that
:data:`optlab.plotting.STYLES` gives a style, under the same name. A name is
either a public constructor of ``optlab`` (``SGD``, ``Adam``, ``AdamW``, ...)
or one of the :data:`VARIANTS`, a constructor with a flag set (Nesterov's
method is ``Momentum(nesterov=True)``). Its hyperparameters are the
constructor's arguments among :data:`HYPERPARAMETERS`, with the
constructor's defaults, except where :data:`RACE_DEFAULTS` says otherwise; its
learning rate on a surface is :data:`SUGGESTED_LR`'s, or the constructor's
default for an optimizer the table does not know. :math:`\epsilon` is
:data:`EPS` throughout.

``python -m booktools.race_data`` writes all of this, with the surfaces and
the styles, into the applet's ``race_data.js``; ``booktools.race_vectors``
runs the same calls to make the parity vectors.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass

from .optimizers import Optimizer
from .plotting import STYLES

__all__ = ["EPS", "HORIZONS", "DIVERGED", "HYPERPARAMETERS", "VARIANTS", "RACE_DEFAULTS", "SUGGESTED_LR",
           "Racer", "racer", "racers"]

EPS = 1e-8
"""The :math:`\\epsilon` of every adaptive optimizer in the race."""

HORIZONS = (300, 1000, 3000)
"""The race lengths a reader can choose; the first is where a race starts."""

DIVERGED = 1e6
"""A run whose :math:`|w_i|` exceeds this (or whose loss is not finite) has diverged and stops."""

HYPERPARAMETERS = ("lr", "beta", "beta1", "beta2", "weight_decay")
"""The arguments a reader can set in the applet, where an optimizer takes them."""

VARIANTS = {
    "Nesterov": ("Momentum", {"nesterov": True}),
    "AMSGrad": ("Adam", {"amsgrad": True}),
}
"""Racers that are another constructor with a flag set: name -> (constructor, flags)."""

RACE_DEFAULTS = {"RMSProp": {"beta": 0.99}}
"""Where a race starts from other values than the constructor's defaults (RMSProp's
:math:`\\beta = 0.99`, PyTorch's default, is the one the chapter's figures use)."""

SUGGESTED_LR = {
    "quadratic": {"SGD": 0.012, "Momentum": 0.012, "Nesterov": 0.012, "AdaGrad": 1.0,
                  "RMSProp": 0.1, "Adam": 0.1, "AdamW": 0.1, "AMSGrad": 0.1},
    "rosenbrock": {"SGD": 0.002, "Momentum": 0.001, "Nesterov": 0.001, "AdaGrad": 0.5,
                   "RMSProp": 0.01, "Adam": 0.1, "AdamW": 0.1, "AMSGrad": 0.2},
    "saddle": {"SGD": 0.1, "Momentum": 0.02, "Nesterov": 0.02, "AdaGrad": 0.2,
               "RMSProp": 0.01, "Adam": 0.05, "AdamW": 0.05, "AMSGrad": 0.05},
    "plateau": {"SGD": 0.5, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 0.5,
                "RMSProp": 0.01, "Adam": 0.05, "AdamW": 0.05, "AMSGrad": 0.05},
}
"""A learning rate per surface and optimizer that keeps a race bounded and shows the
method at its best (the quadratic bowl's are the chapter's)."""


@dataclass(frozen=True)
class Racer:
    """One optimizer of the race: its name, the ``optlab`` call it is, and its settings.

    ``hyper`` lists the hyperparameters a reader can set, in the
    constructor's order; ``defaults`` holds their starting values.
    """

    name: str
    constructor: str
    flags: dict
    hyper: tuple[str, ...]
    defaults: dict
    takes_eps: bool

    def make(self, **hyper) -> Optimizer:
        """The optimizer with these hyperparameters (``eps`` is :data:`EPS` unless given)."""
        if self.takes_eps:
            hyper.setdefault("eps", EPS)
        else:
            hyper.pop("eps", None)
        return getattr(importlib.import_module("optlab"), self.constructor)(**hyper, **self.flags)

    def settings(self, surface_key: str) -> dict:
        """The hyperparameters a race on ``surface_key`` starts from, ``eps`` included."""
        lr = SUGGESTED_LR.get(surface_key, {}).get(self.name, self.defaults["lr"])
        return {**self.defaults, "lr": lr, "eps": EPS}


def racer(name: str) -> Racer:
    """The racer called ``name``: a public constructor of ``optlab``, or one of the :data:`VARIANTS`."""
    optlab = importlib.import_module("optlab")
    constructor, flags = VARIANTS.get(name, (name, {}))
    if constructor not in optlab.__all__:
        raise ValueError(f"{name!r} has a style but optlab exports no {constructor!r}: add it to optlab.__all__")
    parameters = inspect.signature(getattr(optlab, constructor)).parameters
    hyper = tuple(p for p in parameters if p in HYPERPARAMETERS)
    defaults = {p: parameters[p].default for p in hyper} | RACE_DEFAULTS.get(name, {})
    return Racer(name, constructor, dict(flags), hyper, defaults, takes_eps="eps" in parameters)


def racers() -> list[Racer]:
    """Every optimizer of :data:`optlab.plotting.STYLES`, in the table's order."""
    return [racer(name) for name in STYLES]
