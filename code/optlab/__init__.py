"""optlab: the code of the chapter "Momentum, RMSProp, and Adam".

One obvious place for each thing:

* :mod:`optlab.optimizers`: SGD, Momentum (and Nesterov), AdaGrad, RMSProp,
  Adam (and AMSGrad), AdamW, with explicit ``init``/``step`` state;
* :mod:`optlab.network`: a small MLP with backpropagation;
* :mod:`optlab.surfaces`: named 2-D loss surfaces;
* :mod:`optlab.datasets`: XOR, the circle data, sin(x), the UCI handwritten digits;
* :mod:`optlab.training`: runners that return trajectories and loss histories;
* :mod:`optlab.schedules`: learning-rate schedules, each class with its PyTorch counterpart, and the
  linear warmup;
* :mod:`optlab.noise`: a portable seeded generator, noisy gradients and mini-batch training;
* :mod:`optlab.theory`: the closed forms of the chapter's theorems;
* :mod:`optlab.plotting`: the palette and the panel helpers;
* :mod:`optlab.diagnostics`: step sizes and rises of the loss along a run;
* :mod:`optlab.validation`: the checks on hyperparameters that every optimizer makes when it is built;
* :mod:`optlab.race`: the Optimizer Race's roster and starting settings;
* :mod:`optlab.experiments`: the runs behind the pages' verdicts, each a function of its horizon.

Everything a page imports is listed in ``__all__`` below or is a public
name of one of these modules; the book's appendix "The optlab package"
documents all of it.
"""

__version__ = "0.1.0"
"""optlab's version (the distribution ``optlab-book``'s, see ``pyproject.toml``)."""

from .datasets import circle, sine, xor
from .network import MLP, replicate
from .optimizers import (
    SGD,
    AdaGrad,
    AdaGradState,
    Adam,
    Adaptive,
    AdamState,
    AdamW,
    DecoupledWeightDecay,
    EmptyState,
    L2Penalty,
    Momentum,
    MomentumState,
    Optimizer,
    RMSProp,
    RMSPropState,
)
from .schedules import linear_warmup
from .surfaces import ILL_CONDITIONED, PLATEAU, ROSENBROCK, SADDLE, SURFACES, quadratic
from .training import epochs_to_reach, minimize, run_on_surface, train, train_each
from .validation import check_decay_rate, check_nonnegative

__all__ = [
    "SGD", "Momentum", "AdaGrad", "RMSProp", "Adam", "AdamW", "DecoupledWeightDecay", "L2Penalty",
    "Optimizer", "Adaptive", "EmptyState", "MomentumState", "AdaGradState", "RMSPropState", "AdamState",
    "check_nonnegative", "check_decay_rate",
    "MLP", "replicate", "xor", "circle", "sine",
    "ILL_CONDITIONED", "ROSENBROCK", "SADDLE", "PLATEAU", "SURFACES", "quadratic",
    "run_on_surface", "train", "train_each", "minimize", "epochs_to_reach", "linear_warmup",
]
