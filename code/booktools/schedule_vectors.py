"""Record PyTorch's learning rates for tests/unit/test_schedules.py.

For every schedule of ``CASES``, run its ``torch.optim.lr_scheduler``
counterpart as a training loop does (``optlab.schedules.torch_rates``:
``optimizer.step()`` then ``scheduler.step()``, the conventions mapped in
``Schedule.torch_scheduler``) for ``STEPS`` steps, and keep the rate each
update used.
The file ``tests/vectors/schedule_vectors.json`` holds, per case, the
schedule's class and arguments and PyTorch's rates, so the test rebuilds the
schedule from the file alone. Needs torch 2.13.0 (a test dependency only)::

    .venv/bin/pip install torch==2.13.0
    .venv/bin/python -m booktools.schedule_vectors

It prints the largest difference between optlab's rates and PyTorch's.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import torch

from optlab import schedules

from . import ROOT

VECTORS = ROOT / "tests" / "vectors" / "schedule_vectors.json"
TORCH_VERSION = "2.13.0"
STEPS = 1001  # t = 0..1000: the cosine schedules below end exactly at t = 1000

CASES = {
    "constant": schedules.Constant(lr=0.1),
    "step": schedules.StepDecay(lr=0.1, step_size=300, gamma=0.1),
    "exponential": schedules.Exponential(lr=0.1, gamma=0.995),
    "cosine": schedules.Cosine(lr=0.1, total_steps=1000, min_lr=0.001),
    "warmup_cosine": schedules.WarmupCosine(lr=0.1, warmup_steps=100, total_steps=1000, start_factor=0.01),
    "warmup_cosine_torch_default": schedules.WarmupCosine(lr=0.003, warmup_steps=40, total_steps=1000,
                                                          start_factor=1 / 3, min_lr=1e-5),
    "inverse_sqrt": schedules.PowerDecay(lr=0.1, power=0.5, scale=10.0),
    "inverse_time": schedules.PowerDecay(lr=0.1, power=1.0, scale=100.0),
}


def main() -> None:
    if not torch.__version__.startswith(TORCH_VERSION):
        raise SystemExit(f"torch {TORCH_VERSION} is required, found {torch.__version__}")
    cases, worst = {}, 0.0
    for name, schedule in CASES.items():
        rates = schedules.torch_rates(schedule, STEPS)
        worst = max(worst, max(abs(schedule(t) - rate) for t, rate in enumerate(rates)))
        cases[name] = {"class": type(schedule).__name__, "args": asdict(schedule), "lrs": rates}
    lines = ",\n".join(f" {json.dumps(name)}: {json.dumps(case)}" for name, case in cases.items())
    VECTORS.write_text(f'{{"torch_version": "{torch.__version__}", "steps": {STEPS}, "cases": {{\n{lines}\n}}}}\n')
    print(f"wrote {len(cases)} schedules x {STEPS} steps to {VECTORS.relative_to(ROOT)}; "
          f"largest |optlab - torch| = {worst:.3e}")


if __name__ == "__main__":
    main()
