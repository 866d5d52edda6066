"""What the training modules share: the function types (``Callback``,
``Predict``, ``LossFunction``), the losses ``fit(loss=...)`` accepts by name, and
the switch between training and evaluation mode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from autograd_lite import losses as _losses
from autograd_lite._helpers import (
    modes_restored,
)
from autograd_lite.nn import Module
from autograd_lite.value import Value

#: Turns one model output (a Value, or a list of Values) into a predicted label.
Predict = Callable[[Any], Any]


LossFunction = Callable[[Any, Any], Value]


#: The losses ``fit(loss=...)`` accepts by name.
LOSSES: dict[str, LossFunction] = {
    "mse": _losses.mse,
    "binary_cross_entropy": _losses.binary_cross_entropy,
    "binary_cross_entropy_with_logits": _losses.binary_cross_entropy_with_logits,
    "cross_entropy": _losses.cross_entropy,
    "hinge": _losses.hinge,
}


def _loss_function(loss: str | LossFunction) -> tuple[LossFunction, str]:
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"loss={loss!r}: choose one of {', '.join(map(repr, LOSSES))}")
        return LOSSES[loss], loss
    if not callable(loss):
        raise TypeError(f"loss must be a loss function or its name, got {loss!r}")
    for name, fn in LOSSES.items():
        if fn is loss:
            return fn, name
    return loss, ""


@contextmanager
def _modes(model: Module, training: bool) -> Iterator[None]:
    """``model`` in one mode for the block, then each module back in its own.

    For training, a model already in training mode is left as it is, so a
    module the user put in evaluation mode inside it (a frozen batch norm)
    stays frozen; a model in evaluation mode is switched to training whole.
    """
    with modes_restored(model):
        if not (training and model.training):
            model.train(training)
        yield
