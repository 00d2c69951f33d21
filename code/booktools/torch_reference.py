r"""The comparison of ``optlab`` with PyTorch's ``torch.optim``: the cases, the problems and the two runners.

Shared by ``tests/unit/test_torch_reference.py`` (which states the method and
the tolerances) and :mod:`booktools.torch_vectors` (which records PyTorch's
trajectories). Each :class:`Case` maps a PyTorch optimizer onto ours; the
comments on ``CASES`` are the chapter's reference for the differences in
conventions (our defaults are the chapter's, PyTorch's are its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from optlab import SGD, AdaGrad, Adam, AdamW, L2Penalty, Momentum, RMSProp

from . import ROOT

VECTORS = ROOT / "tests" / "vectors" / "torch_reference.json"
TORCH_VERSION = "2.13.0"
STEPS = 100
CHECKPOINTS = (1, 10, 100)
VECTOR_SEEDS = (0, 1)
LIVE_SEEDS = (2, 3, 4)  # new problems: live and recorded runs together see five
RTOL, ATOL = 1e-10, 1e-12


@dataclass(frozen=True)
class Case:
    """One PyTorch optimizer, its hyperparameters, and the same algorithm in ``optlab``.

    ``lrs`` holds a normal and a high learning rate. ``ours(lr)`` builds our
    optimizer for PyTorch's ``torch_class(params, lr=lr, **torch_kwargs)``.
    ``compare`` names what PyTorch's parameters correspond to in our run:
    ``"params"`` (the same iterate) or ``"lookahead"`` (our gradient point).
    """

    name: str
    torch_class: str
    torch_kwargs: dict
    lrs: tuple[float, float]
    ours: Callable[[float], object]
    compare: str = "params"


CASES = [
    Case("sgd", "SGD", {}, (0.05, 0.45), lambda lr: SGD(lr=lr)),
    # Momentum. PyTorch's buffer starts as b_1 = g_1 and then follows
    # b_t = mu*b_{t-1} + (1 - dampening)*g_t, w <- w - lr*b_t. Ours starts from
    # v_0 = 0, so v_1 = beta*0 + g_1 = g_1: the same buffer, with beta = mu, as
    # long as dampening = 0 (our default, undamped momentum). With dampening
    # the two part ways at step 1: PyTorch skips the (1 - dampening) factor on
    # its first step, our damped=True applies (1 - beta) from the start.
    Case("momentum", "SGD", {"momentum": 0.9}, (0.05, 0.45), lambda lr: Momentum(lr=lr, beta=0.9)),
    # Nesterov. PyTorch takes the gradient g_t at its parameters p_t and steps
    #   b_t = mu*b_{t-1} + g_t,   p_{t+1} = p_t - lr*(g_t + mu*b_t).
    # We take the gradient at the look-ahead point w_t - lr*beta*v_t and step
    #   v_{t+1} = beta*v_t + g_t, w_{t+1} = w_t - lr*v_{t+1}.
    # With p_t = w_t - lr*beta*v_t (and b = v) the two are the same method:
    #   p_{t+1} = w_t - lr*v_{t+1} - lr*beta*v_{t+1} = p_t + lr*beta*v_t - lr*(1 + beta)*(beta*v_t + g_t)
    #           = p_t - lr*(g_t + beta*(beta*v_t + g_t)),
    # which is PyTorch's update. So PyTorch's parameters are our look-ahead
    # points (``gradient_point``), and p_0 = w_0 because v_0 = 0.
    Case("nesterov", "SGD", {"momentum": 0.9, "nesterov": True}, (0.05, 0.45),
         lambda lr: Momentum(lr=lr, beta=0.9, nesterov=True), compare="lookahead"),
    # PyTorch's SGD weight_decay adds wd*p to the gradient: an L2 penalty, and
    # for Nesterov it is taken at PyTorch's p, our look-ahead point, which is
    # where L2Penalty takes it too.
    Case("sgd_l2", "SGD", {"weight_decay": 0.1}, (0.05, 0.45), lambda lr: L2Penalty(SGD(lr=lr), l2=0.1)),
    Case("nesterov_l2", "SGD", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.1}, (0.05, 0.45),
         lambda lr: L2Penalty(Momentum(lr=lr, beta=0.9, nesterov=True), l2=0.1), compare="lookahead"),
    # AdaGrad. Same update, eps outside the root in both: w <- w - lr*g/(sqrt(G) + eps).
    # PyTorch's default eps is 1e-10 (ours 1e-8), so it is passed explicitly;
    # lr_decay = 0 and initial_accumulator_value = 0 are PyTorch's defaults and ours.
    Case("adagrad", "Adagrad", {"eps": 1e-10}, (0.1, 1.0), lambda lr: AdaGrad(lr=lr, eps=1e-10)),
    Case("adagrad_big_eps", "Adagrad", {"eps": 0.1}, (0.1, 1.0), lambda lr: AdaGrad(lr=lr, eps=0.1)),
    # RMSprop. PyTorch's alpha is our beta (PyTorch defaults to 0.99, the
    # lecture and we to 0.9); eps outside the root in both; no centring, no
    # momentum (PyTorch's defaults).
    Case("rmsprop", "RMSprop", {"alpha": 0.99, "eps": 1e-8}, (0.01, 0.3),
         lambda lr: RMSProp(lr=lr, beta=0.99, eps=1e-8)),
    Case("rmsprop_big_eps", "RMSprop", {"alpha": 0.9, "eps": 0.1}, (0.01, 0.3),
         lambda lr: RMSProp(lr=lr, beta=0.9, eps=0.1)),
    # Adam. PyTorch computes lr/(1 - beta1^t) * m_t / (sqrt(v_t)/sqrt(1 - beta2^t) + eps):
    # eps is added to sqrt(v_hat_t), outside the root, as in ours.
    Case("adam", "Adam", {"betas": (0.9, 0.999), "eps": 1e-8}, (0.01, 0.5),
         lambda lr: Adam(lr=lr, beta1=0.9, beta2=0.999, eps=1e-8)),
    Case("adam_big_eps", "Adam", {"betas": (0.8, 0.99), "eps": 0.1}, (0.01, 0.5),
         lambda lr: Adam(lr=lr, beta1=0.8, beta2=0.99, eps=0.1)),
    # PyTorch's Adam weight_decay is an L2 penalty through the gradient.
    Case("adam_l2", "Adam", {"weight_decay": 0.1}, (0.01, 0.5), lambda lr: L2Penalty(Adam(lr=lr), l2=0.1)),
    # AMSGrad. PyTorch keeps the running maximum of the *raw* v_t and divides
    # it by sqrt(1 - beta2^t) afterwards; our default keeps the maximum of the
    # bias-corrected v_hat_t (the chapter's box). amsgrad_max="raw" is PyTorch's.
    Case("amsgrad", "Adam", {"amsgrad": True}, (0.01, 0.5),
         lambda lr: Adam(lr=lr, amsgrad=True, amsgrad_max="raw")),
    # AdamW. PyTorch multiplies the parameters by (1 - lr*wd) before the Adam
    # step; our decay is w <- w + Delta - lambda*w, i.e. (1 - lambda)*w. They
    # agree with lambda = lr*wd, which scale_by_lr=True does for us (the
    # "adamw_lambda" case passes lambda = lr*wd by hand instead).
    Case("adamw", "AdamW", {"weight_decay": 0.1}, (0.01, 0.5),
         lambda lr: AdamW(lr=lr, weight_decay=0.1, scale_by_lr=True)),
    Case("adamw_lambda", "AdamW", {"weight_decay": 0.1}, (0.01, 0.5),
         lambda lr: AdamW(lr=lr, weight_decay=lr * 0.1)),
    Case("adamw_amsgrad", "AdamW", {"weight_decay": 0.1, "amsgrad": True}, (0.01, 0.5),
         lambda lr: AdamW(lr=lr, weight_decay=0.1, scale_by_lr=True, amsgrad=True, amsgrad_max="raw")),
]
CASES_BY_NAME = {case.name: case for case in CASES}


def make_problem(seed: int) -> dict:
    """Random shapes, quadratics and a starting point for one seed, as plain lists (JSON-ready)."""
    rng = np.random.default_rng(seed)
    tensors = []
    for _ in range(rng.integers(1, 4)):
        shape = tuple(int(n) for n in rng.integers(1, 4, size=rng.integers(1, 3)))
        size = int(np.prod(shape))
        basis, _ = np.linalg.qr(rng.standard_normal((size, size)))
        eigenvalues = rng.uniform(0.5, 4.0, size)
        eigenvalues[0] = 4.0  # the high learning rates are chosen against lambda_max = 4
        hessian = (basis * eigenvalues) @ basis.T
        tensors.append({
            "shape": list(shape),
            "hessian": ((hessian + hessian.T) / 2).tolist(),
            "linear": rng.standard_normal(size).tolist(),
            "start": rng.standard_normal(size).tolist(),
        })
    return {"seed": seed, "tensors": tensors}


def _arrays(problem, key):
    return [np.asarray(t[key], dtype=np.float64) for t in problem["tensors"]]


def run_ours(case: Case, lr: float, problem: dict, steps: int = STEPS) -> list[list[np.ndarray]]:
    """Our iterates after each of ``steps`` steps, mapped to what PyTorch's parameters hold."""
    optimizer = case.ours(lr)
    hessians, linears = _arrays(problem, "hessian"), _arrays(problem, "linear")
    shapes = [tuple(t["shape"]) for t in problem["tensors"]]
    params = [s.reshape(shape) for s, shape in zip(_arrays(problem, "start"), shapes)]
    state = optimizer.init(params)
    trajectory = []
    for _ in range(steps):
        point = optimizer.gradient_point(params, state)
        grads = [(H @ w.ravel() - b).reshape(w.shape) for H, b, w in zip(hessians, linears, point)]
        params, state = optimizer.step(params, grads, state)
        seen = optimizer.gradient_point(params, state) if case.compare == "lookahead" else params
        trajectory.append([np.array(p) for p in seen])
    return trajectory


