r"""Two-dimensional loss surfaces, each a named object with its loss, gradient and minima.

Every ``loss`` and ``grad`` takes points of shape ``(..., 2)``, so the same
function evaluates one point, a whole trajectory, or a plotting grid.
``min_loss`` is the lowest value of the loss, so curves of
:math:`L(w_t) - L^\star` can be drawn on a log scale. ``start`` and ``window``
are the default start point and plotting window; the Optimizer Race applet
uses the same list (:data:`SURFACES`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Surface:
    """Fields shared by every surface; subclasses define ``loss`` and ``grad``."""

    key: str
    name: str
    formula: str
    minima: np.ndarray
    min_loss: float
    start: tuple[float, float]
    window: tuple[float, float, float, float]

    def loss(self, w):
        raise NotImplementedError

    def grad(self, w):
        raise NotImplementedError

    def hessian_at(self, w):
        r"""The Hessian :math:`\nabla^2 L(w)`, shape ``(..., 2, 2)``: the local curvature a step is compared with."""
        raise NotImplementedError

    def gap(self, w):
        """:math:`L(w) - L^\\star`, the quantity loss curves show on a log scale."""
        return self.loss(w) - self.min_loss


def _symmetric(h11, h12, h22):
    """The symmetric 2x2 matrices with these entries, stacked: shape ``(..., 2, 2)``."""
    return np.stack([np.stack([h11, h12], axis=-1), np.stack([h12, h22], axis=-1)], axis=-2)


@dataclass(frozen=True)
class Quadratic(Surface):
    r""":math:`L(w) = \tfrac12 (w - c)^\top A (w - c)` for a symmetric positive-definite ``A``.

    Its Hessian is ``A`` everywhere, so :math:`\kappa = \lambda_{\max}/\lambda_{\min}`
    of ``A`` is the condition number of the problem.
    """

    hessian: np.ndarray = field(default_factory=lambda: np.eye(2))

    def loss(self, w):
        d = np.asarray(w, dtype=float) - self.minima[0]
        return 0.5 * np.einsum("...i,ij,...j->...", d, self.hessian, d)

    def grad(self, w):
        d = np.asarray(w, dtype=float) - self.minima[0]
        return d @ self.hessian

    def hessian_at(self, w):
        """``A`` at every point of ``w`` (the field ``hessian`` is the same matrix, once)."""
        return np.broadcast_to(self.hessian, np.shape(w)[:-1] + self.hessian.shape).astype(float)

    @property
    def eigenvalues(self) -> np.ndarray:
        return np.linalg.eigvalsh(self.hessian)

    @property
    def condition_number(self) -> float:
        eigenvalues = self.eigenvalues
        return float(eigenvalues[-1] / eigenvalues[0])


def _coefficient(value: float) -> str:
    r"""``value`` as the factor in front of a term: nothing for 1, else the number and a thin space."""
    return "" if value == 1 else rf"{value:g}\,"


def quadratic(
    eigenvalues=(2.0, 100.0),
    center=(0.0, 0.0),
    key: str = "quadratic",
    name: str = "Quadratic bowl",
    start=(5.0, 0.5),
    window=(-6.0, 6.0, -1.0, 1.0),
) -> Quadratic:
    r"""The diagonal quadratic :math:`\tfrac12 \sum_i \lambda_i (w_i - c_i)^2`.

    The default, eigenvalues 2 and 100, is the chapter's
    :math:`L = w_1^2 + 50 w_2^2` with :math:`\kappa = 50`.
    """
    lam1, lam2 = (float(x) for x in eigenvalues)
    c1, c2 = (float(x) for x in center)
    formula = rf"\tfrac{{{lam1:g}}}{{2}}(w_1 - {c1:g})^2 + \tfrac{{{lam2:g}}}{{2}}(w_2 - {c2:g})^2"
    if (c1, c2) == (0.0, 0.0):
        formula = rf"{_coefficient(lam1 / 2)}w_1^2 + {_coefficient(lam2 / 2)}w_2^2"
    return Quadratic(
        key=key,
        name=name,
        formula=formula,
        minima=np.array([[c1, c2]]),
        min_loss=0.0,
        start=tuple(start),
        window=tuple(window),
        hessian=np.diag([lam1, lam2]),
    )


@dataclass(frozen=True)
class Rosenbrock(Surface):
    r""":math:`L(w) = (a - w_1)^2 + b\,(w_2 - w_1^2)^2`, minimum 0 at :math:`(a, a^2)`."""

    a: float = 1.0
    b: float = 100.0

    def loss(self, w):
        w = np.asarray(w, dtype=float)
        x, y = w[..., 0], w[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def grad(self, w):
        w = np.asarray(w, dtype=float)
        x, y = w[..., 0], w[..., 1]
        dx = -2 * (self.a - x) - 4 * self.b * x * (y - x**2)
        dy = 2 * self.b * (y - x**2)
        return np.stack([dx, dy], axis=-1)

    def hessian_at(self, w):
        r""":math:`\begin{pmatrix} 2 - 4b(w_2 - w_1^2) + 8b w_1^2 & -4b w_1 \\ -4b w_1 & 2b \end{pmatrix}`."""
        w = np.asarray(w, dtype=float)
        x, y = w[..., 0], w[..., 1]
        h11 = 2 - 4 * self.b * (y - x**2) + 8 * self.b * x**2
        h12 = -4 * self.b * x
        return _symmetric(h11, h12, np.full_like(x, 2 * self.b))


@dataclass(frozen=True)
class Saddle(Surface):
    r""":math:`L(w) = \tfrac12 w_1^2 - \tfrac12 w_2^2 + \tfrac14 w_2^4`.

    A saddle point at the origin between two minima :math:`(0, \pm 1)` with
    :math:`L^\star = -\tfrac14`. Started on the ridge :math:`w_2 \approx 0`,
    plain gradient descent crawls away from the saddle at the rate of the
    tiny :math:`w_2`, while methods that accumulate or normalise the
    gradient leave it sooner.
    """

    def loss(self, w):
        w = np.asarray(w, dtype=float)
        x, y = w[..., 0], w[..., 1]
        return 0.5 * x**2 - 0.5 * y**2 + 0.25 * y**4

    def grad(self, w):
        w = np.asarray(w, dtype=float)
        x, y = w[..., 0], w[..., 1]
        return np.stack([x, y**3 - y], axis=-1)

    def hessian_at(self, w):
        r""":math:`\operatorname{diag}(1, 3 w_2^2 - 1)`, negative along :math:`w_2` where :math:`|w_2| < 1/\sqrt3`."""
        w = np.asarray(w, dtype=float)
        x, y = w[..., 0], w[..., 1]
        return _symmetric(np.ones_like(x), np.zeros_like(x), 3 * y**2 - 1)

    def gap(self, w):
        r""":math:`L - L^\star = \tfrac12 w_1^2 + \tfrac14 \big((w_2 - 1)(w_2 + 1)\big)^2`.

        The same value as ``loss(w) + 1/4``, without its cancellation: near a
        minimum the loss is :math:`-\tfrac14` plus a tiny gap, and the sum
        would keep only the gap's digits above :math:`10^{-17}`.
        """
        w = np.asarray(w, dtype=float)
        x, y = w[..., 0], w[..., 1]
        return 0.5 * x**2 + 0.25 * ((y - 1) * (y + 1)) ** 2


@dataclass(frozen=True)
class Plateau(Surface):
    r""":math:`L(w) = 1 - \exp\!\big(-\tfrac12 (w_1^2 + 4 w_2^2)\big)`, minimum 0 at the origin.

    Far from the origin the loss is almost exactly 1 and the gradient is
    exponentially small: gradient descent stalls there, while optimizers
    that divide by the gradient's own size keep a useful step.

    Near the minimum :math:`1 - e^{-q}` would cancel (at :math:`q = 10^{-9}`
    it keeps only seven correct digits, and which seven depends on the last
    bit of the CPU's ``exp``), so the loss is computed as
    :math:`-\operatorname{expm1}(-q)`, accurate to the last bit for every q.
    """

    def loss(self, w):
        w = np.asarray(w, dtype=float)
        x, y = w[..., 0], w[..., 1]
        return -np.expm1(-0.5 * (x**2 + 4 * y**2))

    def grad(self, w):
        w = np.asarray(w, dtype=float)
        x, y = w[..., 0], w[..., 1]
        bump = np.exp(-0.5 * (x**2 + 4 * y**2))
        return np.stack([x * bump, 4 * y * bump], axis=-1)

    def hessian_at(self, w):
        r""":math:`e^{-q} \begin{pmatrix} 1 - w_1^2 & -4 w_1 w_2 \\ -4 w_1 w_2 & 4 - 16 w_2^2 \end{pmatrix}`,
        :math:`q = \tfrac12 (w_1^2 + 4 w_2^2)`: :math:`e^{-q}(\nabla^2 q - \nabla q \nabla q^\top)`."""
        w = np.asarray(w, dtype=float)
        x, y = w[..., 0], w[..., 1]
        bump = np.exp(-0.5 * (x**2 + 4 * y**2))
        return _symmetric(bump * (1 - x**2), bump * (-4 * x * y), bump * (4 - 16 * y**2))


ILL_CONDITIONED = quadratic()
"""The chapter's bowl :math:`L = w_1^2 + 50 w_2^2`, condition number 50."""

ROSENBROCK = Rosenbrock(
    key="rosenbrock",
    name="Rosenbrock valley",
    formula=r"(1 - w_1)^2 + 100\,(w_2 - w_1^2)^2",
    minima=np.array([[1.0, 1.0]]),
    min_loss=0.0,
    start=(-1.5, 2.0),
    window=(-2.0, 2.0, -1.0, 3.0),
)
"""Rosenbrock's banana valley, minimum 0 at :math:`(1, 1)`."""

SADDLE = Saddle(
    key="saddle",
    name="Saddle",
    formula=r"\tfrac12 w_1^2 - \tfrac12 w_2^2 + \tfrac14 w_2^4",
    minima=np.array([[0.0, 1.0], [0.0, -1.0]]),
    min_loss=-0.25,
    start=(-2.0, 0.01),
    window=(-2.5, 2.5, -1.8, 1.8),
)
"""A saddle at the origin between two minima, started almost on the ridge."""

PLATEAU = Plateau(
    key="plateau",
    name="Plateau",
    formula=r"1 - \exp\!\big(-\tfrac12 (w_1^2 + 4 w_2^2)\big)",
    minima=np.array([[0.0, 0.0]]),
    min_loss=0.0,
    start=(3.5, 1.5),
    window=(-4.0, 4.0, -2.5, 2.5),
)
"""A flat plateau around a bowl: the gradient is exponentially small far from the minimum."""

SURFACES = {s.key: s for s in (ILL_CONDITIONED, ROSENBROCK, SADDLE, PLATEAU)}
"""The surfaces of the chapter and of the Optimizer Race, by key."""
