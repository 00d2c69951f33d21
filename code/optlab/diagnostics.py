r"""Measurements along a run: the step sizes an adaptive optimizer uses, and rises of the loss.

The chapter's figures ask two questions that a loss curve alone does not
answer: *how large is the step size each coordinate gets* (AdaGrad's shrinks
for good, Adam's can grow back), and *how often and how far does the loss
climb back up* (the sawtooth of Adam at a large learning rate).
"""

from __future__ import annotations

import numpy as np

from .optimizers import Optimizer


def effective_lr(optimizer: Optimizer, state) -> list[np.ndarray]:
    r"""The element-wise step size :math:`\eta / (\sqrt{s} + \epsilon)` held in ``state``.

    :math:`s` is :math:`G_t` for AdaGrad, :math:`v_t` for RMSProp, and for
    Adam :math:`\hat v_t` (or :math:`v_t` without bias correction, or the
    running maximum :math:`\tilde v_t` for AMSGrad): the quantity that
    multiplies the gradient (for Adam, :math:`\hat m_t`) in the update.
    Each optimizer says it itself (:meth:`optlab.optimizers.Optimizer.effective_lr`);
    one without a per-coordinate step size raises ``TypeError``.
    """
    return optimizer.effective_lr(state)


def effective_lrs(optimizer: Optimizer, grads) -> np.ndarray:
    r"""The step sizes after each gradient of a run, replayed through a fresh state.

    ``grads[t]`` is the gradient the optimizer saw at step t (one parameter
    array per step, e.g. ``surface.grad(path[:-1])``); the state of an
    adaptive optimizer depends on the gradients only, so replaying them gives
    the states of the run. Returns an array of shape ``(steps, *grads[0].shape)``.
    """
    grads = np.asarray(grads, dtype=float)
    state = optimizer.init([grads[0]])
    sizes = []
    for g in grads:
        _, state = optimizer.step([np.zeros_like(g)], [g], state)
        sizes.append(effective_lr(optimizer, state)[0])
    return np.array(sizes)


def count_rises(losses, factor: float = 10.0) -> int:
    r"""The number of teeth of a sawtooth: climbs of the loss by more than ``factor``.

    Walking along the run, a tooth is counted when the loss exceeds
    ``factor`` times the lowest value seen since the previous tooth (or the
    start); the search for the next tooth starts from the top of this one.
    A monotone curve has none; each separate climb by more than ``factor``
    counts once.
    """
    losses = np.asarray(losses, dtype=float)
    rises, low = 0, losses[0]
    for value in losses[1:]:
        if value > factor * low:
            rises, low = rises + 1, value
        else:
            low = min(low, value)
    return rises


def late_climb(losses, split: int) -> float:
    r"""Orders of magnitude by which the loss after ``split`` climbs above its best value before.

    :math:`\log_{10}\big(\max_{t \ge s} L_t / \min_{t < s} L_t\big)`: at most
    zero for a loss that keeps decreasing, below one order of magnitude for
    a run whose loss only ripples as it converges, and large when the run
    blows up again after having converged. Zero losses count as
    :math:`10^{-300}`.
    """
    losses = np.maximum(np.asarray(losses, dtype=float), 1e-300)
    return float(np.log10(losses[split:].max(axis=0) / losses[:split].min(axis=0)))


SMALLEST_SUBNORMAL = 5e-324


