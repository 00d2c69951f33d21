r"""Is every printed number the same on every CPU? Two ways to ask on one machine.

NumPy picks its kernels for ``exp``, ``pow``, reductions and friends at run
time from the CPU's instruction sets (SSE4.2, AVX2, AVX-512 on x86; NEON, SVE
on ARM), and the kernels differ in the last bits of their results. A
printed number that depends on those bits (a run printed after it has blown
up, a count decided by a hair) differs on a reader's machine. Two checks
expose such numbers here, before a reader finds them:

* **Dispatch levels.** ``NPY_DISABLE_CPU_FEATURES`` switches kernels *off*
  (never on), so a machine can imitate older CPUs: :func:`dispatch_levels`
  lists the levels this machine can reach below its own.
* **Nudged last bits.** :func:`nudge_last_bits` wraps NumPy's elementary
  functions and reductions, and the gradients of ``optlab``'s surfaces and
  network, so that each result moves by at most one unit in the last place
  (ulp), at entries picked by a hash of their bits. That is the size of the difference between
  two CPUs' kernels, and it does not depend on the hardware at all: a
  machine without AVX-512 still sees which outputs such a difference changes.

The tests replay the numeric tests and the notebooks under both (``make
test-portability``; the harness that starts the nudged kernels and the pytest
processes is ``tests/harness/replays.py``).
"""

from __future__ import annotations

import functools

import numpy as np

ELEMENTARY = ("exp", "expm1", "log", "log1p", "log2", "log10", "power", "sin", "cos", "tan", "tanh",
              "arctan", "arctan2", "sinh", "cosh", "sum", "mean", "einsum", "dot", "matmul")
"""NumPy functions whose results may differ in the last bit from one CPU to another."""

LINALG = ("eigvals", "eigvalsh", "eig", "solve", "norm")
"""``numpy.linalg`` functions, whose LAPACK and BLAS kernels are chosen by CPU too."""


def dispatch_levels() -> dict[str, str]:
    """The ``NPY_DISABLE_CPU_FEATURES`` values that imitate older CPUs on this machine.

    ``"without AVX-512"`` switches off every dispatched AVX-512 (or ARM SVE)
    kernel, as on most laptops; ``"baseline"`` switches off every dispatched
    feature, leaving NumPy's compiled-in minimum (SSE4.2 on x86-64). A level
    that this machine's CPU does not reach anyway is left out, so on a CPU
    without AVX-512 only the baseline remains (on a CPU that has none of the
    dispatched features, the baseline is simply the CPU itself).
    """
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    levels = {}
    wide = [i for i, f in enumerate(__cpu_dispatch__) if "AVX512" in f or f in ("X86_V4", "SVE")]
    if wide and wide[0] > 0 and __cpu_features__.get(__cpu_dispatch__[wide[0]]):
        levels["without AVX-512"] = " ".join(__cpu_dispatch__[wide[0]:])
    levels["baseline"] = " ".join(__cpu_dispatch__)
    return levels


class LastBitNudger:
    """Moves floating-point results by -1, 0 or +1 ulp, as a fixed function of their bits.

    The move of each entry is read off a hash of its own bits (and of
    ``seed``), so the same result is always moved the same way: like a
    CPU's kernel, and unlike a random stream, the nudged functions stay
    deterministic, and two runs of the same computation still agree bit for
    bit. Exact zeros stay zero (a kernel never makes an exact zero inexact),
    and integer results are left alone.
    """

    def __init__(self, seed: int = 0):
        self.key = np.uint64((0x9E3779B97F4A7C15 * (seed + 1)) % 2**64)

    def moves(self, array: np.ndarray) -> np.ndarray:
        """-1, 0 or +1 for each entry of a float64 array, from a multiplicative hash of its bits."""
        bits = np.ascontiguousarray(array, dtype=np.float64).reshape(-1).view(np.uint64)
        mixed = (bits ^ self.key) * np.uint64(0xBF58476D1CE4E5B9)  # wraps modulo 2**64
        return ((mixed >> np.uint64(40)) % np.uint64(3)).astype(np.int64).reshape(np.shape(array)) - 1

    def __call__(self, result, out=None):
        array = np.asarray(result)
        if array.dtype.kind == "c":
            nudged = self(array.real) + 1j * self(array.imag)
        elif array.dtype.kind == "f":
            nudged = np.where(array == 0, array, array + self.moves(array) * np.spacing(array))
        else:
            return result
        if out is not None:
            np.copyto(out, nudged)
            return out
        if isinstance(result, np.ndarray):
            return nudged.astype(array.dtype, copy=False)
        return array.dtype.type(nudged)  # a NumPy scalar stays a scalar


class _Nudged:
    """``function`` with nudged results; other attributes (a ufunc's ``outer``, ``reduce``) pass through."""

    nudged = True

    def __init__(self, function, nudge: LastBitNudger):
        self.function, self.nudge = function, nudge
        functools.update_wrapper(self, function)

    def __getattr__(self, name):
        return getattr(self.function, name)

    def __call__(self, *args, **kwargs):
        result = self.function(*args, **kwargs)
        if isinstance(result, tuple):  # e.g. (eigenvalues, eigenvectors)
            return tuple(self.nudge(r) if isinstance(r, (np.ndarray, np.floating)) else r for r in result)
        out = kwargs.get("out")
        out = out[0] if isinstance(out, tuple) and len(out) == 1 else out
        return self.nudge(result, out=out if isinstance(out, np.ndarray) else None)


def _nudge_gradients(method, nudge: LastBitNudger):
    """A gradient method whose returned arrays, or list of arrays, are nudged (in place when given)."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        result = method(*args, **kwargs)
        if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], list):
            loss, grads = result
            for g in grads:
                nudge(g, out=g)
            return nudge(loss), grads
        return nudge(result)

    wrapper.nudged = True
    return wrapper


def nudge_last_bits(seed: int = 0) -> None:
    """Install the nudges in this process: NumPy's functions, optlab's gradients.

    Wraps the names of :data:`ELEMENTARY` in ``numpy`` and of :data:`LINALG`
    in ``numpy.linalg`` (code that looks them up when it calls them, as
    ``np.exp(x)`` does, gets nudged results), every ``grad`` of an
    :class:`optlab.surfaces.Surface` subclass, and the network's
    backpropagation. Operators (``a @ b``, ``a ** 2``) are not wrapped, but
    every gradient they feed is. Calling it twice changes nothing more.
    """
    if getattr(np.exp, "nudged", False):
        return
    nudge = LastBitNudger(seed)
    for name in ELEMENTARY:
        setattr(np, name, _Nudged(getattr(np, name), nudge))
    for name in LINALG:
        setattr(np.linalg, name, _Nudged(getattr(np.linalg, name), nudge))

    from optlab import network, surfaces

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for cls in subclasses(surfaces.Surface):
        if "grad" in vars(cls):
            cls.grad = _nudge_gradients(cls.grad, nudge)
    for name in ("loss_and_grads", "_backprop", "backprop"):
        if name in vars(network.MLP):
            setattr(network.MLP, name, _nudge_gradients(getattr(network.MLP, name), nudge))
