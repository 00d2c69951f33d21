r"""The runs behind the pages' verdicts, each a function of its horizon.

A page that prints a verdict word ("blows up", "converges", "never",
"settles", "stays at its floor", "faster than") calls a function of this
package and prints what it returns; the words themselves come from
:mod:`optlab.diagnostics`, which reads them off the run. Each module lists
its verdict experiments in ``VERDICTS``: an :class:`Experiment` names the
function, the horizon (in steps, updates or epochs, as the function's
``horizon`` argument counts them) at which the page reads it, and the seeds
that decide it. ``tests/claims/test_horizons.py`` reruns every entry at
twice its horizon and requires the same verdicts: a verdict that a longer
run changes was not a verdict.

The function's contract: ``function(horizon=..., seeds=..., **kwargs)``
returns an object with a ``verdicts`` attribute, a mapping from a row's name
to its verdict text, which the page prints.
"""

from __future__ import annotations

from typing import Callable, NamedTuple


class Experiment(NamedTuple):
    """One verdict-producing run: ``function(horizon=horizon, seeds=seeds, **kwargs)``."""

    function: Callable
    horizon: int
    seeds: int = 1
    kwargs: dict = {}

    def run(self, scale: int = 1):
        """The run at ``scale`` times the page's horizon."""
        return self.function(horizon=scale * self.horizon, seeds=self.seeds, **self.kwargs)


def all_experiments() -> list[tuple[str, Experiment]]:
    """Every registered verdict experiment, as ``("module.function", experiment)`` pairs.

    A new module of experiments is imported here and its ``VERDICTS`` added.
    """
    from . import adaptive, noise, real_data

    modules = (adaptive, noise, real_data)  # each new module of experiments goes in this tuple
    return [(f"{m.__name__.rsplit('.', 1)[-1]}.{e.function.__name__}", e) for m in modules for e in m.VERDICTS]
