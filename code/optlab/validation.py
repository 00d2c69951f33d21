"""Checks on hyperparameters and on parameter/gradient lists.

Every check raises ``ValueError`` with a message that names the argument and
the range it must lie in, so a typo in a notebook cell fails loudly at the
line that made it, not a thousand steps later as a NaN.

A learning rate may be a NumPy array as well as a float: a batch of
independent trainings (one per learning rate, say) is then run as one array
computation, with the array broadcast against the leading batch axis.
"""

from __future__ import annotations

import numpy as np


def _as_finite_array(name: str, value) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return array


def check_nonnegative(name: str, value) -> None:
    """Require ``0 <= value < inf`` (element-wise for arrays)."""
    if np.any(_as_finite_array(name, value) < 0):
        raise ValueError(f"{name} must lie in [0, inf), got {value!r}")


def check_decay_rate(name: str, value) -> None:
    """Require ``0 <= value < 1``, the range of every beta in this chapter."""
    array = _as_finite_array(name, value)
    if np.any(array < 0) or np.any(array >= 1):
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}")


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
