"""The chapter's measuring tools: step sizes replayed from gradients, sawtooth counts,
closed-form fixed points and the Lessard counterexample."""

import numpy as np
import pytest

from optlab import ILL_CONDITIONED, SGD, AdaGrad, Adam, AdamW, Momentum, RMSProp, quadratic, run_on_surface
from optlab.diagnostics import (
    SMALLEST_SUBNORMAL, count_rises, effective_lr, effective_lrs, first_blowup, late_climb, verdict,
)
from optlab.theory import (
    box_minimiser,
    damped_momentum_limit,
    heavy_ball_matrix,
    lessard_objective,
    momentum_optimal,
    ridge_minimiser,
    spectral_radius,
)
from optlab.training import minimize

GRADS = np.array([[2.0, -1.0], [0.5, 3.0], [-1.0, 0.25]])


def by_hand(optimizer):
    """The step sizes of the three gradients above, from the boxes' formulas."""
    sq = GRADS**2
    if isinstance(optimizer, AdaGrad):
        s = np.cumsum(sq, axis=0)
    elif isinstance(optimizer, RMSProp):
        s, v = [], 0.0
        for g2 in sq:
            v = optimizer.beta * v + (1 - optimizer.beta) * g2
            s.append(v)
        s = np.array(s)
    else:
        v, s, running = 0.0, [], np.zeros(2)
        for t, g2 in enumerate(sq, start=1):
            v = optimizer.beta2 * v + (1 - optimizer.beta2) * g2
            v_hat = v / (1 - optimizer.beta2**t) if optimizer.bias_correction else v
            running = np.maximum(running, v_hat)
            s.append(running.copy() if optimizer.amsgrad else v_hat)
        s = np.array(s)
    return optimizer.lr / (np.sqrt(s) + optimizer.eps)


@pytest.mark.parametrize("optimizer", [
    AdaGrad(lr=0.5), RMSProp(lr=0.1, beta=0.9), Adam(lr=0.3), Adam(lr=0.3, bias_correction=False),
    Adam(lr=0.3, amsgrad=True),
], ids=repr)
def test_effective_lrs_match_the_boxes(optimizer):
    np.testing.assert_allclose(effective_lrs(optimizer, GRADS), by_hand(optimizer), rtol=1e-13)


def test_effective_lrs_replay_a_run_exactly():
    """The replayed step size times the gradient (AdaGrad) is the step the run took."""
    optimizer = AdaGrad(lr=1.0)
    path = run_on_surface(ILL_CONDITIONED, optimizer, steps=30).path
    grads = ILL_CONDITIONED.grad(path[:-1])
    np.testing.assert_allclose(path[:-1] - effective_lrs(optimizer, grads) * grads, path[1:], rtol=1e-14, atol=1e-300)


def test_effective_lr_sees_through_decoupled_decay_and_rejects_sgd():
    wrapped = AdamW(lr=0.2, weight_decay=0.1)
    state = wrapped.init([np.zeros(2)])
    _, state = wrapped.step([np.zeros(2)], [np.array([1.0, 2.0])], state)
    np.testing.assert_allclose(effective_lr(wrapped, state)[0], 0.2 / (np.array([1.0, 2.0]) + 1e-8))
    with pytest.raises(TypeError):
        effective_lr(SGD(lr=0.1), SGD(lr=0.1).init([np.zeros(2)]))


def test_count_rises():
    assert count_rises(np.geomspace(1.0, 1e-9, 50)) == 0
    teeth = np.tile(np.geomspace(1.0, 1e-4, 10), 5)  # falls by 1e4, jumps back: four climbs
    assert count_rises(teeth, 10.0) == 4
    assert count_rises(teeth, 1e5) == 0
    assert count_rises([1.0, 0.1, 0.5, 2.0, 0.1, 5.0], 10.0) == 2  # one tooth counted once


def test_late_climb_is_negative_for_convergence_and_large_for_a_blow_up():
    assert late_climb(np.geomspace(1.0, 1e-20, 100), 50) < 0
    assert late_climb(np.r_[np.geomspace(1.0, 1e-20, 50), np.ones(50)], 50) == pytest.approx(20.0)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_damped_momentum_limit_is_where_the_companion_matrix_turns_unstable(beta):
    limit = damped_momentum_limit(beta)
    # averaged momentum with step alpha is heavy ball with learning rate alpha (1 - beta)
    inside = spectral_radius(heavy_ball_matrix((1 - beta) * 0.999 * limit, beta, 1.0))
    outside = spectral_radius(heavy_ball_matrix((1 - beta) * 1.001 * limit, beta, 1.0))
    assert inside < 1 < outside


