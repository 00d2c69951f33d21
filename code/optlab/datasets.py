"""The data sets of the chapter, laid out as columns: ``X`` has shape
``(features, samples)`` and ``Y`` has shape ``(outputs, samples)``.

XOR, the circle and sin(x) are made on the spot. The handwritten digits are
real data, shipped with the package as the file ``optlab/data/optdigits.tes.gz``
(53 kB; its licence and origin are in ``optdigits.LICENSE.md`` beside it).
"""

from __future__ import annotations

import gzip
import hashlib
import io
from importlib.resources import files

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


DIGITS_SHA256 = "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8"
"""SHA-256 of the uncompressed text of ``optdigits.tes.gz``, the copy of the digits that scikit-learn ships."""

DIGITS_CLASSES = 10


def digits() -> tuple[np.ndarray, np.ndarray]:
    r"""The 1,797 handwritten digits of Alpaydin & Kaynak (1998), as scikit-learn's ``load_digits`` has them.

    Each sample is an 8x8 image whose pixels count the ink in a 4x4 block of
    a 32x32 scan, 0 to 16. ``X`` holds them divided by 16, so in [0, 1], one
    column of 64 per image (row by row); ``Y`` the one-hot digits, shape
    ``(10, 1797)``. The data are the test set of the UCI *Optical
    Recognition of Handwritten Digits* (CC BY 4.0), in the samples' original
    order; the file's SHA-256 is checked at every load, and a
    ``ValueError`` says so if it differs from :data:`DIGITS_SHA256`.
    """
    text = gzip.decompress((files("optlab") / "data" / "optdigits.tes.gz").read_bytes())
    digest = hashlib.sha256(text).hexdigest()
    if digest != DIGITS_SHA256:
        raise ValueError(f"optdigits.tes.gz is damaged: SHA-256 {digest}, expected {DIGITS_SHA256}")
    table = np.loadtxt(io.BytesIO(text), delimiter=",", dtype=np.int64)
    return table[:, :64].T / 16.0, one_hot(table[:, 64], DIGITS_CLASSES)


def one_hot(labels, classes: int) -> np.ndarray:
    """The ``(classes, samples)`` matrix with a 1 in row ``labels[i]`` of column ``i`` and zeros elsewhere."""
    labels = np.asarray(labels)
    return (np.arange(classes)[:, None] == labels[None, :]).astype(float)


def random_split(X, Y, sizes, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The samples shuffled by ``np.random.default_rng(seed)``, then cut into parts of the given ``sizes``.

    Returns one ``(X, Y)`` pair per size, e.g. a training, a validation and
    a test set; the sizes must add up to the number of samples, so every
    sample is in exactly one part.
    """
    samples = np.shape(X)[-1]
    if sum(sizes) != samples or min(sizes) < 1:
        raise ValueError(f"sizes must be positive and add up to the {samples} samples, got {sizes!r}")
    order = np.random.default_rng(seed).permutation(samples)
    ends = np.cumsum(sizes)
    return [(X[:, part], Y[:, part]) for part in np.split(order, ends[:-1])]
