"""Test vectors for the Optimizer Race applet, computed with optlab.

The applet's core (``_static/race/race_core.js``) re-implements the update
rules in JavaScript so the book can run them without a Python kernel. This
module runs optlab's optimizers, as :mod:`optlab.race` names them, on
optlab's surfaces (surfaces x racers x two settings x steps) and writes every
iterate and its loss in float64 to ``tests/vectors/race_vectors.json``, with
each surface's loss, gradient and Hessian at a few points. Besides these
``cases`` it holds ``noisy`` runs (every racer on every surface with gradient
noise, through :func:`optlab.noise.run_noisy`), ``scheduled`` runs (each
schedule of :data:`optlab.race.SCHEDULES` on every surface and for every
racer, through ``run_on_surface``'s ``lr_schedule``) and ``explained`` updates
(the learning rate, step, per-coordinate step size from optlab's
``effective_lr``, Hessian and stability limit of one update, as the core's
``explain`` gives them). ``tests/browser/test_race_core.py``
replays each case in the browser (``tests/harness/race.py``) and requires
agreement to 1e-12 relative;
``tests/unit/test_race_files.py`` checks without a browser that the committed
file still matches what this module computes.

Usage: ``python -m booktools.race_vectors`` (rewrites the JSON file).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from optlab import race
from optlab.diagnostics import effective_lrs
from optlab.noise import GradientNoise, run_noisy
from optlab.surfaces import SURFACES
from optlab.training import run_on_surface

from . import ROOT

OUTPUT = ROOT / "tests" / "vectors" / "race_vectors.json"
STEPS = 40

RTOL = 1e-12
"""The relative agreement required of the applet's iterates, and of the committed vectors with a fresh run.
(In practice they agree to the last bit except where ``pow`` or ``exp`` rounds differently.)"""

UNUSUAL = {"beta": 0.5, "beta1": 0.5, "beta2": 0.9, "weight_decay": 0.2}
"""The second setting of every racer: decay rates far from the usual ones (and half the learning rate)."""

SAMPLE_FRACTIONS = [(0.1, 0.2), (0.5, 0.5), (0.73, 0.31), (0.9, 0.85), (0.25, 0.95)]
"""Points where the surfaces' loss, gradient and Hessian are compared, as fractions of the window."""

NOISE_LEVELS = [(0.5, 7), (3.0, 2024), (0.05, 2**32 - 1)]
"""The (sigma, seed) pairs of the noisy runs, taken in turn: a small, a large and a tiny noise, the last
with the largest seed the applet accepts."""


def trajectory(surface_key: str, racer: race.Racer, hyper: dict, steps: int, start, options: dict):
    """optlab's run of ``racer``: ``run_on_surface``, or ``run_noisy`` for one seed when ``options`` has a sigma,
    following ``options``' schedule over ``options``' horizon (the core's ``run`` options, with its defaults)."""
    surface = SURFACES[surface_key]
    optimizer = racer.make(**hyper)
    schedule = None
    if options.get("schedule", "constant") != "constant":
        schedule = race.race_schedule(options["schedule"], hyper["lr"], options.get("horizon", steps))
    if options.get("sigma", 0) > 0:
        noise = GradientNoise(options["sigma"], np.array([options.get("seed", 0)]))
        path = run_noisy(surface, optimizer, steps, noise, start=start, lr_schedule=schedule).path[:, 0]
    else:
        path = run_on_surface(surface, optimizer, steps, start=start, lr_schedule=schedule).path
    if not (np.all(np.isfinite(path)) and np.max(np.abs(path)) < race.DIVERGED):
        raise ValueError(f"{racer.name} {hyper} {options} diverges on {surface_key}; pick a smaller learning rate")
    return path


