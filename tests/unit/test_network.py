"""Backpropagation against central finite differences, and the batched network against single ones.

The classifier of section 27.9 (softmax cross-entropy, accuracy) is checked
against PyTorch's ``cross_entropy`` in float64 where torch is installed, and
the digits it trains on against their checksum.
"""

import gzip

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from optlab import MLP, Adam, circle, datasets, replicate, train, xor
from optlab.datasets import DIGITS_SHA256, digits, one_hot, random_split
from optlab.network import CRITERIA, SIGMOID_FLOOR, cross_entropy, sigmoid, softmax, stack


def finite_difference_grads(model, params, X, Y, h=1e-6):
    grads = []
    for index, p in enumerate(params):
        g = np.zeros_like(p)
        for position in np.ndindex(p.shape):
            shifted = [q.copy() for q in params]
            shifted[index][position] += h
            up = model.loss(shifted, X, Y)
            shifted[index][position] -= 2 * h
            down = model.loss(shifted, X, Y)
            g[position] = (up - down) / (2 * h)
        grads.append(g)
    return grads


ARCHITECTURES = [
    MLP((2, 8, 1)),
    MLP((2, 8, 1), activation="relu"),
    MLP((3, 5, 4, 2)),
    MLP((3, 5, 4, 2), activation="relu", output_activation="identity"),
    MLP((1, 16, 1), activation="sigmoid", output_activation="identity"),
    MLP((4, 1)),
]


def check_backprop(model, seed) -> bool:
    """Compare backprop with finite differences; False (nothing checked) if a ReLU sits on its kink."""
    rng = np.random.default_rng(seed)
    params = model.init(rng)
    # nonzero biases so every term of the chain rule is exercised
    params = [p + 0.1 * rng.standard_normal(p.shape) for p in params]
    X = rng.standard_normal((model.sizes[0], 9))
    Y = rng.uniform(0, 1, (model.sizes[-1], 9))
    # A ReLU pre-activation within the finite-difference step of its kink has no
    # derivative to compare with.
    zs, _ = model.forward(params, X)
    if "relu" in (model.activation, model.output_activation) and min(np.min(np.abs(z)) for z in zs) < 1e-4:
        return False
    _, grads = model.loss_and_grads(params, X, Y)
    expected = finite_difference_grads(model, params, X, Y)
    assert [g.shape for g in grads] == [p.shape for p in params]
    for g, e in zip(grads, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-8)
    return True


@pytest.mark.parametrize("model", ARCHITECTURES, ids=repr)
def test_backprop_matches_finite_differences(model):
    assert check_backprop(model, seed=7)


@settings(max_examples=20, deadline=None)
@given(widths=st.lists(st.integers(1, 5), min_size=2, max_size=4), activation=st.sampled_from(["sigmoid", "relu"]),
       output_activation=st.sampled_from([None, "identity", "sigmoid", "relu"]), seed=st.integers(0, 2**16))
def test_backprop_matches_finite_differences_on_random_architectures(widths, activation, output_activation, seed):
    assume(check_backprop(MLP(tuple(widths), activation=activation, output_activation=output_activation), seed))


def test_initialisation_reproduces_the_chapter_draws():
    params = MLP((2, 8, 1)).init(np.random.default_rng(123))
    rng = np.random.default_rng(123)
    np.testing.assert_array_equal(params[0], rng.standard_normal((8, 2)) * np.sqrt(2 / 10))
    np.testing.assert_array_equal(params[2], rng.standard_normal((1, 8)) * np.sqrt(2 / 9))
    np.testing.assert_array_equal(params[1], np.zeros((8, 1)))
    np.testing.assert_array_equal(params[3], np.zeros((1, 1)))


def test_loss_is_half_mean_squared_error():
    X, Y = xor()
    model = MLP((2, 1))
    params = [np.zeros((1, 2)), np.zeros((1, 1))]  # output sigmoid(0) = 0.5 everywhere
    assert model.loss(params, X, Y) == pytest.approx(0.5 * 0.25)


