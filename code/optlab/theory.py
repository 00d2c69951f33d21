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


def heavy_ball_matrix(lr: float, beta: float, eigenvalue: float) -> np.ndarray:
    r"""The companion matrix of heavy ball along one eigen-direction.

    With :math:`w_{t+1} = w_t - \eta\lambda w_t + \beta (w_t - w_{t-1})`,

    .. math::
        \begin{pmatrix} w_{t+1} \\ w_t \end{pmatrix}
        = \begin{pmatrix} 1 + \beta - \eta\lambda & -\beta \\ 1 & 0 \end{pmatrix}
          \begin{pmatrix} w_t \\ w_{t-1} \end{pmatrix}.
    """
    return np.array([[1 + beta - lr * eigenvalue, -beta], [1.0, 0.0]])


def spectral_radius(matrix) -> float:
    """The largest absolute eigenvalue."""
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


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
