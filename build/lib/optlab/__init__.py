"""optlab: the code of the chapter "Momentum, RMSProp, and Adam".

One obvious place for each thing:

* :mod:`optlab.optimizers`: SGD, Momentum (and Nesterov), AdaGrad, RMSProp,
  Adam (and AMSGrad), AdamW, with explicit ``init``/``step`` state;
* :mod:`optlab.network`: a small MLP with backpropagation;
* :mod:`optlab.surfaces`: named 2-D loss surfaces;
* :mod:`optlab.datasets`: XOR, the circle data, sin(x);
* :mod:`optlab.training`: runners that return trajectories and loss histories;
* :mod:`optlab.theory`: the closed forms of the chapter's theorems;
* :mod:`optlab.plotting`: the palette and the panel helpers.
"""

from .datasets import circle, sine, xor
from .network import MLP, replicate
from .optimizers import (
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    DecoupledWeightDecay,
    L2Penalty,
    Momentum,
    RMSProp,
)
from .surfaces import ILL_CONDITIONED, PLATEAU, ROSENBROCK, SADDLE, SURFACES, quadratic
from .training import epochs_to_reach, linear_warmup, run_on_surface, train

__all__ = [
    "SGD", "Momentum", "AdaGrad", "RMSProp", "Adam", "AdamW", "DecoupledWeightDecay", "L2Penalty",
    "MLP", "replicate", "xor", "circle", "sine",
    "ILL_CONDITIONED", "ROSENBROCK", "SADDLE", "PLATEAU", "SURFACES", "quadratic",
    "run_on_surface", "train", "epochs_to_reach", "linear_warmup",
]