def case(surface_key: str, racer: race.Racer, hyper: dict, steps: int, start=None, options=None) -> dict:
    """One run: ``racer`` with ``hyper`` for ``steps`` steps, every iterate kept (``options`` as the core's ``run``)."""
    surface = SURFACES[surface_key]
    start = tuple(surface.start if start is None else start)
    path = trajectory(surface_key, racer, hyper, steps, start, options or {})
    return {
        "surface": surface_key,
        "optimizer": racer.name,
        "hyper": hyper,
        "start": list(start),
        "steps": steps,
        **({"options": options} if options else {}),
        "path": path.tolist(),
        "loss": surface.loss(path).tolist(),
        "gap": surface.gap(path).tolist(),
    }


def explained(surface_key: str, racer: race.Racer, hyper: dict, t: int, options: dict) -> dict:
    r"""Update ``t`` of a run, as the core's ``explain`` takes it apart, computed by optlab.

    The rate is the schedule's at ``t``; the step is :math:`w_{t+1} - w_t` of
    optlab's run; the per-coordinate step size is ``effective_lr`` of the
    state after the update (:func:`optlab.diagnostics.effective_lrs` replays
    the gradients the run saw, at :math:`w_0, \dots, w_t` plus the noise draws),
    or the rate itself for a method without one; the Hessian is the
    surface's at :math:`w_t`; the step curvature is
    :func:`optlab.race.largest_step_curvature` of the two; the limit is :meth:`optlab.race.Racer.limit`.
    """
    surface = SURFACES[surface_key]
    start = tuple(surface.start)
    path = trajectory(surface_key, racer, hyper, t + 1, start, options)
    schedule = race.race_schedule(options.get("schedule", "constant"), hyper["lr"], options.get("horizon", t + 1))
    lr = schedule(t)
    noise = GradientNoise(options.get("sigma", 0.0), np.array([options.get("seed", 0)])).draws(t + 1, 2)[0]
    grads = surface.grad(path[:t + 1]) + noise  # a look-ahead method sees others, but it has no effective_lr
    try:
        effective = effective_lrs(racer.make(**hyper).with_lr(lr), grads)[-1]
    except TypeError:  # a method without a per-coordinate step size: eta_t in every coordinate
        effective = np.full(2, lr)
    return {
        "surface": surface_key,
        "optimizer": racer.name,
        "hyper": hyper,
        "start": list(start),
        "t": t,
        "options": options,
        "lr": lr,
        "step": (path[t + 1] - path[t]).tolist(),
        "effectiveLr": effective.tolist(),
        "hessian": surface.hessian_at(path[t]).tolist(),
        "stepCurvature": race.largest_step_curvature(effective, surface.hessian_at(path[t])),
        "curvatures": race.curvatures(effective / lr, surface.hessian_at(path[t])),
        "limit": racer.limit(hyper),
    }


def two_settings(surface_key: str, racer: race.Racer) -> list[dict]:
    """The race's starting settings, and half the learning rate with :data:`UNUSUAL` decay rates."""
    usual = racer.settings(surface_key)
    unusual = usual | {k: v for k, v in UNUSUAL.items() if k in racer.hyper} | {"lr": usual["lr"] * 0.5}
    return [usual, unusual]


def surface_samples() -> dict:
    """Each surface's loss, gap and gradient at a few points of its window."""
    table = {}
    for key, s in SURFACES.items():
        x0, x1, y0, y1 = s.window
        points = np.array([[x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)] for fx, fy in SAMPLE_FRACTIONS])
        table[key] = {"points": points.tolist(), "loss": s.loss(points).tolist(), "gap": s.gap(points).tolist(),
                      "grad": s.grad(points).tolist(), "hessian": s.hessian_at(points).tolist()}
    return table


def build_vectors() -> dict:
    """Everything the browser test compares the applet's core with."""
    racers = {r.name: r for r in race.racers()}
    cases = [case(key, r, hyper, STEPS) for key in SURFACES for r in racers.values() for hyper in two_settings(key, r)]
    # The chapter's sawtooth (Adam at lr 0.3 on the bowl) over the shortest race, its AMSGrad fix, and a moved start.
    adam = {"lr": 0.3, "beta1": 0.9, "beta2": 0.999, "eps": race.EPS}
    cases.append(case("quadratic", racers["Adam"], adam, race.HORIZONS[0]))
    cases.append(case("quadratic", racers["AMSGrad"], adam, race.HORIZONS[0]))
    nesterov = {"lr": 0.0005, "beta": 0.95, "eps": race.EPS}
    cases.append(case("rosenbrock", racers["Nesterov"], nesterov, STEPS, start=(1.2, -0.5)))
    return {
        "about": "Iterates of optlab's optimizers on optlab's surfaces; made by python -m booktools.race_vectors",
        "samples": surface_samples(),
        "cases": cases,
        "noisy": noisy_cases(),
        "scheduled": scheduled_cases(),
        "explained": explained_updates(),
        "maps": stability_maps(),
    }


