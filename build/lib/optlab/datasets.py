"""The small data sets of the chapter, laid out as columns: ``X`` has shape
``(features, samples)`` and ``Y`` has shape ``(outputs, samples)``."""

from __future__ import annotations

import numpy as np


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four points of the XOR problem and their labels."""
    X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])
    return X, Y


def circle(n: int = 300, radius: float = 0.5, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniform in the square [-1, 1]^2, labelled 1 inside the circle of ``radius``.

    The points come from ``np.random.default_rng(seed)`` drawn as one
    ``(2, n)`` array, so the default reproduces the chapter's data exactly.
    About pi r^2 / 4, i.e. 20 %, of the points are labelled 1.
    """
    X = np.random.default_rng(seed).uniform(-1, 1, (2, n))
    Y = (X[0] ** 2 + X[1] ** 2 < radius**2).astype(float).reshape(1, -1)
    return X, Y


def sine(n: int = 64, low: float = -np.pi, high: float = np.pi) -> tuple[np.ndarray, np.ndarray]:
    """``n`` evenly spaced inputs on [low, high] with targets sin(x), no noise.

    One full period keeps the target bounded in [-1, 1] with both signs,
    so the network needs a linear output layer to fit it.
    """
    x = np.linspace(low, high, n)
    return x.reshape(1, -1), np.sin(x).reshape(1, -1)
