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


def _as_real_array(name: str, value) -> np.ndarray:
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None


def _check_range(name: str, value, low: float, high: float, allowed: str) -> None:
    # A plain number (the usual case) skips the array round trip; an array (a
    # batch of rates, a schedule's value at every step) is read by two
    # reductions, and only one that fails them is read again for the message.
    if isinstance(value, (int, float)):
        finite, inside = math.isfinite(value), low <= value < high
    else:
        array = _as_real_array(name, value)
        if array.size == 0 or (low <= array.min() and array.max() < high):  # NaN and inf fail it
            return
        finite, inside = bool(np.all(np.isfinite(array))), False
    if not finite:
        raise ValueError(f"{name} must be finite, got {value!r}")
    if not inside:
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