def test_ridge_and_box_minimisers():
    surface = quadratic(eigenvalues=(2.0, 100.0), center=(3.0, 1.0))
    ridge = ridge_minimiser(surface, 0.05)
    np.testing.assert_allclose(surface.grad(ridge) + 0.05 * ridge, 0.0, atol=1e-12)
    np.testing.assert_allclose(box_minimiser(surface, 2.0), [2.0, 1.0])
    grid = np.stack(np.meshgrid(np.linspace(-2, 2, 401), np.linspace(-2, 2, 401)), axis=-1).reshape(-1, 2)
    assert surface.loss(box_minimiser(surface, 2.0)) <= surface.loss(grid).min() + 1e-12


def test_box_minimiser_refuses_a_rotated_quadratic():
    from optlab.surfaces import Quadratic

    rotated = Quadratic(key="r", name="r", formula="", minima=np.array([[1.0, 0.0]]), min_loss=0.0,
                        start=(0.0, 0.0), window=(-1, 1, -1, 1), hessian=np.array([[2.0, 1.0], [1.0, 2.0]]))
    with pytest.raises(ValueError):
        box_minimiser(rotated, 1.0)


def test_lessard_function_is_smooth_strongly_convex_and_traps_heavy_ball():
    x = np.linspace(-3, 4, 7001)
    loss, (grad,) = lessard_objective([x])
    np.testing.assert_allclose(np.gradient(loss, x)[1:-1], grad[1:-1], atol=1e-2)
    slopes = np.diff(grad) / np.diff(x)
    assert slopes.min() >= 1 - 1e-9 and slopes.max() <= 25 + 1e-9
    lr, beta = momentum_optimal(1.0, 25.0)
    _, _, iterates = minimize(lessard_objective, [np.array(3.3)], Momentum(lr=lr, beta=beta), steps=300)
    tail = np.array([float(p[0]) for p in iterates[-30:]])
    np.testing.assert_allclose(tail[3:], tail[:-3], atol=1e-9)  # period three
    assert np.abs(tail).max() > 2  # ... far from the minimiser 0
    _, _, iterates = minimize(lessard_objective, [np.array(3.3)], SGD(lr=2 / 26), steps=300)
    assert abs(float(iterates[-1][0])) < 1e-6


def test_power_of_ten_labels_are_plain_superscripts_and_bar_panel_labels_bars():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from optlab.plotting import STYLES, bar_panel, power_of_ten_labels

    fig, (ax, bars) = plt.subplots(1, 2)
    ax.semilogy(np.geomspace(1e3, 1e-60, 50))
    power_of_ten_labels(ax, numticks=4)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels and all(text.startswith("10") and "$" not in text for text in labels)
    assert any("⁻" in text for text in labels) and len(ax.yaxis.get_minorticklocs()) == 0
    bar_panel(bars, {"SGD": 3000, "Adam": 276}, ylabel="epochs", labels={"SGD": ">3000"})
    texts = [t.get_text() for t in bars.texts]
    assert texts == [">3000", "276"]
    assert [matplotlib.colors.to_hex(p.get_facecolor()) for p in bars.patches] == [
        STYLES["SGD"]["color"].lower(), STYLES["Adam"]["color"].lower()]
    plt.close(fig)


def test_log_axis_writes_matplotlibs_labels_as_text_and_keeps_minor_ticks_only_on_short_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from optlab.plotting import log_axis, use_style

    use_style()
    fig, (long, short) = plt.subplots(1, 2)
    long.plot(np.geomspace(1e-12, 1e2, 50))
    short.plot(np.linspace(0.02, 0.09, 50))
    log_axis(long, short)
    fig.canvas.draw()
    long_labels = [t.get_text() for t in long.get_yticklabels() if t.get_text()]
    assert "10⁻⁸" in long_labels and not any("$" in text for text in long_labels)
    assert len(long.yaxis.get_minorticklocs()) == 0  # fourteen decades: no minor ticks
    minor_labels = [t.get_text() for t in short.yaxis.get_minorticklabels() if t.get_text()]
    assert "2×10⁻²" in minor_labels and not any("$" in text for text in minor_labels)  # the only labels it has
    plt.close(fig)


def test_lay_out_leaves_a_figure_that_a_save_draws_once(monkeypatch):
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.figure
    import matplotlib.pyplot as plt

    from optlab.plotting import lay_out, use_style

    use_style()
    draws = []
    real_draw = matplotlib.figure.Figure.draw

    def counted(fig, renderer):
        draws.append(fig)
        return real_draw(fig, renderer)

    monkeypatch.setattr(matplotlib.figure.Figure, "draw", counted)

    def draws_per_save(arrange):
        fig, ax = plt.subplots()
        ax.plot([1.0, 2.0, 3.0])
        ax.set(xlabel="step $t$", ylabel="$L(w_t)$")
        arrange(fig)
        draws.clear()
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
        return len(draws)

    assert draws_per_save(lambda fig: fig.tight_layout()) == 2  # the placeholder engine that lay_out removes
    assert draws_per_save(lay_out) == 1


