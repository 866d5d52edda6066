"""The checks and small helpers the network modules share: argument checks with
messages that say how to fix the call, seeds, initialisation limits, inputs lifted
to Values. Private to ``nn``.
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Callable, Sequence
from typing import Any, Literal

from autograd_lite._helpers import (
    is_real,
    is_whole,
)
from autograd_lite.ops import OPS
from autograd_lite.value import Value

#: The activations a neuron can apply to its weighted sum.
Activation = Literal["relu", "tanh", "sigmoid", "linear"]


#: Weight initialisation schemes (biases always start at 0, as in micrograd).
Init = Literal["uniform", "xavier", "he"]


ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": None,
}


INITS = ("uniform", "xavier", "he")


# The same activations on floats, from the op table (so the two paths agree).
_FLOAT_ACTIVATIONS: dict[str, Callable[[float], float] | None] = {
    name: None if name == "linear" else OPS[name].forward for name in ACTIVATIONS
}


#: An int seed, a ``random.Random`` to draw from, or None for the global ``random``
#: module (so ``random.seed(1337)`` gives micrograd's demo weights). MLP and Layer
#: hand the module itself down to their neurons when given None.
Seed = int | random.Random | None


#: BatchNorm's defaults (PyTorch's BatchNorm1d's); checkpoints record others only.
_NORM_DEFAULTS = {"momentum": 0.1, "eps": 1e-5}


_Path = str | os.PathLike[str]


def _a(noun: str) -> str:
    """``noun`` with its article: an MLP, a Layer."""
    return f"{'an' if noun.startswith('MLP') or noun[:1] in 'AEIOU' else 'a'} {noun}"


def _as_inputs(x: Sequence[Value | float], width: int, model: object) -> list[Value]:
    """Check the input width and lift numbers to leaves (Values pass through)."""
    if isinstance(x, (Value, str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(
            f"{model!r} takes a list of {width} numbers (one sample), got {type(x).__name__}"
        )
    if len(x) != width:
        raise ValueError(
            f"{model!r} takes {width} input(s), got {len(x)}: the sample's width must match "
            "n_inputs"
        )
    return [xi if isinstance(xi, Value) else Value(xi) for xi in x]


def _float_inputs(x: Sequence[Any], model: object) -> list[float]:
    """One sample as floats for the float path (a Value gives its ``.data``); each
    must be a finite real number, as ``Value(x)`` requires on the graph path."""
    values = []
    for i, xi in enumerate(x):
        number = xi.data if xi.__class__ is Value else xi
        if number.__class__ is not float or number - number != 0.0:  # not a finite float
            if not is_real(number):
                raise TypeError(
                    f"{model!r}.forward_floats: input {i} is {type(xi).__name__} {_short(xi)}; "
                    "give real numbers (convert text first, e.g. float('1.5'); bools are refused "
                    "as a likely mistake)"
                )
            number = _checked_number(number, f"{model!r}.forward_floats: input {i}", "inputs")
        values.append(number)
    return values


def _checked_batch(X: Any, model: object) -> Sequence[Any]:
    """A batch must be a non-empty list of samples."""
    if isinstance(X, (Value, str, bytes)) or not isinstance(X, Sequence):
        raise TypeError(
            f"{model!r}.forward_batch takes a list of samples (each a list of numbers), "
            f"got {type(X).__name__}"
        )
    if not X:
        raise ValueError(f"{model!r}.forward_batch: the batch is empty; give at least one sample")
    return X


def _check_dropout(p: Any, where: str) -> float:
    if not is_real(p):
        raise TypeError(f"{where} must be a number in [0, 1), got {p!r}")
    if not 0.0 <= float(p) < 1.0:
        raise ValueError(
            f"{where}={p!r} is the probability of dropping an input and must be in [0, 1): "
            "0 keeps everything, and 1 would drop everything (and divide by 1 - p = 0)"
        )
    return float(p)


def _rng(seed: Seed) -> Any:
    """Where random numbers come from; the global ``random`` module for None."""
    if seed is None or seed is random:  # type: ignore[comparison-overlap]  # passed down by MLP
        return random
    if isinstance(seed, random.Random):
        return seed
    if not is_whole(seed):
        raise TypeError(f"seed must be an int, a random.Random or None, got {seed!r}")
    return random.Random(seed)


def _init_limit(init: str, fan_in: int, fan_out: int) -> float:
    if init == "uniform":
        return 1.0
    if init == "xavier":
        return math.sqrt(6.0 / (fan_in + fan_out))
    return math.sqrt(6.0 / fan_in)


def _check_count(n: Any, name: str) -> None:
    if not is_whole(n) or n < 1:
        raise ValueError(f"{name} must be a positive int, got {n!r}")


def _check_activation(activation: Any, name: str) -> Activation:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"{name}={activation!r}: choose one of {', '.join(map(repr, ACTIVATIONS))}"
        )
    return activation  # type: ignore[no-any-return]


def _check_init(init: Any) -> Init:
    if init not in INITS:
        raise ValueError(f"init={init!r}: choose one of {', '.join(map(repr, INITS))}")
    return init  # type: ignore[no-any-return]


def _checked_number(v: Any, where: str, kind: str = "parameters") -> float:
    if not is_real(v):
        raise ValueError(f"{where}: expected a real number, got {type(v).__name__} {_short(v)}")
    try:
        number = float(v)
    except OverflowError:  # an int such as 10**400
        raise ValueError(
            f"{where}: {_short(v)} is too large for a float (whose largest is about 1.8e308); "
            f"{kind} must be finite numbers"
        ) from None
    if not math.isfinite(number):
        beyond = " (a number beyond about 1.8e308, such as 1e999, reads as inf)"
        raise ValueError(
            f"{where}: {number} is not finite{beyond if math.isinf(number) else ''}; "
            f"{kind} must be finite numbers"
        )
    return number


def _short(v: Any) -> str:
    """``repr(v)``, cut short in the middle when long (an int of 400 digits)."""
    text = repr(v)
    return text if len(text) <= 60 else f"{text[:25]}...{text[-25:]} ({len(text)} characters)"


def _checked_norm_settings(momentum: Any, eps: Any) -> tuple[float, float]:
    """Batch norm's momentum in [0, 1] and eps > 0, as floats."""
    for name, number in (("momentum", momentum), ("eps", eps)):
        if not is_real(number):
            raise TypeError(f"BatchNorm: {name} must be a number, got {number!r}")
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"BatchNorm: momentum={momentum!r} must be in [0, 1] (PyTorch: 0.1)")
    if not (math.isfinite(eps) and eps > 0.0):
        raise ValueError(f"BatchNorm: eps={eps!r} must be > 0 (it keeps sqrt(var + eps) > 0)")
    return float(momentum), float(eps)