def test_batched_training_equals_separate_trainings():
    X, Y = circle(n=40)
    model = MLP((2, 8, 1))
    params = model.init(np.random.default_rng(123))
    lrs = np.array([0.001, 0.01, 0.1])
    batched = train(model, replicate(params, 3), X, Y, Adam(lr=lrs[:, None, None]), epochs=25)
    for index, lr in enumerate(lrs):
        single = train(model, params, X, Y, Adam(lr=lr), epochs=25)
        np.testing.assert_allclose(batched.losses[:, index], single.losses, rtol=1e-12)
        for b, s in zip(batched.params, single.params):
            np.testing.assert_allclose(b[index], s, rtol=1e-12, atol=1e-15)


def test_sigmoid_is_the_logistic_function_without_overflow():
    z = np.linspace(-30.0, 30.0, 6001)
    np.testing.assert_allclose(sigmoid(z), 0.5 * (1.0 + np.tanh(0.5 * z)), rtol=0, atol=5e-16)
    np.testing.assert_allclose(sigmoid(-z), 1.0 - sigmoid(z), rtol=0, atol=5e-16)  # symmetry
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no warning at the extremes
        far = sigmoid(np.array([-1e6, SIGMOID_FLOOR, 1e6]))
    assert 0.0 < far[0] == far[1] < 1e-300 and far[2] == 1.0
    assert np.all(np.diff(sigmoid(z)) >= 0.0)



# --- The classifier: softmax cross-entropy (section 27.9) ---------------------

CLASSIFIERS = [
    MLP((5, 7, 4), activation="relu", criterion="cross_entropy"),
    MLP((5, 7, 4), activation="sigmoid", criterion="cross_entropy"),
    MLP((3, 6, 5, 3), activation="relu", criterion="cross_entropy"),
    MLP((6, 2), criterion="cross_entropy"),
]


def classification_problem(model, seed, samples=9):
    rng = np.random.default_rng(seed)
    params = [p + 0.1 * rng.standard_normal(p.shape) for p in model.init(rng)]
    X = rng.standard_normal((model.sizes[0], samples))
    Y = one_hot(rng.integers(0, model.sizes[-1], samples), model.sizes[-1])
    return params, X, Y


@pytest.mark.parametrize("model", CLASSIFIERS, ids=repr)
def test_cross_entropy_backprop_matches_finite_differences(model):
    params, X, Y = classification_problem(model, seed=3)
    zs, _ = model.forward(params, X)
    assert min((np.min(np.abs(z)) for z in zs[:-1]), default=1.0) > 1e-4  # no ReLU on its kink
    _, grads = model.loss_and_grads(params, X, Y)
    for g, e in zip(grads, finite_difference_grads(model, params, X, Y)):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-8)


def test_batched_classifiers_equal_separate_ones():
    model = CLASSIFIERS[0]
    problems = [classification_problem(model, seed) for seed in (1, 2, 3)]
    X, Y = problems[0][1], problems[0][2]
    batched = stack([params for params, _, _ in problems])
    loss, grads = model.loss_and_grads(batched, X, Y)
    accuracy = model.accuracy(batched, X, Y)
    for k, (params, _, _) in enumerate(problems):
        single_loss, single_grads = model.loss_and_grads(params, X, Y)
        assert loss[k] == pytest.approx(single_loss, rel=1e-14)
        assert accuracy[k] == model.accuracy(params, X, Y)
        for g, s in zip(grads, single_grads):
            np.testing.assert_allclose(g[k], s, rtol=1e-13, atol=1e-16)


def test_stack_of_copies_is_replicate():
    params = MLP((3, 4, 2)).init(np.random.default_rng(0))
    for a, b in zip(stack([params] * 3), replicate(params, 3)):
        np.testing.assert_array_equal(a, b)


def test_cross_entropy_of_uniform_logits_is_log_of_the_classes():
    Y = one_hot([0, 3, 1], 4)
    assert cross_entropy(np.zeros((4, 3)), Y) == pytest.approx(np.log(4.0), rel=1e-15)


