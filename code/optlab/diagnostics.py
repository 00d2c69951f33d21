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


def verdict(path, settled: float = 1e-4, say_step: bool = True) -> str:
    r"""What a run did over its whole horizon, in words, from :func:`first_blowup`.

    ``"blows up at step N"`` if it blew up (``"blows up"`` with
    ``say_step=False``, for a run whose step a last bit can move); otherwise ``"never settles"`` if
    :math:`\max_i |w_{t,i}|` stayed above ``settled`` at every step (a run that
    rattles without converging), and ``"no blow-up in N steps"`` if it
    converged and stayed so. A verdict holds for the horizon of ``path``
    only; a longer run can change the last one. For a batch of runs
    (``path`` of shape ``(steps + 1, batch, d)``) a list of verdicts.
    """
    path = np.asarray(path, dtype=float)
    if path.ndim == 3:
        return [verdict(path[:, k], settled, say_step) for k in range(path.shape[1])]
    step = first_blowup(path)
    if step is not None:
        return f"blows up at step {step}" if say_step else "blows up"
    if np.abs(path).max(axis=-1).min() > settled:
        return "never settles"
    return f"no blow-up in {len(path) - 1} steps"


# --- Verdicts in words, each read off a run --------------------------------------
# A page prints these; none of them is chosen from a run's settings.


def first_rise(values) -> str:
    r"""Whether a sequence ever increases: ``"never increases"`` or ``"first increases at step t"``.

    ``values[t]`` is the value after step t (a step size, say, with one
    column per coordinate); the step named is the first :math:`t` with
    :math:`x_t > x_{t-1}` in any column.
    """
    values = np.asarray(values, dtype=float)
    rises = np.flatnonzero((np.diff(values, axis=0) > 0).reshape(len(values) - 1, -1).any(axis=1))
    return f"first increases at step {rises[0] + 1}" if rises.size else "never increases"


def limit_verdict(step_sizes, limit: float) -> str:
    r"""Where a step size stands against a stability limit: the first step :math:`t` with :math:`\eta_t > ` ``limit``.

    ``"exceeds the limit at step t"`` or ``"stays below the limit"``.
    """
    step_sizes = np.asarray(step_sizes, dtype=float)
    over = np.flatnonzero(step_sizes > limit)
    return f"exceeds the limit at step {over[0]}" if over.size else "stays below the limit"


def settle_verdict(path, target, tol: float = 1e-6, window: int = 100) -> str:
    r"""Whether a run comes to rest at ``target``: the distance :math:`d_t = \max_i |w_{t,i} - c_i|` against ``tol``.

    The run *arrives* at the first step :math:`a` from which
    :math:`d_t \le` ``tol`` for ``window`` steps in a row (so a run that
    rings through the target on its way does not count), and *leaves* at
    the first later step :math:`b` with :math:`d_b >` ``tol``. The verdict is
    ``"comes within tol by step a and stays"``, ``"comes within tol by step a,
    then leaves it"``, or ``"never comes within tol"``. The step it leaves is
    not named: it is where a growing step size crosses a stability limit,
    and a change in the last bit of the arithmetic moves it by a few steps.
    A run that leaves its target must be read at a horizon past that step.
    """
    distance = np.abs(np.asarray(path, dtype=float) - np.asarray(target, dtype=float)).max(axis=-1)
    inside = distance <= tol
    if len(inside) < window:
        raise ValueError(f"a run of {len(inside)} iterates is shorter than the window of {window} steps")
    stays = np.lib.stride_tricks.sliding_window_view(inside, window).all(axis=-1)
    if not stays.any():
        return f"never comes within {tol:g}"
    arrived = int(np.argmax(stays))
    left = np.flatnonzero(~inside[arrived:])
    if not left.size:
        return f"comes within {tol:g} by step {arrived} and stays"
    return f"comes within {tol:g} by step {arrived}, then leaves it"
# Verdicts of the page on noise and schedules (sections 27.7 and 27.8), each read off a batch of runs.


def stability_verdict(blowups, step_sizes, limit: float, near: float = 0.95) -> str:
    r"""Whether a batch of runs of one setting blows up, and if not, where its step size sits against ``limit``.

    ``blowups`` is :func:`first_blowup` of the batch (one step or ``None`` per
    run) and ``step_sizes``, of shape ``(steps, runs)``, the step size
    :math:`\eta_t/(\sqrt{\hat v_t}+\epsilon)` of the coordinate whose stability
    limit is ``limit``. Runs that blow up give ``"blows up at step N"`` (or
    ``"blows up in k of n runs"`` when they do not all blow up at one step);
    otherwise each run's largest step size over the second half of the
    horizon is compared with the limit: ``"no blow-up, step size held at the
    limit"`` when the median of these maxima is at least ``near`` times the
    limit, ``"no blow-up, step size below the limit"`` when it is lower.
    """
    steps = [s for s in blowups if s is not None]
    if steps:
        if len(steps) == len(blowups) and len(set(steps)) == 1:
            return f"blows up at step {steps[0]}"
        return f"blows up in {len(steps)} of {len(blowups)} runs"
    step_sizes = np.asarray(step_sizes, dtype=float)
    largest = np.median(step_sizes[len(step_sizes) // 2:].max(axis=0))
    where = "held at the limit" if largest >= near * limit else "below the limit"
    return f"no blow-up, step size {where}"


def reach_verdict(updates_to_target, horizon: int, target: float) -> str:
    r"""How many runs of a batch reach ``target`` within ``horizon`` updates.

    ``updates_to_target`` holds one entry per run, ``inf`` for a run that did
    not reach it within the horizon. ``"reaches 0.03 in k of n runs within N
    updates"``, or ``"never reaches 0.03 within N updates"`` when no run does.
    """
    reached = int(np.sum(np.asarray(updates_to_target, dtype=float) <= horizon))
    if reached == 0:
        return f"never reaches {target:g} within {horizon} updates"
    return f"reaches {target:g} in {reached} of {np.size(updates_to_target)} runs within {horizon} updates"


def trend_verdict(losses, floor: float, rtol: float = 0.01) -> str:
    r"""What a loss read at increasing checkpoints does: stays at ``floor``, keeps going down, or neither.

    ``"stays at its floor"`` when every value lies within ``rtol`` of ``floor``;
    ``"keeps going down"`` when each value is below the one before by more
    than ``rtol`` (relative); ``"stops going down"`` otherwise.
    """
    losses = np.asarray(losses, dtype=float)
    if np.all(np.abs(losses / floor - 1) < rtol):
        return "stays at its floor"
    if np.all(losses[1:] < (1 - rtol) * losses[:-1]):
        return "keeps going down"
    return "stops going down"


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