def _check_row(row: Any, width: int, where: str) -> None:
    if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
        raise ValueError(f"{where}: expected a list of {width} numbers, got {type(row).__name__}")
    if len(row) != width:
        raise ValueError(f"{where}: expected {width} numbers (one per input), got {len(row)}")


def _flatten_layer(
    weights: Sequence[Sequence[float]], biases: Sequence[float], n_in: int, n_out: int, where: str
) -> list[float]:
    """Weights (a row per neuron) and biases as one list in parameters() order."""
    if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence):
        raise ValueError(f"load_weights: {where}weights must be a list of rows, one per neuron")
    if len(weights) != n_out:
        raise ValueError(
            f"load_weights: {where}expected {n_out} weight rows (one per neuron), "
            f"got {len(weights)}"
        )
    _check_row(biases, n_out, f"load_weights: {where}biases")
    flat: list[float] = []
    for j, (row, bias) in enumerate(zip(weights, biases, strict=True)):
        _check_row(row, n_in, f"load_weights: {where}neuron {j}")
        flat += [*row, bias]
    return flat


def _some(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:4])
    return shown + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def _describe_config(config: Any) -> str:
    if not isinstance(config, dict):
        return "model of unknown architecture"
    args = ", ".join(f"{k}={v!r}" for k, v in config.items() if k != "type")
    return f"{config.get('type', 'model')}({args})"
