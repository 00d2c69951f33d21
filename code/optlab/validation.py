"""Checks on hyperparameters and on parameter/gradient lists.

Every check raises ``ValueError`` with a message that names the argument and
the range it must lie in, so a typo in a notebook cell fails loudly at the
line that made it, not a thousand steps later as a NaN.

A learning rate may be a NumPy array as well as a float: a batch of
independent trainings (one per learning rate, say) is then run as one array
computation, with the array broadcast against the leading batch axis.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["check_nonnegative", "check_decay_rate", "check_matching"]


def _as_finite_array(name: str, value) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return array


def _check_range(name: str, value, low: float, high: float, allowed: str) -> None:
    # A plain number (the usual case, and every step of a schedule) skips the
    # array round trip, which costs tens of microseconds.
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value!r}")
        bad = value < low or value >= high
    else:
        array = _as_finite_array(name, value)
        bad = np.any(array < low) or np.any(array >= high)
    if bad:
        raise ValueError(f"{name} must lie in {allowed}, got {value!r}")


def check_nonnegative(name: str, value) -> None:
    """Require ``0 <= value < inf`` (element-wise for arrays)."""
    _check_range(name, value, 0.0, math.inf, "[0, inf)")


def check_decay_rate(name: str, value) -> None:
    """Require ``0 <= value < 1``, the range of every beta in this chapter."""
    _check_range(name, value, 0.0, 1.0, "[0, 1)")


def check_matching(params, grads) -> None:
    """Require two lists of arrays with equal length and equal shapes."""
    if len(params) != len(grads):
        raise ValueError(
            f"grads must have one array per parameter: got {len(grads)} "
            f"gradients for {len(params)} parameters"
        )
    for index, (p, g) in enumerate(zip(params, grads)):
        if np.shape(p) != np.shape(g):
            raise ValueError(
                f"grads[{index}] must have the shape of params[{index}], "
                f"{np.shape(p)}, got {np.shape(g)}"
            )
