"""Record PyTorch's reference trajectories for tests/unit/test_torch_reference.py.

For every case of ``CASES`` (the conventions are mapped there), both of its
learning rates and seeds 0 and 1, run ``torch.optim`` for 100 steps in float64
and keep the parameters after steps 1, 10 and 100, with the problem they were
run on, in ``tests/vectors/torch_reference.json``. Needs torch 2.13.0 (a test
dependency only, not in requirements.txt)::

    .venv/bin/pip install torch==2.13.0
    .venv/bin/python -m booktools.torch_vectors

It also prints the largest difference between our run and PyTorch's as a
fraction of the test's tolerance (atol + rtol*|x|).
"""

from __future__ import annotations

import json
import sys

import torch

from . import ROOT
from .torch_reference import (
    CASES, CHECKPOINTS, TORCH_VERSION, VECTOR_SEEDS, VECTORS, make_problem, run_ours, run_torch, tolerance_used,
)


def main() -> None:
    if not torch.__version__.startswith(TORCH_VERSION):
        sys.exit(f"torch {TORCH_VERSION} is required, found {torch.__version__}")
    problems = {str(seed): make_problem(seed) for seed in VECTOR_SEEDS}
    runs, worst = {}, 0.0
    for case in CASES:
        for lr in case.lrs:
            for seed in VECTOR_SEEDS:
                problem = problems[str(seed)]
                reference = run_torch(case, lr, problem)
                worst = max(worst, tolerance_used(run_ours(case, lr, problem), reference))
                runs[f"{case.name} lr={lr} seed={seed}"] = {
                    str(step): [p.ravel().tolist() for p in reference[step - 1]] for step in CHECKPOINTS}
    VECTORS.parent.mkdir(parents=True, exist_ok=True)
    VECTORS.write_text(json.dumps({"torch_version": torch.__version__, "dtype": "float64",
                                   "problems": problems, "runs": runs}, separators=(",", ":")) + "\n")
    print(f"wrote {len(runs)} runs to {VECTORS.relative_to(ROOT)}; "
          f"largest difference from optlab: {worst:.3f} of the tolerance")


if __name__ == "__main__":
    main()
