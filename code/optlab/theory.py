r"""Closed forms from the chapter's theorems, for prose, figures and tests.

On a quadratic with Hessian eigenvalues in :math:`[\mu, L]` and
:math:`\kappa = L/\mu`:

* gradient descent with :math:`\eta = 2/(L+\mu)` contracts the error by
  :math:`(\kappa-1)/(\kappa+1)` per step;
* heavy-ball momentum with :math:`\eta^\star = \big(2/(\sqrt L + \sqrt\mu)\big)^2` and
  :math:`\beta^\star = \big((\sqrt\kappa-1)/(\sqrt\kappa+1)\big)^2` contracts it by
  :math:`(\sqrt\kappa-1)/(\sqrt\kappa+1)` per step (Polyak 1964).
"""

from __future__ import annotations

import numpy as np


def gd_rate(kappa: float) -> float:
    r"""The per-step contraction :math:`(\kappa-1)/(\kappa+1)` of tuned gradient descent."""
    return (kappa - 1) / (kappa + 1)


def momentum_rate(kappa: float) -> float:
    r"""The per-step contraction :math:`(\sqrt\kappa-1)/(\sqrt\kappa+1)` of tuned heavy ball."""
    root = np.sqrt(kappa)
    return float((root - 1) / (root + 1))


def gd_optimal_lr(mu: float, L: float) -> float:
    """The learning rate 2/(L + mu) that balances the two extreme eigen-directions."""
    return 2.0 / (L + mu)


def momentum_optimal(mu: float, L: float) -> tuple[float, float]:
    r"""Polyak's tuning :math:`(\eta^\star, \beta^\star)` for eigenvalues in [mu, L]."""
    lr = (2.0 / (np.sqrt(L) + np.sqrt(mu))) ** 2
    beta = momentum_rate(L / mu) ** 2
    return float(lr), float(beta)


def heavy_ball_matrix(lr, beta, eigenvalue) -> np.ndarray:
    r"""The companion matrix of heavy ball along one eigen-direction.

    With :math:`w_{t+1} = w_t - \eta\lambda w_t + \beta (w_t - w_{t-1})`,

    .. math::
        \begin{pmatrix} w_{t+1} \\ w_t \end{pmatrix}
        = \begin{pmatrix} 1 + \beta - \eta\lambda & -\beta \\ 1 & 0 \end{pmatrix}
          \begin{pmatrix} w_t \\ w_{t-1} \end{pmatrix}.

    Arrays of learning rates, betas or eigenvalues broadcast against each
    other and give a stack of matrices of shape ``(..., 2, 2)``.
    """
    lr, beta, eigenvalue = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (lr, beta, eigenvalue)))
    matrix = np.zeros(lr.shape + (2, 2))
    matrix[..., 0, 0] = 1 + beta - lr * eigenvalue
    matrix[..., 0, 1] = -beta
    matrix[..., 1, 0] = 1.0
    return matrix


def spectral_radius(matrix):
    """The largest absolute eigenvalue; for a stack ``(..., n, n)``, one per matrix."""
    radius = np.max(np.abs(np.linalg.eigvals(matrix)), axis=-1)
    return float(radius) if np.ndim(radius) == 0 else radius


def heavy_ball_rate(lr, beta, eigenvalue):
    r"""The spectral radius of :func:`heavy_ball_matrix`, in closed form: heavy ball's rate along one eigen-direction.

    The eigenvalues of the companion matrix are the roots of
    :math:`z^2 - \tau z + \beta` with :math:`\tau = 1 + \beta - \eta\lambda`.
    Their product is :math:`\beta`, so

    .. math::
        \rho(\eta, \beta, \lambda) = \begin{cases}
        \sqrt\beta & \tau^2 \le 4\beta \quad\text{(complex roots: under- or critically damped)} \\
        \tfrac12\bigl(|\tau| + \sqrt{\tau^2 - 4\beta}\bigr) & \tau^2 > 4\beta \quad\text{(real roots)}.
        \end{cases}

    The direction contracts when :math:`\rho < 1`, that is when
    :math:`0 < \eta\lambda < 2(1 + \beta)`. Arrays broadcast against each
    other, as in :func:`heavy_ball_matrix`; a grid of :math:`(\eta, \beta)`
    costs no eigen-decomposition.
    """
    lr, beta, eigenvalue = (np.asarray(x, dtype=float) for x in (lr, beta, eigenvalue))
    trace = 1 + beta - lr * eigenvalue
    discriminant = trace**2 - 4 * beta
    real_root = 0.5 * (np.abs(trace) + np.sqrt(np.maximum(discriminant, 0.0)))
    return np.where(discriminant > 0, real_root, np.sqrt(beta))