MAP_LRS = [1e-4, 1e-3, 0.005, 0.012, 0.02, 0.05, 0.1, 0.5, 1.0, 5.0]
MAP_BETAS = [0.0, 0.5, 0.9, 0.99, 0.9999]


def stability_maps() -> list[dict]:
    """:func:`optlab.race.stability_map` of each kind of limit at each surface's start, on a grid of rates and betas."""
    maps = []
    for key, surface in SURFACES.items():
        curvature = race.curvatures([1.0, 1.0], surface.hessian_at(np.asarray(surface.start)))
        for kind in race.LIMIT_FORMULAS:
            rates = race.stability_map(kind, curvature, MAP_LRS, MAP_BETAS)
            maps.append({"surface": key, "kind": kind, "curvature": curvature, "lrs": MAP_LRS, "betas": MAP_BETAS,
                         "rates": rates.tolist()})
    return maps


def noisy_cases() -> list[dict]:
    """Every racer on every surface at its starting settings, with the noise levels of :data:`NOISE_LEVELS` in turn."""
    runs = [(key, r) for key in SURFACES for r in race.racers()]
    levels = [dict(zip(("sigma", "seed"), NOISE_LEVELS[k % len(NOISE_LEVELS)])) for k in range(len(runs))]
    return [case(key, r, r.settings(key), STEPS, options=options) for (key, r), options in zip(runs, levels)]


def scheduled_cases() -> list[dict]:
    """Every racer on every surface, the schedules taken in turn so that each meets every surface and every racer.

    The schedule spans the run (``horizon`` = :data:`STEPS`), so a step decay drops twice, a warmup
    ends and a cosine reaches zero within it; the settings are the racer's starting ones.
    """
    keys = list(race.SCHEDULES)
    return [case(key, r, r.settings(key), STEPS, options={"schedule": keys[(i + j) % len(keys)], "horizon": STEPS})
            for i, key in enumerate(SURFACES) for j, r in enumerate(race.racers())]


def explained_updates() -> list[dict]:
    """Three updates of every racer, on the surfaces in turn: the first, one with noise, one with noise and a warmup."""
    updates = []
    surfaces = list(SURFACES)
    for j, r in enumerate(race.racers()):
        warmup = {"sigma": 0.05, "seed": 11, "schedule": "warmup_cosine", "horizon": 300}  # t = 30: its first cosine step
        for k, (t, options) in enumerate([(0, {}), (7, {"sigma": 0.5, "seed": 3}), (30, warmup)]):
            key = surfaces[(j + k) % len(surfaces)]
            updates.append(explained(key, r, two_settings(key, r)[k % 2], t, options))
    return updates


LISTS = ("cases", "noisy", "scheduled", "explained", "maps")
"""The lists of runs and updates, written one entry per line."""


def render(vectors: dict) -> str:
    """JSON text with one case per line, so a change shows as a readable diff."""
    head = {k: v for k, v in vectors.items() if k not in LISTS}
    text = json.dumps(head, indent=1)
    for name in LISTS:
        lines = ",\n".join("  " + json.dumps(c) for c in vectors[name])
        text = text[:-2] + f',\n "{name}": [\n' + lines + "\n ]\n}"
    return text + "\n"


def main(output: Path = OUTPUT) -> None:
    vectors = build_vectors()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(vectors))
    counts = ", ".join(f"{len(vectors[name])} {name}" for name in LISTS)
    print(f"wrote {counts} to {output.relative_to(ROOT)} ({output.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
