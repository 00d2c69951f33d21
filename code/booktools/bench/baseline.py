"""The chapter's runs as a textbook writes them: the benchmark's baseline.

A second implementation of every optimizer and of the network, on purpose:
it is what optlab's speed is measured against (item 1 of ``make bench``),
not a reference for its numbers (the tests compare optlab with PyTorch).
"""

from __future__ import annotations

import functools

import numpy as np

from .chapter_runs import (
    BIAS_EPOCHS, CIRCLE_EPOCHS, LEARNING_RATES, SINE_DECAYS, SINE_EPOCHS, SINE_LR, WARMUPS, XOR_EPOCHS,
)


class Baseline:
    """A straightforward NumPy version of the chapter's runs, as a textbook writes it.

    Optimizers keep per-parameter lists of state and loop over them; the
    network keeps lists of weights and biases, caches its forward pass, and
    trains one network per call. Nothing is batched and nothing is fused.
    """

    class SGD:
        def __init__(self, eta):
            self.eta = eta

        def step(self, params, grads):
            return [p - self.eta * g for p, g in zip(params, grads)]

    class Momentum:
        def __init__(self, eta, beta=0.9, nesterov=False):
            self.eta, self.beta, self.nesterov = eta, beta, nesterov
            self.velocities = None

        def lookahead(self, params):
            if not self.nesterov or self.velocities is None:
                return params
            return [p - self.eta * self.beta * v for p, v in zip(params, self.velocities)]

        def step(self, params, grads):
            if self.velocities is None:
                self.velocities = [np.zeros_like(p) for p in params]
            updated = []
            for i, (p, g) in enumerate(zip(params, grads)):
                self.velocities[i] = self.beta * self.velocities[i] + g
                updated.append(p - self.eta * self.velocities[i])
            return updated

    class AdaGrad:
        def __init__(self, eta, epsilon=1e-8):
            self.eta, self.epsilon = eta, epsilon
            self.G = None

        def step(self, params, grads):
            if self.G is None:
                self.G = [np.zeros_like(p) for p in params]
            updated = []
            for i, (p, g) in enumerate(zip(params, grads)):
                self.G[i] = self.G[i] + g**2
                updated.append(p - (self.eta / (np.sqrt(self.G[i]) + self.epsilon)) * g)
            return updated

    class RMSProp:
        def __init__(self, eta, beta=0.9, epsilon=1e-8):
            self.eta, self.beta, self.epsilon = eta, beta, epsilon
            self.v = None

        def step(self, params, grads):
            if self.v is None:
                self.v = [np.zeros_like(p) for p in params]
            updated = []
            for i, (p, g) in enumerate(zip(params, grads)):
                self.v[i] = self.beta * self.v[i] + (1 - self.beta) * g**2
                updated.append(p - (self.eta / (np.sqrt(self.v[i]) + self.epsilon)) * g)
            return updated

    class Adam:
        def __init__(self, eta, beta1=0.9, beta2=0.999, epsilon=1e-8, bias_correction=True, l2=0.0, decay=0.0):
            self.eta, self.beta1, self.beta2, self.epsilon = eta, beta1, beta2, epsilon
            self.bias_correction, self.l2, self.decay = bias_correction, l2, decay
            self.m = self.v = None
            self.t = 0

        def step(self, params, grads):
            if self.m is None:  # both moments start at zero
                zeros = [np.zeros_like(p) for p in params]
                self.m, self.v = zeros, [z.copy() for z in zeros]
            self.t += 1
            updated = []
            for i, (p, g) in enumerate(zip(params, grads)):
                if self.l2:
                    g = g + self.l2 * p
                self.m[i] = self.beta1 * self.m[i] + (1 - self.beta1) * g
                self.v[i] = self.beta2 * self.v[i] + (1 - self.beta2) * g**2
                shrink1 = 1 - self.beta1**self.t if self.bias_correction else 1.0
                shrink2 = 1 - self.beta2**self.t if self.bias_correction else 1.0
                p_new = p - self.eta * (self.m[i] / shrink1) / (np.sqrt(self.v[i] / shrink2) + self.epsilon)
                updated.append(p_new - self.decay * p if self.decay else p_new)
            return updated

    @staticmethod
    def run_quadratic(optimizer, steps, w_init=(5.0, 0.5)):
        def grad(w):
            return np.array([2.0 * w[0], 100.0 * w[1]])

        w = np.array(w_init)
        trajectory = [w.copy()]
        for _ in range(steps):
            point = optimizer.lookahead([w])[0] if hasattr(optimizer, "lookahead") else w
            [w] = optimizer.step([w], [grad(point)])
            trajectory.append(w.copy())
        trajectory = np.array(trajectory)
        return trajectory[:, 0] ** 2 + 50.0 * trajectory[:, 1] ** 2

    class Network:
        """Lists of weights and biases; the forward pass caches z and a for backpropagation.

        As in the original chapter (and in Nielsen's book), the derivative
        of the sigmoid is computed from the cached pre-activation z.
        """

        def __init__(self, layer_sizes, rng, output="sigmoid"):
            self.weights, self.biases = [], []
            for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
                self.weights.append(rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / (n_in + n_out)))
                self.biases.append(np.zeros((n_out, 1)))
            self.output = output

        def get_params(self):
            params = []
            for W, b in zip(self.weights, self.biases):
                params += [W, b]
            return params

        def set_params(self, params):
            self.weights = [p.copy() for p in params[0::2]]
            self.biases = [p.copy() for p in params[1::2]]

        def _linear_output(self, layer):
            return self.output == "identity" and layer == len(self.weights) - 1

        def _activation(self, z, layer):
            if self._linear_output(layer):
                return z
            return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))

        def _derivative(self, z, layer):
            if self._linear_output(layer):
                return np.ones_like(z)
            s = self._activation(z, layer)
            return s * (1 - s)

        def forward(self, X, params=None):
            weights, biases = (self.weights, self.biases) if params is None else (params[0::2], params[1::2])
            self.z_cache, self.a_cache = [], [X]
            for layer, (W, b) in enumerate(zip(weights, biases)):
                self.z_cache.append(W @ self.a_cache[-1] + b)
                self.a_cache.append(self._activation(self.z_cache[-1], layer))
            return self.a_cache[-1]

        def backward(self, Y, params=None):
            weights = self.weights if params is None else params[0::2]
            m = Y.shape[1]
            L = len(weights)
            dW, db = [None] * L, [None] * L
            delta = (self.a_cache[-1] - Y) / m * self._derivative(self.z_cache[-1], L - 1)
            for layer in range(L - 1, -1, -1):
                dW[layer] = delta @ self.a_cache[layer].T
                db[layer] = np.sum(delta, axis=1, keepdims=True)
                if layer > 0:
                    delta = (weights[layer].T @ delta) * self._derivative(self.z_cache[layer - 1], layer - 1)
            grads = []
            for gW, gb in zip(dW, db):
                grads += [gW, gb]
            return grads

        def train(self, X, Y, epochs, optimizer, schedule=None):
            losses = []
            for epoch in range(epochs):
                if schedule is not None:
                    optimizer.eta = schedule(epoch)
                y_hat = self.forward(X)
                losses.append(0.5 * np.sum((y_hat - Y) ** 2) / Y.shape[1])
                params = self.get_params()
                if getattr(optimizer, "nesterov", False) and optimizer.velocities is not None:
                    ahead = optimizer.lookahead(params)
                    self.forward(X, ahead)
                    grads = self.backward(Y, ahead)
                else:
                    grads = self.backward(Y)
                params = optimizer.step(params, grads)
                self.weights, self.biases = params[0::2], params[1::2]
            return losses

    @classmethod
    def experiments(cls):
        """The same runs as :func:`optlab_experiments`, one network training per call, in the same groups."""
        results = {}
        quadratic_runs = {
            "27.1 SGD": (lambda: cls.SGD(0.015), 80),
            "27.2 SGD": (lambda: cls.SGD(0.012), 80),
            "27.2 Momentum": (lambda: cls.Momentum(0.012, 0.9), 80),
            "27.2 Nesterov": (lambda: cls.Momentum(0.012, 0.9, nesterov=True), 80),
            "27.3 RMSProp 80": (lambda: cls.RMSProp(0.1, 0.99), 80),
            "27.3 AdaGrad": (lambda: cls.AdaGrad(1.0), 100),
            "27.3 RMSProp": (lambda: cls.RMSProp(0.1, 0.99), 100),
            "27.4 Adam": (lambda: cls.Adam(0.1), 200),
            "27.6 Adam+L2": (lambda: cls.Adam(0.1, l2=0.01), 200),
            "27.6 AdamW": (lambda: cls.Adam(0.1, decay=0.01), 200),
        }
        for name, (make, steps) in quadratic_runs.items():
            results[name] = cls.run_quadratic(make(), steps)[-1]
        yield "quadratic 27.1-27.6", results

        results = {}
        init = cls.Network([2, 8, 1], np.random.default_rng(123)).get_params()
        X_xor = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
        Y_xor = np.array([[0, 1, 1, 0]], dtype=float)
        X_circle = np.random.default_rng(42).uniform(-1, 1, (2, 300))
        Y_circle = ((X_circle[0] ** 2 + X_circle[1] ** 2) < 0.25).astype(float).reshape(1, -1)

        def fit(make, X, Y, epochs, start=init, sizes=(2, 8, 1), output="sigmoid", schedule=None):
            network = cls.Network(list(sizes), np.random.default_rng(0), output)
            network.set_params(start)
            return network.train(X, Y, epochs, make(), schedule)[-1]

        makers = {
            "SGD": lambda lr=0.1: cls.SGD(lr),
            "Momentum": lambda lr=0.1: cls.Momentum(lr, 0.9),
            "RMSProp": lambda lr=0.01: cls.RMSProp(lr, 0.9),
            "Adam": lambda lr=0.01: cls.Adam(lr),
        }
        for name, make in makers.items():
            results[f"27.5 XOR {name}"] = fit(make, X_xor, Y_xor, XOR_EPOCHS)
            results[f"27.5 circle {name}"] = fit(make, X_circle, Y_circle, CIRCLE_EPOCHS)
        yield "networks 27.5", results
        nesterov = fit(lambda: cls.Momentum(0.1, 0.9, True), X_xor, Y_xor, XOR_EPOCHS)
        yield "ex 27.1", {"ex27.1 XOR Nesterov": nesterov}
        results = {}
        for correction in (True, False):
            make = functools.partial(cls.Adam, 0.01, bias_correction=correction)
            results[f"ex27.3 bias_correction={correction}"] = fit(make, X_circle, Y_circle, BIAS_EPOCHS)
        yield "ex 27.3", results
        results = {}
        for name, make in makers.items():
            for lr in LEARNING_RATES:
                results[f"ex27.4 {name} lr={lr:g}"] = fit(functools.partial(make, lr), X_xor, Y_xor, XOR_EPOCHS)
        yield "ex 27.4", results

        results = {}
        sine_init = cls.Network([1, 16, 1], np.random.default_rng(123)).get_params()
        x = np.linspace(-np.pi, np.pi, 64)
        X_sine, Y_sine = x.reshape(1, -1), np.sin(x).reshape(1, -1)
        for decay in SINE_DECAYS:
            make = functools.partial(cls.Adam, SINE_LR, decay=decay)
            loss = fit(make, X_sine, Y_sine, SINE_EPOCHS, sine_init, (1, 16, 1), "identity")
            results[f"ex27.5 weight_decay={decay:g}"] = loss
        yield "ex 27.5", results
        results = {}
        for T in WARMUPS:
            schedule = (lambda t, T=T: 0.01 * min(1.0, t / T)) if T else None
            loss = fit(lambda: cls.Adam(0.01), X_circle, Y_circle, CIRCLE_EPOCHS, schedule=schedule)
            results[f"ex27.6 warmup T={T}"] = loss
        yield "ex 27.6", results