def critical_beta(lr, eigenvalue):
    r"""The momentum :math:`\beta_c = (1 - \sqrt{\eta\lambda})^2` that damps an eigen-direction critically.

    :math:`\tau^2 = 4\beta` (a double root of the characteristic polynomial
    of :func:`heavy_ball_rate`) means :math:`|1 - \sqrt{\eta\lambda}| = \sqrt\beta`
    for :math:`\beta < 1`. Above :math:`\beta_c` the roots are complex and the
    direction rings with rate :math:`\sqrt\beta`; below it they are real and
    one of them is larger than :math:`\sqrt\beta`. For :math:`\eta\lambda \ge 4`
    no :math:`\beta < 1` damps it critically, and the result is at least 1.
    """
    return (1.0 - np.sqrt(np.asarray(lr, dtype=float) * np.asarray(eigenvalue, dtype=float))) ** 2


def measured_rate(errors, tail: float = 0.5) -> float:
    r"""The geometric-mean contraction :math:`(e_T / e_S)^{1/(T-S)}` over the last part of a run.

    ``errors`` is a sequence of distances :math:`\lVert w_t - w^\star\rVert`;
    ``tail`` is the fraction of the run used, where the slowest mode dominates.
    """
    errors = np.asarray(errors, dtype=float)
    start = int(len(errors) * (1 - tail))
    return float((errors[-1] / errors[start]) ** (1.0 / (len(errors) - 1 - start)))


def bias_factor(beta: float, t) -> np.ndarray:
    r""":math:`1 - \beta^t`, the weight a zero-initialised moving average has gathered after t steps."""
    return 1.0 - beta ** np.asarray(t, dtype=float)


def damped_momentum_limit(beta: float) -> float:
    r"""The largest :math:`\alpha\lambda` for which averaged momentum is stable on a quadratic.

    Along an eigen-direction with curvature :math:`\lambda`, the iteration
    :math:`m_{t} = \beta m_{t-1} + (1-\beta)\lambda x_{t-1}`,
    :math:`x_t = x_{t-1} - \alpha m_t` (Adam's first moment with a frozen step
    size :math:`\alpha`) is heavy ball with learning rate :math:`\alpha(1-\beta)`;
    its companion matrix has spectral radius below 1 exactly when
    :math:`0 < \alpha\lambda < 2(1+\beta)/(1-\beta)`. For :math:`\beta = 0` this
    is gradient descent's :math:`\alpha\lambda < 2`; for :math:`\beta = 0.9` it is 38.
    """
    return 2.0 * (1.0 + beta) / (1.0 - beta)


def ridge_minimiser(surface, l2: float) -> np.ndarray:
    r"""The minimiser of :math:`L(w) + \tfrac{\omega}{2}\lVert w\rVert^2` for a quadratic surface.

    With :math:`L(w) = \tfrac12 (w-c)^\top A (w-c)` the penalised gradient
    :math:`A(w - c) + \omega w` vanishes at :math:`w = (A + \omega I)^{-1} A c`.
    """
    A = np.asarray(surface.hessian, dtype=float)
    c = np.asarray(surface.minima[0], dtype=float)
    return np.linalg.solve(A + l2 * np.eye(len(c)), A @ c)