def run_torch(case: Case, lr: float, problem: dict, steps: int = STEPS) -> list[list[np.ndarray]]:
    """PyTorch's parameters after each of ``steps`` steps (gradients by autograd)."""
    import torch

    tensors = problem["tensors"]
    params = [torch.tensor(t["start"], dtype=torch.float64).reshape(t["shape"]).requires_grad_()
              for t in tensors]
    hessians = [torch.tensor(t["hessian"], dtype=torch.float64) for t in tensors]
    linears = [torch.tensor(t["linear"], dtype=torch.float64) for t in tensors]
    optimizer = getattr(torch.optim, case.torch_class)(params, lr=lr, **case.torch_kwargs)
    trajectory = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = sum(0.5 * p.reshape(-1) @ H @ p.reshape(-1) - b @ p.reshape(-1)
                   for p, H, b in zip(params, hessians, linears))
        loss.backward()
        optimizer.step()
        trajectory.append([p.detach().numpy().copy() for p in params])
    return trajectory


def tolerance_used(ours, reference) -> float:
    """The largest |ours - reference| / (ATOL + RTOL |reference|) over a trajectory: 1 is the limit."""
    return max(float(np.max(np.abs(o - r) / (ATOL + RTOL * np.abs(r))))
               for step_o, step_r in zip(ours, reference) for o, r in zip(step_o, step_r))