def test_softmax_and_cross_entropy_do_not_overflow():
    logits = np.array([[1000.0, -1000.0], [0.0, 1000.0], [-1000.0, 999.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = softmax(logits)
        loss = cross_entropy(logits, one_hot([0, 2], 3))
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=1e-15)
    assert p[0, 0] == 1.0 and p[1, 1] == pytest.approx(1 / (1 + np.exp(-1.0)))
    assert loss == pytest.approx(0.5 * (0.0 + np.log1p(np.exp(1.0))), rel=1e-14)  # -log p of the right classes


def test_accuracy_counts_the_largest_output_and_breaks_ties_to_the_first():
    model = MLP((2, 3), criterion="cross_entropy")
    params = [np.eye(3, 2), np.zeros((3, 1))]  # logits (x1, x2, 0)
    X = np.array([[2.0, 0.0, -1.0, 1.0], [1.0, 3.0, -2.0, 1.0]])
    # largest: rows 0, 1, 2 (both negative), and a tie 0/1 -> 0
    assert model.accuracy(params, X, one_hot([0, 1, 2, 0], 3)) == 1.0
    assert model.accuracy(params, X, one_hot([0, 1, 0, 1], 3)) == 0.5


def test_criterion_is_checked_when_the_network_is_built():
    with pytest.raises(ValueError, match="criterion must be one of"):
        MLP((2, 3), criterion="hinge")
    with pytest.raises(ValueError, match="logits of a linear output layer"):
        MLP((2, 3), activation="relu", output_activation="sigmoid", criterion="cross_entropy")
    assert MLP((2, 4, 3), activation="relu", criterion="cross_entropy").predict(
        [np.ones((4, 2)), np.zeros((4, 1)), -np.ones((3, 4)), np.zeros((3, 1))], np.ones((2, 1))).min() < 0


@pytest.fixture(name="torch_f")
def torch_functional(require):
    torch = require("torch")
    return torch, torch.nn.functional


@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_cross_entropy_and_its_gradient_match_torch(torch_f, scale):
    """Loss and gradient with respect to the logits against ``F.cross_entropy`` in float64."""
    torch, F = torch_f
    rng = np.random.default_rng(11)
    logits = scale * rng.standard_normal((10, 50))
    labels = rng.integers(0, 10, 50)
    z = torch.tensor(logits.T, dtype=torch.float64, requires_grad=True)  # torch: one row per sample
    reference = F.cross_entropy(z, torch.tensor(labels))
    reference.backward()
    model = MLP((10, 10), criterion="cross_entropy")
    loss, grads = model.loss_and_grads([np.eye(10), np.zeros((10, 1))], logits, one_hot(labels, 10))
    assert loss == pytest.approx(reference.item(), rel=1e-13)
    np.testing.assert_allclose(grads[0], z.grad.numpy().T @ logits.T, rtol=1e-12, atol=1e-15)  # dL/dW = dL/dz x^T
    np.testing.assert_allclose(grads[1][:, 0], z.grad.numpy().sum(axis=0), rtol=1e-12, atol=1e-15)


def test_classifier_gradients_match_torch_autograd(torch_f):
    """The whole network: the 64-32-10 ReLU classifier's loss and every gradient against PyTorch's autograd."""
    torch, F = torch_f
    model = MLP((64, 32, 10), activation="relu", criterion="cross_entropy")
    rng = np.random.default_rng(5)
    params = [p + 0.05 * rng.standard_normal(p.shape) for p in model.init(rng)]
    X, labels = rng.uniform(0, 1, (64, 40)), rng.integers(0, 10, 40)
    W1, b1, W2, b2 = (torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params)
    logits = W2 @ torch.relu(W1 @ torch.tensor(X) + b1) + b2
    reference = F.cross_entropy(logits.T, torch.tensor(labels))
    reference.backward()
    loss, grads = model.loss_and_grads(params, X, one_hot(labels, 10))
    assert loss == pytest.approx(reference.item(), rel=1e-13)
    for g, t in zip(grads, (W1, b1, W2, b2)):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-11, atol=1e-15)


def test_mse_networks_are_unchanged_by_the_criterion_table():
    """The default criterion is the half mean squared error, as before it had a name."""
    X, Y = xor()
    model = MLP((2, 1))
    assert model.criterion == "mse"
    assert model.loss([np.zeros((1, 2)), np.zeros((1, 1))], X, Y) == 0.5 * np.mean((0.5 - Y) ** 2)


# --- The digits (optlab.datasets.digits) --------------------------------------

def test_digits_are_the_uci_test_set_as_scikit_learn_ships_it():
    X, Y = digits()
    assert X.shape == (64, 1797) and Y.shape == (10, 1797)
    assert X.min() == 0.0 and X.max() == 1.0 and np.all(X * 16 == np.round(X * 16))
    np.testing.assert_array_equal(Y.sum(axis=0), 1.0)
    np.testing.assert_array_equal(Y.sum(axis=1), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    # The first image of load_digits() is a zero; its first row of pixels is 0 0 5 13 9 1 0 0.
    np.testing.assert_array_equal(16 * X[:8, 0], [0, 0, 5, 13, 9, 1, 0, 0])
    assert Y[:, 0].argmax() == 0


def test_a_damaged_digits_file_is_refused(tmp_path, monkeypatch):
    source = datasets.files("optlab") / "data" / "optdigits.tes.gz"
    text = bytearray(gzip.decompress(source.read_bytes()))
    text[0:1] = b"1"  # one pixel changed
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "optdigits.tes.gz").write_bytes(gzip.compress(bytes(text)))
    monkeypatch.setattr(datasets, "files", lambda package: tmp_path)
    with pytest.raises(ValueError, match=f"damaged: SHA-256 .*expected {DIGITS_SHA256}"):
        digits()


def test_the_digits_ship_in_the_wheel_with_their_licence():
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    shipped = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["optlab"]
    assert {"data/optdigits.tes.gz", "data/optdigits.LICENSE.md"} <= set(shipped)
    licence = (root / "code" / "optlab" / "data" / "optdigits.LICENSE.md").read_text()
    assert "CC BY 4.0" in licence and DIGITS_SHA256 in licence and "10.24432/C50P49" in licence


def test_random_split_is_a_partition_of_the_samples():
    X = np.arange(20.0).reshape(1, 20)
    parts = random_split(X, -X, (12, 5, 3), seed=4)
    assert [p[0].shape[1] for p in parts] == [12, 5, 3]
    seen = np.concatenate([p[0][0] for p in parts])
    np.testing.assert_array_equal(np.sort(seen), X[0])
    for features, targets in parts:
        np.testing.assert_array_equal(targets, -features)  # columns stay paired
    again = random_split(X, -X, (12, 5, 3), seed=4)
    np.testing.assert_array_equal(again[1][0], parts[1][0])
    with pytest.raises(ValueError, match="add up to the 20 samples"):
        random_split(X, X, (10, 5, 3))


@pytest.mark.parametrize("model", ARCHITECTURES + [MLP((5, 7, 4), activation="relu", criterion="cross_entropy")],
                         ids=repr)
def test_predict_and_loss_are_the_forward_pass_and_criterion_bit_for_bit(model):
    """``predict`` computes each activation in place and ``loss`` skips the gradient: the same numbers, and
    the inputs left alone."""
    rng = np.random.default_rng(4)
    batched = stack([[p + 0.1 * rng.standard_normal(p.shape) for p in model.init(rng)] for _ in range(3)])
    X = rng.standard_normal((model.sizes[0], 11))
    Y = one_hot(rng.integers(0, model.sizes[-1], 11), model.sizes[-1])
    before = [p.copy() for p in batched] + [X.copy()]
    for params in (batched, [p[1] for p in batched]):
        _, activations = model.forward(params, X)
        assert np.array_equal(model.predict(params, X), activations[-1])
        assert np.array_equal(model.loss(params, X, Y), CRITERIA[model.criterion](activations[-1], Y)[0])
    assert all(np.array_equal(a, b) for a, b in zip(before, batched + [X]))
