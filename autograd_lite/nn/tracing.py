"""Walks through plain layers by hand, for the worked examples and fast evaluation:
each layer's weighted sums and activations (``MLP.trace``), the forward pass on
floats without a graph (``MLP.forward_floats``, ``MLP.forward_floats_by_layer``),
and each layer's gradient size
(``MLP.layer_grad_norms``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from autograd_lite.nn._checks import _FLOAT_ACTIVATIONS, ACTIVATIONS
from autograd_lite.nn.layers import Layer
from autograd_lite.value import Value, number_of


class LayerTrace(NamedTuple):
    """One layer's forward pass: pre-activations ``z`` and activations ``a``."""

    z: list[Value]
    a: list[Value]


def trace_layers(layers: Sequence[Layer], values: list[Value]) -> list[LayerTrace]:
    """Each layer's ``z`` (weighted sums) and ``a`` (activations) for the inputs
    ``values``, part of one graph: the last ``a`` is the network's output."""
    rows = []
    for layer in layers:
        z = [n.pre_activation(values) for n in layer.neurons]
        activate = ACTIVATIONS[layer.activation]
        values = z if activate is None else [activate(v) for v in z]
        rows.append(LayerTrace(z, values))
    return rows


def float_forward(layers: Sequence[Layer], values: list[float]) -> list[float]:
    """The layers' outputs on plain floats: the same arithmetic in the same order
    as the graph (``b + w0*x0 + w1*x1 + ...``), so the results agree bit for bit."""
    return float_layers(layers, values)[-1] if layers else values


def float_layers(layers: Sequence[Layer], values: list[float]) -> list[list[float]]:
    """Every layer's outputs (after its activation) on plain floats, first layer
    first, computed as ``float_forward`` computes them."""
    outputs = []
    for layer in layers:
        activate = _FLOAT_ACTIVATIONS[layer.activation]
        out = []
        for n in layer.neurons:
            act = n.b.data
            for wi, xi in zip(n.w, values, strict=True):
                act = act + wi.data * xi
            out.append(act if activate is None else activate(act))
        outputs.append(out)
        values = out
    return outputs


def layer_grad_norms(layers: Sequence[Layer]) -> list[float]:
    """``sqrt(sum(p.grad^2))`` over each layer's weights and biases, first layer first."""
    return [math.sqrt(sum(number_of(p.grad) ** 2 for p in layer.parameters())) for layer in layers]
