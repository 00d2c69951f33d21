"""The chapter's plotting style: one colour-blind-safe palette and two kinds of panel.

Colours are the Okabe–Ito palette (Okabe & Ito 2008); each optimizer also has
its own line style and marker, so figures read in grey scale too. The
Optimizer Race applet uses the same table (exported by
:func:`style_table`).
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import LogFormatterSciNotation, LogLocator

from .race import ROSTER
from .surfaces import Surface

__all__ = [
    "OKABE_ITO", "STYLES", "style", "style_table", "use_style", "lay_out", "draw_surface", "draw_path",
    "contour_panel", "loss_curves", "bar_panel", "power_of_ten_labels", "log_axis", "PlainLogFormatter",
    "ShortAxisMinorTicks", "decimal_log_labels",
]

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
"""The Okabe–Ito palette by colour name: eight colours told apart with any common colour-vision deficiency."""

STYLES = {r.name: r.style for r in ROSTER}
"""Colour, line style and marker of each optimizer, the same in every figure and in the applet.

Each is the ``style`` of the optimizer's entry in :data:`optlab.race.ROSTER`, where everything the
race knows about an optimizer is kept.
"""

_FALLBACK = [dict(color=c, linestyle=s, marker=m) for c, s, m in zip(
    ["#444444", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7"],
    ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (1, 1))],
    ["o", "s", "^", "v", "D", "X", "P"],
)]


def style(name: str, index: int = 0) -> dict:
    """The style of an optimizer named ``name``; ``"Adam (lr=0.3)"`` takes Adam's.

    Names outside the table get a style from a fallback cycle by ``index``.
    """
    base = name.split(" (")[0].strip()
    return dict(STYLES.get(base, _FALLBACK[index % len(_FALLBACK)]))


def style_table() -> dict:
    """The style table with line styles as SVG dash arrays, for the applet."""
    def dashes(linestyle):
        named = {"-": [], "--": [6, 3], "-.": [6, 2, 1, 2], ":": [1, 2]}
        return named[linestyle] if isinstance(linestyle, str) else list(linestyle[1])

    return {k: dict(color=v["color"], dash=dashes(v["linestyle"]), marker=v["marker"]) for k, v in STYLES.items()}


def use_style() -> None:
    """Matplotlib settings shared by every figure of the book.

    No layout engine is set: each figure is laid out once, by
    :func:`lay_out` just before it is shown (or by ``layout="constrained"``
    where it is made), so that its labels fit inside it. A figure with a
    layout engine, ``figure.autolayout`` included, is drawn twice by every
    save, once to settle the layout. In a notebook the inline backend then
    need not crop the picture to its ink, which would cost a second drawing
    too, and this function turns the crop off.
    """
    plt.rcParams.update({
        "figure.dpi": 96,
        "savefig.dpi": 96,
        "figure.figsize": (8.0, 4.5),
        "font.size": 11,
        "axes.titlesize": 12,
        "axes.grid": True,
        "grid.alpha": 0.25,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "lines.linewidth": 1.8,
        "lines.markersize": 3.5,
    })
    _keep_inline_figures_uncropped()


def _keep_inline_figures_uncropped() -> None:
    """In an IPython kernel with the inline backend, show figures as laid out, without ``bbox_inches="tight"``."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import InlineBackend
    except ImportError:  # plain Python: nothing is shown inline
        return
    if get_ipython() is not None:  # the configured formats (png, retina, svg, ...) stay as they are
        backend = InlineBackend.instance()
        backend.print_figure_kwargs = {**backend.print_figure_kwargs, "bbox_inches": None}


def lay_out(fig) -> None:
    """Fit the labels of ``fig`` inside it, once: ``fig.tight_layout()``, with no layout engine left behind.

    ``Figure.tight_layout`` leaves a placeholder layout engine on the figure,
    and Matplotlib draws a figure that has any engine once more, without
    output, before every save, to settle a layout that here is settled
    already. Without the engine, showing the figure draws it once.
    """
    fig.tight_layout()
    fig.set_layout_engine(None)


def draw_surface(ax, surface: Surface, window=None, levels: int = 12) -> None:
    """Log-spaced contour lines of :math:`L - L^\\star` in grey, and the minima as stars."""
    x0, x1, y0, y1 = window or surface.window
    W1, W2 = np.meshgrid(np.linspace(x0, x1, 300), np.linspace(y0, y1, 300))
    gap = surface.gap(np.stack([W1, W2], axis=-1))
    top = float(np.max(gap))
    bottom = max(top * 1e-4, float(np.min(gap[gap > 0])) if np.any(gap > 0) else top * 1e-4)
    ax.contourf(W1, W2, gap, levels=np.geomspace(bottom, top, levels), cmap="Greys", alpha=0.25,
                extend="min")
    ax.contour(W1, W2, gap, levels=np.geomspace(bottom, top, levels), colors="0.55", linewidths=0.6)
    ax.plot(surface.minima[:, 0], surface.minima[:, 1], "*", color="white", markeredgecolor="black",
            markersize=13, zorder=6, linestyle="none")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.grid(False)


