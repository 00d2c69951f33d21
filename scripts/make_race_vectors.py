"""Test vectors for the Optimizer Race applet, computed with optlab.

The applet (``_static/race/race.js``) re-implements the update rules in
JavaScript so the book can run them without a Python kernel. This script runs
optlab's optimizers on optlab's surfaces (surfaces x optimizers x
hyperparameters x steps) and writes every iterate and its loss in
float64 to ``tests/vectors/race_vectors.json``, with the surfaces' metadata and
the plotting palette. ``tests/test_race.py`` replays each case in the browser
and requires agreement to 1e-12 relative, and checks without a browser that
the committed file still matches what this script computes.

Usage: ``python scripts/make_race_vectors.py`` (rewrites the JSON file).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from optlab.optimizers import SGD, AdaGrad, Adam, AdamW, Momentum, RMSProp
from optlab.plotting import style_table
from optlab.surfaces import SURFACES
from optlab.training import run_on_surface

OUTPUT = Path(__file__).resolve().parents[1] / "tests" / "vectors" / "race_vectors.json"
EPS = 1e-8
STEPS = 40
SAWTOOTH_STEPS = 300  # the applet's shortest race

# The applet's optimizers, by the names it shows, as optlab calls.
MAKERS = {
    "SGD": lambda hp: SGD(lr=hp["lr"]),
    "Momentum": lambda hp: Momentum(lr=hp["lr"], beta=hp["beta"]),
    "Nesterov": lambda hp: Momentum(lr=hp["lr"], beta=hp["beta"], nesterov=True),
    "AdaGrad": lambda hp: AdaGrad(lr=hp["lr"], eps=hp["eps"]),
    "RMSProp": lambda hp: RMSProp(lr=hp["lr"], beta=hp["beta"], eps=hp["eps"]),
    "Adam": lambda hp: Adam(lr=hp["lr"], beta1=hp["beta1"], beta2=hp["beta2"], eps=hp["eps"]),
    "AdamW": lambda hp: AdamW(
        lr=hp["lr"], beta1=hp["beta1"], beta2=hp["beta2"], eps=hp["eps"], weight_decay=hp["weight_decay"]
    ),
    "AMSGrad": lambda hp: Adam(lr=hp["lr"], beta1=hp["beta1"], beta2=hp["beta2"], eps=hp["eps"], amsgrad=True),
}

# Two settings per optimizer: common decay rates, and unusual ones.
DECAY_RATES = {
    "SGD": [{}, {}],
    "Momentum": [{"beta": 0.9}, {"beta": 0.5}],
    "Nesterov": [{"beta": 0.9}, {"beta": 0.5}],
    "AdaGrad": [{}, {}],
    "RMSProp": [{"beta": 0.99}, {"beta": 0.7}],
    "Adam": [{"beta1": 0.9, "beta2": 0.999}, {"beta1": 0.5, "beta2": 0.9}],
    "AdamW": [{"beta1": 0.9, "beta2": 0.999, "weight_decay": 0.01}, {"beta1": 0.5, "beta2": 0.9, "weight_decay": 0.2}],
    "AMSGrad": [{"beta1": 0.9, "beta2": 0.999}, {"beta1": 0.5, "beta2": 0.9}],
}

# A learning rate per surface and optimizer that keeps the run bounded; the
# second setting uses half of it, so both settings differ in every value.
LEARNING_RATES = {
    "quadratic": {"SGD": 0.012, "Momentum": 0.012, "Nesterov": 0.012, "AdaGrad": 1.0,
                  "RMSProp": 0.1, "Adam": 0.1, "AdamW": 0.1, "AMSGrad": 0.1},
    "rosenbrock": {"SGD": 0.002, "Momentum": 0.001, "Nesterov": 0.001, "AdaGrad": 0.5,
                   "RMSProp": 0.01, "Adam": 0.1, "AdamW": 0.1, "AMSGrad": 0.2},
    "saddle": {"SGD": 0.1, "Momentum": 0.02, "Nesterov": 0.02, "AdaGrad": 0.2,
               "RMSProp": 0.01, "Adam": 0.05, "AdamW": 0.05, "AMSGrad": 0.05},
    "plateau": {"SGD": 0.5, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 0.5,
                "RMSProp": 0.01, "Adam": 0.05, "AdamW": 0.05, "AMSGrad": 0.05},
}

# Points where the surfaces' loss and gradient are compared, as fractions of the window.
SAMPLE_FRACTIONS = [(0.1, 0.2), (0.5, 0.5), (0.73, 0.31), (0.9, 0.85), (0.25, 0.95)]


def case(surface_key: str, name: str, hyper: dict, steps: int, start=None) -> dict:
    """One run: the optimizer ``name`` with ``hyper`` for ``steps`` steps, every iterate kept."""
    surface = SURFACES[surface_key]
    start = tuple(surface.start if start is None else start)
    trajectory = run_on_surface(surface, MAKERS[name](hyper), steps, start=start)
    path = trajectory.path
    if not (np.all(np.isfinite(path)) and np.max(np.abs(path)) < 1e6):
        raise ValueError(f"{name} {hyper} diverges on {surface_key}; pick a smaller learning rate")
    return {
        "surface": surface_key,
        "optimizer": name,
        "hyper": hyper,
        "start": list(start),
        "steps": steps,
        "path": path.tolist(),
        "loss": trajectory.losses.tolist(),
    }


def surface_table() -> dict:
    """Each surface's metadata, and its loss and gradient at a few points of its window."""
    table = {}
    for key, s in SURFACES.items():
        x0, x1, y0, y1 = s.window
        points = np.array([[x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)] for fx, fy in SAMPLE_FRACTIONS])
        table[key] = {
            "key": s.key,
            "name": s.name,
            "formula": s.formula,
            "minima": s.minima.tolist(),
            "min_loss": float(s.min_loss),
            "start": [float(v) for v in s.start],
            "window": [float(v) for v in s.window],
            "samples": {
                "points": points.tolist(),
                "loss": s.loss(points).tolist(),
                "grad": s.grad(points).tolist(),
            },
        }
    return table


