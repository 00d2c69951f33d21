"""Bad hyperparameters and mismatched lists fail at once, naming the argument and its range."""

import numpy as np
import pytest

from optlab import MLP, SGD, AdaGrad, Adam, AdamW, DecoupledWeightDecay, L2Penalty, Momentum, RMSProp

BAD = [
    (SGD, dict(lr=-0.1), r"lr must lie in \[0, inf\)"),
    (Momentum, dict(lr=-1e-3), r"lr must lie in \[0, inf\)"),
    (Momentum, dict(beta=1.0), r"beta must lie in \[0, 1\)"),
    (Momentum, dict(beta=-0.1), r"beta must lie in \[0, 1\)"),
    (AdaGrad, dict(eps=-1e-8), r"eps must lie in \[0, inf\)"),
    (RMSProp, dict(beta=1.5), r"beta must lie in \[0, 1\)"),
    (Adam, dict(beta1=1.0), r"beta1 must lie in \[0, 1\)"),
    (Adam, dict(beta2=-0.5), r"beta2 must lie in \[0, 1\)"),
    (Adam, dict(lr=float("nan")), r"lr must be finite"),
    (Adam, dict(lr=float("inf")), r"lr must be finite"),
    (Adam, dict(eps=float("nan")), r"eps must be finite"),
    (Adam, dict(lr="fast"), r"lr must be a real number"),
    (Adam, dict(amsgrad_max="biggest"), r"amsgrad_max must be 'corrected' or 'raw'"),
    (AdamW, dict(weight_decay=-0.01), r"weight_decay must lie in \[0, inf\)"),
    (AdamW, dict(weight_decay=float("inf")), r"weight_decay must be finite"),
]


@pytest.mark.parametrize("cls, kwargs, message", BAD, ids=[f"{c.__name__}-{k}" for c, k, _ in BAD])
def test_bad_hyperparameters_raise_value_error(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(**kwargs)


def test_wrappers_validate_their_own_coefficients():
    with pytest.raises(ValueError, match=r"l2 must lie in \[0, inf\)"):
        L2Penalty(SGD(), l2=-1.0)
    with pytest.raises(ValueError, match=r"weight_decay must lie in \[0, inf\)"):
        DecoupledWeightDecay(SGD(), weight_decay=-1.0)


def test_zero_learning_rate_is_allowed_for_warmup():
    params = [np.array([1.0])]
    optimizer = Adam(lr=0.0)
    new, _ = optimizer.step(params, [np.array([3.0])], optimizer.init(params))
    assert new[0][0] == 1.0


def test_array_learning_rates_are_checked_elementwise():
    SGD(lr=np.array([0.0, 0.1, 1.0]))
    with pytest.raises(ValueError, match=r"lr must lie in \[0, inf\)"):
        SGD(lr=np.array([0.1, -0.1]))


def test_gradient_list_of_wrong_length_is_refused():
    optimizer = Adam()
    params = [np.zeros(2), np.zeros(3)]
    with pytest.raises(ValueError, match="one array per parameter: got 1 gradients for 2 parameters"):
        optimizer.step(params, [np.zeros(2)], optimizer.init(params))


def test_gradient_of_wrong_shape_is_refused():
    optimizer = Momentum()
    params = [np.zeros((2, 3))]
    with pytest.raises(ValueError, match=r"grads\[0\] must have the shape of params\[0\], \(2, 3\), got \(3, 2\)"):
        optimizer.step(params, [np.zeros((3, 2))], optimizer.init(params))


def test_network_refuses_unknown_activation_and_bad_sizes():
    with pytest.raises(ValueError, match="activation must be one of"):
        MLP((2, 3, 1), activation="tanhh")
    with pytest.raises(ValueError, match="sizes must list at least two positive layer widths"):
        MLP((2,))