def box_minimiser(surface, radius: float) -> np.ndarray:
    r"""The minimiser of a quadratic with diagonal Hessian over the box :math:`\lVert w\rVert_\infty \le r`.

    A diagonal quadratic is a sum of one-dimensional parabolas, one per
    coordinate, so the constrained minimiser clips each coordinate of the
    centre :math:`c` to :math:`[-r, r]`. Xie & Li (2024) show that AdamW's
    limit points solve this constrained problem with :math:`r = \eta/\omega`
    (in the chapter's convention for the weight decay :math:`\omega`).
    """
    A = np.asarray(surface.hessian, dtype=float)
    if not np.allclose(A, np.diag(np.diag(A))):
        raise ValueError("box_minimiser needs a quadratic with a diagonal Hessian")
    return np.clip(np.asarray(surface.minima[0], dtype=float), -radius, radius)


LESSARD_MU, LESSARD_L = 1.0, 25.0
"""The strong-convexity and smoothness constants of :func:`lessard_objective`."""


def lessard_objective(params):
    r"""The one-dimensional counterexample of Lessard, Recht & Packard (2016, sec. 4.6).

    .. math::
        f(x) = \begin{cases} \tfrac{25}{2}x^2 & x < 1 \\
        \tfrac12 x^2 + 24x - 12 & 1 \le x < 2 \\
        \tfrac{25}{2}x^2 - 24x + 36 & x \ge 2 \end{cases}

    is continuously differentiable with :math:`1 \le f'' \le 25`, so it is
    strongly convex with :math:`\mu = 1, L = 25` and minimised at 0. Heavy ball
    tuned for quadratics with these constants (:func:`momentum_optimal`) falls
    into a cycle of period three from starts such as :math:`x_0 = 3.3`.
    ``params`` is a list with one array; returns ``(loss, [gradient])`` as
    :func:`optlab.training.minimize` expects.
    """
    x = np.asarray(params[0], dtype=float)
    loss = np.where(x < 1, 12.5 * x**2, np.where(x < 2, 0.5 * x**2 + 24 * x - 12, 12.5 * x**2 - 24 * x + 36))
    grad = np.where(x < 1, 25 * x, np.where(x < 2, x + 24, 25 * x - 24))
    return loss, [grad]


def stationary_loss(lr, sigma, eigenvalues, beta=0.0):
    r"""The mean loss at which SGD (``beta=0``) or heavy ball settles on a quadratic with noisy gradients.

    On :math:`L(w) = \tfrac12 \sum_i \lambda_i w_i^2` with gradients
    :math:`\nabla L(w_t) + \sigma z_t`, the :math:`z_t` independent with mean 0
    and identity covariance, heavy ball with learning rate :math:`\eta` and
    momentum :math:`\beta` settles into a stationary distribution with

    .. math:: \mathbb E[L] = \sum_i \frac{\eta \sigma^2 (1+\beta)}{2(1-\beta)\bigl(2(1+\beta) - \eta\lambda_i\bigr)},
              \qquad \beta = 0:\ \sum_i \frac{\eta\sigma^2}{2(2 - \eta\lambda_i)},

    provided every :math:`\eta\lambda_i < 2(1+\beta)`. Section 27.7 derives
    the case :math:`\beta = 0`; for :math:`\beta > 0` the variance of each
    coordinate is the fixed point :math:`P = APA^\top + Q` of the companion
    matrix :math:`A` (:func:`heavy_ball_matrix`), with :math:`Q` holding
    :math:`\eta^2\sigma^2` in its first entry. ``lr``, ``sigma`` and ``beta``
    may be arrays that broadcast against each other.
    """
    lr, sigma, beta = (np.asarray(x, dtype=float)[..., None] for x in (lr, sigma, beta))
    terms = lr * sigma**2 * (1 + beta) / (2 * (1 - beta) * (2 * (1 + beta) - lr * np.asarray(eigenvalues)))
    return terms.sum(axis=-1)
