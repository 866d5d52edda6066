"""The training loop: ``fit()``, its ``History``, callbacks, and plots.

``fit`` repeats forward, loss, backward and update over the data for a number
of epochs, as full-batch (``batch_size=None``), mini-batch (``batch_size=k``)
or stochastic (``batch_size=1``) gradient descent. Everything is checked
before the first update, so bad input fails fast with a ValueError. Training
runs in training mode (dropout on, batch norm on batch statistics) and
evaluation in evaluation mode, under ``no_grad``; the model's modes are
restored afterwards.

Callbacks are called after every epoch with the ``History`` so far; that is how
metrics reach a file (``CSVLogger``), TensorBoard (``TensorBoardLogger``) or
Weights & Biases (a one-line function, see ``fit``) without this package
depending on any of them.

Plots use matplotlib, imported only when a plot is asked for (the ``[plot]``
extra); the progress bar uses tqdm (the ``[progress]`` extra).

The package: ``loop`` (``fit`` and ``DivergenceError``), ``history``
(``History``), ``loggers`` (``CSVLogger``, ``TensorBoardLogger``), ``scoring``
(``evaluate``), ``plots`` (``plot_decision_boundary``) and ``objective`` (the
compiled loss behind ``fit(compile=True)``). It imports ``nn``, ``losses``,
``optim``, the compiled path and the engine, nothing that draws or explains.
"""

from autograd_lite._helpers import shown_as_part_of
from autograd_lite.train._shared import LOSSES

# Public names outside __all__, at the paths they always had.
from autograd_lite.train._shared import LossFunction as LossFunction
from autograd_lite.train._shared import Predict as Predict
from autograd_lite.train.history import Callback, History
from autograd_lite.train.loggers import CSVLogger, TensorBoardLogger
from autograd_lite.train.loop import DivergenceError, fit
from autograd_lite.train.plots import plot_decision_boundary
from autograd_lite.train.scoring import evaluate

__all__ = [
    "LOSSES",
    "CSVLogger",
    "Callback",
    "DivergenceError",
    "History",
    "TensorBoardLogger",
    "evaluate",
    "fit",
    "plot_decision_boundary",
]

shown_as_part_of(__name__, globals(), __all__)
