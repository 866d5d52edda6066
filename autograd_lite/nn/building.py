"""How an ``MLP``'s arguments become its parts: the checks on them, the layers of
neurons (weights drawn first, so the remedies never change them), the batch
norms, dropouts and skip connections, and the composition that runs them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from autograd_lite.nn._checks import (
    Activation,
    Init,
    Seed,
    _check_activation,
    _check_count,
    _check_dropout,
    _check_init,
    _flatten_layer,
    _rng,
)
from autograd_lite.nn.activations import _ACTIVATION_MODULES
from autograd_lite.nn.containers import Sequential
from autograd_lite.nn.layers import Layer
from autograd_lite.nn.module import Module
from autograd_lite.nn.regularisation import BatchNorm, Dropout
from autograd_lite.nn.residual import Residual


class Parts(NamedTuple):
    """An MLP's parts: its checked settings (activation, output activation, init,
    dropout), ``layers``, the remedies (one batch norm and one dropout per hidden
    layer, or none, and whether each hidden layer has a skip), ``net``, the
    composition, and the name prefix of each layer and batch norm in checkpoints."""

    settings: tuple[Activation, Activation, Init, float]
    layers: list[Layer]
    remedies: tuple[list[BatchNorm], list[Dropout], list[bool]]
    net: Sequential
    prefixes: dict[Module, str]


def check_arguments(
    n_inputs: Any,
    layer_sizes: Any,
    activation: Any,
    output_activation: Any,
    init: Any,
    dropout: Any,
    batch_norm: Any,
    residual: Any,
) -> tuple[Activation, Activation, Init, float]:
    """``MLP``'s arguments checked, each with a message saying how to fix it;
    returns the activations, the init and the dropout probability."""
    _check_count(n_inputs, "n_inputs")
    p = _check_dropout(dropout, "MLP: dropout")
    for flag, name in ((batch_norm, "batch_norm"), (residual, "residual")):
        if not isinstance(flag, bool):
            raise TypeError(f"MLP: {name} must be True or False, got {flag!r}")
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
        raise TypeError(
            f"MLP: layer_sizes must be a list of ints such as [16, 16, 1], got {layer_sizes!r}"
        )
    if not layer_sizes:
        raise ValueError("MLP: layer_sizes is empty; give at least the output layer, e.g. [1]")
    for size in layer_sizes:
        _check_count(size, "every entry of layer_sizes")
    hidden = _check_activation(activation, "activation")
    output = _check_activation(output_activation, "output_activation")
    return hidden, output, _check_init(init), p


def build_parts(
    n_inputs: int,
    layer_sizes: Sequence[int],
    activation: Activation,
    output_activation: Activation,
    *,
    init: Init,
    seed: Seed,
    dropout: float,
    batch_norm: bool,
    residual: bool,
) -> Parts:
    """The parts of ``MLP(n_inputs, layer_sizes, ...)``, its arguments checked first."""
    settings = check_arguments(
        n_inputs, layer_sizes, activation, output_activation, init, dropout, batch_norm, residual
    )
    activation, output_activation, init, dropout = settings
    rng = _rng(seed)
    sizes = [n_inputs, *layer_sizes]
    last = len(layer_sizes) - 1
    # Batch norm sits between the weighted sum and the activation, so those
    # layers' neurons stay linear and the MLP applies the activation itself.
    hidden = "linear" if batch_norm else activation
    layers = [
        Layer(
            sizes[i],
            sizes[i + 1],
            output_activation if i == last else hidden,
            init=init,
            seed=rng,
        )
        for i in range(len(layer_sizes))
    ]
    norms = [BatchNorm(size) for size in layer_sizes[:-1]] if batch_norm else []
    # Drawn after the weights, so the weights do not depend on dropout.
    dropouts = (
        [Dropout(dropout, seed=rng.getrandbits(64)) for _ in layer_sizes[:-1]] if dropout else []
    )
    skips = [residual and sizes[i] == sizes[i + 1] for i in range(last)]
    if residual and not any(skips):
        raise ValueError(
            f"MLP: residual=True, but no hidden layer of {n_inputs} -> {list(layer_sizes)} "
            "has as many outputs as inputs, so there is nothing a skip connection can add "
            "to; give two hidden layers of the same width, e.g. [8, 8, 1]"
        )
    blocks: list[Module] = []
    for i, layer in enumerate(layers[:-1]):
        steps: list[Module] = [layer]
        if norms:
            # Batch norm sits between the weighted sums and the activation.
            steps.append(norms[i])
            if activation != "linear":
                steps.append(_ACTIVATION_MODULES[activation]())
        if dropouts:
            steps.append(dropouts[i])
        block = steps[0] if len(steps) == 1 else Sequential(*steps)
        blocks.append(Residual(block) if skips[i] else block)
    prefixes: dict[Module, str] = {
        **{layer: f"layers.{i}." for i, layer in enumerate(layers)},
        **{norm: f"norms.{i}." for i, norm in enumerate(norms)},
    }
    net = Sequential(*blocks, layers[-1])
    return Parts(settings, layers, (norms, dropouts, skips), net, prefixes)


def flatten_weights(pairs: Any, layers: Sequence[Layer], model: object) -> list[float]:
    """``load_weights``'s ``(weights, biases)`` pairs, one per layer, checked against
    ``layers`` and flattened in ``parameters()`` order."""
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Sequence):
        raise TypeError("load_weights: expected a list of (weights, biases) pairs, one per layer")
    if len(pairs) != len(layers):
        raise ValueError(
            f"load_weights: {model!r} has {len(layers)} layers, got {len(pairs)} "
            "(weights, biases) pairs"
        )
    flat: list[float] = []
    for i, (pair, layer) in enumerate(zip(pairs, layers, strict=True)):
        if not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"load_weights: layer {i}: expected a (weights, biases) pair")
        flat += _flatten_layer(pair[0], pair[1], layer.n_inputs, layer.n_outputs, f"layer {i}: ")
    return flat