def build_vectors() -> dict:
    """Everything the browser test compares the applet with."""
    cases = []
    for surface_key, rates in LEARNING_RATES.items():
        for name, settings in DECAY_RATES.items():
            for index, decay in enumerate(settings):
                hyper = {"lr": rates[name] * (1.0 if index == 0 else 0.5), **decay, "eps": EPS}
                cases.append(case(surface_key, name, hyper, STEPS))
    # The chapter's sawtooth (Adam at lr 0.3 on the bowl), its AMSGrad fix, and a moved start.
    adam = {"lr": 0.3, "beta1": 0.9, "beta2": 0.999, "eps": EPS}
    cases.append(case("quadratic", "Adam", adam, SAWTOOTH_STEPS))
    cases.append(case("quadratic", "AMSGrad", adam, SAWTOOTH_STEPS))
    cases.append(case("rosenbrock", "Nesterov", {"lr": 0.0005, "beta": 0.95, "eps": EPS}, STEPS, start=(1.2, -0.5)))
    return {
        "about": "Iterates of optlab's optimizers on optlab's surfaces; made by scripts/make_race_vectors.py",
        "surfaces": surface_table(),
        "styles": style_table(),
        "cases": cases,
    }


def render(vectors: dict) -> str:
    """JSON text with one case per line, so a change shows as a readable diff."""
    head = {k: v for k, v in vectors.items() if k != "cases"}
    text = json.dumps(head, indent=1)
    lines = ",\n".join("  " + json.dumps(c) for c in vectors["cases"])
    return text[:-2] + ',\n "cases": [\n' + lines + "\n ]\n}\n"


def main() -> None:
    vectors = build_vectors()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(render(vectors))
    print(f"wrote {len(vectors['cases'])} cases to {OUTPUT}")


if __name__ == "__main__":
    main()
