"""Code that the exercise and convention pages write out on purpose, checked against the package.

Two pages define an algorithm in a cell because the prose builds it: the
solution of Exercise 27.1 writes Nesterov's method as a class, and the page on
conventions writes PyTorch's form of Nesterov momentum as a loop. The tests
take those definitions from the page sources themselves (the imports of the
page plus the one definition, parsed with :mod:`ast`), so the page and the
check cannot drift apart.
"""

from __future__ import annotations

import ast

import jupytext
import numpy as np
import pytest

from booktools import ROOT
from optlab import ILL_CONDITIONED, MLP, ROSENBROCK, Adam, Momentum, linear_warmup, replicate, run_on_surface, train, xor

CHAPTERS = ROOT / "chapters"


def definition_from(page: str, name: str):
    """The class or function ``name`` defined in a code cell of ``chapters/<page>.md``.

    Every import statement of the page is executed first, then the definition
    alone; nothing else of the page runs.
    """
    notebook = jupytext.read(CHAPTERS / f"{page}.md")
    trees = [ast.parse(cell.source) for cell in notebook.cells if cell.cell_type == "code"]
    imports = [node for tree in trees for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    found = [node for tree in trees for node in tree.body
             if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name == name]
    assert len(found) == 1, f"{page}.md should define {name} exactly once, found {len(found)}"
    namespace: dict = {}
    exec(compile(ast.Module(body=imports + found, type_ignores=[]), f"{page}.md", "exec"), namespace)
    return namespace[name]


@pytest.fixture(scope="module")
def nesterov_class():
    return definition_from("exercises", "Nesterov")


@pytest.mark.parametrize("surface", [ILL_CONDITIONED, ROSENBROCK], ids=lambda s: s.key)
def test_exercise_nesterov_matches_package_on_surfaces(nesterov_class, surface):
    ours = run_on_surface(surface, nesterov_class(lr=0.001, beta=0.9), steps=300)
    packaged = run_on_surface(surface, Momentum(lr=0.001, beta=0.9, nesterov=True), steps=300)
    np.testing.assert_allclose(ours.path, packaged.path, rtol=1e-13, atol=1e-15)
    heavy_ball = run_on_surface(surface, Momentum(lr=0.001, beta=0.9), steps=300)
    assert np.max(np.abs(ours.path - heavy_ball.path)) > 1e-6  # the look-ahead really changes the run


def test_exercise_nesterov_matches_package_on_network(nesterov_class):
    net = MLP((2, 8, 1))
    init = net.init(np.random.default_rng(123))
    X, Y = xor()
    ours = train(net, init, X, Y, nesterov_class(lr=0.1, beta=0.9), epochs=200)
    packaged = train(net, init, X, Y, Momentum(lr=0.1, beta=0.9, nesterov=True), epochs=200)
    np.testing.assert_allclose(ours.losses, packaged.losses, rtol=1e-13, atol=0)
    for mine, theirs in zip(ours.params, packaged.params):
        np.testing.assert_allclose(mine, theirs, rtol=1e-13, atol=1e-15)


def test_exercise_nesterov_state_and_checks(nesterov_class):
    optimizer, reference = nesterov_class(lr=0.1, beta=0.5), Momentum(lr=0.1, beta=0.5, nesterov=True)
    ours = theirs = [np.array([1.0, -2.0])]
    state, ref_state = optimizer.init(ours), reference.init(theirs)
    for grad in ([np.array([2.0, 1.0])], [np.array([-1.0, 0.5])]):
        np.testing.assert_array_equal(optimizer.gradient_point(ours, state)[0],
                                      reference.gradient_point(theirs, ref_state)[0])
        ours, state = optimizer.step(ours, grad, state)
        theirs, ref_state = reference.step(theirs, grad, ref_state)
        np.testing.assert_array_equal(ours[0], theirs[0])
        np.testing.assert_array_equal(state.velocity[0], ref_state.velocity[0])
    with pytest.raises(ValueError):
        nesterov_class(lr=-0.1)
    with pytest.raises(ValueError):
        nesterov_class(beta=1.0)


@pytest.fixture(scope="module")
def pytorch_nesterov():
    return definition_from("conventions", "pytorch_nesterov")


@pytest.mark.parametrize("surface, lr", [(ILL_CONDITIONED, 0.012), (ROSENBROCK, 0.0005)], ids=["quadratic", "rosenbrock"])
def test_pytorch_form_iterates_are_the_lookahead_points(pytorch_nesterov, surface, lr):
    beta, steps = 0.9, 150
    w = run_on_surface(surface, Momentum(lr=lr, beta=beta, nesterov=True), steps=steps).path
    lookahead = np.concatenate([w[:1], w[1:] + beta * (w[1:] - w[:-1])])
    theta = pytorch_nesterov(surface.grad, surface.start, lr, beta, steps)
    assert theta.shape == w.shape
    np.testing.assert_allclose(theta, lookahead, rtol=1e-10, atol=1e-12)
    assert np.max(np.abs(theta - w)) > 1e-6  # the two forms report different points


def test_pytorch_form_first_step_by_hand(pytorch_nesterov):
    # b_1 = g(theta_0) = 2; theta_1 = 1 - 0.1 * (2 + 0.5 * 2) = 0.7
    theta = pytorch_nesterov(lambda x: 2.0 * x, np.array([1.0]), 0.1, 0.5, 1)
    assert theta[1, 0] == pytest.approx(0.7, abs=1e-15)


def test_linear_warmup_accepts_an_array_of_warmups():
    warmups = np.array([0, 50, 100, 200])
    batched = linear_warmup(0.01, warmups[:, None, None])
    for t in (0, 1, 25, 50, 99, 100, 150, 200, 500):
        rates = batched(t)
        assert rates.shape == (4, 1, 1)
        expected = [linear_warmup(0.01, int(T))(t) for T in warmups]
        np.testing.assert_allclose(rates[:, 0, 0], expected, rtol=0, atol=1e-18)
    assert batched(0)[0, 0, 0] == 0.01 and batched(0)[1, 0, 0] == 0.0
    with pytest.raises(ValueError):
        linear_warmup(0.01, np.array([10, -1]))


def test_batched_warmup_equals_separate_runs():
    net = MLP((2, 3, 1))
    init = net.init(np.random.default_rng(0))
    X, Y = xor()
    warmups = np.array([0, 5, 20])
    batched = train(net, replicate(init, 3), X, Y, Adam(lr=0.05), epochs=40,
                    lr_schedule=linear_warmup(0.05, warmups[:, None, None]))
    for i, T in enumerate(warmups):
        single = train(net, init, X, Y, Adam(lr=0.05), epochs=40, lr_schedule=linear_warmup(0.05, int(T)))
        np.testing.assert_allclose(batched.losses[:, i], single.losses, rtol=1e-12)
    assert not np.allclose(batched.losses[:, 0], batched.losses[:, 2])
