"""Mutation run: plant one bug at a time and check that the unit tests catch it.

Each mutant is a one-place edit of ``code/optlab`` (a snippet that must occur
exactly once, replaced by the buggy version). For each, the committed tree
(``git archive HEAD``) is unpacked into a fresh temporary directory, the bug
is planted there, and the unit tests (``tests/unit``: no build, no browser)
run on the copy with ``PYTHONPATH`` pointing at the copy's ``code/``. The
working tree is never edited, so others can keep testing while this runs.
This module, loaded as a pytest plugin in that run, checks inside the pytest
process that ``optlab`` is imported from the copy; if not, the run is an
error, not a kill.

A mutant is *killed* when pytest reports failing tests (exit code 1) and
*survives* when every test passes. The unmutated copy runs first and must
pass. Usage::

    make mutation                     # or: .venv/bin/python -m booktools.mutation
    .venv/bin/python -m booktools.mutation adam-step-counter-not-advanced   # a few by name

Exit status 0 only if every mutant is killed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import ROOT

UNIT_TESTS = "tests/unit"
OPT = "code/optlab/optimizers.py"
NET = "code/optlab/network.py"


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    original: str
    mutated: str


MUTANTS = [
    # -- the bugs the issue names --
    Mutant("eps-moved-inside-the-root", OPT,
           "        return np.sqrt(moment) + self.eps\n", "        return np.sqrt(moment + self.eps)\n"),
    Mutant("eps-moved-outside-the-root-when-asked-inside", OPT,
           "            return np.sqrt(moment + self.eps)\n", "            return np.sqrt(moment) + self.eps\n"),
    Mutant("bias-correction-betas-swapped", OPT,
           "return 1 - self.beta1**count, 1 - self.beta2**count",
           "return 1 - self.beta2**count, 1 - self.beta1**count"),
    Mutant("adam-step-counter-not-advanced", OPT,  # d2l's bug: t stays at 1
           "state = AdamState(count, mu, nu, nu_max)",
           "state = AdamState(state.count, mu, nu, nu_max)"),
    Mutant("adamw-decay-through-the-gradient", OPT,
           "        stepped, state = self.inner.update(params, grads, state)\n"
           "        return [s - self.decay * w for s, w in zip(stepped, params)], state\n",
           "        grads = [g + self.decay * w for g, w in zip(grads, params)]\n"
           "        return self.inner.update(params, grads, state)\n"),
    Mutant("nesterov-lookahead-dropped", OPT,
           "return [w - self.lr * self.beta * v for w, v in zip(params, state.velocity)]", "return params"),
    Mutant("backprop-sign-flipped-between-layers", NET,
           "error = _transpose(params[2 * layer]) @ delta", "error = -(_transpose(params[2 * layer]) @ delta)"),
    Mutant("backprop-output-error-sign-flipped", NET,
           "error = residual / samples", "error = -residual / samples"),
    # -- more of our own --
    Mutant("sigmoid-slope-taken-of-z", NET, "return a * (1.0 - a)", "return z * (1.0 - z)"),
    Mutant("bias-gradient-averaged", NET,
           "np.add.reduce(delta, axis=-1,", "np.add.reduce(delta / delta.shape[-1], axis=-1,"),
    Mutant("adagrad-forgets-its-sum", OPT, "tuple(G + g * g for G, g", "tuple(g * g for G, g"),
    Mutant("rmsprop-weights-swapped", OPT,
           "self.beta * v + (1 - self.beta) * g * g for v, g in zip(state.nu, grads)",
           "(1 - self.beta) * v + self.beta * g * g for v, g in zip(state.nu, grads)"),
    Mutant("amsgrad-without-the-maximum", OPT,
           "nu_max = tuple(np.maximum(vm, v / correction2) for vm, v in zip(nu_max, nu))",
           "nu_max = tuple(v / correction2 for vm, v in zip(nu_max, nu))"),
    Mutant("amsgrad-raw-max-of-corrected-moment", OPT,
           "nu_max = tuple(np.maximum(vm, v) for vm, v in zip(nu_max, nu))",
           "nu_max = tuple(np.maximum(vm, v / correction2) for vm, v in zip(nu_max, nu))"),
    Mutant("second-moment-not-bias-corrected", OPT,
           "return [v / correction2 for v in source]", "return list(source)"),
    Mutant("momentum-always-damped", OPT,
           "gain = 1 - self.beta if self.damped else 1.0", "gain = 1 - self.beta"),
    Mutant("l2-penalty-at-the-params-not-the-lookahead", OPT,
           "zip(grads, point)]", "zip(grads, params)]"),
    Mutant("decay-ignores-scale-by-lr", OPT,
           "return self.weight_decay * self.inner.lr if self.scale_by_lr else self.weight_decay",
           "return self.weight_decay"),
    Mutant("runner-takes-the-gradient-at-the-params", "code/optlab/training.py",
           "loss, grads = objective(point)", "loss, grads = objective(params)"),
    Mutant("heavy-ball-beta-not-squared", "code/optlab/theory.py",
           "beta = momentum_rate(L / mu) ** 2", "beta = momentum_rate(L / mu)"),
]


# -- pytest plugin half (loaded in the copy with ``-p mutation``) --------------

def pytest_sessionstart(session):
    import pytest

    import optlab

    copy = Path(os.environ["MUTATION_COPY"]).resolve()
    if copy not in Path(optlab.__file__).resolve().parents:
        raise pytest.UsageError(f"optlab imported from {optlab.__file__}, not from the copy {copy}")


# -- runner half -----------------------------------------------------------------

def make_copy(target: Path) -> None:
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)


class NotPlanted(Exception):
    """The mutant's snippet is not in the code once (the code changed): update the mutant."""


