"""The activation modules ``ReLU``, ``Tanh`` and ``Sigmoid``: one op row applied
to every input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from autograd_lite.nn._checks import ACTIVATIONS, Activation
from autograd_lite.nn.module import Module
from autograd_lite.value import Value


class Pointwise(Module):
    """An activation as a module: applies ``activation`` to every input (the base
    of ``ReLU``, ``Tanh`` and ``Sigmoid``); it has no parameters."""

    #: the op-table name of the activation
    activation: ClassVar[Activation]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        if isinstance(x, (Value, str, bytes)) or not isinstance(x, Sequence):
            raise TypeError(
                f"{self!r} takes a list of numbers (one sample), got {type(x).__name__}"
            )
        activate = ACTIVATIONS[self.activation]
        assert activate is not None
        return [activate(xi if isinstance(xi, Value) else Value(xi)) for xi in x]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return []

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ReLU(Pointwise):
    """``max(x, 0)`` on every input.

    Example:
        >>> [v.data for v in ReLU()([-1.0, 2.0])]
        [0.0, 2.0]
    """

    activation = "relu"


class Tanh(Pointwise):
    """``tanh(x)`` on every input."""

    activation = "tanh"


class Sigmoid(Pointwise):
    """``1 / (1 + exp(-x))`` on every input."""

    activation = "sigmoid"


_ACTIVATION_MODULES: dict[str, type[Pointwise]] = {
    "relu": ReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
}