def draw_path(ax, path, name: str, index: int = 0, label: str | None = None) -> None:
    """A trajectory with the optimizer's style and a black square at its start."""
    path = np.asarray(path)
    s = style(name, index)
    ax.plot(path[:, 0], path[:, 1], label=label or name, markevery=max(1, len(path) // 40), **s)
    ax.plot(path[0, 0], path[0, 1], "s", color="black", markersize=7, zorder=7)


def contour_panel(ax, surface: Surface, paths: dict, title: str | None = None, window=None) -> None:
    """Contours of ``surface`` with one trajectory per entry of ``paths`` (name -> path)."""
    draw_surface(ax, surface, window)
    for index, (name, path) in enumerate(paths.items()):
        draw_path(ax, path, name, index)
    if title:
        ax.set_title(title)
    if len(paths) > 1:
        ax.legend(loc="upper right", fontsize=9)


def loss_curves(ax, curves: dict, xlabel: str = "step", ylabel: str = "loss", title: str | None = None, *,
                markers: bool = False) -> None:
    """Loss curves on a log scale, one per entry of ``curves`` (name -> values)."""
    for index, (name, values) in enumerate(curves.items()):
        s = style(name, index)
        if not markers:
            s.pop("marker")
        values = np.asarray(values)
        ax.plot(np.arange(len(values)), values, label=name, markevery=max(1, len(values) // 12), **s)
    log_axis(ax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=9)


def bar_panel(ax, values: dict, ylabel: str, title: str | None = None, *, log: bool = False,
              labels: dict | None = None) -> None:
    """One bar per optimizer (name -> value) in its colour, with the value written above it.

    ``labels`` overrides the text above a bar (e.g. ``">3000"`` for a run
    that never reached a threshold); by default the value is printed with
    four significant digits.
    """
    names = list(values)
    heights = [values[n] for n in names]
    colors = [style(n, i)["color"] for i, n in enumerate(names)]
    ax.bar(names, heights, color=colors, edgecolor="black", linewidth=0.6)
    for i, (name, height) in enumerate(zip(names, heights)):
        text = (labels or {}).get(name, f"{height:.4g}")
        ax.annotate(text, (i, height), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9)
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.margins(y=0.15)
    ax.grid(False, axis="x")
    if title:
        ax.set_title(title)


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class PlainLogFormatter(LogFormatterSciNotation):
    """Matplotlib's labels of a log axis (10⁻³, and 2×10⁻² where it labels minor ticks), as plain Unicode text.

    Matplotlib writes them as mathtext, which it parses label by label.
    The ticks and which of them get a label are Matplotlib's own; only the
    text changes, and it looks the same. A label that is not of the form
    ``a×10^k`` stays mathtext.
    """

    _MATHTEXT = re.compile(r"\$\\mathdefault\{(?P<body>[^$]*)\}\$")
    _POWER = re.compile(r"\^\{(?P<exponent>-?\d+)\}")

    def __call__(self, value, pos=None):
        label = super().__call__(value, pos)
        match = self._MATHTEXT.fullmatch(label)
        if match is None:
            return label
        body = self._POWER.sub(lambda power: power["exponent"].translate(_SUPERSCRIPTS),
                               match["body"].replace(r"\times", "×"))
        return label if "\\" in body or "{" in body else body


class ShortAxisMinorTicks(LogLocator):
    """Minor ticks of a log axis (2, 3, ..., 9 times each power of ten) only on an axis shorter than two decades.

    On a short axis they carry the only labels; on a loss axis that spans
    many decades they are unlabelled clutter that costs about a third of
    the panel's drawing time.
    """

    def __init__(self):
        super().__init__(subs="auto")

    def tick_values(self, vmin, vmax):
        if vmin > 0 and vmax > 0 and abs(np.log10(vmax) - np.log10(vmin)) >= 2:
            return np.array([])
        return super().tick_values(vmin, vmax)


def log_axis(*axes, axis: str = "y") -> None:
    """Put ``axis`` of each of ``axes`` on a log scale with plain-text labels (:class:`PlainLogFormatter`)
    and minor ticks only where it is short (:class:`ShortAxisMinorTicks`)."""
    for ax in axes:
        (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
        scale = ax.xaxis if axis == "x" else ax.yaxis
        scale.set_major_formatter(PlainLogFormatter())
        scale.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False))
        scale.set_minor_locator(ShortAxisMinorTicks())


def power_of_ten_labels(*axes, numticks: int = 6, axis: str = "y") -> None:
    """Label the log-scaled y axes of ``axes`` as 10⁻³, 10⁰, 10³ in plain Unicode text.

    Matplotlib's default labels are mathtext, which it parses label by label;
    a figure whose loss spans 10⁻¹⁰⁰ to 10¹⁰ then spends most of its drawing
    time on tick labels. Plain text looks the same and costs nothing. At
    most ``numticks`` labelled powers of ten are kept, without minor ticks.
    ``axis="x"`` labels the x axes instead (a learning rate on a log scale).
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    def label(value, _position):
        return "10" + str(int(round(np.log10(value)))).translate(_SUPERSCRIPTS) if value > 0 else ""

    for ax in axes:
        scale = ax.xaxis if axis == "x" else ax.yaxis
        scale.set_major_locator(LogLocator(base=10, numticks=numticks))
        scale.set_major_formatter(FuncFormatter(label))
        scale.set_minor_locator(NullLocator())


def decimal_log_labels(*axes) -> None:
    """Label log-scaled y axes that span only a decade or two at 1, 2 and 5 times each power of ten.

    A step size between 0.005 and 0.5 would get only two power-of-ten labels;
    ticks at 0.005, 0.01, 0.02, 0.05, ... give at least three, written as
    plain decimals.
    """
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullLocator

    for ax in axes:
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_locator(NullLocator())