def plant(copy: Path, mutant: Mutant) -> None:
    path = copy / mutant.path
    text = path.read_text()
    if text.count(mutant.original) != 1:
        raise NotPlanted(f"the snippet occurs {text.count(mutant.original)} times in {mutant.path}, not once")
    path.write_text(text.replace(mutant.original, mutant.mutated))


def run_tests(copy: Path) -> tuple[int, str]:
    env = dict(os.environ, PYTHONPATH=str(copy / "code"), MUTATION_COPY=str(copy), PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "booktools.mutation",
               UNIT_TESTS]
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
    failed = [line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip()[-300:]
    return result.returncode, (failed[0] if failed else summary)


def run_one(mutant: Mutant | None) -> tuple[int, str]:
    with tempfile.TemporaryDirectory(prefix="optlab-mutant-") as tmp:
        copy = Path(tmp)
        make_copy(copy)
        if mutant is not None:
            try:
                plant(copy, mutant)
            except NotPlanted as error:
                return -1, f"not planted: {error}"
        return run_tests(copy)


def check_snippets(mutants) -> list[str]:
    """Mutants whose snippet is not exactly once in the committed code."""
    stale = []
    for mutant in mutants:
        text = subprocess.run(["git", "show", f"HEAD:{mutant.path}"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
        if text.count(mutant.original) != 1:
            stale.append(f"{mutant.name}: snippet found {text.count(mutant.original)} times in {mutant.path}")
    return stale


def main(names: list[str]) -> int:
    unknown = set(names) - {m.name for m in MUTANTS}
    if unknown:
        raise SystemExit(f"unknown mutants: {sorted(unknown)}")
    mutants = [m for m in MUTANTS if not names or m.name in names]
    if stale := check_snippets(mutants):
        print("stale mutants (the code changed; update them first):\n  " + "\n  ".join(stale))
        return 2
    start = time.monotonic()
    code, detail = run_one(None)
    if code != 0:
        print(f"the unmutated copy does not pass its tests (exit {code}): {detail}")
        return 2
    print(f"unmutated copy: passes ({detail})")
    killed, survived, errors = [], [], []
    for mutant in mutants:
        code, detail = run_one(mutant)
        outcome = {0: "SURVIVED", 1: "killed"}.get(code, f"ERROR (pytest exit {code})")
        {0: survived, 1: killed}.get(code, errors).append(mutant.name)
        print(f"{outcome:>9}  {mutant.name}: {detail}", flush=True)
    print(f"\n{len(killed)}/{len(mutants)} mutants killed, {len(survived)} survived, {len(errors)} errors"
          f" ({time.monotonic() - start:.0f} s)")
    for name in survived + errors:
        print(f"  not killed: {name}")
    return 0 if len(killed) == len(mutants) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
