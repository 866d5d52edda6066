"""Independent references for every op: how to call it on Values, in plain
``math``, and in PyTorch. Tests compare the op table against these, so none of
them reuses the table's own forward functions or derivative rules."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd_lite import Value

#: The ops written with Python's operators: the same call works on Values,
#: floats and tensors (``c`` is the op's constant for pow/rpow).
OPERATORS: dict[str, Callable[..., Any]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "neg": lambda x: -x,
    "pow": lambda x, c: x**c,
    "rpow": lambda x, c: c**x,
    "vpow": lambda x, y: x**y,
}

#: op name -> call on Values
ON_VALUES: dict[str, Callable[..., Value]] = {
    **OPERATORS,
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "abs": lambda x: abs(x),
    "step": lambda x: x.step(),
    "sign": lambda x: x.sign(),
}

#: op name -> the same function written with ``math``
IN_MATH: dict[str, Callable[..., float]] = {
    **OPERATORS,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "tanh": lambda x: (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1),
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
    "relu": lambda x: max(x, 0.0),
    "sin": math.sin,
    "cos": math.cos,
    "abs": abs,
    "step": lambda x: 1.0 if x > 0 else 0.0,
    "sign": lambda x: math.copysign(1.0, x) if x else 0.0,
}


def in_torch(torch: Any) -> dict[str, Callable[..., Any]]:
    """op name -> the same function on torch tensors."""
    return {
        **OPERATORS,
        "exp": torch.exp,
        "log": torch.log,
        "sqrt": torch.sqrt,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
        "sin": torch.sin,
        "cos": torch.cos,
        "abs": torch.abs,
        # torch.heaviside has no derivative; sign(relu(x)) is the same step, with one
        "step": lambda x: torch.sign(torch.relu(x)),
        "sign": torch.sign,
    }
