"""The chapter's runs (27.1-27.6 and the exercises) through optlab's public API, and their settings.

:mod:`booktools.bench.baseline` runs the same experiments as a textbook would
write them; :mod:`booktools.bench.experiments` times the two.
"""

from __future__ import annotations

import numpy as np

# The original chapter's settings.
LEARNING_RATES = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)  # exercise 27.4
WARMUPS = (0, 50, 100, 200)  # exercise 27.6
XOR_EPOCHS, CIRCLE_EPOCHS, BIAS_EPOCHS, SINE_EPOCHS = 3000, 2000, 100, 2000
SINE_LR, SINE_DECAYS = 0.01, (0.0, 1e-4, 1e-3, 1e-2)  # exercise 27.5 as chapters/exercises.md sets it


def optlab_experiments():
    """Every run of the chapter through optlab's public API.

    Yields ``(group, {run: final loss})`` after each group of runs, so the
    caller can time the groups one by one.
    """
    from optlab import (
        ILL_CONDITIONED,
        MLP,
        SGD,
        AdaGrad,
        Adam,
        AdamW,
        L2Penalty,
        Momentum,
        RMSProp,
        circle,
        linear_warmup,
        replicate,
        run_on_surface,
        sine,
        train,
        xor,
    )

    results = {}
    quadratic_runs = {
        "27.1 SGD": (SGD(lr=0.015), 80),
        "27.2 SGD": (SGD(lr=0.012), 80),
        "27.2 Momentum": (Momentum(lr=0.012, beta=0.9), 80),
        "27.2 Nesterov": (Momentum(lr=0.012, beta=0.9, nesterov=True), 80),
        "27.3 RMSProp 80": (RMSProp(lr=0.1, beta=0.99), 80),
        "27.3 AdaGrad": (AdaGrad(lr=1.0), 100),
        "27.3 RMSProp": (RMSProp(lr=0.1, beta=0.99), 100),
        "27.4 Adam": (Adam(lr=0.1, beta1=0.9, beta2=0.999), 200),
        "27.6 Adam+L2": (L2Penalty(Adam(lr=0.1), l2=0.01), 200),
        "27.6 AdamW": (AdamW(lr=0.1, weight_decay=0.01), 200),
    }
    for name, (opt, steps) in quadratic_runs.items():
        results[name] = run_on_surface(ILL_CONDITIONED, opt, steps).losses[-1]
    yield "quadratic 27.1-27.6", results

    results = {}
    net = MLP((2, 8, 1))
    init = net.init(np.random.default_rng(123))
    (X_xor, Y_xor), (X_circle, Y_circle) = xor(), circle(n=300, seed=42)
    comparison = {
        "SGD": SGD(lr=0.1),
        "Momentum": Momentum(lr=0.1, beta=0.9),
        "RMSProp": RMSProp(lr=0.01, beta=0.9),
        "Adam": Adam(lr=0.01, beta1=0.9, beta2=0.999),
    }
    for name, opt in comparison.items():
        results[f"27.5 XOR {name}"] = train(net, init, X_xor, Y_xor, opt, XOR_EPOCHS).final_loss
        results[f"27.5 circle {name}"] = train(net, init, X_circle, Y_circle, opt, CIRCLE_EPOCHS).final_loss
    yield "networks 27.5", results

    nesterov = Momentum(lr=0.1, beta=0.9, nesterov=True)
    yield "ex 27.1", {"ex27.1 XOR Nesterov": train(net, init, X_xor, Y_xor, nesterov, XOR_EPOCHS).final_loss}

    results = {}
    for correction in (True, False):
        opt = Adam(lr=0.01, bias_correction=correction)
        fit = train(net, init, X_circle, Y_circle, opt, BIAS_EPOCHS)
        results[f"ex27.3 bias_correction={correction}"] = fit.final_loss
    yield "ex 27.3", results

    # The sweep: one batched training per optimizer, a learning rate per copy.
    lrs = np.array(LEARNING_RATES)[:, None, None]
    sweep = {
        "SGD": SGD(lr=lrs),
        "Momentum": Momentum(lr=lrs, beta=0.9),
        "RMSProp": RMSProp(lr=lrs, beta=0.9),
        "Adam": Adam(lr=lrs),
    }
    copies = replicate(init, len(LEARNING_RATES))
    results = {}
    for name, opt in sweep.items():
        final = train(net, copies, X_xor, Y_xor, opt, XOR_EPOCHS).final_loss
        for lr, loss in zip(LEARNING_RATES, final):
            results[f"ex27.4 {name} lr={lr:g}"] = loss
    yield "ex 27.4", results

    sine_net = MLP((1, 16, 1), output_activation="identity")
    sine_init = sine_net.init(np.random.default_rng(123))
    X_sine, Y_sine = sine()
    decays = np.array(SINE_DECAYS)[:, None, None]  # weight decay 0 is Adam itself
    opt = AdamW(lr=SINE_LR, weight_decay=decays)
    final = train(sine_net, replicate(sine_init, len(SINE_DECAYS)), X_sine, Y_sine, opt, SINE_EPOCHS).final_loss
    yield "ex 27.5", {f"ex27.5 weight_decay={decay:g}": loss for decay, loss in zip(SINE_DECAYS, final)}

    # Warmup: the four schedules as one batched training, one T per copy.
    warmup = linear_warmup(0.01, np.array(WARMUPS)[:, None, None])
    batch = replicate(init, len(WARMUPS))
    final = train(net, batch, X_circle, Y_circle, Adam(lr=0.01), CIRCLE_EPOCHS, warmup).final_loss
    yield "ex 27.6", {f"ex27.6 warmup T={T}": loss for T, loss in zip(WARMUPS, final)}