def first_blowup(path, orders: float = 3.0, window: int = 10):
    r"""The step at which a run first blows up after having converged, or ``None``.

    The book's one definition of a blow-up. It reads the iterates, not the
    loss: a loss can underflow to zero while a coordinate that has stopped
    converging grows again, so the loss would hide the blow-up. For each
    coordinate :math:`i` it takes the envelope

    .. math::
        e_{t,i} = \max_{t - \text{window} < s \le t} \log_{10} |w_{s,i}|

    (with :math:`|w|` floored at the smallest subnormal number, so an exact
    zero counts as :math:`10^{-323.3}`); the maximum over a short window
    ignores the dips of a coordinate that rings through zero as it
    converges. The run blows up at the first step :math:`t` at which some
    coordinate's envelope exceeds its lowest earlier value by more than
    ``orders`` decades: :math:`e_{t,i} > \min_{s < t} e_{s,i} + \text{orders}`.

    ``path`` has shape ``(steps + 1, d)``, ``path[t]`` being :math:`w_t`; for a
    batch of runs, shape ``(steps + 1, batch, d)``, and the result is a list
    with one entry per run.
    """
    path = np.asarray(path, dtype=float)
    if path.ndim == 3:
        return [first_blowup(path[:, k], orders, window) for k in range(path.shape[1])]
    logs = np.log10(np.maximum(np.abs(path), SMALLEST_SUBNORMAL))
    padded = np.concatenate([np.repeat(logs[:1], window - 1, axis=0), logs])
    envelope = np.lib.stride_tricks.sliding_window_view(padded, window, axis=0).max(axis=-1)
    lowest_before = np.minimum.accumulate(envelope, axis=0)[:-1]
    climbed = np.any(envelope[1:] > lowest_before + orders, axis=-1)
    return int(np.argmax(climbed)) + 1 if climbed.any() else None


def verdict(path, settled: float = 1e-4) -> str:
    r"""What a run did over its whole horizon, in words, from :func:`first_blowup`.

    ``"blows up at step N"`` if it blew up; otherwise ``"never settles"`` if
    :math:`\max_i |w_{t,i}|` stayed above ``settled`` at every step (a run that
    rattles without converging), and ``"no blow-up in N steps"`` if it
    converged and stayed so. A verdict holds for the horizon of ``path``
    only; a longer run can change the last one. For a batch of runs
    (``path`` of shape ``(steps + 1, batch, d)``) a list of verdicts.
    """
    path = np.asarray(path, dtype=float)
    if path.ndim == 3:
        return [verdict(path[:, k], settled) for k in range(path.shape[1])]
    step = first_blowup(path)
    if step is not None:
        return f"blows up at step {step}"
    if np.abs(path).max(axis=-1).min() > settled:
        return "never settles"
    return f"no blow-up in {len(path) - 1} steps"


# --- Verdicts over seeds and grids (section 27.9, a real network on real data) ---

def sign_test_p(wins: int, losses: int) -> float:
    r"""The two-sided sign test's p-value for ``wins`` against ``losses`` (ties left out).

    Under the hypothesis that either side is as likely to win a seed,
    :math:`p = \min\bigl(1,\ 2 \sum_{k \le \min(w, l)} \binom{n}{k} 2^{-n}\bigr)`
    with :math:`n = w + l`. Exact, in integers; 1 when there is no untied seed.
    """
    from math import comb  # imported here, so this block stays the file's only change

    n = wins + losses
    tail = sum(comb(n, k) for k in range(min(wins, losses) + 1))
    return min(1.0, 2 * tail / 2**n)


def paired_verdict(values, others, fewer: str = "lower", more: str = "higher", level: float = 0.05) -> str:
    r"""Which of two quantities measured on the same seeds is smaller, or ``"no clear difference"``.

    ``values[s]`` and ``others[s]`` come from seed ``s`` of two methods (the
    same initialisation and the same data order). The verdict is ``fewer``
    when ``values`` is smaller in so many seeds that the two-sided sign test
    (:func:`sign_test_p`) rejects a fair coin at ``level``, ``more`` when it
    is larger in that many, and ``"no clear difference"`` otherwise; equal
    values (two runs that never reach a target, say, stored as ``inf``) are
    ties. Of 10 untied seeds, 9 or 10 must agree (:math:`p = 0.021`; 8 gives
    :math:`p = 0.11`).
    """
    values, others = np.asarray(values, dtype=float), np.asarray(others, dtype=float)
    wins, losses = int(np.sum(values < others)), int(np.sum(values > others))
    if sign_test_p(wins, losses) >= level:
        return "no clear difference"
    return fewer if wins > losses else more


def grid_position(index: int, size: int) -> str:
    """Where the chosen point ``index`` of a grid of ``size`` points lies: inside it, or at an edge.

    A tuned value at the edge of its grid says the grid was too narrow: the
    best value may lie beyond it.
    """
    if not 0 <= index < size:
        raise ValueError(f"index must lie in [0, {size}), got {index!r}")
    if index == 0:
        return "at the lower edge of the grid"
    return "at the upper edge of the grid" if index == size - 1 else "inside the grid"