def test_use_style_in_a_notebook_turns_the_crop_off_and_keeps_the_formats():
    """In an IPython shell with the inline backend (set up as ipykernel does), figures are shown as laid out.

    No layout engine is left on by default, since one makes every save draw the figure twice.
    """
    import subprocess
    import sys

    script = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "import matplotlib, matplotlib.figure\n"
        "inline = 'module://matplotlib_inline.backend_inline'; matplotlib.use(inline)\n"
        "from matplotlib_inline.backend_inline import InlineBackend, configure_inline_support\n"
        "shell = InteractiveShell.instance(); configure_inline_support(shell, inline)\n"
        "backend = InlineBackend.instance(); backend.figure_formats = {'svg'}  # a reader's choice\n"
        "assert backend.print_figure_kwargs['bbox_inches'] == 'tight'\n"
        "from optlab.plotting import use_style; use_style()\n"
        "shown = shell.display_formatter.formatters['image/svg+xml'].lookup_by_type(matplotlib.figure.Figure)\n"
        "print(shown.keywords['bbox_inches'], sorted(backend.figure_formats),"
        " matplotlib.rcParams['figure.autolayout'])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["None", "['svg']", "False"]


def test_first_blowup_reads_each_coordinate_and_ignores_ringing_through_zero():
    t = np.arange(400)
    converging = np.stack([np.cos(0.7 * t) * 0.9**t, 0.5 * 0.8**t], axis=1)  # w1 rings through zero
    assert first_blowup(converging) is None
    regrowing = converging.copy()
    regrowing[200:, 1] = 1e-60 * 1.5 ** np.arange(200)  # w2 grows back while w1 stays tiny
    step = first_blowup(regrowing)
    assert step is not None and 200 < step < 240  # 3 decades at 1.5 per step, after the window
    assert first_blowup(np.stack([converging, regrowing], axis=1)) == [None, step]


def test_first_blowup_counts_an_exact_zero_as_the_smallest_subnormal():
    path = np.array([[1.0], [0.0], [0.0], [1e-321], [1e-300]])
    assert np.log10(SMALLEST_SUBNORMAL) == pytest.approx(-323.3, abs=0.01)
    assert first_blowup(path, window=1) == 4  # 1e-321 is only 2.3 decades above the floor


def test_verdict_names_the_three_outcomes():
    t = np.arange(300)[:, None]
    assert verdict(0.5 * 0.9**t) == "no blow-up in 299 steps"
    assert verdict(0.01 + 0.0 * t) == "never settles"
    growing = np.concatenate([0.5 * 0.5 ** t[:150], 1e-46 * 2.0 ** t[:150]])
    assert verdict(growing).startswith("blows up at step 1")


# --- Verdicts over seeds and grids (section 27.9) -----------------------------

def test_sign_test_p_values_for_ten_seeds():
    from optlab.diagnostics import sign_test_p

    assert sign_test_p(10, 0) == 2 / 1024
    assert sign_test_p(9, 1) == sign_test_p(1, 9) == 2 * 11 / 1024
    assert sign_test_p(8, 2) == 2 * 56 / 1024
    assert sign_test_p(5, 5) == 1.0 and sign_test_p(0, 0) == 1.0


def test_paired_verdict_needs_nine_of_ten_seeds_and_leaves_ties_out():
    from optlab.diagnostics import paired_verdict

    others = np.full(10, 5.0)
    assert paired_verdict(np.r_[np.full(9, 3.0), 6.0], others, "faster", "slower") == "faster"
    assert paired_verdict(np.r_[np.full(8, 3.0), 6.0, 6.0], others, "faster", "slower") == "no clear difference"
    assert paired_verdict(np.full(10, 7.0), others, "faster", "slower") == "slower"
    # two runs that never reach a target tie; the eight others decide (p = 2/256 < 0.05)
    never = np.r_[np.full(8, 3.0), np.inf, np.inf]
    assert paired_verdict(never, np.r_[others[:8], np.inf, np.inf]) == "lower"
    assert paired_verdict(np.full(10, np.inf), others) == "higher"


def test_grid_position_names_the_edges():
    from optlab.diagnostics import grid_position

    assert [grid_position(i, 4) for i in range(4)] == [
        "at the lower edge of the grid", "inside the grid", "inside the grid", "at the upper edge of the grid"]
    with pytest.raises(ValueError, match="index must lie in"):
        grid_position(4, 4)
